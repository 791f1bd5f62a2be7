/**
 * The options of `@node-saml/passport-saml` 5 and `@node-saml/node-saml` 5, as plain data: what
 * an app passes to `new SamlStrategy(…)`, to `new MultiSamlStrategy(…)` or from `getSamlOptions`.
 * Declared here, structurally, so that the migration helper needs neither package: an object typed
 * as passport-saml's `PassportSamlConfig` or `MultiStrategyConfig` (or `Partial<…>`, or read from
 * JSON) fits. Every option is optional here; the helper says which ones a tenant lacks. Keys it
 * does not know are refused as unknown options, unless listed in `ignore`.
 *
 * @example
 * ```ts
 * import type { PassportSamlOptions } from 'passport-saml-multi-idp/migrate'
 * const acme: PassportSamlOptions = {
 *   entryPoint: 'https://acme.okta.com/app/exk1/sso/saml',
 *   issuer: 'https://app.example.com/sp/acme',
 *   callbackUrl: 'https://app.example.com/login/callback/acme',
 *   idpIssuer: 'http://www.okta.com/exk1',
 *   idpCert: acmeCertPem,
 * }
 * ```
 */
export interface PassportSamlOptions {
  // The IdP
  /** The IdP's signing certificate(s), PEM or base64; or a callback that provides them. */
  idpCert?:
    string | readonly string[] | ((callback: (err: Error | null, cert?: string | string[]) => void) => void)
  /** The IdP's entityID, checked against the Issuer when set. */
  idpIssuer?: string
  /** The IdP's SingleSignOnService URL. */
  entryPoint?: string
  /** `'HTTP-Redirect'` (default) or `'HTTP-POST'`. */
  authnRequestBinding?: string
  /** The IdP's SingleLogoutService URL; passport-saml's default is `entryPoint`. */
  logoutUrl?: string
  additionalLogoutParams?: Readonly<Record<string, string>>

  // This app as the SP
  /** The SP entityID, written as the AuthnRequest's Issuer (and the expected Audience). */
  issuer?: string
  /** The expected Audience; default `issuer`; `false` skips the check. */
  audience?: string | false
  /** The ACS URL: where the IdP posts, named in AuthnRequests. */
  callbackUrl?: string
  /** The SP's SingleLogoutService URL, in SP metadata. */
  logoutCallbackUrl?: string
  /** Signs AuthnRequests (always, when set) and logout messages. */
  privateKey?: string | Uint8Array
  /** The certificate of `privateKey`. */
  publicCert?: string
  /** `'sha1'` (passport-saml's default), `'sha256'` or `'sha512'`. */
  signatureAlgorithm?: string
  digestAlgorithm?: string
  xmlSignatureTransforms?: readonly string[]
  /** Decrypts encrypted assertions. */
  decryptionPvk?: string | Uint8Array

  // The AuthnRequest
  /** NameIDPolicy Format; default emailAddress; `null` for none. */
  identifierFormat?: string | null
  allowCreate?: boolean
  spNameQualifier?: string | null
  forceAuthn?: boolean
  passive?: boolean
  /** RequestedAuthnContext class references; default PasswordProtectedTransport. */
  authnContext?: readonly string[]
  racComparison?: string
  disableRequestedAuthnContext?: boolean
  attributeConsumingServiceIndex?: string
  providerName?: string
  scoping?: unknown
  additionalParams?: Readonly<Record<string, string>>
  additionalAuthorizeParams?: Readonly<Record<string, string>>
  disableRequestAcsUrl?: boolean
  skipRequestCompression?: boolean
  samlAuthnRequestExtensions?: unknown
  samlLogoutRequestExtensions?: unknown
  generateUniqueId?: () => string

  // The response
  /** Default true. */
  wantAssertionsSigned?: boolean
  /** Default true. */
  wantAuthnResponseSigned?: boolean
  /** Default 0; `-1` turns time checks off. */
  acceptedClockSkewMs?: number
  maxAssertionAgeMs?: number
  /** `'never'` (default), `'ifPresent'` or `'always'`. */
  validateInResponseTo?: string
  requestIdExpirationPeriodMs?: number
  cacheProvider?: unknown

  // SP metadata
  signMetadata?: boolean
  metadataContactPerson?: unknown
  metadataOrganization?: unknown

  // passport-saml's strategy
  /** The strategy name; default `'saml'`. */
  name?: string
  passReqToCallback?: boolean
  /** MultiSamlStrategy's per-request lookup; the resolvers take its place. */
  getSamlOptions?: unknown
}

/** Every option name `PassportSamlOptions` declares, in its order. */
export const PASSPORT_SAML_OPTION_NAMES = Object.freeze([
  'idpCert',
  'idpIssuer',
  'entryPoint',
  'authnRequestBinding',
  'logoutUrl',
  'additionalLogoutParams',
  'issuer',
  'audience',
  'callbackUrl',
  'logoutCallbackUrl',
  'privateKey',
  'publicCert',
  'signatureAlgorithm',
  'digestAlgorithm',
  'xmlSignatureTransforms',
  'decryptionPvk',
  'identifierFormat',
  'allowCreate',
  'spNameQualifier',
  'forceAuthn',
  'passive',
  'authnContext',
  'racComparison',
  'disableRequestedAuthnContext',
  'attributeConsumingServiceIndex',
  'providerName',
  'scoping',
  'additionalParams',
  'additionalAuthorizeParams',
  'disableRequestAcsUrl',
  'skipRequestCompression',
  'samlAuthnRequestExtensions',
  'samlLogoutRequestExtensions',
  'generateUniqueId',
  'wantAssertionsSigned',
  'wantAuthnResponseSigned',
  'acceptedClockSkewMs',
  'maxAssertionAgeMs',
  'validateInResponseTo',
  'requestIdExpirationPeriodMs',
  'cacheProvider',
  'signMetadata',
  'metadataContactPerson',
  'metadataOrganization',
  'name',
  'passReqToCallback',
  'getSamlOptions',
] as const)

/** The name of an option of passport-saml (or node-saml) that the helper knows. */
export type PassportSamlOptionName = (typeof PASSPORT_SAML_OPTION_NAMES)[number]

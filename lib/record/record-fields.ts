import type { IdpEndpoints, ParsedIdpMetadata } from '../metadata/parse-idp-metadata.js'
import type { AttributePresetName } from '../profile/presets.js'
import type { AttributeMap, GroupsMap } from '../profile/types.js'
import type { AuthnRequestOptions } from './authn-request-options.js'

export type { IdpEndpoints } from '../metadata/parse-idp-metadata.js'

/** SAML bindings the library speaks for browser messages. */
export type SamlBinding = 'redirect' | 'post'

/** What each kind of field holds, in an input and in a stored record alike. */
export interface IdpRecordFieldKinds {
  /** 1–64 of `A–Z a–z 0–9 . _ -`, starting alphanumeric. */
  id: string
  /** Trimmed, non-empty, at most `max` characters. */
  text: string
  /** An absolute http: or https: URL. */
  url: string
  /** IdP metadata XML. */
  metadata: string
  endpoints: IdpEndpoints
  /** PEM or bare base64 X.509 on input; canonical PEM, de-duplicated, once stored. */
  certificates: readonly string[]
  /** Domain names; lower-cased, punycode, de-duplicated once stored. */
  emailDomains: readonly string[]
  /** Domain names as `emailDomains`, but not claimed: several records may list one. */
  domains: readonly string[]
  attributeMap: AttributeMap | AttributePresetName
  groupsMap: GroupsMap
  boolean: boolean
  binding: SamlBinding
  /** An integer number of milliseconds from 0 to `max`. */
  milliseconds: number
  authnRequestOptions: AuthnRequestOptions
}

/** One kind of field value. */
export type IdpRecordFieldKind = keyof IdpRecordFieldKinds

/** How one field of an IdP record is read, defaulted, stored and merged with metadata. */
export interface IdpRecordFieldSpec<K extends IdpRecordFieldKind = IdpRecordFieldKind> {
  readonly kind: K
  /** In a stored record: always present, present when given (or read from metadata), or never (input shorthand). */
  readonly stored: 'always' | 'when-given' | 'never'
  /** The value when neither the input nor the metadata gives one. */
  readonly default?: IdpRecordFieldKinds[K]
  /** Longest text accepted (text fields), or largest number (milliseconds). */
  readonly max?: number
  /**
   * Read from `metadataXml` when the input does not give the field. `owned`: the metadata is the
   * source of truth, so a metadata refresh replaces the field; otherwise it is only a default.
   */
  readonly metadata?: {
    readonly owned: boolean
    readonly read: (meta: ParsedIdpMetadata) => IdpRecordFieldKinds[K] | undefined
  }
}

type Storage = IdpRecordFieldSpec['stored']

/** One table entry, keeping its kind and storage as literal types for the derived record types. */
function field<K extends IdpRecordFieldKind, S extends Storage>(
  spec: IdpRecordFieldSpec<K> & { readonly stored: S },
): IdpRecordFieldSpec<K> & { readonly stored: S } {
  // Defaults are shared by every record that takes them.
  if (typeof spec.default === 'object') Object.freeze(spec.default)
  return Object.freeze(spec)
}

/**
 * Every field of an IdP record: the one table from which the input and record types, validation,
 * defaults and the metadata merge are derived. Defaults are the strict choice.
 */
export const IDP_RECORD_FIELDS = Object.freeze({
  /** Tenant key used in URLs (`/saml/:id/...`): 1–64 of `A–Z a–z 0–9 . _ -`, starting alphanumeric. */
  id: field({ kind: 'id', stored: 'always' }),
  /** Name shown to users and admins. */
  displayName: field({ kind: 'text', stored: 'when-given', max: 256 }),
  /** IdP metadata XML (an EntityDescriptor, or an EntitiesDescriptor with `entityId` naming one entity). */
  metadataXml: field({ kind: 'metadata', stored: 'when-given' }),
  /** Where the metadata came from; kept for refresh. */
  metadataUrl: field({ kind: 'url', stored: 'when-given' }),
  /**
   * Pins who signs this IdP's metadata (its own key, or its federation's): PEM or bare base64
   * X.509 certificates. When given, `metadataXml` (pasted, fetched by `putIdpRecord` or by a
   * refresh) must carry an enveloped signature on its root element that verifies with one of these
   * (never with a KeyInfo certificate), SHA-256 or stronger; anything else is
   * `ERR_SAML_METADATA_SIGNATURE`. Default: none, metadata is trusted by how it was obtained.
   */
  metadataSigningCerts: field({ kind: 'certificates', stored: 'when-given' }),
  /** The IdP's entityID. Required unless `metadataXml` gives it. */
  entityId: field({
    kind: 'text',
    stored: 'always',
    max: 1024,
    metadata: { owned: true, read: (m) => m.entityId },
  }),
  /** Shorthand for `ssoUrls.redirect` (or `.post` when `authnRequestBinding` is `'post'`). */
  ssoUrl: field({ kind: 'url', stored: 'never' }),
  /** SingleSignOnService URL per binding. At least one is required (or `metadataXml`). */
  ssoUrls: field({
    kind: 'endpoints',
    stored: 'always',
    default: {},
    metadata: { owned: true, read: (m) => m.ssoUrls },
  }),
  /** SingleLogoutService URL per binding. */
  sloUrls: field({
    kind: 'endpoints',
    stored: 'always',
    default: {},
    metadata: { owned: true, read: (m) => m.sloUrls },
  }),
  /** PEM or bare base64 X.509 certificates; several during a rotation. At least one. */
  signingCerts: field({
    kind: 'certificates',
    stored: 'always',
    default: [],
    metadata: { owned: true, read: (m) => m.signingCerts },
  }),
  /** The IdP's encryption certificates (from its metadata). */
  encryptionCerts: field({
    kind: 'certificates',
    stored: 'always',
    default: [],
    metadata: { owned: true, read: (m) => m.encryptionCerts },
  }),
  /** NameIDPolicy Format to ask for. Default: the metadata's first NameIDFormat, else none. */
  nameIdFormat: field({
    kind: 'text',
    stored: 'when-given',
    max: 1024,
    metadata: { owned: true, read: (m) => m.nameIdFormats[0] },
  }),
  /** Email domains routed to this IdP by discovery (`alice@acme.com` → `acme.com`). */
  emailDomains: field({ kind: 'emailDomains', stored: 'always', default: [] }),
  /** Profile field → attribute names, or a preset name. Default: a map that fits most IdPs. */
  attributeMap: field({ kind: 'attributeMap', stored: 'when-given' }),
  /** IdP group name → application group name. */
  groupsMap: field({ kind: 'groupsMap', stored: 'when-given' }),
  /** SP entityID this IdP knows us by; defaults to the strategy's per-IdP SP entityID. */
  spEntityId: field({ kind: 'text', stored: 'when-given', max: 1024 }),
  /**
   * The SP's ACS URL this IdP posts to, when not the one `sp.urls` gives (e.g. an app's old
   * passport-saml `callbackUrl`): named in AuthnRequests and SP metadata, accepted as Destination
   * and Recipient. Absolute.
   */
  spAcsUrl: field({ kind: 'url', stored: 'when-given' }),
  /** The SP's SingleLogoutService URL for this IdP (passport-saml's `logoutCallbackUrl`). Absolute. */
  spSloUrl: field({ kind: 'url', stored: 'when-given' }),
  /** The URL of this IdP's SP metadata, e.g. where an AD FS relying party polls it. Absolute. */
  spMetadataUrl: field({ kind: 'url', stored: 'when-given' }),
  /** Where a login at this IdP starts (Entra ID's "Sign on URL"). Absolute. */
  spLoginUrl: field({ kind: 'url', stored: 'when-given' }),
  /** Accept unsolicited (IdP-initiated) responses. Default false. */
  allowIdpInitiated: field({ kind: 'boolean', stored: 'always', default: false }),
  /** Require a valid signature on the Assertion. Default true. */
  wantAssertionsSigned: field({ kind: 'boolean', stored: 'always', default: true }),
  /** Require a valid signature on the Response. Default false. */
  wantResponseSigned: field({ kind: 'boolean', stored: 'always', default: false }),
  /** Sign AuthnRequests. Default: what the metadata's WantAuthnRequestsSigned says, else false. */
  signAuthnRequests: field({
    kind: 'boolean',
    stored: 'always',
    default: false,
    metadata: { owned: false, read: (m) => m.wantAuthnRequestsSigned },
  }),
  /** Binding for AuthnRequests. Default `'redirect'` when the IdP has a redirect SSO URL, else `'post'`. */
  authnRequestBinding: field({ kind: 'binding', stored: 'always' }),
  /**
   * Binding for the LogoutRequests and LogoutResponses sent to this IdP. Default `'redirect'` when
   * the IdP has a redirect SLO URL, else `'post'`.
   */
  logoutBinding: field({ kind: 'binding', stored: 'when-given' }),
  /** Ask the IdP to authenticate the user again even with a session (ForceAuthn). Default false. */
  forceAuthn: field({ kind: 'boolean', stored: 'always', default: false }),
  /**
   * What AuthnRequests to this IdP ask for besides: IsPassive, RequestedAuthnContext, Scoping,
   * NameIDPolicy details, ACS and attribute service indexes, vendor query parameters, and how a
   * login hint is sent. A login's own options override them.
   */
  authnRequestOptions: field({ kind: 'authnRequestOptions', stored: 'when-given' }),
  /** Overrides the strategy's clock skew for this IdP (0–600000 ms). */
  clockSkewMs: field({ kind: 'milliseconds', stored: 'when-given', max: 600_000 }),
  /** Accept RSA-SHA1 signatures and SHA-1 digests. Default false. */
  allowSha1: field({ kind: 'boolean', stored: 'always', default: false }),
  /**
   * Let a signing certificate whose notAfter has passed still verify this IdP's responses. Default
   * true: SAML metadata profiles treat a certificate as a key holder and do not check its dates (as
   * Shibboleth and SimpleSAMLphp do not), so an IdP that forgets to rotate keeps working; watch
   * expiry with `checkIdpHealth` instead. False refuses such a response with
   * `ERR_SAML_CERTIFICATE_EXPIRED`. Absent means true (stored only when given, so records
   * written before this field keep their shape).
   */
  acceptExpiredSigningCerts: field({ kind: 'boolean', stored: 'when-given' }),
  /** Reject assertions that are not encrypted. Default false. */
  requireEncryptedAssertions: field({ kind: 'boolean', stored: 'always', default: false }),
  /** Accept only AES-GCM content encryption (not CBC). Default false. */
  requireAesGcm: field({ kind: 'boolean', stored: 'always', default: false }),
  /**
   * Create users on their first login at this IdP (`createUserVerify`'s `createUser` hook). When
   * given, it wins over the hooks' own `jitProvisioning`, global or per IdP.
   */
  jitProvisioning: field({ kind: 'boolean', stored: 'when-given' }),
  /**
   * The front end a token hand-off (`createTokenHandoff`) sends this IdP's users to, instead of the
   * hand-off's own `frontendUrl`. Its host must be one the hand-off allows. Absolute.
   */
  frontendUrl: field({ kind: 'url', stored: 'when-given' }),
  /**
   * The id of the federation source whose import created this record (`importFederation`). Its
   * imports replace the record when the entity changes and delete it when the entity leaves the
   * federation; records without it are never touched by an import.
   */
  federation: field({ kind: 'text', stored: 'when-given', max: 64 }),
  /** A logo for discovery pages (`mdui:Logo`). Absolute http(s). */
  logoUrl: field({ kind: 'url', stored: 'when-given' }),
  /**
   * Domains the IdP asserts identities in (`shibmd:Scope`): discovery finds the IdP by them, as by
   * `emailDomains`, but several IdPs may share one.
   */
  scopes: field({ kind: 'domains', stored: 'when-given' }),
  /** Who registered the IdP in its federation (`mdrpi:RegistrationInfo/@registrationAuthority`). */
  registrationAuthority: field({ kind: 'text', stored: 'when-given', max: 1024 }),
})

/** The name of an IdP record field. */
export type IdpRecordFieldName = keyof typeof IDP_RECORD_FIELDS

/** Every field with its value type; homomorphic over the table, so each field keeps its doc comment. */
export type IdpRecordFieldValues = {
  [N in IdpRecordFieldName]: IdpRecordFieldKinds[(typeof IDP_RECORD_FIELDS)[N]['kind']]
}

/** The names of the fields stored records hold `always`, or `when-given`. */
export type IdpRecordFieldNamesStored<S extends IdpRecordFieldSpec['stored']> = {
  [N in IdpRecordFieldName]: (typeof IDP_RECORD_FIELDS)[N]['stored'] extends S ? N : never
}[IdpRecordFieldName]

/**
 * What an admin writes to a store: either `metadataXml` (pasted IdP metadata; fields given beside it
 * override what it says) or the manual fields `entityId` + `ssoUrl`/`ssoUrls` + `signingCerts`.
 * Every field but `id` is optional; policy flags default to the strict choice.
 */
export type IdpRecordInput = Pick<IdpRecordFieldValues, 'id'> & Partial<Omit<IdpRecordFieldValues, 'id'>>

/** The part of a record a store does not assign: validated, normalized, immutable. */
export type IdpRecordFields = Readonly<Pick<IdpRecordFieldValues, IdpRecordFieldNamesStored<'always'>>> &
  Readonly<Partial<Pick<IdpRecordFieldValues, IdpRecordFieldNamesStored<'when-given'>>>>

/** A validated, normalized IdP record as a store returns it. Immutable. */
export type IdpRecord = IdpRecordFields & {
  /** Incremented by the store on every write. */
  readonly version: number
  /** ISO-8601 time of the last write. */
  readonly updatedAt: string
}

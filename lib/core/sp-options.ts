import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'

/** How this application appears to IdPs as a SAML service provider. */
export interface ServiceProviderOptions {
  /** Public origin of the app, e.g. `https://app.example.com` (behind a proxy: the outside URL). */
  baseUrl: string
  /** Where the SAML routes are mounted. Default `/saml`: ACS `/saml/:idp/acs`, shared ACS `/saml/acs`. */
  pathPrefix?: string
  /**
   * The SP entityID: one string for every IdP, or a function of the IdP id. Default: per IdP,
   * `${baseUrl}${pathPrefix}/${idp}/metadata` (the metadata URL, as Shibboleth does).
   */
  entityId?: string | ((idp: string) => string)
  /** PEM private key for signing AuthnRequests (and decryption when no decryptionKey is given). */
  signingKey?: string
  /** PEM certificate for `signingKey`, published in SP metadata. */
  signingCert?: string
  /** PEM private key(s) for encrypted assertions; the first is current, later ones are kept during a rotation. */
  decryptionKey?: string | readonly string[]
  /** PEM certificate IdPs encrypt to (published in metadata). Default `signingCert`. */
  decryptionCert?: string
  /** Signature algorithm for AuthnRequests. Default `sha256`. */
  signatureAlgorithm?: 'sha256' | 'sha512'
  /** NameIDPolicy Format asked for when the IdP record names none. Default: none (the IdP decides). */
  nameIdFormat?: string
}

export interface ResolvedServiceProvider {
  readonly baseUrl: string
  readonly pathPrefix: string
  readonly entityId: (idp: string) => string
  /** The key outbound messages are signed with, parsed once, and its certificate. */
  readonly signing?: { readonly key: KeyObject; readonly cert: string }
  readonly decryptionKeys: readonly KeyObject[]
  readonly decryptionCert?: string
  readonly signatureAlgorithm: 'sha256' | 'sha512'
  readonly nameIdFormat?: string
  readonly sharedAcsUrl: string
  acsUrl(idp: string): string
  sloUrl(idp: string): string
  metadataUrl(idp: string): string
  loginUrl(idp: string): string
}

function fail(option: string, message: string): never {
  throw new TypeError(`"options.sp.${option}" ${message}`)
}

function checkCert(option: string, pem: unknown): string {
  if (typeof pem !== 'string') fail(option, 'must be a PEM certificate string')
  try {
    new X509Certificate(pem)
  } catch {
    fail(option, 'is not a PEM X.509 certificate')
  }
  return pem
}

function checkKey(option: string, pem: unknown): KeyObject {
  if (typeof pem !== 'string') fail(option, 'must be a PEM private key string')
  try {
    return createPrivateKey(pem)
  } catch {
    return fail(option, 'is not a PEM private key (unencrypted PKCS#8 or PKCS#1)')
  }
}

/** Validates SP options once, up front, with messages that name the option. */
export function resolveServiceProvider(sp: ServiceProviderOptions | undefined): ResolvedServiceProvider {
  if (!sp || typeof sp !== 'object')
    throw new TypeError('"options.sp" is required: { baseUrl, signingKey?, signingCert?, ... }')
  let base: URL
  try {
    base = new URL(sp.baseUrl)
  } catch {
    fail('baseUrl', 'must be an absolute https or http URL')
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    fail('baseUrl', 'must be an absolute https or http URL')
  if (base.search || base.hash) fail('baseUrl', 'must not have a query or fragment')
  const baseUrl = base.href.replace(/\/+$/, '')
  const pathPrefix = (sp.pathPrefix ?? '/saml').replace(/\/+$/, '')
  if (pathPrefix !== '' && !/^\/[A-Za-z0-9._~\-/]*$/.test(pathPrefix))
    fail('pathPrefix', 'must be a path like "/saml"')

  if ((sp.signingKey === undefined) !== (sp.signingCert === undefined)) {
    fail(
      sp.signingKey === undefined ? 'signingKey' : 'signingCert',
      'must be given together with its key/certificate',
    )
  }
  const signingKey = sp.signingKey === undefined ? undefined : checkKey('signingKey', sp.signingKey)
  if (signingKey && signingKey.asymmetricKeyType !== 'rsa' && signingKey.asymmetricKeyType !== 'ec')
    fail('signingKey', 'must be an RSA or EC private key (what IdPs verify SAML signatures with)')
  const signingCert = sp.signingCert === undefined ? undefined : checkCert('signingCert', sp.signingCert)

  const decryptionPems =
    sp.decryptionKey === undefined
      ? sp.signingKey === undefined
        ? []
        : [sp.signingKey]
      : typeof sp.decryptionKey === 'string'
        ? [sp.decryptionKey]
        : [...sp.decryptionKey]
  const decryptionKeys = decryptionPems.map((pem, i) =>
    checkKey(
      `decryptionKey${typeof sp.decryptionKey === 'string' || sp.decryptionKey === undefined ? '' : `[${i}]`}`,
      pem,
    ),
  )
  const decryptionCert =
    sp.decryptionCert === undefined ? signingCert : checkCert('decryptionCert', sp.decryptionCert)

  const signatureAlgorithm = sp.signatureAlgorithm ?? 'sha256'
  if (signatureAlgorithm !== 'sha256' && signatureAlgorithm !== 'sha512')
    fail('signatureAlgorithm', 'must be "sha256" or "sha512"')

  const root = `${baseUrl}${pathPrefix}`
  let entityId: (idp: string) => string
  if (sp.entityId === undefined) entityId = (idp) => `${root}/${encodeURIComponent(idp)}/metadata`
  else if (typeof sp.entityId === 'string') {
    const fixed = sp.entityId
    if (fixed.length === 0) fail('entityId', 'must not be empty')
    entityId = () => fixed
  } else if (typeof sp.entityId === 'function') entityId = sp.entityId
  else fail('entityId', 'must be a string or a function of the IdP id')

  return Object.freeze({
    baseUrl,
    pathPrefix,
    entityId,
    ...(signingKey && signingCert && { signing: Object.freeze({ key: signingKey, cert: signingCert }) }),
    decryptionKeys,
    decryptionCert,
    signatureAlgorithm,
    nameIdFormat: sp.nameIdFormat,
    sharedAcsUrl: `${root}/acs`,
    acsUrl: (idp: string) => `${root}/${encodeURIComponent(idp)}/acs`,
    sloUrl: (idp: string) => `${root}/${encodeURIComponent(idp)}/slo`,
    metadataUrl: (idp: string) => `${root}/${encodeURIComponent(idp)}/metadata`,
    loginUrl: (idp: string) => `${root}/${encodeURIComponent(idp)}/login`,
  })
}

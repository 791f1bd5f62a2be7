import { resolveSpMetadataSettings, type SpMetadataSettings } from './sp-metadata-settings.js'
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto'

/**
 * One of the SP's URLs for each IdP: a template with `{idp}` where the IdP id goes, as a path on
 * `baseUrl` (`'/login/callback/{idp}'`) or an absolute URL (`'https://old.example.com/sso/{idp}/acs'`);
 * or a function of the IdP id that returns such a path or URL.
 */
export type SpUrlTemplate = string | ((idp: string) => string)

/**
 * Where the SP's endpoints are, when not at the default paths under `pathPrefix`. A record's
 * `spAcsUrl`, `spSloUrl`, `spMetadataUrl` and `spLoginUrl` override these for one IdP.
 *
 * @example
 * ```ts
 * import type { ServiceProviderOptions } from 'passport-saml-multi-idp'
 * const sp: ServiceProviderOptions = {
 *   baseUrl: 'https://app.example.com',
 *   urls: { acs: '/login/callback/{idp}', sharedAcs: '/login/callback', slo: (idp) => `/sso/${idp}/logout` },
 * }
 * ```
 */
export interface ServiceProviderUrls {
  /** Each IdP's assertion consumer service. Default `${pathPrefix}/{idp}/acs`. */
  acs?: SpUrlTemplate
  /**
   * The shared ACS, where the response's Issuer picks the IdP (`byResponseIssuer`): one path or
   * absolute URL, no `{idp}`. Default `${pathPrefix}/acs`.
   */
  sharedAcs?: string
  /** Each IdP's SingleLogoutService. Default `${pathPrefix}/{idp}/slo`. */
  slo?: SpUrlTemplate
  /**
   * Each IdP's SP metadata. Default `${pathPrefix}/{idp}/metadata`. The default SP entityID is this
   * URL, so moving it changes the entityID of every IdP without `sp.entityId` or `spEntityId`.
   */
  metadata?: SpUrlTemplate
  /** Where a login at each IdP starts (what admin pages show as the sign-on URL). Default `${pathPrefix}/{idp}/login`. */
  login?: SpUrlTemplate
}

/** How this application appears to IdPs as a SAML service provider. */
export interface ServiceProviderOptions {
  /** Public origin of the app, e.g. `https://app.example.com` (behind a proxy: the outside URL). */
  baseUrl: string
  /** Where the SAML routes are mounted. Default `/saml`: ACS `/saml/:idp/acs`, shared ACS `/saml/acs`. */
  pathPrefix?: string
  /**
   * The SP's URLs by template or function, for apps whose IdPs already post elsewhere (an app
   * moving from passport-saml keeps its old callback URLs): `{ acs: '/login/callback/{idp}' }`.
   * Paths are on `baseUrl`. Each URL not given stays at its default under `pathPrefix`.
   */
  urls?: ServiceProviderUrls
  /**
   * The SP entityID: one string for every IdP, or a function of the IdP id. Default: per IdP,
   * the IdP's SP metadata URL (`${baseUrl}${pathPrefix}/${idp}/metadata`, as Shibboleth does).
   */
  entityId?: string | ((idp: string) => string)
  /** PEM private key for signing AuthnRequests (and decryption when no decryptionKey is given). */
  signingKey?: string
  /** PEM certificate for `signingKey`, published in SP metadata. */
  signingCert?: string
  /** PEM private key(s) for encrypted assertions; the first is current, later ones are kept during a rotation. */
  decryptionKey?: string | readonly string[]
  /**
   * PEM certificate(s) IdPs encrypt to, published in SP metadata; the first is current, later ones
   * stay published during a rotation. Each must belong to one of `decryptionKey`. Default
   * `signingCert`, when it belongs to one of them.
   */
  decryptionCert?: string | readonly string[]
  /** Signature algorithm for AuthnRequests. Default `sha256`. */
  signatureAlgorithm?: 'sha256' | 'sha512'
  /** NameIDPolicy Format asked for when the IdP record names none. Default: none (the IdP decides). */
  nameIdFormat?: string
  /** What SP metadata says of the SP itself: organization, contacts, requested attributes, validity, signature. */
  metadata?: SpMetadataSettings
}

export interface ResolvedServiceProvider {
  readonly baseUrl: string
  readonly pathPrefix: string
  readonly entityId: (idp: string) => string
  /** The key outbound messages are signed with, parsed once, and its certificate. */
  readonly signing?: { readonly key: KeyObject; readonly cert: string }
  readonly decryptionKeys: readonly KeyObject[]
  /** What SP metadata publishes for encryption: certificates of `decryptionKeys` only. */
  readonly decryptionCerts: readonly string[]
  readonly signatureAlgorithm: 'sha256' | 'sha512'
  readonly nameIdFormat?: string
  readonly metadata: SpMetadataSettings
  readonly sharedAcsUrl: string
  /**
   * The SP's URLs for an IdP id from `sp.urls` or the defaults; a function's answer is checked on
   * every call (`TypeError` naming the option). Records may override them (see `spEndpointsFor`).
   */
  acsUrl(idp: string): string
  sloUrl(idp: string): string
  metadataUrl(idp: string): string
  loginUrl(idp: string): string
}

/** The names of the per-IdP URLs of `sp.urls`. */
type PerIdpUrl = Exclude<keyof ServiceProviderUrls, 'sharedAcs'>

const URL_EXAMPLES: Readonly<Record<keyof ServiceProviderUrls, string>> = {
  acs: '/login/callback/{idp}',
  sharedAcs: '/login/callback',
  slo: '/logout/callback/{idp}',
  metadata: '/sso/{idp}/metadata.xml',
  login: '/login/{idp}',
}

/**
 * A path on `baseUrl` (starting with one `/`) or an absolute http(s) URL, made absolute; `what`
 * names the option in the message, which says what to write instead.
 */
function absoluteUrl(baseUrl: string, value: string, what: string, example: string): string {
  const bad = (why: string): never => {
    throw new TypeError(
      `${what} ${why}; write a path on sp.baseUrl like "${example}" or an absolute https URL, got ${JSON.stringify(value.slice(0, 200))}`,
    )
  }
  if (value.length === 0 || value.length > 2048 || /[\s\\]/.test(value))
    bad('must be a URL without spaces or backslashes')
  let url: URL
  if (value.startsWith('/')) {
    if (value.startsWith('//')) bad('starts with "//" (a host, not a path)')
    url = new URL(`${baseUrl}${value}`)
  } else {
    try {
      url = new URL(value)
    } catch {
      return bad('is neither a path starting with "/" nor an absolute URL')
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') bad('must be http: or https:')
  }
  if (url.hash !== '' || value.includes('#')) bad('must not have a fragment')
  if (url.username !== '' || url.password !== '') bad('must not contain credentials')
  return value.startsWith('/') ? `${baseUrl}${value}` : value
}

/** One per-IdP URL of `sp.urls` (or its default) as a function of the IdP id, checked up front. */
function perIdpUrl(
  baseUrl: string,
  root: string,
  name: PerIdpUrl,
  template: SpUrlTemplate | undefined,
): (idp: string) => string {
  const option = `"options.sp.urls.${name}"`
  if (template === undefined) return (idp) => `${root}/${encodeURIComponent(idp)}/${name}`
  if (typeof template === 'function') {
    return (idp) => {
      const value: unknown = template(idp)
      if (typeof value !== 'string')
        throw new TypeError(
          `${option} returned ${typeof value} for IdP "${idp}"; it must return a path or URL`,
        )
      return absoluteUrl(baseUrl, value, `${option} (for IdP "${idp}")`, URL_EXAMPLES[name])
    }
  }
  if (typeof template !== 'string')
    fail(
      `urls.${name}`,
      `must be a path or URL template like "${URL_EXAMPLES[name]}", or a function of the IdP id`,
    )
  const unknown = /\{(?!idp\})[^}]*\}/.exec(template)
  if (unknown)
    fail(
      `urls.${name}`,
      `has an unknown placeholder ${unknown[0]}; the one placeholder is "{idp}" (the IdP id)`,
    )
  if (!template.includes('{idp}')) {
    fail(
      `urls.${name}`,
      `must contain "{idp}" so that each IdP has its own URL, like "${URL_EXAMPLES[name]}"` +
        (name === 'acs'
          ? '; for one ACS shared by every IdP set "options.sp.urls.sharedAcs", or give each record its "spAcsUrl"'
          : "; for one IdP set the record's own URL field instead"),
    )
  }
  // Checked once with a sample id; ids are URL-safe, so every id gives a URL of the same shape.
  absoluteUrl(baseUrl, template.replaceAll('{idp}', 'idp'), option, URL_EXAMPLES[name])
  return (idp) =>
    absoluteUrl(baseUrl, template.replaceAll('{idp}', encodeURIComponent(idp)), option, URL_EXAMPLES[name])
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

/**
 * The certificates SP metadata offers for encryption. A certificate whose key the SP does not hold
 * would have IdPs encrypt to a key nobody can decrypt with: refused when given, left out when it is
 * the default (the signing certificate).
 */
function resolveDecryptionCerts(
  given: string | readonly string[] | undefined,
  signingCert: string | undefined,
  decryptionKeys: readonly KeyObject[],
): readonly string[] {
  const held = decryptionKeys.map((key) => createPublicKey(key).export({ type: 'spki', format: 'der' }))
  const belongs = (pem: string) => {
    const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })
    return held.some((k) => k.equals(der))
  }
  if (given === undefined) return signingCert !== undefined && belongs(signingCert) ? [signingCert] : []
  const list = typeof given === 'string' ? [given] : Array.isArray(given) ? given : undefined
  if (list === undefined || list.length === 0)
    fail('decryptionCert', 'must be a PEM certificate or a non-empty array of them')
  return Object.freeze(
    list.map((pem, i) => {
      const name = typeof given === 'string' ? 'decryptionCert' : `decryptionCert[${i}]`
      checkCert(name, pem)
      if (!belongs(pem))
        fail(name, 'does not belong to any decryptionKey: IdPs would encrypt to a key this SP does not hold')
      return pem
    }),
  )
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
  const decryptionCerts = resolveDecryptionCerts(sp.decryptionCert, signingCert, decryptionKeys)

  const signatureAlgorithm = sp.signatureAlgorithm ?? 'sha256'
  if (signatureAlgorithm !== 'sha256' && signatureAlgorithm !== 'sha512')
    fail('signatureAlgorithm', 'must be "sha256" or "sha512"')

  const root = `${baseUrl}${pathPrefix}`
  const urls: ServiceProviderUrls = sp.urls ?? {}
  if (typeof urls !== 'object' || urls === null || Array.isArray(urls))
    fail('urls', 'must be an object like { acs: "/login/callback/{idp}" }')
  for (const key of Object.keys(urls)) {
    if (!Object.hasOwn(URL_EXAMPLES, key))
      fail(
        `urls`,
        `has unknown key ${JSON.stringify(key.slice(0, 80))}; use acs, sharedAcs, slo, metadata or login`,
      )
  }
  const acsUrl = perIdpUrl(baseUrl, root, 'acs', urls.acs)
  const sloUrl = perIdpUrl(baseUrl, root, 'slo', urls.slo)
  const metadataUrl = perIdpUrl(baseUrl, root, 'metadata', urls.metadata)
  const loginUrl = perIdpUrl(baseUrl, root, 'login', urls.login)
  let sharedAcsUrl = `${root}/acs`
  if (urls.sharedAcs !== undefined) {
    if (typeof urls.sharedAcs !== 'string')
      fail('urls.sharedAcs', `must be a path or URL like "${URL_EXAMPLES.sharedAcs}"`)
    if (urls.sharedAcs.includes('{'))
      fail(
        'urls.sharedAcs',
        'is one URL for every IdP and has no placeholder; per-IdP ACS URLs go in "options.sp.urls.acs"',
      )
    sharedAcsUrl = absoluteUrl(baseUrl, urls.sharedAcs, '"options.sp.urls.sharedAcs"', URL_EXAMPLES.sharedAcs)
  }

  let entityId: (idp: string) => string
  if (sp.entityId === undefined) entityId = metadataUrl
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
    decryptionCerts,
    signatureAlgorithm,
    nameIdFormat: sp.nameIdFormat,
    metadata: resolveSpMetadataSettings(sp.metadata, signingKey !== undefined, fail),
    sharedAcsUrl,
    acsUrl,
    sloUrl,
    metadataUrl,
    loginUrl,
  })
}

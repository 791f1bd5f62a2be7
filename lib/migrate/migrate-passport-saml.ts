import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto'
import type { ServiceProviderOptions } from '../core/sp-options.js'
import { normalizeCertificate } from '../metadata/certificate.js'
import { normalizeIdpRecord } from '../record/normalize-idp-record.js'
import type { IdpRecordInput } from '../record/record-fields.js'
import type { MultiIdpSamlStrategyOptions } from '../strategy/multi-idp-saml-strategy.js'
import { PASSPORT_SAML_OPTION_NAMES, type PassportSamlOptions } from './passport-saml-options.js'

/** What {@link migratePassportSamlOptions} takes: a passport-saml app's configuration. */
export interface PassportSamlMigrationInput {
  /**
   * This app's public origin, as users see it (`sp.baseUrl`): new IdPs get their URLs under it.
   * The migrated IdPs keep the URLs their options name.
   */
  baseUrl: string
  /**
   * Options every tenant shares: what `new MultiSamlStrategy(options, …)` (or `new SamlStrategy`)
   * was given. A tenant's own option wins, as in MultiSamlStrategy.
   */
  shared?: PassportSamlOptions
  /**
   * Each tenant's options (what `getSamlOptions` answered for it), by the IdP id its record gets:
   * 1–64 of `A–Z a–z 0–9 . _ -`. A single-IdP app has one tenant.
   */
  tenants: Readonly<Record<string, PassportSamlOptions>>
  /**
   * The certificate of `decryptionPvk` (what the app passed to
   * `generateServiceProviderMetadata(decryptionCert, …)`), for the SP metadata. Needed when
   * `decryptionPvk` is not `privateKey`.
   */
  decryptionCert?: string
  /**
   * Options to leave behind knowingly: instead of refusing them, the helper drops them and says so
   * in a note (e.g. `['authnContext']` when the IdP does not care which RequestedAuthnContext
   * arrives). Conflicts between tenants cannot be ignored.
   */
  ignore?: readonly string[]
}

/** The strategy options a migration carries (spread them into `new MultiIdpSamlStrategy({ … })`). */
export type PassportSamlStrategyOptions = Pick<
  MultiIdpSamlStrategyOptions,
  'name' | 'passReqToCallback' | 'requestTtlMs'
>

/** A behaviour that changes although the option was carried (or left at its default). */
export interface PassportSamlMigrationNote {
  /** The passport-saml option it is about. */
  readonly option: string
  /** The tenants it applies to (empty when it is about all of them at once). */
  readonly tenants: readonly string[]
  /** What differs, and what to do if it matters. */
  readonly message: string
}

/**
 * Why an option cannot be carried over:
 * - `not-yet-supported`: this library does not do it yet; `issue` names the open issue that brings it;
 * - `not-supported`: it does not do it, by design or with no plan yet; the message says what instead;
 * - `missing`: a value this library needs is not there;
 * - `invalid`: the value is not one passport-saml accepts either, or not one that can work;
 * - `conflict`: tenants disagree on what this library has one of (the SP's key, the strategy);
 * - `unknown`: not an option of passport-saml 5 or node-saml 5.
 */
export type PassportSamlMigrationReason =
  'not-yet-supported' | 'not-supported' | 'missing' | 'invalid' | 'conflict' | 'unknown'

/** One option that cannot be carried over, for the tenants named. */
export interface PassportSamlMigrationProblem {
  /** The passport-saml option (or `'(tenant id)'`, `'(record)'`, an input field like `decryptionCert`). */
  readonly option: string
  /** The tenants it applies to; empty for a field of the input itself (`decryptionCert`). */
  readonly tenants: readonly string[]
  readonly reason: PassportSamlMigrationReason
  /** What is wrong and what to do, without secrets. */
  readonly message: string
  /** For `not-yet-supported`: the open issue of this project that brings it. */
  readonly issue?: string
}

/** What a passport-saml configuration becomes. */
export interface PassportSamlMigration {
  /** `sp` of the strategy options: `baseUrl`, and the SP's keys and signature algorithm. */
  readonly sp: ServiceProviderOptions
  /** One IdP record input per tenant, for `store.put`; each keeps the tenant's URLs and entityIDs. */
  readonly records: readonly IdpRecordInput[]
  /** Strategy options passport-saml set per strategy: `name`, `passReqToCallback`, `requestTtlMs`. */
  readonly strategy: PassportSamlStrategyOptions
  /** Behaviour that differs from passport-saml's; read them once, then act or accept. */
  readonly notes: readonly PassportSamlMigrationNote[]
}

/**
 * Thrown by {@link migratePassportSamlOptions} when options cannot be carried over honestly.
 * `problems` has one entry per option and reason, naming the tenants; the message lists them all.
 *
 * @example
 * ```ts
 * import { migratePassportSamlOptions, PassportSamlMigrationError } from 'passport-saml-multi-idp/migrate'
 * try {
 *   migratePassportSamlOptions({ baseUrl: 'https://app.example.com', tenants })
 * } catch (err) {
 *   if (!(err instanceof PassportSamlMigrationError)) throw err
 *   for (const p of err.problems) console.error(p.option, p.tenants.join(', '), p.reason, p.issue ?? '')
 * }
 * ```
 */
export class PassportSamlMigrationError extends Error {
  /** Every option that cannot be carried over, one entry per option and reason. */
  readonly problems: readonly PassportSamlMigrationProblem[]

  constructor(problems: readonly PassportSamlMigrationProblem[]) {
    const lines = problems.map((p) => {
      const where =
        p.tenants.length === 0
          ? ''
          : ` (${p.tenants.length === 1 ? 'tenant' : 'tenants'} ${p.tenants.join(', ')})`
      return `- "${p.option}"${where}: ${p.message}`
    })
    super(
      `${problems.length} passport-saml option${problems.length === 1 ? '' : 's'} cannot be carried over:\n${lines.join('\n')}`,
    )
    this.name = 'PassportSamlMigrationError'
    this.problems = Object.freeze(
      problems.map((p) => Object.freeze({ ...p, tenants: Object.freeze([...p.tenants]) })),
    )
  }
}

const REQUEST_OPTIONS_ISSUE = '#10 "Every binding, every option, every IdP"'
const SP_METADATA_ISSUE = REQUEST_OPTIONS_ISSUE
const EMAIL_ADDRESS = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
const MAX_SKEW_MS = 600_000
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const KNOWN: ReadonlySet<string> = new Set(PASSPORT_SAML_OPTION_NAMES)

type Entry<T> = { tenants: string[] } & T

/** Problems and notes, one entry per option and message, with the tenants they apply to. */
class Findings {
  readonly problems = new Map<string, Entry<Omit<PassportSamlMigrationProblem, 'tenants'>>>()
  readonly notes = new Map<string, Entry<Omit<PassportSamlMigrationNote, 'tenants'>>>()

  constructor(private readonly ignore: ReadonlySet<string>) {}

  refuse(
    tenant: string | undefined,
    option: string,
    reason: PassportSamlMigrationReason,
    message: string,
    issue?: string,
  ): void {
    if (reason !== 'conflict' && this.ignore.has(option)) {
      this.note(tenant, option, `left behind (ignore): ${message}`)
      return
    }
    const key = `${option}\u0000${reason}\u0000${message}`
    const tenants = tenant === undefined ? [] : [tenant]
    const entry = this.problems.get(key)
    if (entry) entry.tenants.push(...tenants)
    else this.problems.set(key, { option, reason, message, ...(issue !== undefined && { issue }), tenants })
  }

  /** A feature of the issue `issue` that this library does not have yet. */
  notYet(tenant: string, option: string, what: string, issue = REQUEST_OPTIONS_ISSUE): void {
    this.refuse(
      tenant,
      option,
      'not-yet-supported',
      `${what} is not supported yet; it comes with issue ${issue}. Remove the option, or list it in \`ignore\` to go on without it`,
      issue,
    )
  }

  note(tenant: string | undefined, option: string, message: string): void {
    const key = `${option}\u0000${message}`
    const tenants = tenant === undefined ? [] : [tenant]
    const entry = this.notes.get(key)
    if (entry) entry.tenants.push(...tenants)
    else this.notes.set(key, { option, message, tenants })
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && !/\s/.test(value)
  } catch {
    return false
  }
}

/** node-saml's keyInfoToPem for private keys: bare base64 becomes a PKCS#8 PEM block. */
function privateKeyPem(value: string | Uint8Array): string {
  const text = (typeof value === 'string' ? value : Buffer.from(value).toString('utf8')).trim()
  if (text.includes('-----BEGIN')) return `${text}\n`
  const body = text.replace(/\s+/g, '')
  return `-----BEGIN PRIVATE KEY-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PRIVATE KEY-----\n`
}

/** A key's identity: the SHA-256 of its public key, so two spellings of one key compare equal. */
function keyId(key: KeyObject): string {
  return createHash('sha256')
    .update(createPublicKey(key).export({ type: 'spki', format: 'der' }))
    .digest('base64url')
}

/** What one tenant contributes to the SP and the strategy, beside its record. */
interface TenantSp {
  signing?: { key: KeyObject; keyPem: string; certPem: string }
  decryption?: { key: KeyObject; pem: string }
  signatureAlgorithm?: 'sha256' | 'sha512'
  name?: string
  passReqToCallback?: boolean
  requestTtlMs?: number
}

/** Reads one tenant's effective options into its record input and its part of the SP. */
function migrateTenant(
  id: string,
  options: PassportSamlOptions,
  f: Findings,
): { record: IdpRecordInput; sp: TenantSp } {
  // Read as plain data: from JSON or an app's own object, any key may be there.
  const o = options as PassportSamlOptions & Readonly<Record<string, unknown>>
  const record: Record<string, unknown> = { id }
  const sp: TenantSp = {}
  const has = (option: string): boolean => o[option] !== undefined
  const refuse = (option: string, reason: PassportSamlMigrationReason, message: string) =>
    f.refuse(id, option, reason, message)
  const notYet = (option: string, what: string, issue?: string) => f.notYet(id, option, what, issue)
  const note = (option: string, message: string) => f.note(id, option, message)

  const text = (option: string): string | undefined => {
    const value = o[option]
    if (value === undefined) return undefined
    if (typeof value !== 'string' || value.trim() === '') {
      refuse(option, 'invalid', `must be a non-empty string, got ${describe(value)}`)
      return undefined
    }
    return value.trim()
  }
  const url = (option: string, what: string): string | undefined => {
    const value = text(option)
    if (value !== undefined && !isHttpUrl(value)) {
      refuse(
        option,
        'invalid',
        `must be an absolute http(s) URL (${what}), got ${JSON.stringify(value.slice(0, 200))}`,
      )
      return undefined
    }
    return value
  }
  const flag = (option: string): boolean | undefined => {
    const value = o[option]
    if (value === undefined) return undefined
    if (typeof value !== 'boolean') {
      refuse(option, 'invalid', `must be true or false, got ${describe(value)}`)
      return undefined
    }
    return value
  }
  const integer = (option: string, min: number, max: number): number | undefined => {
    const value = o[option]
    if (value === undefined) return undefined
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      refuse(option, 'invalid', `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`)
      return undefined
    }
    return value
  }
  const nonEmptyParams = (option: string): boolean => {
    const value = o[option]
    return (
      value !== undefined && value !== null && (typeof value !== 'object' || Object.keys(value).length > 0)
    )
  }

  // Options this helper does not know: passport-saml ignores them, which hides typos.
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key) && o[key] !== undefined)
      refuse(
        key,
        'unknown',
        'is not an option of passport-saml 5 or node-saml 5; remove it, or list it in `ignore`',
      )
  }

  // ---- The IdP ----------------------------------------------------------------------------------
  const idpIssuer = text('idpIssuer')
  if (idpIssuer !== undefined) record.entityId = idpIssuer
  else if (!has('idpIssuer'))
    refuse(
      'idpIssuer',
      'missing',
      "is not set: passport-saml then accepts any Issuer, this library checks it against the IdP's entityID. Set idpIssuer to the Issuer the IdP sends (the entityID in its metadata)",
    )

  let binding: 'redirect' | 'post' = 'redirect'
  const authnRequestBinding = o.authnRequestBinding
  if (authnRequestBinding === 'HTTP-POST') binding = 'post'
  else if (authnRequestBinding !== undefined && authnRequestBinding !== 'HTTP-Redirect')
    refuse(
      'authnRequestBinding',
      'invalid',
      `must be "HTTP-Redirect" or "HTTP-POST", got ${JSON.stringify(authnRequestBinding)}`,
    )
  record.authnRequestBinding = binding

  const entryPoint = url('entryPoint', "the IdP's SingleSignOnService URL")
  if (entryPoint !== undefined) record.ssoUrls = { [binding]: entryPoint }
  else if (!has('entryPoint'))
    refuse('entryPoint', 'missing', "is not set: every record needs the IdP's SingleSignOnService URL")

  const idpCert = o.idpCert
  if (typeof idpCert === 'function')
    refuse(
      'idpCert',
      'not-supported',
      "is a callback; a record holds certificates, not code. List the certificates, or store the IdP's metadata (fetchIdpMetadata with metadataUrl) so that startMetadataRefresh applies rotations",
    )
  else if (idpCert === undefined)
    refuse('idpCert', 'missing', "is not set: every record needs the IdP's signing certificate")
  else {
    const certs = typeof idpCert === 'string' ? [idpCert] : Array.isArray(idpCert) ? idpCert : undefined
    if (!certs || certs.length === 0)
      refuse(
        'idpCert',
        'invalid',
        `must be a certificate or a non-empty array of them, got ${describe(idpCert)}`,
      )
    else {
      const pems: string[] = []
      certs.forEach((cert: unknown, i) => {
        try {
          pems.push(normalizeCertificate(cert as string))
        } catch (err) {
          refuse(
            'idpCert',
            'invalid',
            `[${i}] is not an X.509 certificate (${err instanceof Error ? err.message : String(err)}); a bare public key cannot be carried over: use the IdP's certificate from its metadata`,
          )
        }
      })
      if (pems.length === certs.length) record.signingCerts = pems
    }
  }

  const logoutUrl = url('logoutUrl', "the IdP's SingleLogoutService URL")
  if (logoutUrl !== undefined) record.sloUrls = { redirect: logoutUrl }
  else if (entryPoint !== undefined && !has('logoutUrl'))
    note(
      'logoutUrl',
      'is not set: passport-saml then sent LogoutRequests to entryPoint; this record has no IdP SingleLogoutService, so logout ends the local session only. Add sloUrls if the IdP does Single Logout',
    )
  if (nonEmptyParams('additionalLogoutParams'))
    notYet('additionalLogoutParams', 'Extra query parameters on logout messages')

  // ---- This app as the SP, for this IdP ------------------------------------------------------------
  const issuer = text('issuer')
  if (issuer !== undefined) record.spEntityId = issuer
  else if (!has('issuer'))
    refuse(
      'issuer',
      'missing',
      "is not set: it is the SP entityID this IdP knows the app by (the record's spEntityId)",
    )
  const audience = o.audience
  if (audience === false)
    refuse(
      'audience',
      'not-supported',
      'is false: this library always checks that the assertion names the SP (AudienceRestriction); an IdP that sends no Audience cannot be served',
    )
  else if (audience !== undefined && audience !== issuer)
    refuse(
      'audience',
      'not-supported',
      `differs from issuer: this library expects the Audience to be the SP entityID it sends as Issuer (spEntityId). Configure the IdP to send ${JSON.stringify(issuer ?? '')} as Audience, or set issuer to the Audience the IdP sends`,
    )

  const callbackUrl = url('callbackUrl', 'the ACS URL the IdP posts to')
  if (callbackUrl !== undefined) record.spAcsUrl = callbackUrl
  else if (!has('callbackUrl'))
    refuse('callbackUrl', 'missing', "is not set: it is the ACS URL the IdP posts to (the record's spAcsUrl)")
  const logoutCallbackUrl = url('logoutCallbackUrl', "the SP's SingleLogoutService URL")
  if (logoutCallbackUrl !== undefined) record.spSloUrl = logoutCallbackUrl

  // The SP's keys: one set for every IdP (checked across tenants by the caller).
  if (o.privateKey !== undefined) {
    if (typeof o.privateKey !== 'string' && !(o.privateKey instanceof Uint8Array))
      refuse('privateKey', 'invalid', `must be a PEM private key, got ${describe(o.privateKey)}`)
    else {
      const keyPem = privateKeyPem(o.privateKey)
      let key: KeyObject | undefined
      try {
        key = createPrivateKey(keyPem)
      } catch {
        refuse(
          'privateKey',
          'invalid',
          'is not a private key (PEM, or base64 PKCS#8; an encrypted key must be decrypted first)',
        )
      }
      let certPem: string | undefined
      if (o.publicCert === undefined)
        refuse(
          'privateKey',
          'missing',
          'is set without publicCert: this library publishes the certificate of its signing key in the SP metadata; give publicCert (the certificate the IdP already has for this app)',
        )
      else {
        try {
          certPem = normalizeCertificate(o.publicCert)
        } catch {
          refuse('publicCert', 'invalid', 'is not an X.509 certificate (PEM or base64)')
        }
      }
      if (key && certPem) {
        if (!new X509Certificate(certPem).checkPrivateKey(key))
          refuse('publicCert', 'invalid', 'is not the certificate of privateKey')
        else sp.signing = { key, keyPem, certPem }
      }
      record.signAuthnRequests = true // passport-saml signs every AuthnRequest when it has a key
    }
  } else if (o.publicCert !== undefined) {
    note(
      'publicCert',
      'is set without privateKey: passport-saml only published it; nothing is signed, so it is left out',
    )
  }

  if (o.decryptionPvk !== undefined) {
    if (typeof o.decryptionPvk !== 'string' && !(o.decryptionPvk instanceof Uint8Array))
      refuse('decryptionPvk', 'invalid', `must be a PEM private key, got ${describe(o.decryptionPvk)}`)
    else {
      const pem = privateKeyPem(o.decryptionPvk)
      try {
        sp.decryption = { key: createPrivateKey(pem), pem }
      } catch {
        refuse(
          'decryptionPvk',
          'invalid',
          'is not a private key (PEM, or base64 PKCS#8; an encrypted key must be decrypted first)',
        )
      }
    }
  }

  const signatureAlgorithm = o.signatureAlgorithm
  if (signatureAlgorithm === 'sha256' || signatureAlgorithm === 'sha512')
    sp.signatureAlgorithm = signatureAlgorithm
  else if (signatureAlgorithm === 'sha1')
    refuse(
      'signatureAlgorithm',
      'not-supported',
      'is "sha1": this library never signs with SHA-1. Set "sha256": IdPs that check signed requests accept it (the IdP keeps your certificate)',
    )
  else if (signatureAlgorithm !== undefined)
    refuse(
      'signatureAlgorithm',
      'invalid',
      `must be "sha256" or "sha512", got ${JSON.stringify(signatureAlgorithm)}`,
    )
  else if (o.privateKey !== undefined)
    note(
      'signatureAlgorithm',
      'is not set: passport-saml then signed with RSA-SHA1; this library signs with RSA-SHA256 (IdPs that check signed requests accept it)',
    )
  const digestAlgorithm = o.digestAlgorithm
  if (digestAlgorithm !== undefined && digestAlgorithm !== (sp.signatureAlgorithm ?? 'sha256'))
    refuse(
      'digestAlgorithm',
      'not-supported',
      `is ${JSON.stringify(digestAlgorithm)}: this library digests with the hash of signatureAlgorithm (${sp.signatureAlgorithm ?? 'sha256'}). Remove it`,
    )
  const transforms = o.xmlSignatureTransforms
  if (transforms !== undefined && (!Array.isArray(transforms) || transforms.length > 0))
    refuse(
      'xmlSignatureTransforms',
      'not-supported',
      'is set: enveloped signatures here always use the enveloped-signature and exclusive c14n transforms, which IdPs expect. Remove it',
    )

  // ---- The AuthnRequest --------------------------------------------------------------------------
  const forceAuthn = flag('forceAuthn')
  if (forceAuthn !== undefined) record.forceAuthn = forceAuthn
  if (flag('passive') === true) notYet('passive', 'IsPassive')

  const identifierFormat = o.identifierFormat
  if (identifierFormat === undefined)
    record.nameIdFormat = EMAIL_ADDRESS // passport-saml's default
  else if (typeof identifierFormat === 'string' && identifierFormat.trim() !== '')
    record.nameIdFormat = identifierFormat.trim()
  else if (identifierFormat !== null)
    refuse(
      'identifierFormat',
      'invalid',
      `must be a NameID format URI or null, got ${describe(identifierFormat)}`,
    )
  if (flag('allowCreate') === false) notYet('allowCreate', 'NameIDPolicy AllowCreate="false"')
  if (o.spNameQualifier !== undefined && o.spNameQualifier !== null)
    notYet('spNameQualifier', 'NameIDPolicy SPNameQualifier')

  const disableRac = flag('disableRequestedAuthnContext') === true
  if (!disableRac) {
    if (has('authnContext')) notYet('authnContext', 'RequestedAuthnContext')
    if (has('racComparison')) notYet('racComparison', 'RequestedAuthnContext (Comparison)')
    if (!has('authnContext') && !has('racComparison'))
      note(
        'authnContext',
        'is not set: passport-saml then asked for PasswordProtectedTransport (RequestedAuthnContext, exact); this library sends no RequestedAuthnContext, so the IdP chooses how the user signs in',
      )
  }
  if (has('attributeConsumingServiceIndex'))
    notYet('attributeConsumingServiceIndex', 'AttributeConsumingServiceIndex')
  if (has('providerName')) notYet('providerName', 'The AuthnRequest ProviderName')
  if (has('scoping')) notYet('scoping', 'Scoping (IDPList, ProxyCount, RequesterID)')
  if (nonEmptyParams('additionalParams'))
    notYet('additionalParams', 'Extra query parameters on AuthnRequests')
  if (nonEmptyParams('additionalAuthorizeParams'))
    notYet('additionalAuthorizeParams', 'Extra query parameters on AuthnRequests')
  if (flag('disableRequestAcsUrl') === true)
    notYet(
      'disableRequestAcsUrl',
      'An AuthnRequest without AssertionConsumerServiceURL (AssertionConsumerServiceIndex)',
    )
  const skipCompression = flag('skipRequestCompression')
  if (skipCompression === true && binding === 'redirect')
    refuse(
      'skipRequestCompression',
      'not-supported',
      'is true with the HTTP-Redirect binding, which requires DEFLATE: AuthnRequests on it are always compressed. Remove it',
    )
  else if (skipCompression !== true && binding === 'post')
    note(
      'skipRequestCompression',
      'is not true with HTTP-POST: passport-saml then deflated the posted AuthnRequest; this library posts it uncompressed, as the HTTP-POST binding says',
    )
  if (has('samlAuthnRequestExtensions'))
    refuse(
      'samlAuthnRequestExtensions',
      'not-supported',
      'AuthnRequest Extensions are not written, and no open issue brings them',
    )
  if (has('samlLogoutRequestExtensions'))
    refuse(
      'samlLogoutRequestExtensions',
      'not-supported',
      'LogoutRequest Extensions are not written, and no open issue brings them',
    )
  if (has('generateUniqueId'))
    note(
      'generateUniqueId',
      'is dropped: message IDs here are 160 random bits with a "_" prefix, which every IdP accepts',
    )

  // ---- The response ------------------------------------------------------------------------------
  note(
    'idpCert',
    'passport-saml accepted IdP signatures made with SHA-1; this record refuses them (ERR_SAML_SIGNATURE_ALGORITHM). Set allowSha1: true on the records of IdPs that still sign with SHA-1',
  )
  record.wantAssertionsSigned = flag('wantAssertionsSigned') ?? true // passport-saml's default
  record.wantResponseSigned = flag('wantAuthnResponseSigned') ?? true // passport-saml's default
  const skew = o.acceptedClockSkewMs
  if (skew === -1)
    refuse(
      'acceptedClockSkewMs',
      'not-supported',
      `is -1 (no time checks): this library always checks NotBefore and NotOnOrAfter. Set the skew the IdP's clock needs, up to ${MAX_SKEW_MS}`,
    )
  else if (typeof skew === 'number' && Number.isInteger(skew) && skew > MAX_SKEW_MS)
    refuse(
      'acceptedClockSkewMs',
      'not-supported',
      `is ${skew}: this library accepts at most ${MAX_SKEW_MS} ms (10 minutes) of clock skew. Fix the IdP's clock, or set ${MAX_SKEW_MS}`,
    )
  else if (skew !== undefined) {
    const value = integer('acceptedClockSkewMs', 0, MAX_SKEW_MS)
    if (value !== undefined) record.clockSkewMs = value
  } else
    note(
      'acceptedClockSkewMs',
      "is not set: passport-saml then allowed no clock skew; the strategy's clockSkewMs applies (default 3 minutes)",
    )
  const maxAge = o.maxAssertionAgeMs
  if (maxAge !== undefined && maxAge !== 0)
    refuse(
      'maxAssertionAgeMs',
      'not-supported',
      "is set: assertions are accepted until their own NotOnOrAfter (and the login's requestTtlMs), not by age, and no open issue changes that",
    )
  const validate = o.validateInResponseTo
  if (validate === 'always') record.allowIdpInitiated = false
  else if (validate === 'ifPresent') record.allowIdpInitiated = true
  else if (validate === undefined || validate === 'never') {
    record.allowIdpInitiated = true
    note(
      'validateInResponseTo',
      `is ${validate === undefined ? 'not set ("never")' : '"never"'}: IdP-initiated logins stay allowed (allowIdpInitiated), but a response that answers a login must now answer one this browser started here. Set allowIdpInitiated: false for IdPs that never start logins`,
    )
  } else
    refuse(
      'validateInResponseTo',
      'invalid',
      `must be "never", "ifPresent" or "always", got ${JSON.stringify(validate)}`,
    )
  const ttl = integer('requestIdExpirationPeriodMs', 1000, 86_400_000)
  if (ttl !== undefined) sp.requestTtlMs = ttl
  if (has('cacheProvider'))
    note(
      'cacheProvider',
      'is dropped: give the strategy a SamlCache (RedisSamlCache or SqlSamlCache when several instances run)',
    )

  // ---- SP metadata -------------------------------------------------------------------------------
  if (flag('signMetadata') === true) notYet('signMetadata', 'Signed SP metadata', SP_METADATA_ISSUE)
  if (has('metadataContactPerson'))
    notYet('metadataContactPerson', 'ContactPerson in SP metadata', SP_METADATA_ISSUE)
  if (has('metadataOrganization'))
    notYet('metadataOrganization', 'Organization in SP metadata', SP_METADATA_ISSUE)

  // ---- The strategy ------------------------------------------------------------------------------
  const name = text('name')
  if (name !== undefined) sp.name = name
  const passReq = flag('passReqToCallback')
  if (passReq !== undefined) sp.passReqToCallback = passReq
  if (has('getSamlOptions'))
    note(
      'getSamlOptions',
      "is dropped: each request's IdP is found by the strategy's resolvers (byPathParam, byResponseIssuer, …)",
    )

  return { record: record as unknown as IdpRecordInput, sp }
}

/** One value for all tenants, or a conflict naming which tenants have which. */
function agree<T>(
  f: Findings,
  option: string,
  values: ReadonlyMap<string, T | undefined>,
  identity: (value: T) => string,
  what: string,
): T | undefined {
  const groups = new Map<string, { value: T; tenants: string[] }>()
  for (const [tenant, value] of values) {
    if (value === undefined) continue
    const key = identity(value)
    const group = groups.get(key)
    if (group) group.tenants.push(tenant)
    else groups.set(key, { value, tenants: [tenant] })
  }
  if (groups.size > 1) {
    const sets = [...groups.values()].map((g) => g.tenants.join(', '))
    const all = [...groups.values()].flatMap((g) => g.tenants)
    const message = `differs between tenants (${sets.map((s) => `[${s}]`).join(' vs ')}): ${what}`
    for (const tenant of all) f.refuse(tenant, option, 'conflict', message)
    return undefined
  }
  return groups.values().next().value?.value
}

/**
 * Turns a passport-saml app's options (`SamlStrategy`, or `MultiSamlStrategy` with the options
 * `getSamlOptions` gives per tenant) into IdP record inputs and SP options, keeping every URL and
 * entityID the IdPs already know: `callbackUrl` becomes the record's `spAcsUrl`, `issuer` its
 * `spEntityId`, `idpIssuer` its `entityId`, and so on (docs/migrating-from-passport-saml.md has
 * the whole table). It maps plain objects and needs neither passport-saml nor node-saml.
 *
 * Options that cannot be carried over honestly (a feature this library lacks, a check it will not
 * skip, tenants that disagree on the SP's one key) throw one {@link PassportSamlMigrationError}
 * listing every option, the tenants and the reason, and, for a feature that is planned, the issue
 * that brings it. Behaviour that changes although nothing was refused comes back as `notes`.
 *
 * @example
 * ```ts
 * import { MemoryIdpStore, MultiIdpSamlStrategy } from 'passport-saml-multi-idp'
 * import { migratePassportSamlOptions } from 'passport-saml-multi-idp/migrate'
 *
 * const migration = migratePassportSamlOptions({
 *   baseUrl: 'https://app.example.com',
 *   shared: { privateKey: spKeyPem, publicCert: spCertPem, signatureAlgorithm: 'sha256' },
 *   tenants: { a: tenantAOptions, b: tenantBOptions }, // what getSamlOptions gave per tenant
 * })
 * for (const note of migration.notes) console.warn(`${note.option} (${note.tenants.join(', ')}): ${note.message}`)
 * const store = new MemoryIdpStore()
 * for (const record of migration.records) await store.put(record)
 * const strategy = new MultiIdpSamlStrategy({ store, sp: migration.sp, ...migration.strategy }, verify)
 * ```
 */
export function migratePassportSamlOptions(input: PassportSamlMigrationInput): PassportSamlMigration {
  if (!input || typeof input !== 'object')
    throw new TypeError(
      'migratePassportSamlOptions needs { baseUrl, tenants, shared?, decryptionCert?, ignore? }',
    )
  if (typeof input.baseUrl !== 'string' || !isHttpUrl(input.baseUrl))
    throw new TypeError('"baseUrl" must be the absolute https or http URL users see the app at')
  const tenants = input.tenants
  if (!tenants || typeof tenants !== 'object' || Array.isArray(tenants) || Object.keys(tenants).length === 0)
    throw new TypeError(
      '"tenants" must be an object of passport-saml options by IdP id, with at least one tenant',
    )
  const shared = input.shared ?? {}
  if (typeof shared !== 'object' || Array.isArray(shared))
    throw new TypeError('"shared" must be an object of passport-saml options')
  const ignore = input.ignore ?? []
  if (!Array.isArray(ignore) || !ignore.every((o) => typeof o === 'string'))
    throw new TypeError('"ignore" must be an array of option names')
  const f = new Findings(new Set(ignore))

  const records: IdpRecordInput[] = []
  const parts = new Map<string, TenantSp>()
  for (const [id, options] of Object.entries(tenants)) {
    if (!ID_PATTERN.test(id)) {
      f.refuse(
        id.slice(0, 80),
        '(tenant id)',
        'invalid',
        'is not usable as an IdP id: 1–64 of A–Z a–z 0–9 . _ - starting with a letter or digit',
      )
      continue
    }
    if (!options || typeof options !== 'object' || Array.isArray(options)) {
      f.refuse(
        id,
        '(tenant options)',
        'invalid',
        `must be an object of passport-saml options, got ${describe(options)}`,
      )
      continue
    }
    // MultiSamlStrategy's merge: { ...constructor options, ...getSamlOptions' answer }.
    const { record, sp } = migrateTenant(id, { ...shared, ...options }, f)
    records.push(record)
    parts.set(id, sp)
  }

  // One IdP entity, one record: two tenants with one idpIssuer cannot both be stored.
  const byEntity = new Map<string, string[]>()
  for (const record of records)
    if (record.entityId !== undefined)
      byEntity.set(record.entityId, [...(byEntity.get(record.entityId) ?? []), record.id])
  for (const [entityId, ids] of byEntity) {
    if (ids.length > 1)
      for (const id of ids)
        f.refuse(
          id,
          'idpIssuer',
          'conflict',
          `${JSON.stringify(entityId)} is the idpIssuer of tenants ${ids.join(', ')}: a store holds one record per IdP entityID. Serve them with one record and tell the tenants apart in verify (see multi-idp.md)`,
        )
  }
  // Tenants that shared one callback URL are told apart by the response's Issuer.
  const byAcs = new Map<string, string[]>()
  for (const record of records)
    if (record.spAcsUrl !== undefined)
      byAcs.set(record.spAcsUrl, [...(byAcs.get(record.spAcsUrl) ?? []), record.id])
  for (const [acsUrl, ids] of byAcs) {
    if (ids.length > 1)
      for (const id of ids)
        f.note(
          id,
          'callbackUrl',
          `${acsUrl} is the callbackUrl of tenants ${ids.join(', ')}: mount that path with the byResponseIssuer resolver, which picks the tenant by the response's Issuer`,
        )
  }

  // The SP has one signing key, one signature algorithm; the strategy one name.
  const pick = <K extends keyof TenantSp>(key: K) =>
    new Map([...parts].map(([id, part]) => [id, part[key]] as const))
  const signing = agree(
    f,
    'privateKey',
    pick('signing'),
    (s) => `${keyId(s.key)} ${s.certPem}`,
    'this library signs for every IdP with one key (sp.signingKey) and publishes one certificate; give the tenants the same privateKey and publicCert',
  )
  const signatureAlgorithm = agree(
    f,
    'signatureAlgorithm',
    pick('signatureAlgorithm'),
    String,
    'the SP signs with one algorithm for every IdP',
  )
  const name = agree(f, 'name', pick('name'), String, 'one strategy serves every tenant')
  const passReqToCallback = agree(
    f,
    'passReqToCallback',
    pick('passReqToCallback'),
    String,
    'one strategy serves every tenant',
  )
  const requestTtlMs = agree(
    f,
    'requestIdExpirationPeriodMs',
    pick('requestTtlMs'),
    String,
    'the strategy has one requestTtlMs',
  )
  for (const [id, part] of parts) {
    if (signing && !part.signing)
      f.note(
        id,
        'privateKey',
        "is not set for this tenant: its AuthnRequests stay unsigned, but the SP's logout messages to it are signed with the others' key",
      )
  }

  // Decryption keys: every tenant's, all accepted (the first is current).
  const decryption: { key: KeyObject; pem: string }[] = []
  for (const part of parts.values()) {
    const d = part.decryption
    if (d && !decryption.some((e) => keyId(e.key) === keyId(d.key))) decryption.push(d)
  }
  let decryptionCert: string | undefined
  if (input.decryptionCert !== undefined) {
    try {
      decryptionCert = normalizeCertificate(input.decryptionCert)
    } catch {
      f.refuse(undefined, 'decryptionCert', 'invalid', 'is not an X.509 certificate (PEM or base64)')
    }
    const cert = decryptionCert === undefined ? undefined : new X509Certificate(decryptionCert)
    if (cert && !decryption.some((d) => cert.checkPrivateKey(d.key))) {
      f.refuse(undefined, 'decryptionCert', 'invalid', "is not the certificate of any tenant's decryptionPvk")
      decryptionCert = undefined
    }
    // The key of the published certificate is the current one.
    if (cert)
      decryption.sort((a, b) => Number(cert.checkPrivateKey(b.key)) - Number(cert.checkPrivateKey(a.key)))
  } else if (decryption.length > 0) {
    const signingIsDecryption = signing && decryption.some((d) => keyId(d.key) === keyId(signing.key))
    const using = [...parts].filter(([, p]) => p.decryption).map(([id]) => id)
    if (signing && !signingIsDecryption)
      for (const id of using)
        f.refuse(
          id,
          'decryptionPvk',
          'missing',
          "is not privateKey, and its certificate is not known: pass it as decryptionCert (what you gave generateServiceProviderMetadata), or the SP metadata would list privateKey's certificate for encryption",
        )
    else if (!signing)
      for (const id of using)
        f.note(
          id,
          'decryptionPvk',
          'has no certificate here: the SP metadata lists no encryption certificate unless you pass decryptionCert',
        )
    if (signing && signingIsDecryption)
      decryption.sort(
        (a, b) => Number(keyId(b.key) === keyId(signing.key)) - Number(keyId(a.key) === keyId(signing.key)),
      )
  }
  if (decryption.length > 1)
    f.note(
      undefined,
      'decryptionPvk',
      `tenants use ${decryption.length} decryption keys: all are accepted, and the SP metadata lists the certificate of the first`,
    )

  // Each record as a store will check it, so a bad one is named here rather than at store.put.
  if (f.problems.size === 0) {
    for (const record of records) {
      try {
        normalizeIdpRecord(record)
      } catch (err) {
        f.refuse(record.id, '(record)', 'invalid', err instanceof Error ? err.message : String(err))
      }
    }
  }

  if (f.problems.size > 0) {
    throw new PassportSamlMigrationError(
      [...f.problems.values()].map(({ tenants: t, ...p }) => ({ ...p, tenants: [...new Set(t)] })),
    )
  }

  const sp: ServiceProviderOptions = {
    baseUrl: input.baseUrl,
    ...(signing && { signingKey: signing.keyPem, signingCert: signing.certPem }),
    ...(decryption.length > 0 && {
      decryptionKey: decryption.length === 1 ? decryption[0]!.pem : decryption.map((d) => d.pem),
    }),
    ...(decryptionCert !== undefined && { decryptionCert }),
    ...(signatureAlgorithm !== undefined && { signatureAlgorithm }),
  }
  return Object.freeze({
    sp: Object.freeze(sp),
    records: Object.freeze(records.map((r) => Object.freeze(r))),
    strategy: Object.freeze({
      ...(name !== undefined && { name }),
      ...(passReqToCallback !== undefined && { passReqToCallback }),
      ...(requestTtlMs !== undefined && { requestTtlMs }),
    }),
    notes: Object.freeze(
      [...f.notes.values()].map(({ tenants: t, ...n }) =>
        Object.freeze({ ...n, tenants: Object.freeze([...new Set(t)]) }),
      ),
    ),
  })
}

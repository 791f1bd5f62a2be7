import { domainToASCII } from 'node:url'
import { SamlError } from '../errors/saml-error.js'
import { normalizeCertificate } from '../metadata/certificate.js'
import { parseIdpMetadata, type ParsedIdpMetadata } from '../metadata/parse-idp-metadata.js'
import type { AttributeFieldSpec, AttributeMap, AttributeTransform, GroupsMap } from '../profile/types.js'
import type {
  AttributePresetName,
  IdpEndpoints,
  IdpRecordFields,
  IdpRecordInput,
  SamlBinding,
} from './idp-record.js'

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const MAX_ENTITY_ID = 1024
const MAX_URL = 4096
const MAX_DISPLAY_NAME = 256
const MAX_CERTS = 16
const MAX_EMAIL_DOMAINS = 1000
const MAX_MAP_ENTRIES = 1000
const MAX_NAME = 1024
const MAX_CLOCK_SKEW_MS = 600_000
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

const PRESETS: Readonly<Record<AttributePresetName, true>> = {
  okta: true,
  entra: true,
  google: true,
  adfs: true,
  awsIdentityCenter: true,
  keycloak: true,
  eduPerson: true,
}
/** Every {@link AttributePresetName}, for validation and admin UIs. */
export const ATTRIBUTE_PRESET_NAMES: readonly AttributePresetName[] = Object.freeze(
  Object.keys(PRESETS) as AttributePresetName[],
)

const TRANSFORMS: ReadonlySet<string> = new Set<AttributeTransform>(['lowercase', 'uppercase', 'trim'])
const FIELD_SPEC_KEYS: ReadonlySet<string> = new Set<keyof AttributeFieldSpec>([
  'from',
  'multi',
  'required',
  'transform',
])
const ENDPOINT_KEYS: ReadonlySet<string> = new Set<keyof IdpEndpoints>(['redirect', 'post'])

const BOOLEAN_DEFAULTS = {
  allowIdpInitiated: false,
  wantAssertionsSigned: true,
  wantResponseSigned: false,
  forceAuthn: false,
  allowSha1: false,
  requireEncryptedAssertions: false,
  requireAesGcm: false,
} as const

/** Every field an {@link IdpRecordInput} may have, e.g. to filter an admin API's JSON body. */
export const IDP_RECORD_INPUT_FIELDS: readonly (keyof IdpRecordInput)[] = Object.freeze([
  'id',
  'displayName',
  'metadataXml',
  'metadataUrl',
  'entityId',
  'ssoUrl',
  'ssoUrls',
  'sloUrls',
  'signingCerts',
  'encryptionCerts',
  'nameIdFormat',
  'emailDomains',
  'attributeMap',
  'groupsMap',
  'spEntityId',
  'allowIdpInitiated',
  'wantAssertionsSigned',
  'wantResponseSigned',
  'signAuthnRequests',
  'authnRequestBinding',
  'forceAuthn',
  'clockSkewMs',
  'allowSha1',
  'requireEncryptedAssertions',
  'requireAesGcm',
] satisfies (keyof IdpRecordInput)[])

/** Every key an input may have. `version` and `updatedAt` (from a record read back) are ignored. */
const INPUT_KEYS: ReadonlySet<string> = new Set<string>([...IDP_RECORD_INPUT_FIELDS, 'version', 'updatedAt'])

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

class ConfigError extends SamlError {
  constructor(message: string, idp: string | undefined, cause?: unknown) {
    super(message, 'ERR_SAML_IDP_CONFIG', { cause, idp })
  }
}

function kind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** `undefined` and `null` both mean "not given" (JSON and SQL spell absence as null). */
function given<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null
}

function isHttpUrl(value: string): boolean {
  if (value.length > MAX_URL || /\s/.test(value)) return false
  try {
    const url = new URL(value)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== ''
  } catch {
    return false
  }
}

/**
 * The canonical form of an email domain, as stores index it: trimmed, lower-cased, IDNs in
 * punycode. Undefined when it is not a valid hostname of at least two labels.
 *
 * @example
 * ```ts
 * normalizeEmailDomain(' Acme.COM ') // 'acme.com'
 * normalizeEmailDomain('alice@acme.com') // undefined
 * ```
 */
export function normalizeEmailDomain(domain: string): string | undefined {
  if (typeof domain !== 'string') return undefined
  const trimmed = domain.trim().toLowerCase()
  if (trimmed === '' || trimmed.length > 253 || /[@/\s:]/.test(trimmed)) return undefined
  const ascii = domainToASCII(trimmed)
  if (ascii === '' || ascii.length > 253) return undefined
  const labels = ascii.split('.')
  if (labels.length < 2) return undefined
  const ok = labels.every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label))
  // The last label (TLD) is never all digits: that would be an IPv4 address.
  return ok && !/^\d+$/.test(labels[labels.length - 1]!) ? ascii : undefined
}

/**
 * Validates an IdP record input once and returns its normalized, frozen fields: certificates as
 * canonical PEM, URLs checked, email domains lower-cased, defaults filled with the strict choice.
 * When `metadataXml` is given it is parsed (with `entityId` choosing the entity out of an
 * EntitiesDescriptor) and fields given beside it override what it says. `null` counts as absent.
 * Store adapters call this on every write. Nothing of the input is kept by reference.
 *
 * Throws `SamlError` `ERR_SAML_IDP_CONFIG` naming the field (`"signingCerts[1]" is not an X.509
 * certificate: …`), or the metadata codes (`ERR_SAML_METADATA_INVALID`, `ERR_SAML_XML_DTD`, …) for
 * bad `metadataXml`.
 *
 * @example
 * ```ts
 * import { normalizeIdpRecord } from 'passport-saml-multi-idp'
 * const fields = normalizeIdpRecord({
 *   id: 'acme',
 *   entityId: 'https://idp.acme.com/saml',
 *   ssoUrl: 'https://idp.acme.com/sso',
 *   signingCerts: [acmeCertPem],
 *   emailDomains: ['Acme.com'],
 *   attributeMap: 'okta',
 * })
 * fields.emailDomains // ['acme.com']
 * fields.wantAssertionsSigned // true
 * ```
 */
export function normalizeIdpRecord(input: IdpRecordInput): IdpRecordFields {
  if (!isPlainObject(input)) {
    throw new ConfigError(`an IdP record must be a plain object, got ${kind(input)}`, undefined)
  }
  const raw: Record<string, unknown> = input
  const id = raw.id
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new ConfigError(
      `"id" must be 1–64 characters of A–Z a–z 0–9 . _ - starting with a letter or digit, got ${
        typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : kind(id)
      }`,
      undefined,
    )
  }
  const fail = (message: string, cause?: unknown): never => {
    throw new ConfigError(`IdP "${id}": ${message}`, id, cause)
  }

  for (const key of Object.keys(raw)) {
    if (!INPUT_KEYS.has(key)) fail(`unknown field ${JSON.stringify(key.slice(0, 80))}`)
  }

  const str = (field: string, max: number): string | undefined => {
    const value = raw[field]
    if (!given(value)) return undefined
    if (typeof value !== 'string') return fail(`"${field}" must be a string, got ${kind(value)}`)
    const trimmed = value.trim()
    if (trimmed === '' || trimmed.length > max) {
      return fail(`"${field}" must be a non-empty string of at most ${max} characters`)
    }
    return trimmed
  }
  const url = (field: string, value: unknown): string => {
    if (typeof value !== 'string') return fail(`"${field}" must be a URL string, got ${kind(value)}`)
    const trimmed = value.trim()
    if (!isHttpUrl(trimmed)) return fail(`"${field}" must be an absolute http: or https: URL`)
    return trimmed
  }
  const bool = (field: string): boolean | undefined => {
    const value = raw[field]
    if (!given(value)) return undefined
    if (typeof value !== 'boolean') return fail(`"${field}" must be true or false, got ${kind(value)}`)
    return value
  }
  const endpoints = (field: 'ssoUrls' | 'sloUrls'): IdpEndpoints | undefined => {
    const value = raw[field]
    if (!given(value)) return undefined
    if (!isPlainObject(value))
      return fail(`"${field}" must be an object like { redirect, post }, got ${kind(value)}`)
    const out: Mutable<IdpEndpoints> = {}
    for (const key of Object.keys(value)) {
      if (!ENDPOINT_KEYS.has(key))
        fail(`"${field}" has unknown binding ${JSON.stringify(key.slice(0, 80))}; use "redirect" or "post"`)
    }
    if (given(value.redirect)) out.redirect = url(`${field}.redirect`, value.redirect)
    if (given(value.post)) out.post = url(`${field}.post`, value.post)
    return out
  }
  const certs = (field: 'signingCerts' | 'encryptionCerts'): string[] | undefined => {
    const value = raw[field]
    if (!given(value)) return undefined
    if (!Array.isArray(value))
      return fail(`"${field}" must be an array of PEM certificates, got ${kind(value)}`)
    if (value.length > MAX_CERTS)
      return fail(`"${field}" has ${value.length} certificates; at most ${MAX_CERTS}`)
    const out: string[] = []
    value.forEach((cert: unknown, i) => {
      let pem = ''
      try {
        pem = normalizeCertificate(cert as string)
      } catch (err) {
        fail(
          `"${field}[${i}]" is not an X.509 certificate: ${err instanceof Error ? err.message : String(err)}`,
          err,
        )
      }
      if (!out.includes(pem)) out.push(pem)
    })
    return out
  }

  // Metadata first: the manual fields below override what it says.
  const metadataXml = raw.metadataXml
  let meta: ParsedIdpMetadata | undefined
  const entityIdInput = str('entityId', MAX_ENTITY_ID)
  if (given(metadataXml)) {
    if (typeof metadataXml !== 'string') fail(`"metadataXml" must be a string, got ${kind(metadataXml)}`)
    try {
      meta = parseIdpMetadata(
        metadataXml as string,
        entityIdInput === undefined ? {} : { entityId: entityIdInput },
      )
    } catch (err) {
      if (err instanceof SamlError) {
        throw new SamlError(`IdP "${id}": "metadataXml": ${err.message}`, err.code, { cause: err, idp: id })
      }
      throw err
    }
  }
  const metadataUrl = given(raw.metadataUrl) ? url('metadataUrl', raw.metadataUrl) : undefined

  const entityId = entityIdInput ?? meta?.entityId
  if (entityId === undefined) fail('"entityId" is required (or give "metadataXml")')

  const displayName = str('displayName', MAX_DISPLAY_NAME)
  const spEntityId = str('spEntityId', MAX_ENTITY_ID)
  const nameIdFormat = str('nameIdFormat', MAX_NAME) ?? meta?.nameIdFormats[0]

  let authnRequestBinding: SamlBinding | undefined
  if (given(raw.authnRequestBinding)) {
    if (raw.authnRequestBinding !== 'redirect' && raw.authnRequestBinding !== 'post') {
      fail(`"authnRequestBinding" must be "redirect" or "post"`)
    }
    authnRequestBinding = raw.authnRequestBinding as SamlBinding
  }

  const ssoUrls: Mutable<IdpEndpoints> = { ...(endpoints('ssoUrls') ?? meta?.ssoUrls) }
  if (given(raw.ssoUrl)) {
    const binding = authnRequestBinding ?? 'redirect'
    const shorthand = url('ssoUrl', raw.ssoUrl)
    const existing = given(raw.ssoUrls) ? ssoUrls[binding] : undefined
    if (existing !== undefined && existing !== shorthand) {
      fail(`"ssoUrl" and "ssoUrls.${binding}" disagree; give one of them`)
    }
    ssoUrls[binding] = shorthand
  }
  if (ssoUrls.redirect === undefined && ssoUrls.post === undefined) {
    fail(
      'at least one SSO URL is required ("ssoUrl", "ssoUrls.redirect" or "ssoUrls.post", or "metadataXml")',
    )
  }
  if (authnRequestBinding === undefined) {
    authnRequestBinding = ssoUrls.redirect !== undefined ? 'redirect' : 'post'
  } else if (ssoUrls[authnRequestBinding] === undefined) {
    fail(`"authnRequestBinding" is "${authnRequestBinding}" but there is no "ssoUrls.${authnRequestBinding}"`)
  }
  const sloUrls: Mutable<IdpEndpoints> = { ...(endpoints('sloUrls') ?? meta?.sloUrls) }

  const signingCerts = certs('signingCerts') ?? (meta ? [...meta.signingCerts] : [])
  if (signingCerts.length === 0)
    fail('at least one signing certificate is required ("signingCerts" or "metadataXml")')
  const encryptionCerts = certs('encryptionCerts') ?? (meta ? [...meta.encryptionCerts] : [])

  const emailDomains = normalizeEmailDomains(raw.emailDomains, fail)
  const attributeMap = given(raw.attributeMap) ? normalizeAttributeMap(raw.attributeMap, fail) : undefined
  const groupsMap = given(raw.groupsMap) ? normalizeGroupsMap(raw.groupsMap, fail) : undefined

  let clockSkewMs: number | undefined
  if (given(raw.clockSkewMs)) {
    const v = raw.clockSkewMs
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_CLOCK_SKEW_MS) {
      fail(`"clockSkewMs" must be an integer from 0 to ${MAX_CLOCK_SKEW_MS}`)
    }
    clockSkewMs = v as number
  }

  const flags = {} as Record<keyof typeof BOOLEAN_DEFAULTS | 'signAuthnRequests', boolean>
  for (const key of Object.keys(BOOLEAN_DEFAULTS) as (keyof typeof BOOLEAN_DEFAULTS)[]) {
    flags[key] = bool(key) ?? BOOLEAN_DEFAULTS[key]
  }
  flags.signAuthnRequests = bool('signAuthnRequests') ?? meta?.wantAuthnRequestsSigned ?? false

  // Fixed key order, optional keys omitted rather than set to undefined (so records compare equal
  // after a JSON round trip through any store).
  const out: Mutable<IdpRecordFields> = {
    id,
    ...(displayName !== undefined && { displayName }),
    entityId: entityId!,
    ssoUrls: Object.freeze(ssoUrls),
    sloUrls: Object.freeze(sloUrls),
    signingCerts: Object.freeze(signingCerts),
    encryptionCerts: Object.freeze(encryptionCerts),
    ...(nameIdFormat !== undefined && { nameIdFormat }),
    emailDomains,
    ...(attributeMap !== undefined && { attributeMap }),
    ...(groupsMap !== undefined && { groupsMap }),
    ...(spEntityId !== undefined && { spEntityId }),
    allowIdpInitiated: flags.allowIdpInitiated,
    wantAssertionsSigned: flags.wantAssertionsSigned,
    wantResponseSigned: flags.wantResponseSigned,
    signAuthnRequests: flags.signAuthnRequests,
    authnRequestBinding,
    forceAuthn: flags.forceAuthn,
    ...(clockSkewMs !== undefined && { clockSkewMs }),
    allowSha1: flags.allowSha1,
    requireEncryptedAssertions: flags.requireEncryptedAssertions,
    requireAesGcm: flags.requireAesGcm,
    ...(meta !== undefined && { metadataXml: metadataXml as string }),
    ...(metadataUrl !== undefined && { metadataUrl }),
  }
  return Object.freeze(out)
}

type Fail = (message: string, cause?: unknown) => never

function normalizeEmailDomains(value: unknown, fail: Fail): readonly string[] {
  if (!given(value)) return Object.freeze([])
  if (!Array.isArray(value))
    return fail(`"emailDomains" must be an array of domain names, got ${kind(value)}`)
  if (value.length > MAX_EMAIL_DOMAINS)
    return fail(`"emailDomains" has more than ${MAX_EMAIL_DOMAINS} entries`)
  const out: string[] = []
  value.forEach((entry: unknown, i) => {
    const domain = typeof entry === 'string' ? normalizeEmailDomain(entry) : undefined
    if (domain === undefined) {
      fail(
        `"emailDomains[${i}]" must be a domain name like "acme.com" (no "@", no scheme), got ${
          typeof entry === 'string' ? JSON.stringify(entry.slice(0, 80)) : kind(entry)
        }`,
      )
    }
    if (!out.includes(domain!)) out.push(domain!)
  })
  return Object.freeze(out)
}

function checkMapKey(field: string, key: string, fail: Fail): void {
  if (key === '' || key.length > MAX_NAME) fail(`"${field}" has an empty or over-long key`)
  if (FORBIDDEN_KEYS.has(key)) fail(`"${field}" must not have a key named "${key}"`)
}

function attributeNames(path: string, value: unknown, fail: Fail): string | readonly string[] {
  if (typeof value === 'string') {
    if (value.trim() === '' || value.length > MAX_NAME) fail(`"${path}" must be a non-empty attribute name`)
    return value
  }
  if (Array.isArray(value)) {
    if (value.length === 0) fail(`"${path}" must list at least one attribute name`)
    if (value.length > MAX_MAP_ENTRIES) fail(`"${path}" lists too many attribute names`)
    return Object.freeze(
      value.map((name: unknown, i) => attributeNames(`${path}[${i}]`, name, fail) as string),
    )
  }
  return fail(`"${path}" must be an attribute name or an array of them, got ${kind(value)}`)
}

function normalizeAttributeMap(value: unknown, fail: Fail): AttributeMap | AttributePresetName {
  if (typeof value === 'string') {
    if (!Object.hasOwn(PRESETS, value)) {
      fail(
        `"attributeMap" ${JSON.stringify(value.slice(0, 80))} is not a preset; use one of ${ATTRIBUTE_PRESET_NAMES.join(', ')}`,
      )
    }
    return value as AttributePresetName
  }
  if (!isPlainObject(value)) {
    return fail(
      `"attributeMap" must be a preset name or an object of field → attribute names, got ${kind(value)}`,
    )
  }
  const keys = Object.keys(value)
  if (keys.length > MAX_MAP_ENTRIES) fail(`"attributeMap" has more than ${MAX_MAP_ENTRIES} fields`)
  const out: Record<string, string | readonly string[] | AttributeFieldSpec> = {}
  for (const field of keys) {
    checkMapKey('attributeMap', field, fail)
    const path = `attributeMap.${field}`
    const spec = value[field]
    if (typeof spec === 'string' || Array.isArray(spec)) {
      out[field] = attributeNames(path, spec, fail)
      continue
    }
    if (!isPlainObject(spec)) {
      fail(`"${path}" must be an attribute name, an array of them or { from, multi?, required?, transform? }`)
    }
    const s = spec as Record<string, unknown>
    for (const key of Object.keys(s)) {
      if (!FIELD_SPEC_KEYS.has(key)) {
        fail(
          `"${path}" has unknown key ${JSON.stringify(key.slice(0, 80))}; allowed: from, multi, required, transform`,
        )
      }
    }
    if (!given(s.from)) fail(`"${path}.from" is required`)
    const normalized: Mutable<AttributeFieldSpec> = { from: attributeNames(`${path}.from`, s.from, fail) }
    for (const flag of ['multi', 'required'] as const) {
      if (!given(s[flag])) continue
      if (typeof s[flag] !== 'boolean') fail(`"${path}.${flag}" must be true or false`)
      normalized[flag] = s[flag] as boolean
    }
    if (given(s.transform)) {
      const list = Array.isArray(s.transform) ? (s.transform as unknown[]) : [s.transform]
      list.forEach((t, i) => {
        if (typeof t !== 'string' || !TRANSFORMS.has(t)) {
          fail(
            `"${path}.transform${Array.isArray(s.transform) ? `[${i}]` : ''}" must be "lowercase", "uppercase" or "trim"`,
          )
        }
      })
      normalized.transform = Array.isArray(s.transform)
        ? Object.freeze([...(list as AttributeTransform[])])
        : (s.transform as AttributeTransform)
    }
    out[field] = Object.freeze(normalized)
  }
  return Object.freeze(out)
}

function normalizeGroupsMap(value: unknown, fail: Fail): GroupsMap {
  if (!isPlainObject(value))
    return fail(`"groupsMap" must be an object of IdP group → app group, got ${kind(value)}`)
  const keys = Object.keys(value)
  if (keys.length > 10 * MAX_MAP_ENTRIES) fail(`"groupsMap" has more than ${10 * MAX_MAP_ENTRIES} entries`)
  const out: Record<string, string> = {}
  for (const group of keys) {
    checkMapKey('groupsMap', group, fail)
    const mapped = value[group]
    if (typeof mapped !== 'string' || mapped === '' || mapped.length > MAX_NAME) {
      fail(`"groupsMap[${JSON.stringify(group.slice(0, 80))}]" must be a non-empty string`)
    }
    out[group] = mapped as string
  }
  return Object.freeze(out)
}

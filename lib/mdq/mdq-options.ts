import type { FetchIdpMetadataOptions } from '../metadata/fetch-idp-metadata.js'
import { normalizeCertificate } from '../metadata/certificate.js'
import { normalizeIdpRecord } from '../record/normalize-idp-record.js'
import type { IdpRecordInput } from '../record/record-fields.js'
import { unusableSigningCertificate } from '../xmldsig/trusted-keys.js'
import {
  resolveFetchSchedule,
  type MetadataFetchScheduleOptions,
  type ResolvedFetchSchedule,
} from '../refresh/refresh-options.js'

/**
 * Fields every record {@link withMdq} stores gets from you (attribute map, flags, …); the id, the
 * entityID and the metadata come from the responder's signed document and the wrapper. Not email
 * domains: a domain belongs to one IdP.
 */
export type MdqRecordFields = Omit<
  IdpRecordInput,
  'id' | 'entityId' | 'metadataUrl' | 'metadataXml' | 'metadataSigningCerts' | 'emailDomains'
>

/** What one fetch from the responder did, for {@link MdqOptions.onLookup}. */
export interface MdqLookup {
  /** The record id (`mdq-` and the entity's SHA-1 hex). */
  readonly idp: string
  /** The entityID, when the lookup was by entityID or the responder's document named it. */
  readonly entityId?: string
  /**
   * - `added`: the signed, current metadata was stored as a record.
   * - `not-found`: the responder does not know the entity (HTTP 404), or it is not allowed.
   * - `failed`: refused (`error`: bad or missing signature, expired, invalid) or unreachable.
   */
  readonly outcome: 'added' | 'not-found' | 'failed'
  /** Why it failed (a `SamlError`, its code saying which rule), when `failed`. */
  readonly error?: unknown
}

/** Options for {@link withMdq}. Besides these, those of the refresher's schedule (for the first fetch status). */
export interface MdqOptions extends MetadataFetchScheduleOptions {
  /** The responder's base URL; entities are fetched from `{baseUrl}/entities/{entityID}`. */
  baseUrl: string
  /** The certificates the responder signs with (PEM or base64), obtained out of band. Required. */
  signingCerts: readonly string[]
  /**
   * Which entityIDs may be looked up. An Issuer on the shared ACS is attacker input: only those
   * passing `filter` (and starting with one of `entityIdPrefixes`, when given) are ever fetched.
   * One of the two is required.
   */
  filter?: (entityId: string) => boolean
  /** Only entityIDs starting with one of these are looked up (`['https://']` for any https one). */
  entityIdPrefixes?: readonly string[]
  /**
   * Only entities registered by one of these federations are stored: the `registrationAuthority` of
   * the document's `mdrpi:RegistrationInfo` (for an inter-federation responder such as eduGAIN's).
   * Checked on the signed answer; an entity registered elsewhere, or saying nothing, is a miss.
   */
  registrationAuthorities?: readonly string[]
  /** Fields every MDQ record gets: `attributeMap`, `allowIdpInitiated`, … (checked up front). */
  recordFields?: MdqRecordFields
  /** How long a miss (404, refused or failed fetch) is remembered, in ms. Default 300000; 1 s to 1 day. */
  negativeTtlMs?: number
  /** At most this many misses are remembered, the oldest dropped first. Default 10000. */
  negativeCacheSize?: number
  /** Fetches from the responder at once. Default 4; 1 to 64. */
  concurrency?: number
  /** Lookups waiting for a fetch slot before more are refused. Default 100. */
  maxWaiting?: number
  /** Told about every fetch from the responder. */
  onLookup?: (lookup: MdqLookup) => void
}

/** {@link MdqOptions} checked, with the defaults filled in. */
export interface ResolvedMdqOptions {
  readonly baseUrl: string
  readonly signingCerts: readonly string[]
  readonly allowed: (entityId: string) => boolean
  readonly registrationAuthorities: ReadonlySet<string> | undefined
  readonly recordFields: MdqRecordFields
  readonly negativeTtlMs: number
  readonly negativeCacheSize: number
  readonly concurrency: number
  readonly maxWaiting: number
  readonly onLookup: (lookup: MdqLookup) => void
  readonly schedule: ResolvedFetchSchedule
}

/** An entity's document is small: the fetch stays cheap however many entityIDs are tried. */
const MDQ_FETCH_DEFAULTS: FetchIdpMetadataOptions = { timeoutMs: 5000, maxBytes: 1024 * 1024 }

/** Longest entityID a record takes. */
const MAX_ENTITY_ID = 1024

function fail(option: string, message: string): never {
  throw new TypeError(`"options.${option}" ${message}`)
}

function integer(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    fail(option, `must be an integer from ${min} to ${max}`)
  return value
}

function baseUrlOf(value: unknown): string {
  let url: URL | undefined
  try {
    url = typeof value === 'string' ? new URL(value) : undefined
  } catch {
    // Said below.
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash || url.username)
    fail('baseUrl', "must be the MDQ responder's absolute http(s) URL without query, fragment or credentials")
  return url.href.replace(/\/+$/, '')
}

/** Checks {@link MdqOptions} up front: a TypeError naming the option. */
export function resolveMdqOptions(options: MdqOptions): ResolvedMdqOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object')
  const {
    baseUrl,
    signingCerts,
    filter,
    entityIdPrefixes,
    registrationAuthorities,
    recordFields = {},
    negativeTtlMs = 300_000,
    negativeCacheSize = 10_000,
    concurrency = 4,
    maxWaiting = 100,
    onLookup = () => {},
    fetch,
    ...schedule
  } = options
  if (!Array.isArray(signingCerts) || signingCerts.length === 0)
    fail('signingCerts', 'must list the certificates the MDQ responder signs with (at least one)')
  const certs = signingCerts.map((cert, i) => {
    let pem: string
    try {
      pem = normalizeCertificate(cert)
    } catch (err) {
      return fail(`signingCerts[${i}]`, `is not an X.509 certificate: ${(err as Error).message}`)
    }
    // Decoded now, so a certificate OpenSSL cannot use fails here and not at every lookup.
    const unusable = unusableSigningCertificate(pem)
    if (unusable !== undefined) return fail(`signingCerts[${i}]`, `cannot be used: ${unusable}`)
    return pem
  })
  if (filter === undefined && entityIdPrefixes === undefined)
    fail(
      'filter',
      'or "options.entityIdPrefixes" is required: say which entityIDs may be looked up (e.g. entityIdPrefixes: [\'https://\'])',
    )
  if (filter !== undefined && typeof filter !== 'function')
    fail('filter', 'must be a function (entityId) => boolean')
  if (
    entityIdPrefixes !== undefined &&
    (!Array.isArray(entityIdPrefixes) ||
      entityIdPrefixes.length === 0 ||
      !entityIdPrefixes.every((p) => typeof p === 'string' && p !== ''))
  )
    fail('entityIdPrefixes', 'must be a non-empty array of non-empty strings')
  if (
    registrationAuthorities !== undefined &&
    (!Array.isArray(registrationAuthorities) ||
      registrationAuthorities.length === 0 ||
      !registrationAuthorities.every((a) => typeof a === 'string' && a !== ''))
  )
    fail('registrationAuthorities', 'must be a non-empty array of registration authority URIs')
  if (typeof onLookup !== 'function') fail('onLookup', 'must be a function')
  for (const owned of [
    'id',
    'entityId',
    'metadataUrl',
    'metadataXml',
    'metadataSigningCerts',
    'emailDomains',
  ])
    if (recordFields !== null && typeof recordFields === 'object' && owned in recordFields)
      fail(`recordFields.${owned}`, "is set by withMdq (from the responder's metadata), not given")
  try {
    // A field no record accepts would fail every lookup: refuse it now instead.
    normalizeIdpRecord({
      ...recordFields,
      id: 'mdq-check',
      entityId: 'urn:mdq:check',
      ssoUrls: { redirect: 'https://mdq.invalid/sso' },
      signingCerts: certs,
    })
  } catch (err) {
    fail('recordFields', `cannot be part of a record: ${(err as Error).message}`)
  }
  if (fetch !== undefined && fetch !== null && typeof fetch === 'object' && 'entityId' in fetch)
    fail('fetch.entityId', 'is set by withMdq for each entity, not given')
  const url = baseUrlOf(baseUrl)
  if (url.startsWith('http:') && fetch?.allowHttp !== true)
    fail('baseUrl', 'is http: give fetch: { allowHttp: true } to fetch metadata without TLS (tests only)')
  return Object.freeze({
    baseUrl: url,
    signingCerts: Object.freeze(certs),
    allowed: (entityId: string) => {
      if (entityId === '' || entityId.length > MAX_ENTITY_ID) return false
      if (entityIdPrefixes && !entityIdPrefixes.some((prefix) => entityId.startsWith(prefix))) return false
      try {
        return filter === undefined || filter(entityId) === true
      } catch {
        return false // a filter that throws allows nothing
      }
    },
    registrationAuthorities: registrationAuthorities && new Set(registrationAuthorities),
    recordFields: Object.freeze({ ...recordFields }),
    negativeTtlMs: integer('negativeTtlMs', negativeTtlMs, 1000, 86_400_000),
    negativeCacheSize: integer('negativeCacheSize', negativeCacheSize, 1, 1_000_000),
    concurrency: integer('concurrency', concurrency, 1, 64),
    maxWaiting: integer('maxWaiting', maxWaiting, 0, 100_000),
    onLookup,
    schedule: resolveFetchSchedule({ ...schedule, fetch: { ...MDQ_FETCH_DEFAULTS, ...fetch } }),
  })
}

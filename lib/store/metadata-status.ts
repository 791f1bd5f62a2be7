import { isPlainObject } from '../values/plain-values.js'

/**
 * Where the metadata fetches of one IdP stand. Stores with the metadata-refresh capability keep it
 * beside the record, not in it: a fetch that changes nothing (a 304) updates the status without
 * bumping the record's `version`, so no instance recompiles the IdP or drops its lookup cache.
 * Times are ISO-8601 UTC strings.
 */
export interface IdpMetadataStatus {
  /** The `metadataUrl` this status is about. A status for another URL is stale: refresh now. */
  readonly url: string
  /** When the next fetch is due. */
  readonly nextRefreshAt: string
  /** Failed fetches in a row since the last good one (0 after a good fetch or a 304). */
  readonly consecutiveFailures: number
  /** When the last fetch, good or not, ended. */
  readonly lastFetchAt?: string
  /** When the last good fetch (a document adopted, or a 304) ended. */
  readonly lastSuccessAt?: string
  /** `ETag` of the held document, sent back as `If-None-Match`. */
  readonly etag?: string
  /** `Last-Modified` of the held document, sent back as `If-Modified-Since`. */
  readonly lastModified?: string
  /** `validUntil` of the held document. */
  readonly validUntil?: string
  /** `cacheDuration` of the held document, in ms. */
  readonly cacheDurationMs?: number
  /** The record version the held document and its validators belong to. */
  readonly recordVersion?: number
  /** Why the last fetch failed (absent after a good one). */
  readonly lastError?: { readonly code: string; readonly message: string }
}

const MAX_TEXT = 2048
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/
const KEYS: ReadonlySet<string> = new Set([
  'url',
  'nextRefreshAt',
  'consecutiveFailures',
  'lastFetchAt',
  'lastSuccessAt',
  'etag',
  'lastModified',
  'validUntil',
  'cacheDurationMs',
  'recordVersion',
  'lastError',
])

function text(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TEXT
}

function time(value: unknown): value is string {
  return typeof value === 'string' && ISO.test(value) && !Number.isNaN(Date.parse(value))
}

/**
 * Checks a status and returns a frozen copy, or the reason it is not one. Stores call it on write
 * (misuse is a TypeError) and on read (a stored status that does not read back counts as none: the
 * IdP is simply refreshed).
 */
export function readMetadataStatus(value: unknown): IdpMetadataStatus | string {
  if (!isPlainObject(value)) return 'must be an object'
  for (const key of Object.keys(value)) if (!KEYS.has(key)) return `has unknown field "${key.slice(0, 40)}"`
  const v = value as Record<string, unknown>
  if (!text(v.url) || v.url === '') return '"url" must be a non-empty string'
  if (!time(v.nextRefreshAt)) return '"nextRefreshAt" must be an ISO-8601 UTC time'
  if (!Number.isSafeInteger(v.consecutiveFailures) || (v.consecutiveFailures as number) < 0)
    return '"consecutiveFailures" must be a non-negative integer'
  const out: Record<string, unknown> = {
    url: v.url,
    nextRefreshAt: v.nextRefreshAt,
    consecutiveFailures: v.consecutiveFailures,
  }
  for (const key of ['lastFetchAt', 'lastSuccessAt', 'validUntil'] as const) {
    if (v[key] === undefined) continue
    if (!time(v[key])) return `"${key}" must be an ISO-8601 UTC time`
    out[key] = v[key]
  }
  for (const key of ['etag', 'lastModified'] as const) {
    if (v[key] === undefined) continue
    if (!text(v[key])) return `"${key}" must be a string`
    out[key] = v[key]
  }
  for (const key of ['cacheDurationMs', 'recordVersion'] as const) {
    if (v[key] === undefined) continue
    if (!Number.isSafeInteger(v[key]) || (v[key] as number) < 0)
      return `"${key}" must be a non-negative integer`
    out[key] = v[key]
  }
  if (v.lastError !== undefined) {
    const e = v.lastError
    if (!isPlainObject(e) || !text(e.code) || !text(e.message))
      return '"lastError" must be { code, message } strings'
    out.lastError = Object.freeze({ code: e.code, message: e.message })
  }
  return Object.freeze(out) as unknown as IdpMetadataStatus
}

/** {@link readMetadataStatus} for a write: a TypeError naming the problem. */
export function checkMetadataStatus(value: unknown): IdpMetadataStatus {
  const status = readMetadataStatus(value)
  if (typeof status === 'string') throw new TypeError(`"status" ${status}`)
  return status
}

/** Checks the arguments of `claimMetadataRefresh` as every adapter must (a TypeError for misuse). */
export function checkClaimArguments(holder: unknown, now: unknown, leaseMs: unknown): void {
  if (typeof holder !== 'string' || holder === '' || holder.length > 256)
    throw new TypeError('"holder" must be a non-empty string of at most 256 characters')
  if (!Number.isSafeInteger(now) || (now as number) < 0)
    throw new TypeError('"now" must be a time in epoch milliseconds')
  if (!Number.isSafeInteger(leaseMs) || (leaseMs as number) < 1)
    throw new TypeError('"leaseMs" must be a positive integer of milliseconds')
}

/** Checks a federation source id given to the federation-refresh methods (a TypeError for misuse). */
export function checkSourceId(source: unknown): asserts source is string {
  if (typeof source !== 'string' || source === '' || source.length > 256 || source.includes('\0'))
    throw new TypeError(
      '"source" must be a federation source id: a non-empty string of at most 256 characters',
    )
}

/**
 * Whether a claim may be granted: the refresh is due (no status, or `nextRefreshAt` reached) and
 * no other holder has a lease that runs past `now`. The one rule every adapter applies (SQL in one
 * conditional statement).
 */
export function claimable(
  state: { status?: IdpMetadataStatus | undefined; lease?: { holder: string; until: number } | undefined },
  holder: string,
  now: number,
): boolean {
  const due = state.status === undefined || Date.parse(state.status.nextRefreshAt) <= now
  const free = state.lease === undefined || state.lease.until <= now || state.lease.holder === holder
  return due && free
}

import type { SamlErrorCode } from '../errors/saml-error.js'
import type { SamlCheck } from '../validate/check-log.js'

/** The SAML flow a trace records. Only the ACS is traced today. */
export type SamlTraceFlow = 'acs'

/** How an attempt ended: signed in, refused as a user-level denial, or refused as an error. */
export type SamlTraceOutcome = 'accepted' | 'denied' | 'error'

/** What personal values in a trace are replaced by, unless the app opted in to keep them. */
export const REDACTED = '[redacted]'

/**
 * One login attempt as an admin reads it later: what was tried, which checks ran, how it ended, and
 * the response with signature values, certificates, cipher values and (unless the app opted in)
 * every personal value replaced by {@link REDACTED}. JSON as it is: a store keeps it whole.
 *
 * @example
 * ```ts
 * import type { SamlTrace } from 'passport-saml-multi-idp'
 * const line = (t: SamlTrace) => `${t.at} ${t.idp ?? '?'} ${t.outcome} ${t.error?.code ?? ''} (${t.id})`
 * ```
 */
export interface SamlTrace {
  /** Random and URL-safe (a UUID): the id error pages and JSON errors show. */
  readonly id: string
  /** ISO-8601, millisecond precision: when the attempt was judged (the core's clock). */
  readonly at: string
  /** The IdP id, when resolution got that far. */
  readonly idp?: string
  readonly flow: SamlTraceFlow
  readonly outcome: SamlTraceOutcome
  /** Why it was refused. */
  readonly error?: { readonly code: SamlErrorCode; readonly message: string }
  /** The checks as they ran, in order: all passed, or the last one failed. */
  readonly checks: readonly SamlCheck[]
  /** The mapped profile (accepted, or refused by the application), values redacted unless opted in. */
  readonly profile?: Readonly<Record<string, unknown>>
  /** The posted response, redacted; absent when it was missing, too large or not XML. */
  readonly responseXml?: string
  /** The verified assertion, decrypted and redacted: only when the response carried it encrypted. */
  readonly assertionXml?: string
  /**
   * The IdP's IssueInstant minus {@link SamlTrace.at}, in ms: how far ahead (positive) of this
   * server the IdP's clock looked. Absent when the response had no readable IssueInstant.
   */
  readonly issueInstantOffsetMs?: number
  /** True when the app opted in to keep personal values (`includePersonalData`). */
  readonly personalData: boolean
}

/** Options for {@link SamlTraceStore.list}: newest first, filtered, one page at a time. */
export interface ListTracesOptions {
  /** Only this IdP's traces. */
  idp?: string
  /** Only traces that ended this way. */
  outcome?: SamlTraceOutcome
  /** At most this many (default 50, at most 1000). */
  limit?: number
  /** Keyset paging: only traces older than this one (give the last trace of the previous page). */
  before?: Pick<SamlTrace, 'at' | 'id'>
}

/** Options for {@link SamlTraceStore.prune}: which traces go. */
export interface PruneTracesOptions {
  /** Delete traces older than this many ms before `now`. */
  maxAgeMs?: number
  /** Keep at most this many traces per IdP (the newest); traces without an IdP count as one IdP. */
  maxPerIdp?: number
  /** The time ages are measured from, epoch ms. Default `Date.now()`. */
  now?: number
}

/**
 * Where login traces live. Small and async, like the IdP store; every adapter passes the
 * conformance suite of `passport-saml-multi-idp/testing` (`traceStoreConformance`).
 *
 * Invariants every adapter keeps:
 * - `add` stores a checked trace whole (`get` returns a deep-equal copy); an id already stored is
 *   left as it is;
 * - `list` is newest first: by `at`, then by `id` (code-unit order), both descending;
 * - `prune` deletes by age and by count per IdP, and returns how many traces it deleted.
 *
 * An adapter that cannot reach its backend throws `SamlError` `ERR_SAML_STORE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { MemoryTraceStore } from 'passport-saml-multi-idp'
 * const traces = new MemoryTraceStore()
 * const refused = await traces.list({ idp: 'acme', outcome: 'error', limit: 10 })
 * const next = await traces.list({ idp: 'acme', outcome: 'error', limit: 10, before: refused.at(-1) })
 * ```
 */
export interface SamlTraceStore {
  add(trace: SamlTrace): Promise<void>
  get(id: string): Promise<SamlTrace | undefined>
  list(options?: ListTracesOptions): Promise<SamlTrace[]>
  prune(options: PruneTracesOptions): Promise<number>
  close?(): Promise<void>
}

const OUTCOMES: ReadonlySet<string> = new Set<SamlTraceOutcome>(['accepted', 'denied', 'error'])
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

/** True for a string that can be a trace id (URL-safe, 1 to 64 characters). */
function isTraceId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value)
}

/** Checks a trace as every adapter must on `add` (a TypeError naming the field). */
export function checkTrace(trace: SamlTrace): SamlTrace {
  if (trace === null || typeof trace !== 'object') throw new TypeError('"trace" must be a SamlTrace object')
  if (!isTraceId(trace.id)) throw new TypeError('"trace.id" must be 1–64 of A–Z a–z 0–9 _ -')
  if (typeof trace.at !== 'string' || !ISO_MS.test(trace.at) || Number.isNaN(Date.parse(trace.at))) {
    throw new TypeError('"trace.at" must be an ISO-8601 UTC time with milliseconds (Date#toISOString)')
  }
  if (!OUTCOMES.has(trace.outcome)) throw new TypeError('"trace.outcome" must be accepted, denied or error')
  if (trace.idp !== undefined && (typeof trace.idp !== 'string' || trace.idp.includes('\0'))) {
    throw new TypeError('"trace.idp" must be a string without NUL characters')
  }
  if (!Array.isArray(trace.checks)) throw new TypeError('"trace.checks" must be an array of SamlCheck')
  return trace
}

/** Checks {@link ListTracesOptions} as every adapter must; returns the limit to use. */
export function checkListTracesOptions(options: ListTracesOptions): number {
  if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object')
  const { idp, outcome, limit = 50, before } = options
  if (idp !== undefined && (typeof idp !== 'string' || idp.includes('\0'))) {
    throw new TypeError('"options.idp" must be a string without NUL characters')
  }
  if (outcome !== undefined && !OUTCOMES.has(outcome)) {
    throw new TypeError('"options.outcome" must be accepted, denied or error')
  }
  if (!Number.isInteger(limit) || limit < 0 || limit > 1000) {
    throw new TypeError('"options.limit" must be an integer from 0 to 1000')
  }
  if (
    before !== undefined &&
    (before === null ||
      typeof before !== 'object' ||
      !isTraceId(before.id) ||
      typeof before.at !== 'string' ||
      Number.isNaN(Date.parse(before.at)))
  ) {
    throw new TypeError('"options.before" must be a trace (its `at` and `id`) from a previous page')
  }
  return limit
}

/** Checks {@link PruneTracesOptions}; returns them with `now` filled in. */
export function checkPruneOptions(
  options: PruneTracesOptions,
): Required<Pick<PruneTracesOptions, 'now'>> & PruneTracesOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object')
  const { maxAgeMs, maxPerIdp, now = Date.now() } = options
  if (maxAgeMs !== undefined && (!Number.isInteger(maxAgeMs) || maxAgeMs < 0)) {
    throw new TypeError('"options.maxAgeMs" must be a non-negative integer of milliseconds')
  }
  if (maxPerIdp !== undefined && (!Number.isInteger(maxPerIdp) || maxPerIdp < 0)) {
    throw new TypeError('"options.maxPerIdp" must be a non-negative integer')
  }
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new TypeError('"options.now" must be a number of epoch milliseconds')
  }
  return { ...options, now }
}

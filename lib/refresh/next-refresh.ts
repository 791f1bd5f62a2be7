/** Default {@link RefreshIntervals}: at least 10 minutes, at most 6 hours between fetches of one IdP. */
export const DEFAULT_REFRESH_INTERVALS: RefreshIntervals = Object.freeze({
  minIntervalMs: 10 * 60_000,
  maxIntervalMs: 6 * 3600_000,
})

/** Share of the time left before `validUntil` after which a document is fetched again. */
export const VALID_UNTIL_FACTOR = 0.75
/** Largest share by which a delay is shortened at random, so IdPs do not stay in step. */
export const REFRESH_JITTER = 0.1

/** The bounds every delay between two fetches of one IdP is clamped to. */
export interface RefreshIntervals {
  readonly minIntervalMs: number
  readonly maxIntervalMs: number
}

/** What decides when an IdP's metadata is fetched next. Times are epoch ms. */
export interface NextRefreshInput extends RefreshIntervals {
  readonly now: number
  /** The held document's `cacheDuration`, in ms. */
  readonly cacheDurationMs?: number | undefined
  /** The held document's `validUntil`, in epoch ms. */
  readonly validUntil?: number | undefined
  /** Failed fetches in a row since the last good one (0 after a success or a 304). */
  readonly consecutiveFailures: number
  /** A number in [0, 1), `Math.random` outside tests. */
  readonly random: () => number
}

/**
 * When to fetch an IdP's metadata next, in epoch ms: the refresh rule, a pure function.
 *
 * - After a good fetch (or a 304): the earliest of `cacheDurationMs` and three quarters of the time
 *   left before `validUntil` (so a new document is fetched well before the held one expires), or
 *   `maxIntervalMs` when the document says neither.
 * - After `n` failures in a row: `minIntervalMs × 2^(n-1)` (exponential backoff), but never more than
 *   half the time left before the held document's `validUntil`, so retries come closer as it nears.
 * - Then clamped to [`minIntervalMs`, `maxIntervalMs`], and shortened by up to 10% at random
 *   (jitter), never below `minIntervalMs`.
 */
export function nextRefreshAt(input: NextRefreshInput): number {
  const { now, cacheDurationMs, validUntil, consecutiveFailures, minIntervalMs, maxIntervalMs } = input
  const left = validUntil === undefined ? undefined : validUntil - now
  let delay: number
  if (consecutiveFailures > 0) {
    delay = minIntervalMs * 2 ** Math.min(consecutiveFailures - 1, 40)
    if (left !== undefined) delay = Math.min(delay, left / 2)
  } else {
    delay = Math.min(
      cacheDurationMs ?? Infinity,
      left === undefined ? Infinity : left * VALID_UNTIL_FACTOR,
      maxIntervalMs,
    )
  }
  delay = Math.min(Math.max(delay, minIntervalMs), maxIntervalMs)
  const r = Math.min(Math.max(input.random(), 0), 1)
  return now + Math.max(minIntervalMs, Math.round(delay * (1 - REFRESH_JITTER * r)))
}

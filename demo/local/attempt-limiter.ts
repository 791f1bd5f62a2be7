/**
 * A small in-memory limiter of failed password attempts: at most `maxFailures` per key (an email,
 * an IP address) in a fixed window. One process only: behind several instances, each counts its
 * own (a shared limiter would live in Redis; the demo keeps it simple and says so).
 *
 * @module
 */

/** Options of {@link AttemptLimiter}. */
export interface AttemptLimiterOptions {
  /** Failures allowed per key and window. */
  maxFailures: number
  /** Window length in ms, from the key's first failure. */
  windowMs: number
  /** Keys tracked at most; the oldest window is dropped first. Default 10000. */
  maxKeys?: number
  /** Current time in epoch ms. Default `Date.now`. */
  now?: () => number
}

/** Counts failures per key; see the module documentation. */
export class AttemptLimiter {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>()
  private readonly now: () => number

  constructor(private readonly options: AttemptLimiterOptions) {
    this.now = options.now ?? Date.now
  }

  /**
   * 0 when `key` may try now, else how many ms until it may.
   *
   * @example
   * ```ts
   * const wait = limiter.retryAfterMs(`ip:${req.ip}`)
   * if (wait > 0) res.status(429).setHeader('Retry-After', Math.ceil(wait / 1000))
   * ```
   */
  retryAfterMs(key: string): number {
    const window = this.windows.get(key)
    const now = this.now()
    if (!window || window.resetAt <= now) return 0
    return window.failures >= this.options.maxFailures ? window.resetAt - now : 0
  }

  /** Counts a failed attempt of `key`. */
  recordFailure(key: string): void {
    const now = this.now()
    const window = this.windows.get(key)
    if (window && window.resetAt > now) {
      window.failures++
      return
    }
    this.windows.delete(key)
    if (this.windows.size >= (this.options.maxKeys ?? 10_000))
      this.windows.delete(this.windows.keys().next().value!)
    this.windows.set(key, { failures: 1, resetAt: now + this.options.windowMs })
  }

  /** Forgets `key`'s failures (after a success). */
  reset(key: string): void {
    this.windows.delete(key)
  }
}

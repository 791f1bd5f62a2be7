import type { SamlCache } from './saml-cache.js'
import { checkCacheArgs, checkCacheKey } from './check-cache-args.js'

/** Options for {@link MemorySamlCache}. */
export interface MemorySamlCacheOptions {
  /** Clock in epoch milliseconds (default `Date.now`); tests pass a fake one. */
  now?: () => number
  /**
   * How often a timer drops expired entries, in ms (default 60000; 0 turns the timer off). The
   * timer is unref'd, so it never keeps the process alive. Expired entries are invisible to reads
   * whatever this is.
   */
  sweepIntervalMs?: number
}

interface Entry {
  readonly value: string
  readonly expiresAt: number
}

/** How many of the oldest entries each write looks at, so expired ones go even without the timer. */
const SWEEP_ON_WRITE = 8

/**
 * The reference {@link SamlCache}: a `Map` in process memory. Every operation is synchronous
 * under its promise, so `take` and `add` are atomic within the process. Use it for a single
 * process; with several instances behind a load balancer use a shared cache (Redis, PostgreSQL),
 * or a response may be replayed against another instance.
 *
 * Memory stays bounded by what is live: reads ignore expired entries, each write drops a few of the
 * oldest expired ones, and an unref'd timer sweeps the rest.
 *
 * @example
 * ```ts
 * import { MemorySamlCache } from 'passport-saml-multi-idp'
 * const cache = new MemorySamlCache()
 * await cache.add('replay:acme:_a1b2', '1', 8 * 60_000) // true the first time, false after
 * ```
 */
export class MemorySamlCache implements SamlCache {
  private readonly entries = new Map<string, Entry>()
  private readonly now: () => number
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(options: MemorySamlCacheOptions = {}) {
    const { now = Date.now, sweepIntervalMs = 60_000 } = options
    if (typeof now !== 'function') throw new TypeError('"options.now" must be a function returning epoch ms')
    if (!Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0) {
      throw new TypeError('"options.sweepIntervalMs" must be a non-negative number of milliseconds')
    }
    this.now = now
    if (sweepIntervalMs > 0) {
      this.timer = setInterval(() => this.sweep(), sweepIntervalMs)
      this.timer.unref()
    }
  }

  /** Number of entries held, expired ones not yet swept included. */
  get size(): number {
    return this.entries.size
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    checkCacheArgs(key, value, ttlMs)
    this.write(key, value, ttlMs)
  }

  async take(key: string): Promise<string | undefined> {
    checkCacheKey(key)
    const entry = this.entries.get(key)
    if (!entry) return undefined
    this.entries.delete(key)
    return entry.expiresAt > this.now() ? entry.value : undefined
  }

  async add(key: string, value: string, ttlMs: number): Promise<boolean> {
    checkCacheArgs(key, value, ttlMs)
    const entry = this.entries.get(key)
    if (entry && entry.expiresAt > this.now()) return false
    this.write(key, value, ttlMs)
    return true
  }

  /** Drops every expired entry. The timer calls this; call it yourself if you turned the timer off. */
  sweep(): void {
    const now = this.now()
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key)
    }
  }

  /** Stops the sweep timer. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }

  private write(key: string, value: string, ttlMs: number): void {
    const now = this.now()
    // Re-insert so Map order is write order: the oldest entries come first for the bounded sweep.
    this.entries.delete(key)
    let looked = 0
    // Keys, not [key, entry] pairs: no array per entry looked at, on every login.
    for (const oldKey of this.entries.keys()) {
      if (looked++ >= SWEEP_ON_WRITE) break
      if (this.entries.get(oldKey)!.expiresAt <= now) this.entries.delete(oldKey)
    }
    this.entries.set(key, { value, expiresAt: now + ttlMs })
  }
}

/**
 * The demo's login traces, for the admin's "test connection" view. Fed by the strategy
 * ({@link AttemptLog.strategyOptions}): each attempt becomes a {@link SamlTrace} (personal data
 * kept: these are the admin's own test logins) written to a trace store, and the newest per IdP are
 * also kept in memory so the page a test login returns to shows it at once, before the store write
 * lands.
 *
 * @module
 */
import {
  MemoryTraceStore,
  traceOfAttempt,
  type SamlAttempt,
  type SamlTrace,
  type SamlTraceStore,
  type SamlTracesOptions,
} from '../lib/index.js'

/** Key for attempts whose IdP could not be resolved (unknown Issuer, unreadable message). */
export const UNRESOLVED = '(unresolved)'

/** Options of {@link AttemptLog}. */
export interface AttemptLogOptions {
  /** Traces shown per IdP. Default 10. */
  perIdp?: number
  /** IdPs tracked in memory at most; the least recently active is dropped. Default 1000. */
  maxIdps?: number
  /**
   * Where traces are kept: a `SqlTraceStore` (on the IdP store's PGlite or PostgreSQL) keeps them
   * across restarts. Default: a `MemoryTraceStore`.
   */
  store?: SamlTraceStore
}

/**
 * Keeps every attempt as a trace, and the newest per IdP at hand.
 *
 * @example
 * ```ts
 * const attempts = new AttemptLog({ store: await SqlTraceStore.open({ dataDir }) })
 * new MultiIdpSamlStrategy({ store, sp, ...attempts.strategyOptions() }, verify)
 * await attempts.recent('acme') // newest first, from the trace store
 * ```
 */
export class AttemptLog {
  /** Where the traces are kept (and what `recent` reads). */
  readonly store: SamlTraceStore
  private readonly byIdp = new Map<string, SamlTrace[]>()
  private readonly perIdp: number
  private readonly maxIdps: number

  constructor(options: AttemptLogOptions = {}) {
    this.perIdp = options.perIdp ?? 10
    this.maxIdps = options.maxIdps ?? 1000
    this.store = options.store ?? new MemoryTraceStore()
  }

  /**
   * The strategy options that feed this log: `traces` has the strategy write every attempt to the
   * store (and put its id on error pages), `onAttempt` keeps the newest at hand.
   *
   * @example
   * ```ts
   * new MultiIdpSamlStrategy({ store, sp, ...attempts.strategyOptions() }, verify)
   * ```
   */
  strategyOptions(): { traces: SamlTracesOptions; onAttempt: (attempt: SamlAttempt) => void } {
    return {
      traces: { store: this.store, includePersonalData: true },
      onAttempt: (attempt) => void this.remember(attempt),
    }
  }

  /** Keeps the trace of `attempt` among its IdP's newest. */
  private remember(attempt: SamlAttempt): SamlTrace {
    const trace = traceOfAttempt(attempt, true)
    const key = attempt.idp ?? UNRESOLVED
    const list = this.byIdp.get(key) ?? []
    this.byIdp.delete(key)
    list.unshift(trace)
    if (list.length > this.perIdp) list.length = this.perIdp
    this.byIdp.set(key, list)
    if (this.byIdp.size > this.maxIdps) this.byIdp.delete(this.byIdp.keys().next().value!)
    return trace
  }

  /** Newest first, from memory (this process's attempts since it started). */
  list(idp: string): readonly SamlTrace[] {
    return this.byIdp.get(idp) ?? []
  }

  /** Newest first, from the trace store (every instance's attempts, kept across restarts). */
  async recent(idp: string): Promise<SamlTrace[]> {
    return this.store.list({ idp, limit: this.perIdp })
  }

  /** Forget an IdP's attempts in memory (after it is deleted); the store's age out by retention. */
  clear(idp: string): void {
    this.byIdp.delete(idp)
  }
}

/**
 * The last login attempts per IdP, for the admin's "test connection" view. Fed by the strategy's
 * `onAttempt` option; kept in process memory only.
 *
 * @module
 */
import type { SamlAttempt } from '../lib/index.js'

/** Key for attempts whose IdP could not be resolved (unknown Issuer, unreadable message). */
export const UNRESOLVED = '(unresolved)'

/** Options of {@link AttemptLog}. */
export interface AttemptLogOptions {
  /** Attempts kept per IdP. Default 10. */
  perIdp?: number
  /** IdPs tracked at most; the least recently active is dropped. Default 1000. */
  maxIdps?: number
}

/**
 * Keeps the newest attempts per IdP.
 *
 * @example
 * ```ts
 * const attempts = new AttemptLog()
 * new MultiIdpSamlStrategy({ store, sp, onAttempt: (a) => attempts.record(a) }, verify)
 * attempts.list('acme') // newest first
 * ```
 */
export class AttemptLog {
  private readonly byIdp = new Map<string, SamlAttempt[]>()
  private readonly perIdp: number
  private readonly maxIdps: number

  constructor(options: AttemptLogOptions = {}) {
    this.perIdp = options.perIdp ?? 10
    this.maxIdps = options.maxIdps ?? 1000
  }

  record(attempt: SamlAttempt): void {
    const key = attempt.idp ?? UNRESOLVED
    const list = this.byIdp.get(key) ?? []
    this.byIdp.delete(key)
    list.unshift(attempt)
    if (list.length > this.perIdp) list.length = this.perIdp
    this.byIdp.set(key, list)
    if (this.byIdp.size > this.maxIdps) this.byIdp.delete(this.byIdp.keys().next().value!)
  }

  /** Newest first. */
  list(idp: string): readonly SamlAttempt[] {
    return this.byIdp.get(idp) ?? []
  }

  /** Forget an IdP's attempts (after it is deleted). */
  clear(idp: string): void {
    this.byIdp.delete(idp)
  }
}

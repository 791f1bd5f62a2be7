/**
 * Short-lived shared state for issued AuthnRequest IDs (InResponseTo) and consumed assertion IDs
 * (replay). Keys are namespaced by the strategy, partitioned per IdP. Adapters that cannot reach
 * their backend throw `SamlError` `ERR_SAML_CACHE_UNAVAILABLE`; the strategy then fails closed.
 */
export interface SamlCache {
  /** Stores `value` under `key` for `ttlMs`, replacing any previous value. */
  set(key: string, value: string, ttlMs: number): Promise<void>
  /** Atomically reads and deletes `key`: of concurrent callers at most one gets the value. */
  take(key: string): Promise<string | undefined>
  /** Stores only when `key` is absent (atomically). True when stored, false when it was present. */
  add(key: string, value: string, ttlMs: number): Promise<boolean>
  close?(): Promise<void>
}

// Argument checks every SamlCache adapter shares: misuse is a TypeError, as in the rest of the API.

export function checkCacheKey(key: string): void {
  if (typeof key !== 'string') throw new TypeError(`cache key must be a string, got ${typeof key}`)
}

export function checkCacheArgs(key: string, value: string, ttlMs: number): void {
  checkCacheKey(key)
  if (typeof value !== 'string') throw new TypeError(`cache value must be a string, got ${typeof value}`)
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new TypeError('"ttlMs" must be a positive, finite number of milliseconds')
  }
}

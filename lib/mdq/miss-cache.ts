/** A remembered miss: the entity was not found (no error), or fetching it failed with `error`. */
export interface Miss {
  readonly until: number
  readonly error?: unknown
}

/**
 * Misses by key until their time runs out, at most `size` of them: the oldest is dropped first, so
 * a flood of distinct keys costs bounded memory (and each of them one fetch per TTL at most).
 */
export class MissCache {
  private readonly misses = new Map<string, Miss>()

  constructor(private readonly size: number) {}

  get(key: string, now: number): Miss | undefined {
    const miss = this.misses.get(key)
    if (miss === undefined || miss.until > now) return miss
    this.misses.delete(key)
    return undefined
  }

  set(key: string, miss: Miss): void {
    this.misses.delete(key)
    this.misses.set(key, miss)
    if (this.misses.size > this.size) this.misses.delete(this.misses.keys().next().value!)
  }
}

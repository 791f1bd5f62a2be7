import { createHash } from 'node:crypto'
import type { IdpRecord } from '../../record/record-fields.js'
import type { SqlDriver } from '../../sql/sql-driver.js'

/** Cached lookups (by id, entityID and domain), each a reference to a record. */
const LOOKUP_CACHE_SIZE = 30_000

/**
 * The LISTEN/NOTIFY channel on which every write to `schema` is announced. Derived from the schema
 * name, so every store on one schema, in any process, shares it; hashed, because channel names are
 * identifiers of limited length.
 */
export function idpChangeChannel(schema: string): string {
  return `saml_idp_changes_${createHash('sha256').update(schema).digest('hex').slice(0, 24)}`
}

/**
 * The store's lookup results in memory, kept honest by PostgreSQL LISTEN/NOTIFY: every write by
 * any store on the schema drops them all. Entries are trusted only while the notification
 * connection is up (a drop could hide a change) and for at most `ttlMs` (should it die silently).
 */
export class IdpLookupCache {
  /** Lookup results by `id:…`, `entity:…` and `domain:…`, trusted only while `live`. */
  private readonly entries = new Map<string, { readonly record: IdpRecord; readonly cachedAt: number }>()
  /** Bumped on every invalidation: a lookup that started before one must not fill the cache. */
  private generation = 0
  /** True while notifications are flowing. */
  private live = false
  private unlisten: (() => Promise<void>) | undefined

  constructor(private readonly ttlMs: number) {}

  /**
   * Starts following the writes announced on `channel` (on a connection of the driver's own, which
   * reconnects by itself). Until this is called the cache is never used.
   */
  async listen(driver: SqlDriver, channel: string): Promise<void> {
    this.unlisten = await driver.listen(channel, {
      onNotify: () => this.invalidate(),
      onState: (listening) => {
        this.invalidate()
        this.live = listening
      },
    })
  }

  /**
   * A lookup through the cache: served from memory while notifications are flowing and the entry
   * is younger than `ttlMs`; otherwise fetched, and remembered only if no change notification
   * arrived meanwhile (else a stale row read before the change could outlive it). Misses are not
   * cached, so lookups of made-up ids cannot fill memory.
   */
  async lookup(key: string, fetch: () => Promise<IdpRecord | undefined>): Promise<IdpRecord | undefined> {
    const now = Date.now()
    if (this.live) {
      const hit = this.entries.get(key)
      if (hit && now - hit.cachedAt < this.ttlMs) return hit.record
    }
    const generation = this.generation
    const record = await fetch()
    if (record && this.live && generation === this.generation) {
      if (this.entries.size >= LOOKUP_CACHE_SIZE) this.entries.delete(this.entries.keys().next().value!)
      this.entries.set(key, { record, cachedAt: now })
    }
    return record
  }

  /** Drops every entry, and keeps lookups already in flight from adding theirs. */
  invalidate(): void {
    this.generation++
    this.entries.clear()
  }

  /** Stops using the cache and stops listening. */
  async close(): Promise<void> {
    this.live = false
    this.invalidate()
    await this.unlisten?.().catch(() => {})
  }
}

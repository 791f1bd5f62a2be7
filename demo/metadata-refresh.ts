/**
 * The demo runs the library's metadata refresher (`startMetadataRefresh`, docs/metadata.md) while it
 * runs: every IdP registered with a `metadataUrl` is fetched again by the refresh rules, so a key
 * rotation at the embedded IdP reaches the records on its own. Two refreshers share the work, one
 * per fetch policy: the demo's own IdP (its origin, over http and on loopback) and every other URL
 * (https and public addresses only, unless `METADATA_ALLOW_HTTP` / `..._PRIVATE_NETWORK`), so the
 * embedded IdP's exemption never loosens the SSRF guard for an admin's URLs.
 *
 * The demo's intervals are short (see {@link DEMO_REFRESH_INTERVALS}), to watch a rotation happen.
 *
 * @module
 */
import {
  startMetadataRefresh,
  type IdpRecord,
  type IdpStore,
  type ListIdpsOptions,
  type MetadataRefreshResult,
  type MetadataRefresher,
} from '../lib/index.js'
import { isOwnMetadataUrl, metadataFetchOptions, type MetadataFetchPolicy } from './register-idp.js'

/** The refresher's timing in the demo; every field is `startMetadataRefresh`'s option of that name. */
export interface DemoRefreshIntervals {
  /** How often to look for due IdPs. */
  checkIntervalMs: number
  /** Never fetch one IdP more often (also the first backoff step). */
  minIntervalMs: number
  /** Fetch each IdP at least this often (the embedded IdP's metadata has no cacheDuration). */
  maxIntervalMs: number
  /** Look for due IdPs at start. */
  immediate: boolean
}

/** Short, to see a rotation reach the records within a couple of minutes. A production app keeps the library's defaults. */
export const DEMO_REFRESH_INTERVALS: DemoRefreshIntervals = Object.freeze({
  checkIntervalMs: 10_000,
  minIntervalMs: 30_000,
  maxIntervalMs: 120_000,
  immediate: true,
})

/** The last refresh of one IdP as this process saw it. */
export interface LastRefresh extends MetadataRefreshResult {
  /** ISO-8601, when it ended. */
  readonly at: string
}

/** Pages through `store.list`, keeping only the records `keep` accepts; the rest of the store as is. */
function storeView(store: IdpStore, keep: (record: IdpRecord) => boolean): IdpStore {
  const list = async (options: ListIdpsOptions = {}): Promise<IdpRecord[]> => {
    const limit = options.limit ?? 100
    const out: IdpRecord[] = []
    let after = options.after
    for (;;) {
      const page = await store.list({ limit, ...(after !== undefined && { after }) })
      for (const record of page) {
        if (keep(record)) out.push(record)
        if (out.length === limit) return out
      }
      if (page.length < limit) return out
      after = page[page.length - 1]!.id
    }
  }
  return new Proxy(store, {
    get(target, property) {
      if (property === 'list') return list
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

/** Options of {@link DemoMetadataRefresh}. */
export interface DemoMetadataRefreshOptions {
  store: IdpStore
  /** `ownOrigin` is the embedded IdP's; the other fields apply to every other URL. */
  policy: MetadataFetchPolicy
  intervals: DemoRefreshIntervals
}

/** The demo's two refreshers; see the module documentation. */
export class DemoMetadataRefresh {
  private readonly own: MetadataRefresher
  private readonly others: MetadataRefresher
  private readonly last = new Map<string, LastRefresh>()
  private readonly ownOrigin: string

  constructor(options: DemoMetadataRefreshOptions) {
    const { store, policy, intervals } = options
    this.ownOrigin = new URL(policy.ownOrigin).origin
    const onResult = (result: MetadataRefreshResult) => {
      if (result.idp === '*') return
      this.last.set(result.idp, { ...result, at: new Date().toISOString() })
      if (this.last.size > 1000) this.last.delete(this.last.keys().next().value!)
    }
    const common = { ...intervals, onResult }
    this.own = startMetadataRefresh(
      storeView(store, (r) => this.isOwn(r.metadataUrl)),
      { ...common, fetch: metadataFetchOptions(policy, true) },
    )
    this.others = startMetadataRefresh(
      storeView(store, (r) => !this.isOwn(r.metadataUrl)),
      { ...common, fetch: metadataFetchOptions(policy, false) },
    )
  }

  /** True for a metadata URL of the demo's own origin (the embedded IdP). */
  isOwn(url: string | undefined): boolean {
    return isOwnMetadataUrl(url, this.ownOrigin)
  }

  /**
   * Fetches one IdP's metadata now ("Refresh metadata now"), with its URL's policy.
   *
   * @example
   * ```ts
   * const result = await refresh.refreshNow('acme') // { outcome: 'updated', … }
   * ```
   */
  refreshNow(record: IdpRecord): Promise<MetadataRefreshResult> {
    return (this.isOwn(record.metadataUrl) ? this.own : this.others).refreshIdp(record.id)
  }

  /** The last refresh of `id` this process ran (background or "now"), if any. */
  lastRefresh(id: string): LastRefresh | undefined {
    return this.last.get(id)
  }

  /** Stops both timers; fetches under way finish. */
  stop(): void {
    this.own.stop()
    this.others.stop()
  }
}

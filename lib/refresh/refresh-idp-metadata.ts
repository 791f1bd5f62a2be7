import { fetchIdpMetadata, type FetchIdpMetadataOptions } from '../metadata/fetch-idp-metadata.js'
import { recordInputWithMetadata } from '../record/merge-metadata.js'
import type { IdpRecord } from '../record/record-fields.js'
import type { IdpStore } from '../store/idp-store.js'

/** What one refresh of one IdP did. */
export interface MetadataRefreshResult {
  readonly idp: string
  /**
   * `skipped`: the record was changed or deleted while its metadata was being fetched; the write
   * is left out (a deleted IdP must stay deleted) and the next round refreshes the new version.
   */
  readonly outcome: 'updated' | 'unchanged' | 'skipped' | 'failed'
  /** The store's new version, when updated. */
  readonly version?: number
  readonly error?: unknown
}

/** Options for {@link startMetadataRefresh}. */
export interface MetadataRefreshOptions {
  /** Time between refresh rounds in ms. Default 6 hours; at least 1 second. */
  intervalMs?: number
  /** Passed to {@link fetchIdpMetadata} (https only and no private addresses unless allowed). */
  fetch?: FetchIdpMetadataOptions
  /** Told about every IdP refreshed: updated, unchanged or failed (a failure keeps the stored metadata). */
  onResult?: (result: MetadataRefreshResult) => void
  /** Run a first round right away. Default true. */
  immediate?: boolean
}

/** A running refresher. */
export interface MetadataRefresher {
  /** Refreshes every IdP with a `metadataUrl` now; resolves when the round is done. */
  refreshNow(): Promise<MetadataRefreshResult[]>
  /** Stops the timer (a round in progress finishes). */
  stop(): void
}

/** Refreshes one record: fetches its metadataUrl and writes the record only when the document changed. */
export async function refreshIdpMetadata(
  store: IdpStore,
  record: IdpRecord,
  options: FetchIdpMetadataOptions = {},
): Promise<MetadataRefreshResult> {
  if (record.metadataUrl === undefined) return { idp: record.id, outcome: 'unchanged' }
  try {
    const xml = await fetchIdpMetadata(record.metadataUrl, { ...options, entityId: record.entityId })
    // The fetch may have taken seconds: write only over the version it was made for, never over an
    // admin's later edit, and never bring back a deleted IdP.
    const current = await store.get(record.id)
    if (!current || current.version !== record.version || current.updatedAt !== record.updatedAt) {
      return { idp: record.id, outcome: 'skipped' }
    }
    if (xml === current.metadataXml) return { idp: record.id, outcome: 'unchanged' }
    const stored = await store.put(recordInputWithMetadata(current, xml))
    return { idp: record.id, outcome: 'updated', version: stored.version }
  } catch (error) {
    return { idp: record.id, outcome: 'failed', error }
  }
}

/**
 * Keeps the metadata of every IdP that has a `metadataUrl` fresh: each round lists the store,
 * fetches each URL and writes the record when the document changed, so a certificate rotation
 * published in the IdP's metadata reaches every app instance (they all read the store) without an
 * admin. A fetch that fails keeps the stored metadata and is reported to `onResult`. The entityID
 * is pinned: metadata that names another entity is refused, not applied.
 *
 * Several instances may each run a refresher: writes happen only on change, and the result is the
 * same whichever instance writes first. A record changed or deleted while its metadata was being
 * fetched is skipped (re-read right before writing), so a deleted IdP stays deleted.
 *
 * The metadata owns the entityID, SSO and SLO URLs, certificates and NameID format: overrides of
 * those given beside `metadataXml` are replaced on refresh. Everything else in the record (attribute
 * and groups maps, email domains, every flag) is kept.
 *
 * @example
 * ```ts
 * import { startMetadataRefresh } from 'passport-saml-multi-idp'
 * const refresher = startMetadataRefresh(store, {
 *   intervalMs: 60 * 60_000,
 *   onResult: (r) => r.outcome === 'failed' && console.warn(`metadata refresh of ${r.idp} failed`, r.error),
 * })
 * process.on('SIGTERM', () => refresher.stop())
 * ```
 */
export function startMetadataRefresh(
  store: IdpStore,
  options: MetadataRefreshOptions = {},
): MetadataRefresher {
  const { intervalMs = 6 * 3600_000, immediate = true, onResult } = options
  if (!Number.isInteger(intervalMs) || intervalMs < 1000)
    throw new TypeError('"options.intervalMs" must be an integer number of milliseconds, at least 1000')
  if (onResult !== undefined && typeof onResult !== 'function')
    throw new TypeError('"options.onResult" must be a function')

  let round: Promise<MetadataRefreshResult[]> | undefined
  const refreshNow = (): Promise<MetadataRefreshResult[]> => {
    // One round at a time: a slow IdP must not stack rounds up.
    round ??= runRound().finally(() => {
      round = undefined
    })
    return round
  }
  const runRound = async (): Promise<MetadataRefreshResult[]> => {
    const results: MetadataRefreshResult[] = []
    let after: string | undefined
    for (;;) {
      const page = await store.list({ limit: 200, ...(after !== undefined && { after }) })
      for (const record of page) {
        if (record.metadataUrl === undefined) continue
        const result = await refreshIdpMetadata(store, record, options.fetch)
        results.push(result)
        try {
          onResult?.(result)
        } catch {
          // A reporting hook must not stop the round.
        }
      }
      if (page.length < 200) return results
      after = page[page.length - 1]!.id
    }
  }
  const tick = () => {
    refreshNow().catch((error: unknown) => {
      try {
        onResult?.({ idp: '*', outcome: 'failed', error })
      } catch {
        // as above
      }
    })
  }
  const timer = setInterval(tick, intervalMs)
  timer.unref()
  if (immediate) tick()
  return { refreshNow, stop: () => clearInterval(timer) }
}

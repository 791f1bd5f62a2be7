import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { fetchIdpMetadataDocument } from '../metadata/fetch-idp-metadata.js'
import { verifyFetchedSignature } from './fetch-status.js'
import { recordInputWithMetadata } from '../record/merge-metadata.js'
import type { IdpRecord } from '../record/record-fields.js'
import type { IdpStore } from '../store/idp-store.js'
import { listAllRecords } from '../store/list-all-records.js'
import type { IdpMetadataStatus } from '../store/metadata-status.js'
import {
  checkNotExpired,
  failureStatus,
  heldHints,
  hintsOf,
  successStatus,
  type MetadataHints,
} from './fetch-status.js'
import { metadataStatusKeeper, type MetadataStatusKeeper } from './local-metadata-status.js'
import { checkUsableCertificates } from './usable-certificates.js'
import {
  resolveFetchSchedule,
  type MetadataFetchScheduleOptions,
  type ResolvedFetchSchedule,
} from './refresh-options.js'

/** What one refresh of one IdP did. */
export interface MetadataRefreshResult {
  readonly idp: string
  /**
   * - `updated`: a new document was adopted; the record has a new `version`.
   * - `unchanged`: the IdP served the document the record holds.
   * - `not-modified`: the IdP answered 304 to the conditional request; the record is kept.
   * - `skipped`: the record was changed or deleted while its metadata was being fetched; the write
   *   is left out (a deleted IdP must stay deleted) and the new version is refreshed next round.
   * - `failed`: the fetch failed, or the document was refused (`error` says why: unreachable,
   *   invalid, another entity, or expired); the record keeps its last good metadata.
   */
  readonly outcome: 'updated' | 'unchanged' | 'not-modified' | 'skipped' | 'failed'
  /** The store's new version, when updated. */
  readonly version?: number
  readonly error?: unknown
  /** When this IdP's metadata is fetched next (ISO-8601), by the refresh rule. */
  readonly nextRefreshAt?: string
}

/** Options for {@link startMetadataRefresh}. */
export interface MetadataRefreshOptions extends MetadataFetchScheduleOptions {
  /**
   * How often the refresher looks for IdPs whose refresh is due, in ms. Default 60000; at least
   * 1000. Each look lists the store; an IdP is fetched only when due (see `minIntervalMs`).
   */
  checkIntervalMs?: number
  /** How many IdPs are fetched at once. Default 4; 1 to 64. */
  concurrency?: number
  /**
   * How long a claim on an IdP's refresh holds other instances off, in ms, should this one die
   * mid-fetch. Default three times the fetch timeout, at least 60000.
   */
  leaseMs?: number
  /** Told about every IdP fetched: updated, unchanged, not modified, skipped or failed. */
  onResult?: (result: MetadataRefreshResult) => void
  /** Look for due IdPs right away. Default true. */
  immediate?: boolean
}

/** A running refresher. */
export interface MetadataRefresher {
  /** Fetches every IdP whose refresh is due now (one look); resolves with what each did. */
  refreshDue(): Promise<MetadataRefreshResult[]>
  /**
   * Fetches one IdP's metadata now, whenever it was due (an admin's "refresh now"). Still waits for
   * no one: when another instance is fetching it at this moment, the result is `skipped`.
   */
  refreshIdp(id: string): Promise<MetadataRefreshResult>
  /** Stops the timer (fetches in progress finish). */
  stop(): void
}

const PAGE = 200
const iso = (ms: number) => new Date(ms).toISOString()

/** One refresher's view of the store: its settings, who it is, and who keeps the statuses. */
interface Refreshing {
  readonly store: IdpStore
  readonly keeper: MetadataStatusKeeper
  readonly schedule: ResolvedFetchSchedule
  readonly holder: string
  readonly leaseMs: number
}

/**
 * Fetches one IdP's metadata, having claimed its refresh: conditionally (the validators of the
 * held document), refusing expired documents, writing the record only when the document changed
 * and only over the version it was fetched for; then saves the status and so ends the claim.
 */
async function refreshClaimed(
  r: Refreshing,
  record: IdpRecord,
  previous: IdpMetadataStatus | undefined,
): Promise<MetadataRefreshResult> {
  const url = record.metadataUrl!
  const { schedule, store } = r
  const held = heldHints(record)
  // Validators are sent only for the document this record version holds (an admin may have
  // pasted another since).
  const conditional = previous?.recordVersion === record.version
  let status: IdpMetadataStatus
  let result: Omit<MetadataRefreshResult, 'nextRefreshAt'>
  try {
    const fetched = await fetchIdpMetadataDocument(url, {
      ...schedule.fetch,
      entityId: record.entityId,
      ...(conditional && previous.etag !== undefined && { etag: previous.etag }),
      ...(conditional && previous.lastModified !== undefined && { lastModified: previous.lastModified }),
    })
    const now = schedule.clock()
    let hints: MetadataHints
    let version = record.version
    if (fetched.notModified) {
      checkNotExpired(record.id, url, held.validUntil, now, 'metadata (unchanged, HTTP 304)')
      hints = held
      result = { idp: record.id, outcome: 'not-modified' }
    } else {
      // Pinned signers: nothing of the document is used (not even its dates) before it verifies.
      if (record.metadataSigningCerts !== undefined)
        verifyFetchedSignature(record.id, url, fetched.xml, record.metadataSigningCerts)
      hints = hintsOf(fetched.metadata)
      checkNotExpired(record.id, url, hints.validUntil, now)
      checkUsableCertificates(
        record.id,
        { signing: fetched.metadata.signingCerts },
        'ERR_SAML_METADATA_INVALID',
        `metadata fetched from ${url}`,
      )
      // The fetch may have taken seconds: write only over the version it was made for, never over
      // an admin's later edit, and never bring back a deleted IdP.
      const current = await store.get(record.id)
      if (!current || current.version !== record.version || current.updatedAt !== record.updatedAt) {
        const due = { ...(previous ?? { consecutiveFailures: 0 }), url, nextRefreshAt: iso(now) }
        if (current) await r.keeper.saveMetadataStatus(record.id, due, r.holder)
        return { idp: record.id, outcome: 'skipped', nextRefreshAt: due.nextRefreshAt }
      }
      if (fetched.xml === current.metadataXml) {
        result = { idp: record.id, outcome: 'unchanged' }
      } else {
        version = (await store.put(recordInputWithMetadata(current, fetched.xml))).version
        result = { idp: record.id, outcome: 'updated', version }
      }
    }
    const validators = fetched.notModified
      ? { etag: fetched.etag ?? previous?.etag, lastModified: fetched.lastModified ?? previous?.lastModified }
      : fetched
    status = successStatus(url, now, hints, validators, version, schedule)
  } catch (error) {
    status = failureStatus(url, schedule.clock(), previous, held, error, schedule)
    result = { idp: record.id, outcome: 'failed', error }
  }
  try {
    await r.keeper.saveMetadataStatus(record.id, status, r.holder)
  } catch (error) {
    // The fetch is done either way; its claim ends with its lease.
    if (result.outcome !== 'failed') result = { ...result, outcome: 'failed', error }
  }
  return { ...result, nextRefreshAt: status.nextRefreshAt }
}

/**
 * Refreshes one record now if its refresh can be claimed (due, and no other instance on it). When
 * not, says when it is due, if known (unknown while another instance is fetching it).
 */
async function refreshIfClaimed(
  r: Refreshing,
  record: IdpRecord,
  force: boolean,
): Promise<{ result?: MetadataRefreshResult; dueAt?: number }> {
  const now = r.schedule.clock()
  let status = await r.keeper.getMetadataStatus(record.id)
  if (status !== undefined && (status.url !== record.metadataUrl || force)) {
    // Another URL than the one the status is about (the admin changed it), or a forced refresh:
    // due now. Failures and validators of another URL do not carry over.
    const due =
      status.url === record.metadataUrl ? status : { url: record.metadataUrl!, consecutiveFailures: 0 }
    status = { ...due, nextRefreshAt: iso(now) }
    await r.keeper.saveMetadataStatus(record.id, status)
  }
  const dueAt = status === undefined ? now : Date.parse(status.nextRefreshAt)
  if (dueAt > now) return { dueAt }
  if (!(await r.keeper.claimMetadataRefresh(record.id, r.holder, now, r.leaseMs))) return {}
  // The record as it is now, not as a listing made before the claim saw it (another instance may
  // have refreshed it since): its version is what the write is checked against.
  const current = await r.store.get(record.id)
  if (!current?.metadataUrl) return { result: { idp: record.id, outcome: 'skipped' } }
  const previous = status?.url === current.metadataUrl ? status : undefined
  return { result: await refreshClaimed(r, current, previous) }
}

/**
 * Refreshes one record's metadata now, whatever its schedule, and saves its fetch status (in the
 * store when it has the metadata-refresh capability). Fetches conditionally, refuses metadata whose
 * `validUntil` has passed or that names another entity, and writes the record only when the document
 * changed. A record without `metadataUrl` is `unchanged`.
 *
 * @example
 * ```ts
 * import { refreshIdpMetadata } from 'passport-saml-multi-idp'
 * const record = await store.get('acme')
 * if (record) console.log((await refreshIdpMetadata(store, record)).outcome) // 'updated', 'not-modified', …
 * ```
 */
export async function refreshIdpMetadata(
  store: IdpStore,
  record: IdpRecord,
  options: MetadataFetchScheduleOptions = {},
): Promise<MetadataRefreshResult> {
  if (record.metadataUrl === undefined) return { idp: record.id, outcome: 'unchanged' }
  const schedule = resolveFetchSchedule(options)
  const r = refreshing(store, schedule, undefined)
  return (await refreshIfClaimed(r, record, true)).result ?? { idp: record.id, outcome: 'skipped' }
}

function refreshing(
  store: IdpStore,
  schedule: ResolvedFetchSchedule,
  leaseMs: number | undefined,
): Refreshing {
  return {
    store,
    keeper: metadataStatusKeeper(store),
    schedule,
    holder: `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`,
    leaseMs: leaseMs ?? Math.max(60_000, 3 * (schedule.fetch.timeoutMs ?? 10_000)),
  }
}

/**
 * Keeps the metadata of every IdP that has a `metadataUrl` fresh, by the rules of SAML metadata:
 * each IdP is fetched again when its `cacheDuration` runs out or well before its `validUntil`
 * (whichever is earlier), within `minIntervalMs`..`maxIntervalMs` and with jitter; conditionally
 * (`If-None-Match` / `If-Modified-Since`: a 304 keeps the record); after failures with exponential
 * backoff. A document whose `validUntil` has passed, or that names another entity, is never
 * adopted: the record keeps its last good metadata, in the store, so a restart during an IdP
 * outage keeps logins working (until `validUntil` + the strategy's `metadataExpiryGraceMs`).
 *
 * With a store that has the metadata-refresh capability (memory, SQL, writable file stores) the
 * fetch status survives restarts, and instances sharing the store claim each IdP's refresh in the
 * store: one fetch per IdP per interval across all of them. With another store each instance keeps
 * its own schedule in memory. Fetches run in the background: a login never waits for one.
 *
 * The metadata owns the entityID, SSO and SLO URLs, certificates and NameID format: overrides of
 * those given beside `metadataXml` are replaced on refresh. Everything else in the record (attribute
 * and groups maps, email domains, every flag) is kept. See docs/metadata.md.
 *
 * @example
 * ```ts
 * import { startMetadataRefresh } from 'passport-saml-multi-idp'
 * const refresher = startMetadataRefresh(store, {
 *   onResult: (r) => r.outcome === 'failed' && console.warn(`metadata refresh of ${r.idp} failed`, r.error),
 * })
 * process.on('SIGTERM', () => refresher.stop())
 * ```
 */
export function startMetadataRefresh(
  store: IdpStore,
  options: MetadataRefreshOptions = {},
): MetadataRefresher {
  if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object')
  if ('intervalMs' in options)
    throw new TypeError(
      '"options.intervalMs" is gone: each IdP is refreshed by its metadata\'s cacheDuration and validUntil within "minIntervalMs" and "maxIntervalMs"',
    )
  const schedule = resolveFetchSchedule(options)
  const { checkIntervalMs = 60_000, concurrency = 4, leaseMs, immediate = true, onResult } = options
  if (!Number.isInteger(checkIntervalMs) || checkIntervalMs < 1000)
    throw new TypeError('"options.checkIntervalMs" must be an integer number of milliseconds, at least 1000')
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new TypeError('"options.concurrency" must be an integer from 1 to 64')
  if (leaseMs !== undefined && (!Number.isInteger(leaseMs) || leaseMs < 1000))
    throw new TypeError('"options.leaseMs" must be an integer number of milliseconds, at least 1000')
  if (onResult !== undefined && typeof onResult !== 'function')
    throw new TypeError('"options.onResult" must be a function')
  if (typeof immediate !== 'boolean') throw new TypeError('"options.immediate" must be true or false')

  const r = refreshing(store, schedule, leaseMs)
  /** When each IdP (by id) is due, as last learned: IdPs not due are not even asked about. */
  const dueAt = new Map<string, { readonly url: string; readonly at: number }>()
  const report = (result: MetadataRefreshResult) => {
    try {
      onResult?.(result)
    } catch {
      // A reporting hook must not stop the refresher.
    }
  }

  const refreshOne = async (
    record: IdpRecord,
    force: boolean,
  ): Promise<MetadataRefreshResult | undefined> => {
    let result: MetadataRefreshResult | undefined
    try {
      const claimed = await refreshIfClaimed(r, record, force)
      result = claimed.result
      const at = result?.nextRefreshAt === undefined ? claimed.dueAt : Date.parse(result.nextRefreshAt)
      // Unknown while another instance fetches it: ask again on the next look.
      if (at === undefined) dueAt.delete(record.id)
      else dueAt.set(record.id, { url: record.metadataUrl!, at })
    } catch (error) {
      // The store could not be asked: try again on the next look.
      result = { idp: record.id, outcome: 'failed', error }
    }
    if (result) report(result)
    return result
  }

  const runLook = async (): Promise<MetadataRefreshResult[]> => {
    const now = schedule.clock()
    const due: IdpRecord[] = []
    const seen = new Set<string>()
    for await (const record of listAllRecords(store, PAGE)) {
      if (record.metadataUrl === undefined) continue
      seen.add(record.id)
      // What is known is about one URL: an admin's new URL is looked at now.
      const known = dueAt.get(record.id)
      if (known === undefined || known.url !== record.metadataUrl || known.at <= now) due.push(record)
    }
    for (const id of dueAt.keys()) if (!seen.has(id)) dueAt.delete(id)
    const results: MetadataRefreshResult[] = []
    let next = 0
    const worker = async () => {
      while (next < due.length) {
        const result = await refreshOne(due[next++]!, false)
        if (result) results.push(result)
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker))
    return results.sort((a, b) => (a.idp < b.idp ? -1 : a.idp > b.idp ? 1 : 0))
  }

  let look: Promise<MetadataRefreshResult[]> | undefined
  const refreshDue = (): Promise<MetadataRefreshResult[]> => {
    // One look at a time: a slow IdP must not stack looks up.
    look ??= runLook().finally(() => {
      look = undefined
    })
    return look
  }
  const refreshIdp = async (id: string): Promise<MetadataRefreshResult> => {
    const record = await store.get(id)
    if (!record || record.metadataUrl === undefined) return { idp: id, outcome: 'unchanged' }
    return (await refreshOne(record, true)) ?? { idp: id, outcome: 'skipped' }
  }
  const tick = () => {
    refreshDue().catch((error: unknown) => report({ idp: '*', outcome: 'failed', error }))
  }
  const timer = setInterval(tick, checkIntervalMs)
  timer.unref()
  if (immediate) tick()
  return { refreshDue, refreshIdp, stop: () => clearInterval(timer) }
}

import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { SamlError } from '../errors/saml-error.js'
import { nextRefreshAt } from '../refresh/next-refresh.js'
import { resolveFetchSchedule, type MetadataFetchScheduleOptions } from '../refresh/refresh-options.js'
import { hasFederationStatus, type IdpStore } from '../store/idp-store.js'
import type { IdpMetadataStatus } from '../store/metadata-status.js'
import {
  FEDERATION_FETCH_DEFAULTS,
  resolveFederationSource,
  type FederationSource,
} from './federation-source.js'
import { importFederation, type FederationImportResult } from './import-federation.js'

/** Options for {@link startFederationRefresh}: the refresh rule's bounds and the fetch, as for IdPs. */
export interface FederationRefreshOptions extends MetadataFetchScheduleOptions {
  /** Told about every import this instance ran: its result, or the error that stopped it (nothing was written then). */
  onResult?: (outcome: FederationRefreshOutcome) => void
  /** Look for a due import at start. Default true. */
  immediate?: boolean
  /**
   * With a store that shares the schedule between instances: how often an instance that found
   * another one importing looks again, in ms. Default 60000; at least 1000.
   */
  checkIntervalMs?: number
  /**
   * With a store that shares the schedule: how long a claim on the import holds other instances
   * off, in ms, should this one die mid-import. Default three times the fetch timeout (6 minutes).
   */
  leaseMs?: number
}

/** One run of a federation refresher. */
export interface FederationRefreshOutcome {
  readonly source: string
  readonly result?: FederationImportResult
  readonly error?: unknown
  /**
   * True when this instance imported nothing because another instance sharing the store holds the
   * import (`refreshNow` while it runs elsewhere).
   */
  readonly skipped?: true
  /** When the next import is due, epoch ms (unknown, so absent, while another instance imports). */
  readonly nextRefreshAt?: number
}

/** A running federation refresher. */
export interface FederationRefresher {
  /** Imports now, whatever the schedule (an admin's "refresh now"); `skipped` when another instance is importing. */
  refreshNow(): Promise<FederationRefreshOutcome>
  /**
   * Imports if the import is due and this instance claims it; resolves with undefined when it is
   * not due or another instance has it (what the timer runs).
   */
  refreshDue(): Promise<FederationRefreshOutcome | undefined>
  /** Stops the timer; an import under way finishes. */
  stop(): void
}

/**
 * Keeps a federation's records in step with its aggregate: imports it now and then again by the
 * metadata refresh rules (the aggregate's `cacheDuration` and `validUntil`, clamped to
 * [`minIntervalMs`, `maxIntervalMs`] with jitter; exponential backoff after failures), with
 * conditional requests so an unchanged aggregate costs a 304. A failed import writes nothing: the
 * records keep the last good metadata.
 *
 * With a store that has the federation-refresh capability (`MemoryIdpStore`, `SqlIdpStore`) the
 * schedule, the validators and a lease live in the store: of all instances sharing it, one claims
 * each due import and the others do nothing that interval. With any other store the schedule is
 * the process's own: run the refresher on one instance.
 *
 * @example
 * ```ts
 * import { startFederationRefresh } from 'passport-saml-multi-idp'
 * const incommon = { id: 'incommon', url: 'https://md.incommon.org/aggregate.xml', signingCerts: [federationSigningCertPem] }
 * const refresher = startFederationRefresh(store, incommon, {
 *   onResult: ({ result, error }) => console.log(result ?? error),
 * })
 * process.on('SIGTERM', () => refresher.stop())
 * ```
 */
export function startFederationRefresh(
  store: IdpStore,
  source: FederationSource,
  options: FederationRefreshOptions = {},
): FederationRefresher {
  const resolved = resolveFederationSource(source)
  const { onResult, immediate = true, checkIntervalMs = 60_000, leaseMs, ...scheduleOptions } = options
  const schedule = resolveFetchSchedule({
    ...scheduleOptions,
    fetch: { ...FEDERATION_FETCH_DEFAULTS, ...scheduleOptions.fetch },
  })
  if (onResult !== undefined && typeof onResult !== 'function')
    throw new TypeError('"options.onResult" must be a function')
  if (!Number.isInteger(checkIntervalMs) || checkIntervalMs < 1000)
    throw new TypeError('"options.checkIntervalMs" must be an integer number of milliseconds, at least 1000')
  const lease = leaseMs ?? 3 * (schedule.fetch.timeoutMs ?? FEDERATION_FETCH_DEFAULTS.timeoutMs)
  if (!Number.isInteger(lease) || lease < 1000)
    throw new TypeError('"options.leaseMs" must be an integer number of milliseconds, at least 1000')
  const shared = hasFederationStatus(store) ? store : undefined
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
  /** The schedule of a store without the capability: this process's. */
  let local: IdpMetadataStatus | undefined
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  let running: Promise<FederationRefreshOutcome | undefined> | undefined

  const wakeAt = (at: number) => {
    if (stopped) return
    clearTimeout(timer)
    timer = setTimeout(() => void refreshDue(), Math.max(0, at - schedule.clock()))
    timer.unref()
  }

  /** Imports (the claim, if any, held) and saves the new status, which ends the claim. */
  const importClaimed = async (
    previous: IdpMetadataStatus | undefined,
  ): Promise<FederationRefreshOutcome> => {
    const held = previous?.url === resolved.url ? previous : undefined
    let result: FederationImportResult | undefined
    let error: unknown
    try {
      result = await importFederation(store, source, {
        fetch: schedule.fetch,
        clock: schedule.clock,
        ...(held?.etag !== undefined && { etag: held.etag }),
        ...(held?.lastModified !== undefined && { lastModified: held.lastModified }),
      })
    } catch (err) {
      error = err
    }
    const now = schedule.clock()
    const status = statusAfter(resolved.url, now, held, result, error, (input) =>
      nextRefreshAt({ ...input, now, ...schedule }),
    )
    try {
      if (shared) await shared.saveFederationStatus(resolved.id, status, holder)
      else local = status
    } catch (err) {
      // The import is done either way; the claim ends with its lease.
      error ??= err
    }
    const next = Date.parse(status.nextRefreshAt)
    wakeAt(next)
    const outcome: FederationRefreshOutcome = Object.freeze({
      source: resolved.id,
      ...(result !== undefined && { result }),
      ...(error !== undefined && { error }),
      nextRefreshAt: next,
    })
    onResult?.(outcome)
    return outcome
  }

  const look = async (force: boolean): Promise<FederationRefreshOutcome | undefined> => {
    const now = schedule.clock()
    if (!shared) {
      if (!force && local !== undefined && Date.parse(local.nextRefreshAt) > now) {
        wakeAt(Date.parse(local.nextRefreshAt))
        return undefined
      }
      return importClaimed(local)
    }
    let status = await shared.getFederationStatus(resolved.id)
    if (force && status !== undefined) {
      status = { ...status, nextRefreshAt: new Date(now).toISOString() }
      await shared.saveFederationStatus(resolved.id, status)
    }
    const dueAt = status?.url === resolved.url ? Date.parse(status.nextRefreshAt) : now
    if (dueAt > now) {
      wakeAt(dueAt)
      return undefined
    }
    if (!(await shared.claimFederationRefresh(resolved.id, holder, now, lease))) {
      // Another instance is importing: look again later, by when it has saved the next due time.
      wakeAt(now + checkIntervalMs)
      return force ? Object.freeze({ source: resolved.id, skipped: true as const }) : undefined
    }
    return importClaimed(status)
  }

  const guarded = (force: boolean) =>
    look(force).catch((error: unknown): FederationRefreshOutcome => {
      // The store could not be asked: try again at the next look.
      wakeAt(schedule.clock() + checkIntervalMs)
      const outcome = Object.freeze({ source: resolved.id, error })
      onResult?.(outcome)
      return outcome
    })
  const refreshDue = (): Promise<FederationRefreshOutcome | undefined> => {
    running ??= guarded(false).finally(() => (running = undefined))
    return running
  }
  const refreshNow = async (): Promise<FederationRefreshOutcome> => {
    // One run at a time per process: a forced import waits for a look under way.
    while (running) await running
    const run = guarded(true)
    running = run.finally(() => (running = undefined))
    return (await run)!
  }
  if (immediate) void refreshDue()
  return {
    refreshNow,
    refreshDue,
    stop: () => {
      stopped = true
      clearTimeout(timer)
    },
  }
}

/** The status an import leaves: validators and dates of what it got, or one more failure. */
function statusAfter(
  url: string,
  now: number,
  held: IdpMetadataStatus | undefined,
  result: FederationImportResult | undefined,
  error: unknown,
  next: (input: {
    validUntil: number | undefined
    cacheDurationMs: number | undefined
    consecutiveFailures: number
  }) => number,
): IdpMetadataStatus {
  const at = new Date(now).toISOString()
  const heldValidUntil = held?.validUntil !== undefined ? Date.parse(held.validUntil) : undefined
  if (result === undefined) {
    const consecutiveFailures = (held?.consecutiveFailures ?? 0) + 1
    const code = error instanceof SamlError ? error.code : 'ERR_SAML_METADATA_FETCH'
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 1024)
    return dropUndefined({
      ...held,
      url,
      consecutiveFailures,
      lastFetchAt: at,
      lastError: { code, message },
      nextRefreshAt: new Date(
        next({ validUntil: heldValidUntil, cacheDurationMs: held?.cacheDurationMs, consecutiveFailures }),
      ).toISOString(),
    })
  }
  const imported = result.outcome === 'imported'
  const validUntil = imported ? result.validUntil : heldValidUntil
  const cacheDurationMs = imported ? result.cacheDurationMs : held?.cacheDurationMs
  return dropUndefined({
    url,
    consecutiveFailures: 0,
    lastFetchAt: at,
    lastSuccessAt: at,
    etag: result.etag ?? (imported ? undefined : held?.etag),
    lastModified: result.lastModified ?? (imported ? undefined : held?.lastModified),
    validUntil: validUntil === undefined ? undefined : new Date(validUntil).toISOString(),
    cacheDurationMs,
    nextRefreshAt: new Date(next({ validUntil, cacheDurationMs, consecutiveFailures: 0 })).toISOString(),
  })
}

function dropUndefined(status: Record<string, unknown>): IdpMetadataStatus {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(status)) if (value !== undefined) out[key] = value
  delete out.recordVersion
  return out as unknown as IdpMetadataStatus
}

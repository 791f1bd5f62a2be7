import { nextRefreshAt } from '../refresh/next-refresh.js'
import { resolveFetchSchedule, type MetadataFetchScheduleOptions } from '../refresh/refresh-options.js'
import type { IdpStore } from '../store/idp-store.js'
import {
  FEDERATION_FETCH_DEFAULTS,
  resolveFederationSource,
  type FederationSource,
} from './federation-source.js'
import { importFederation, type FederationImportResult } from './import-federation.js'

/** Options for {@link startFederationRefresh}: the refresh rule's bounds and the fetch, as for IdPs. */
export interface FederationRefreshOptions extends MetadataFetchScheduleOptions {
  /** Told about every import: its result, or the error that stopped it (nothing was written then). */
  onResult?: (outcome: FederationRefreshOutcome) => void
  /** Import at start. Default true. */
  immediate?: boolean
}

/** One run of a federation refresher. */
export interface FederationRefreshOutcome {
  readonly source: string
  readonly result?: FederationImportResult
  readonly error?: unknown
  /** When the next import runs, epoch ms. */
  readonly nextRefreshAt: number
}

/** A running federation refresher. */
export interface FederationRefresher {
  /** Imports now, whatever the schedule (an admin's "refresh now"). */
  refreshNow(): Promise<FederationRefreshOutcome>
  /** Stops the timer; an import under way finishes. */
  stop(): void
}

/**
 * Keeps a federation's records in step with its aggregate: imports it now and then again by the
 * metadata refresh rules (the aggregate's `cacheDuration` and `validUntil`, clamped to
 * [`minIntervalMs`, `maxIntervalMs`] with jitter; exponential backoff after failures), with
 * conditional requests so an unchanged aggregate costs a 304. A failed import writes nothing: the
 * records keep the last good metadata. State is kept in the process; run it on one instance.
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
  resolveFederationSource(source)
  const { onResult, immediate = true, ...scheduleOptions } = options
  const schedule = resolveFetchSchedule({
    ...scheduleOptions,
    fetch: { ...FEDERATION_FETCH_DEFAULTS, ...scheduleOptions.fetch },
  })
  if (onResult !== undefined && typeof onResult !== 'function')
    throw new TypeError('"options.onResult" must be a function')
  let etag: string | undefined
  let lastModified: string | undefined
  let validUntil: number | undefined
  let cacheDurationMs: number | undefined
  let failures = 0
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  let running: Promise<FederationRefreshOutcome> | undefined

  const run = async (): Promise<FederationRefreshOutcome> => {
    let result: FederationImportResult | undefined
    let error: unknown
    try {
      result = await importFederation(store, source, {
        fetch: schedule.fetch,
        clock: schedule.clock,
        ...(etag !== undefined && { etag }),
        ...(lastModified !== undefined && { lastModified }),
      })
      failures = 0
      etag = result.etag ?? (result.outcome === 'not-modified' ? etag : undefined)
      lastModified = result.lastModified ?? (result.outcome === 'not-modified' ? lastModified : undefined)
      if (result.outcome === 'imported') {
        validUntil = result.validUntil
        cacheDurationMs = result.cacheDurationMs
      }
    } catch (err) {
      failures++
      error = err
    }
    const now = schedule.clock()
    const next = nextRefreshAt({
      now,
      validUntil,
      cacheDurationMs,
      consecutiveFailures: failures,
      minIntervalMs: schedule.minIntervalMs,
      maxIntervalMs: schedule.maxIntervalMs,
      random: schedule.random,
    })
    const outcome: FederationRefreshOutcome = Object.freeze({
      source: source.id,
      ...(result !== undefined && { result }),
      ...(error !== undefined && { error }),
      nextRefreshAt: next,
    })
    if (!stopped) {
      clearTimeout(timer)
      timer = setTimeout(() => void refreshNow(), Math.max(0, next - now))
      timer.unref()
    }
    onResult?.(outcome)
    return outcome
  }
  const refreshNow = (): Promise<FederationRefreshOutcome> => {
    running ??= run().finally(() => (running = undefined))
    return running
  }
  if (immediate) void refreshNow()
  return {
    refreshNow,
    stop: () => {
      stopped = true
      clearTimeout(timer)
    },
  }
}

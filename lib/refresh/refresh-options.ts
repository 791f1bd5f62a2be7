import type { FetchIdpMetadataOptions } from '../metadata/fetch-idp-metadata.js'
import { DEFAULT_REFRESH_INTERVALS, type RefreshIntervals } from './next-refresh.js'

/** The options the refresher and {@link putIdpRecord} share: how to fetch, and the refresh rule's bounds. */
export interface MetadataFetchScheduleOptions {
  /** Passed to the fetch (https only and no private addresses unless allowed; size and time caps). */
  fetch?: FetchIdpMetadataOptions
  /** Never fetch one IdP's metadata more often than this, in ms. Default 600000 (10 minutes); at least 1000. */
  minIntervalMs?: number
  /**
   * Fetch each IdP's metadata at least this often, in ms (also the interval for metadata that gives
   * neither `cacheDuration` nor `validUntil`). Default 21600000 (6 hours); at most 7 days.
   */
  maxIntervalMs?: number
  /** Current time in epoch ms. Default `Date.now`; for tests. */
  clock?: () => number
  /** A number in [0, 1) for the jitter. Default `Math.random`; for tests. */
  random?: () => number
}

/** {@link MetadataFetchScheduleOptions} checked, with the defaults filled in. */
export interface ResolvedFetchSchedule extends RefreshIntervals {
  readonly fetch: FetchIdpMetadataOptions
  readonly clock: () => number
  readonly random: () => number
}

const MAX_INTERVAL_MS = 7 * 86_400_000

function fail(option: string, message: string): never {
  throw new TypeError(`"options.${option}" ${message}`)
}

/** Fetch options given at the top level instead of in `fetch` (as `refreshIdpMetadata` once took them). */
const FETCH_OPTIONS = [
  'timeoutMs',
  'maxBytes',
  'allowHttp',
  'allowPrivateNetwork',
  'maxRedirects',
  'entityId',
]

/** Checks the shared options up front: a TypeError naming the option. */
export function resolveFetchSchedule(options: MetadataFetchScheduleOptions): ResolvedFetchSchedule {
  if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object')
  for (const name of FETCH_OPTIONS) {
    if (name in options) fail(name, `is a fetch option: give it as options.fetch.${name}`)
  }
  const {
    minIntervalMs = DEFAULT_REFRESH_INTERVALS.minIntervalMs,
    maxIntervalMs = Math.max(DEFAULT_REFRESH_INTERVALS.maxIntervalMs, minIntervalMs),
    fetch = {},
    clock = Date.now,
    random = Math.random,
  } = options
  if (!Number.isInteger(minIntervalMs) || minIntervalMs < 1000 || minIntervalMs > MAX_INTERVAL_MS)
    fail('minIntervalMs', `must be an integer number of milliseconds from 1000 to ${MAX_INTERVAL_MS}`)
  if (!Number.isInteger(maxIntervalMs) || maxIntervalMs < minIntervalMs || maxIntervalMs > MAX_INTERVAL_MS)
    fail(
      'maxIntervalMs',
      `must be an integer number of milliseconds from minIntervalMs to ${MAX_INTERVAL_MS}`,
    )
  if (fetch === null || typeof fetch !== 'object') fail('fetch', 'must be an object of fetch options')
  if (typeof clock !== 'function') fail('clock', 'must be a function returning epoch milliseconds')
  if (typeof random !== 'function') fail('random', 'must be a function returning a number in [0, 1)')
  return Object.freeze({
    minIntervalMs,
    maxIntervalMs,
    fetch: Object.freeze({ ...fetch }),
    clock: () => Number(clock()),
    random,
  })
}

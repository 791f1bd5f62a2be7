import type { SamlCache } from '../cache/saml-cache.js'
import { MemorySamlCache } from '../cache/memory-saml-cache.js'
import type { IdpResolver } from '../resolve/resolvers.js'
import { defaultResolvers } from '../resolve/resolvers.js'
import { guardStore } from '../store/guard-store.js'
import type { IdpStore } from '../store/idp-store.js'
import { MESSAGE_XML_LIMITS, type XmlLimits } from '../xml/parse-xml.js'
import { Observer } from '../observability/observer.js'
import type { SamlLogger } from '../observability/saml-logger.js'
import type { SamlTelemetryOptions } from '../observability/telemetry-types.js'
import type { SamlTracesOptions } from '../traces/trace-writer.js'
import type { SamlAttempt } from './attempt.js'
import { attemptListener } from './attempt-listener.js'
import {
  resolveServiceProvider,
  type ResolvedServiceProvider,
  type ServiceProviderOptions,
} from './sp-options.js'

/**
 * Options of the SAML core ({@link SamlServiceProvider}), and so of the Passport strategy. Only
 * `store` and `sp` are required.
 */
export interface SamlServiceProviderOptions {
  /** Where IdP records come from. */
  store: IdpStore
  /** This app as a SAML service provider. */
  sp: ServiceProviderOptions
  /** How to pick the IdP for a request, tried in order. Default: path param `idp`, response Issuer, email domain. */
  resolve?: IdpResolver | readonly IdpResolver[]
  /** Issued request IDs and consumed assertion IDs. Default: in-memory (one process only; use Redis for several). */
  cache?: SamlCache
  /** Allowed clock difference with IdPs. Default 180000 (3 minutes). An IdP record may override it. */
  clockSkewMs?: number
  /** Current time; for tests and for checking captured fixtures. Default `Date.now`. */
  clock?: () => number | Date
  /**
   * How long past its `validUntil` an IdP's stored metadata is still used for logins, in ms (0 to
   * 30 days). Default 0: metadata is not used after it expires, as SAML metadata rules demand; past
   * `validUntil` + this grace, login and ACS fail with `ERR_SAML_METADATA_EXPIRED`. The metadata
   * refresher fetches new metadata well before `validUntil` (see docs/metadata.md).
   */
  metadataExpiryGraceMs?: number
  /** How long an AuthnRequest may be answered. Default 600000 (10 minutes). */
  requestTtlMs?: number
  /** Hosts (besides `sp.baseUrl`'s) an absolute `returnTo`/RelayState may point at; `*.example.com` allowed. */
  allowedRedirectHosts?: readonly string[]
  /** Where to go after login when no (safe) returnTo was given. Default `'/'`. */
  defaultReturnTo?: string
  /**
   * Bind every AuthnRequest to the browser that started it through an HttpOnly cookie, so a response
   * solicited in one browser cannot be used in another. Default true. Turn off only for clients that
   * cannot keep cookies between login start and ACS.
   */
  bindRequestsToBrowser?: boolean
  /**
   * Name of the binding cookie. Default `saml_binding`; on https `__Host-saml_binding`, or
   * `__Secure-saml_binding` with `bindingCookieDomain`.
   */
  bindingCookieName?: string
  /**
   * Domain attribute of the binding cookie (`app.example.com` covers `acme.app.example.com`). Needed
   * when logins start on tenant hosts (`byHost`) but the ACS lives on `sp.baseUrl`'s host: the cookie
   * must reach both. Default: none (a host-only cookie).
   */
  bindingCookieDomain?: string
  /** Caps on posted SAML messages. Defaults: 256 KiB, 4000 elements, depth 24. */
  limits?: Partial<XmlLimits>
  /**
   * Called once for every request to an ACS (a posted SAMLResponse, accepted or not, or a request
   * without one), with the checks as they ran: for "test connection" pages and audit logs. It runs
   * before the application's own code after verify (Passport's `success`). Errors it throws are
   * ignored.
   */
  onAttempt?: (attempt: SamlAttempt) => void
  /**
   * Keep every ACS attempt as a trace an admin can read later (docs/traces.md): `{ store }` with a
   * `MemoryTraceStore` or `SqlTraceStore`, redacted unless `includePersonalData`. Traces are written
   * after the answer, never delaying or changing a login; a refusal's `SamlError` carries the
   * trace id (`traceId`) and error pages show it. Default: off.
   */
  traces?: SamlTracesOptions
  /**
   * Gets one line per flow (login, ACS, logout, SLO, SP metadata) when it ends: `info` when it went
   * through, `warn` for a refusal answered 4xx, `error` for a 5xx, with the IdP, flow, outcome,
   * error code, failed check and duration, and nothing that identifies the user (see `logUserIds`).
   * A pino logger fits as it is. Default: none (nothing is logged). A logger that throws is ignored.
   */
  logger?: SamlLogger
  /**
   * OpenTelemetry: a span per flow, the `saml.logins` counter and the `saml.acs.duration` histogram
   * (docs/observability.md). Give `{ tracer, meter }` from `@opentelemetry/api`, or `true` to use
   * the global API (the optional peer `@opentelemetry/api`, loaded when the strategy or core is
   * built; flows wait for it). Default: off.
   * Telemetry that throws is ignored.
   */
  telemetry?: SamlTelemetryOptions | boolean
  /**
   * Add the signed-in user's NameID (`nameID`) to the ACS log line. Default false: logs name IdPs,
   * never users. Spans and metrics never carry it.
   */
  logUserIds?: boolean
}

/** The options once checked, with every default filled in. Frozen. */
export interface ResolvedCoreOptions {
  readonly store: IdpStore
  readonly sp: ResolvedServiceProvider
  readonly resolvers: readonly IdpResolver[]
  readonly cache: SamlCache
  readonly clockSkewMs: number
  readonly clock: () => number
  readonly metadataExpiryGraceMs: number
  readonly requestTtlMs: number
  readonly allowedRedirectHosts: readonly string[]
  readonly defaultReturnTo: string
  readonly bindRequestsToBrowser: boolean
  readonly bindingCookieName: string
  readonly bindingCookieDomain: string | undefined
  readonly limits: XmlLimits
  readonly onAttempt: ((attempt: SamlAttempt) => void) | undefined
  /** The logger and telemetry; `undefined` when neither is configured. */
  readonly observer: Observer | undefined
}

function fail(option: string, message: string): never {
  throw new TypeError(`"options.${option}" ${message}`)
}

function msOption(value: unknown, option: string, fallback: number, max: number, min = 0): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(option, `must be an integer number of milliseconds from ${min} to ${max}`)
  }
  return value
}

function isStore(value: unknown): value is IdpStore {
  const s = value as IdpStore
  return (
    !!s &&
    ['get', 'findByEntityId', 'findByEmailDomain', 'list', 'put', 'delete'].every(
      (m) => typeof (s as unknown as Record<string, unknown>)[m] === 'function',
    )
  )
}

/** Validates options once, fills defaults, returns a frozen object. Misuse throws a TypeError naming the option. */
export function resolveCoreOptions(options: SamlServiceProviderOptions): ResolvedCoreOptions {
  if (!options || typeof options !== 'object')
    throw new TypeError('options are required: { store, sp: { baseUrl } }')
  if (!isStore(options.store))
    fail('store', 'must be an IdpStore (get, findByEntityId, findByEmailDomain, list, put, delete)')
  const sp = resolveServiceProvider(options.sp)
  const resolvers =
    options.resolve === undefined
      ? defaultResolvers()
      : Array.isArray(options.resolve)
        ? [...options.resolve]
        : [options.resolve]
  if (resolvers.length === 0 || !resolvers.every((r) => typeof r === 'function')) {
    fail(
      'resolve',
      'must be a resolver function or a non-empty array of them (see byPathParam, byResponseIssuer, ...)',
    )
  }
  const cache = options.cache ?? new MemorySamlCache()
  if (
    typeof cache.set !== 'function' ||
    typeof cache.take !== 'function' ||
    typeof cache.add !== 'function'
  ) {
    fail('cache', 'must be a SamlCache (set, take, add)')
  }
  const clock = options.clock
  if (clock !== undefined && typeof clock !== 'function')
    fail('clock', 'must be a function returning a Date or epoch milliseconds')
  const defaultReturnTo = options.defaultReturnTo ?? '/'
  if (
    typeof defaultReturnTo !== 'string' ||
    !defaultReturnTo.startsWith('/') ||
    defaultReturnTo.startsWith('//')
  ) {
    fail('defaultReturnTo', 'must be a path on this site, like "/"')
  }
  const allowedRedirectHosts = options.allowedRedirectHosts ?? []
  if (
    !Array.isArray(allowedRedirectHosts) ||
    !allowedRedirectHosts.every((h) => typeof h === 'string' && /^(\*\.)?[a-z0-9.-]+(:\d+)?$/i.test(h))
  ) {
    fail('allowedRedirectHosts', 'must be an array of host names like "docs.example.com" or "*.example.com"')
  }
  const limits = { ...MESSAGE_XML_LIMITS, ...options.limits }
  for (const key of ['maxBytes', 'maxElements', 'maxDepth'] as const) {
    if (!Number.isInteger(limits[key]) || limits[key] < 1) fail(`limits.${key}`, 'must be a positive integer')
  }
  const bindingCookieDomain = options.bindingCookieDomain
  if (
    bindingCookieDomain !== undefined &&
    (typeof bindingCookieDomain !== 'string' || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(bindingCookieDomain))
  ) {
    fail('bindingCookieDomain', 'must be a domain name like "app.example.com"')
  }
  if (options.onAttempt !== undefined && typeof options.onAttempt !== 'function') {
    fail('onAttempt', 'must be a function receiving a SamlAttempt')
  }
  const https = sp.baseUrl.startsWith('https:')
  const defaultCookieName = !https
    ? 'saml_binding'
    : bindingCookieDomain
      ? '__Secure-saml_binding'
      : '__Host-saml_binding'
  return Object.freeze({
    store: guardStore(options.store),
    sp,
    resolvers: Object.freeze(resolvers),
    cache,
    clockSkewMs: msOption(options.clockSkewMs, 'clockSkewMs', 180_000, 600_000),
    clock: clock ? () => Number(clock()) : Date.now,
    metadataExpiryGraceMs: msOption(
      options.metadataExpiryGraceMs,
      'metadataExpiryGraceMs',
      0,
      30 * 86_400_000,
    ),
    requestTtlMs: msOption(options.requestTtlMs, 'requestTtlMs', 600_000, 86_400_000, 1000),
    allowedRedirectHosts: Object.freeze([...allowedRedirectHosts]),
    defaultReturnTo,
    bindRequestsToBrowser: options.bindRequestsToBrowser ?? true,
    bindingCookieName: options.bindingCookieName ?? defaultCookieName,
    bindingCookieDomain,
    limits: Object.freeze(limits),
    onAttempt: attemptListener(options.onAttempt, options.traces, options.logger),
    observer: Observer.resolve(options),
  })
}

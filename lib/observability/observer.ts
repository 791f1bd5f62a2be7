import { SamlError, type SamlErrorCode } from '../errors/saml-error.js'
import { samlErrorStatus } from '../http/saml-error-status.js'
import { importOptionalPeer } from '../optional-peers/import-optional-peer.js'
import type { SamlLogger } from './saml-logger.js'
import type {
  SamlMeter,
  SamlSpan,
  SamlTelemetryAttributes,
  SamlTelemetryOptions,
  SamlTracer,
} from './telemetry-types.js'

/** The flows the core runs, one span each (`saml.<flow>`). */
export type SamlFlowName = 'login' | 'acs' | 'logout' | 'slo' | 'metadata'

/** What an instrumented flow reports when it ends; never the user's identity, unless opted in. */
export interface FlowSummary {
  readonly idp: string | undefined
  /** The outcome's `type`: redirect, post-form, document, accepted, denied or error. */
  readonly outcome: string
  /** The SamlError code of a denial or failure (`undefined` for an error of the application's). */
  readonly code: SamlErrorCode | undefined
  /** The ACS check that failed. */
  readonly check: string | undefined
  /** The signed-in NameID (ACS, accepted); logged only with `logUserIds`. */
  readonly nameID: string | undefined
}

/** The observability options of the core, as given. */
export interface ObservabilityOptions {
  logger?: SamlLogger | undefined
  telemetry?: SamlTelemetryOptions | boolean | undefined
  logUserIds?: boolean | undefined
}

const NAME = 'passport-saml-multi-idp'
/** OpenTelemetry's `SpanStatusCode.ERROR`, as a number so the core needs no import of the API. */
const SPAN_STATUS_ERROR = 2

interface Instruments {
  readonly tracer: SamlTracer | undefined
  readonly logins: { add(value: number, attributes?: SamlTelemetryAttributes): void } | undefined
  readonly acsDuration: { record(value: number, attributes?: SamlTelemetryAttributes): void } | undefined
}

/** Runs `fn` and swallows what it throws: telemetry and logging never change an outcome. */
function quietly<T>(fn: () => T): T | undefined {
  try {
    return fn()
  } catch {
    return undefined
  }
}

function fail(option: string, message: string): never {
  throw new TypeError(`"options.${option}" ${message}`)
}

function isLogger(value: unknown): value is SamlLogger {
  const l = value as Record<string, unknown> | null
  return (
    !!l &&
    (typeof l === 'object' || typeof l === 'function') &&
    ['debug', 'info', 'warn', 'error'].every((m) => typeof l[m] === 'function') &&
    (l.child === undefined || typeof l.child === 'function')
  )
}

function instrumentsOf(meter: SamlMeter | undefined, tracer: SamlTracer | undefined): Instruments {
  return {
    tracer,
    logins: meter?.createCounter('saml.logins', {
      description: 'SAML responses consumed by the ACS, by IdP and outcome',
      unit: '{login}',
    }),
    acsDuration: meter?.createHistogram('saml.acs.duration', {
      description: 'Time the ACS took to answer a posted SAML response',
      unit: 'ms',
    }),
  }
}

/** One flow being observed: its span, its start time. */
export class FlowRun {
  private readonly started = performance.now()
  private readonly span: SamlSpan | undefined

  constructor(
    private readonly observer: Observer,
    private readonly flow: SamlFlowName,
    private readonly instruments: Instruments | undefined,
  ) {
    const tracer = instruments?.tracer
    this.span = tracer
      ? quietly(() => tracer.startSpan(`saml.${flow}`, { attributes: { 'saml.flow': flow } }))
      : undefined
  }

  /** Records the flow's end: span attributes and status, the login metrics, one log line. */
  end(summary: FlowSummary): void {
    const durationMs = performance.now() - this.started
    const attributes: SamlTelemetryAttributes = {}
    if (summary.idp !== undefined) attributes['saml.idp'] = summary.idp
    attributes['saml.outcome'] = summary.outcome
    if (summary.code !== undefined) attributes['saml.error.code'] = summary.code
    const failed = summary.outcome === 'denied' || summary.outcome === 'error'
    const span = this.span
    if (span) {
      quietly(() => {
        for (const [key, value] of Object.entries(attributes)) span.setAttribute(key, value)
        if (summary.check !== undefined) span.setAttribute('saml.check.failed', summary.check)
        if (failed) span.setStatus({ code: SPAN_STATUS_ERROR, message: summary.code ?? 'error' })
      })
      quietly(() => span.end())
    }
    if (this.flow === 'acs' && this.instruments) {
      const { logins, acsDuration } = this.instruments
      if (logins) quietly(() => logins.add(1, attributes))
      if (acsDuration) quietly(() => acsDuration.record(durationMs, attributes))
    }
    this.observer.log(this.flow, summary, durationMs)
  }
}

/** The logger and telemetry of one core, resolved from its options. */
export class Observer {
  private instruments: Instruments | undefined
  private loading: Promise<Instruments | undefined> | undefined

  private constructor(
    private readonly logger: SamlLogger | undefined,
    telemetry: SamlTelemetryOptions | true | undefined,
    private readonly logUserIds: boolean,
  ) {
    if (telemetry === true) this.loading = this.loadGlobalApi()
    else if (telemetry) this.instruments = instrumentsOf(telemetry.meter, telemetry.tracer)
  }

  /**
   * Checks the observability options: an observer, or `undefined` when there is nothing to observe
   * with (no logger, no telemetry), so flows run unwrapped. Misuse throws a TypeError naming the option.
   */
  static resolve(options: ObservabilityOptions): Observer | undefined {
    const { logger, telemetry, logUserIds } = options
    if (logger !== undefined && !isLogger(logger))
      fail('logger', 'must be a logger with debug, info, warn and error methods (pino fits)')
    if (
      telemetry !== undefined &&
      typeof telemetry !== 'boolean' &&
      (typeof telemetry !== 'object' ||
        telemetry === null ||
        (telemetry.tracer !== undefined && typeof telemetry.tracer?.startSpan !== 'function') ||
        (telemetry.meter !== undefined &&
          (typeof telemetry.meter?.createCounter !== 'function' ||
            typeof telemetry.meter.createHistogram !== 'function')))
    ) {
      fail(
        'telemetry',
        'must be true (the global OpenTelemetry API) or { tracer?, meter? } from @opentelemetry/api',
      )
    }
    if (logUserIds !== undefined && typeof logUserIds !== 'boolean')
      fail('logUserIds', 'must be true or false')
    const enabled =
      telemetry === true || (typeof telemetry === 'object' && !!(telemetry.tracer || telemetry.meter))
    if (!logger && !enabled) return undefined
    const child = logger?.child
    const bound = child ? (quietly(() => child.call(logger, { component: NAME })) ?? logger) : logger
    return new Observer(bound, enabled ? (telemetry as SamlTelemetryOptions | true) : undefined, !!logUserIds)
  }

  /** Starts observing one flow (after loading the global API once, with `telemetry: true`). */
  async start(flow: SamlFlowName): Promise<FlowRun> {
    if (this.loading) {
      this.instruments = await this.loading
      this.loading = undefined
    }
    return new FlowRun(this, flow, this.instruments)
  }

  private async loadGlobalApi(): Promise<Instruments | undefined> {
    try {
      const api = await importOptionalPeer(
        '@opentelemetry/api',
        'telemetry: true',
        () => import('@opentelemetry/api'),
      )
      return instrumentsOf(api.metrics.getMeter(NAME), api.trace.getTracer(NAME))
    } catch (err) {
      const code = err instanceof SamlError ? err.code : undefined
      const logger = this.logger
      if (logger)
        quietly(() =>
          logger.error(
            { code, err: err instanceof Error ? err.message : String(err) },
            'SAML telemetry is off: @opentelemetry/api could not be loaded',
          ),
        )
      return undefined
    }
  }

  /** One line per flow end: info when it went through, warn for a 4xx refusal, error for a 5xx. */
  log(flow: SamlFlowName, summary: FlowSummary, durationMs: number): void {
    const logger = this.logger
    if (!logger) return
    const failed = summary.outcome === 'denied' || summary.outcome === 'error'
    const level = !failed
      ? 'info'
      : summary.code !== undefined && samlErrorStatus(summary.code) < 500
        ? 'warn'
        : 'error'
    const fields: Record<string, unknown> = { flow, outcome: summary.outcome }
    if (summary.idp !== undefined) fields.idp = summary.idp
    if (summary.code !== undefined) fields.code = summary.code
    if (summary.check !== undefined) fields.check = summary.check
    fields.durationMs = Math.round(durationMs * 1000) / 1000
    if (this.logUserIds && summary.nameID !== undefined) fields.nameID = summary.nameID
    const what = failed ? `${summary.outcome} ${summary.code ?? '(application error)'}` : summary.outcome
    const msg = `saml ${flow} ${what}${summary.idp !== undefined ? ` (idp ${summary.idp})` : ''}`
    quietly(() => logger[level](fields, msg))
  }
}

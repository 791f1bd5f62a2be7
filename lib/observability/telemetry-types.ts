// The parts of the OpenTelemetry API the core calls, written out structurally so that the package's
// types never name `@opentelemetry/api`: an app without it installed still type-checks, and an app
// with it passes its `Tracer` and `Meter` as they are.

/** A value of a span or metric attribute. */
export type SamlTelemetryValue = string | number | boolean

/** Span or metric attributes. */
export type SamlTelemetryAttributes = Record<string, SamlTelemetryValue>

/**
 * The part of an OpenTelemetry `Span` the core uses.
 *
 * @example
 * ```ts
 * import type { SamlSpan } from 'passport-saml-multi-idp'
 * const noop: SamlSpan = { setAttribute: () => noop, setStatus: () => noop, end: () => {} }
 * ```
 */
export interface SamlSpan {
  setAttribute(key: string, value: SamlTelemetryValue): unknown
  /** `code`: 0 unset, 1 ok, 2 error (OpenTelemetry's `SpanStatusCode`). */
  setStatus(status: { code: number; message?: string }): unknown
  end(): void
}

/**
 * The part of an OpenTelemetry `Tracer` the core uses; `trace.getTracer(name)` returns one.
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api'
 * import type { SamlTracer } from 'passport-saml-multi-idp'
 * const tracer: SamlTracer = trace.getTracer('my-app')
 * ```
 */
export interface SamlTracer {
  startSpan(name: string, options?: { attributes?: SamlTelemetryAttributes }): SamlSpan
}

/**
 * The part of an OpenTelemetry `Meter` the core uses; `metrics.getMeter(name)` returns one.
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api'
 * import type { SamlMeter } from 'passport-saml-multi-idp'
 * const meter: SamlMeter = metrics.getMeter('my-app')
 * ```
 */
export interface SamlMeter {
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): { add(value: number, attributes?: SamlTelemetryAttributes): void }
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string },
  ): { record(value: number, attributes?: SamlTelemetryAttributes): void }
}

/**
 * Where the core sends spans and metrics: a tracer, a meter, or both (see docs/observability.md).
 *
 * @example
 * ```ts
 * import { metrics, trace } from '@opentelemetry/api'
 * import type { SamlTelemetryOptions } from 'passport-saml-multi-idp'
 * const telemetry: SamlTelemetryOptions = {
 *   tracer: trace.getTracer('my-app'),
 *   meter: metrics.getMeter('my-app'),
 * }
 * ```
 */
export interface SamlTelemetryOptions {
  /** Gets a span per flow (`saml.login`, `saml.acs`, `saml.logout`, `saml.slo`, `saml.metadata`). */
  tracer?: SamlTracer
  /** Gets the `saml.logins` counter and the `saml.acs.duration` histogram. */
  meter?: SamlMeter
}

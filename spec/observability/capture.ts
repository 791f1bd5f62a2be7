// What the observability specs run: the test app with a capturing logger, OpenTelemetry's SDK with its
// in-memory exporters, and the logins that drive each flow.
import assert from 'node:assert/strict'
import { SpanStatusCode } from '@opentelemetry/api'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { SamlLogger } from '../../lib/index.js'
import type { TestApp, TestBrowser } from '../support/app.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import type { TestIdp } from '../support/test-idp.js'

export { SpanStatusCode }

/** One line a {@link CapturingLogger} got, with the bindings of the child that wrote it. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly fields: Record<string, unknown>
  readonly msg: string | undefined
  readonly bindings: Record<string, unknown>
}

/** A pino-shaped logger that keeps its lines, and the `child` calls made of it. */
export class CapturingLogger implements SamlLogger {
  readonly lines: LogLine[]
  readonly children: Array<Record<string, unknown>>

  constructor(
    private readonly bindings: Record<string, unknown> = {},
    shared?: { lines: LogLine[]; children: Array<Record<string, unknown>> },
  ) {
    this.lines = shared?.lines ?? []
    this.children = shared?.children ?? []
  }

  private write(level: LogLine['level'], fields: object, msg?: string): void {
    this.lines.push({ level, fields: { ...fields }, msg, bindings: this.bindings })
  }

  debug(fields: object, msg?: string): void {
    this.write('debug', fields, msg)
  }
  info(fields: object, msg?: string): void {
    this.write('info', fields, msg)
  }
  warn(fields: object, msg?: string): void {
    this.write('warn', fields, msg)
  }
  error(fields: object, msg?: string): void {
    this.write('error', fields, msg)
  }
  child(bindings: Record<string, unknown>): CapturingLogger {
    this.children.push(bindings)
    return new CapturingLogger({ ...this.bindings, ...bindings }, this)
  }
}

/** OpenTelemetry's SDK, exporting to memory: spans as they end, metrics when flushed. */
export function makeTelemetry() {
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  })
  const meterProvider = new MeterProvider({ readers: [reader] })
  return {
    spans,
    tracerProvider,
    meterProvider,
    /** Data points of one metric, after a flush. */
    async points(name: string): Promise<Array<DataPoint<number | Histogram>>> {
      await reader.forceFlush()
      const latest = metricExporter.getMetrics().at(-1)
      const metric = latest?.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)
      return (metric?.dataPoints ?? []) as Array<DataPoint<number | Histogram>>
    },
    async shutdown(): Promise<void> {
      await tracerProvider.shutdown()
      await meterProvider.shutdown()
    },
  }
}

/** Starts login at `idp` and posts the IdP's answer; the ACS answer. */
export async function logIn(
  app: TestApp,
  browser: TestBrowser,
  idp: TestIdp,
  idpId: string,
  options: { nameId?: string; statusCode?: string; solicited?: boolean } = {},
): Promise<Response> {
  let inResponseTo: string | undefined
  if (options.solicited !== false) {
    const start = await browser.get(`${app.baseUrl}/saml/${idpId}/login`)
    assert.equal(start.status, 302)
    inResponseTo = readRedirectAuthnRequest(start.headers.get('location')!).id
  }
  const response = await idp.createResponse({
    spEntityId: `${app.baseUrl}/saml/${idpId}/metadata`,
    acsUrl: `${app.baseUrl}/saml/${idpId}/acs`,
    nameId: options.nameId ?? 'alice@acme.test',
    attributes: [{ name: 'email', values: ['Alice.Smith@Acme.test'] }],
    ...(inResponseTo !== undefined && { inResponseTo }),
    ...(options.statusCode !== undefined && { statusCode: options.statusCode }),
  })
  return browser.post(`${app.baseUrl}/saml/${idpId}/acs`, { SAMLResponse: response.base64 }, false)
}

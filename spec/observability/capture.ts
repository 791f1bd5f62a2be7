// What the observability specs run: OpenTelemetry's SDK with its in-memory exporters, and the logins
// that drive each flow (the capturing logger is spec/support/capturing-logger.ts).
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
import type { TestApp, TestBrowser } from '../support/app.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import type { TestIdp } from '../support/test-idp.js'

export { SpanStatusCode }

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

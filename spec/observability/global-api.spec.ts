// `telemetry: true`: the core loads @opentelemetry/api itself (an optional peer) and uses the
// globally registered providers. Its own file, since it registers global providers for the process.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { metrics, trace } from '@opentelemetry/api'
import type { SamlProfile } from '../../lib/index.js'
import { startTestApp, TestBrowser } from '../support/app.js'
import { acme } from '../support/tenant-idps.js'
import { logIn, makeTelemetry } from './capture.js'

describe('telemetry: true', () => {
  const telemetry = makeTelemetry()
  after(() => telemetry.shutdown())

  it('uses the global tracer and meter providers', async () => {
    assert.ok(trace.setGlobalTracerProvider(telemetry.tracerProvider))
    assert.ok(metrics.setGlobalMeterProvider(telemetry.meterProvider))
    const app = await startTestApp({
      strategy: { telemetry: true },
      verify: (profile: SamlProfile, done) => done(null, { nameID: profile.nameID }),
    })
    try {
      await app.store.put({ id: 'acme', metadataXml: acme.metadataXml() })
      assert.equal((await logIn(app, new TestBrowser(), acme, 'acme')).status, 302)
      const spans = telemetry.spans.getFinishedSpans()
      assert.deepEqual(
        spans.map((s) => [s.name, s.instrumentationScope.name, s.attributes['saml.outcome']]),
        [
          ['saml.login', 'passport-saml-multi-idp', 'redirect'],
          ['saml.acs', 'passport-saml-multi-idp', 'accepted'],
        ],
      )
      const logins = await telemetry.points('saml.logins')
      assert.deepEqual(
        logins.map((p) => [p.attributes, p.value]),
        [[{ 'saml.idp': 'acme', 'saml.outcome': 'accepted' }, 1]],
      )
    } finally {
      await app.close()
    }
  })
})

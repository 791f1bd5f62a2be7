// OpenTelemetry through a real Express + Passport app: a span per flow with the IdP, outcome and
// error code (never the user), the saml.logins counter per IdP/outcome/code, and one
// saml.acs.duration sample per ACS, read back from the SDK's in-memory exporters.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { SamlProfile } from '../../lib/index.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { keys } from '../support/test-idp.js'
import { acme, globex } from '../support/tenant-idps.js'
import { logIn, makeTelemetry, SpanStatusCode } from './capture.js'

const RESPONDER = 'urn:oasis:names:tc:SAML:2.0:status:Responder'

describe('OpenTelemetry: spans and metrics of the SAML flows', () => {
  let app: TestApp
  const telemetry = makeTelemetry()

  before(async () => {
    app = await startTestApp({
      strategy: {
        telemetry: {
          tracer: telemetry.tracerProvider.getTracer('spec'),
          meter: telemetry.meterProvider.getMeter('spec'),
        },
      },
      verify: (profile: SamlProfile, done) => {
        if (profile.nameID === 'boom@acme.test') return done(new Error('the user database is down'))
        done(null, { idp: profile.idp, nameID: profile.nameID })
      },
    })
    await app.store.put({ id: 'acme', metadataXml: acme.metadataXml() })
    await app.store.put({
      id: 'globex',
      entityId: globex.entityId,
      ssoUrl: globex.ssoUrl,
      signingCerts: [keys.idpGlobex.cert],
    })
  })
  after(async () => {
    await app.close()
    await telemetry.shutdown()
  })

  it('a span per flow: name, IdP, outcome, error code and failed check; error status on a refusal', async () => {
    const browser = new TestBrowser()
    telemetry.spans.reset()
    assert.equal((await logIn(app, browser, acme, 'acme')).status, 302)
    assert.equal((await logIn(app, browser, acme, 'acme', { statusCode: RESPONDER })).status, 401)
    assert.equal((await logIn(app, browser, globex, 'globex', { solicited: false })).status, 400)
    assert.equal((await browser.get(`${app.baseUrl}/saml/acme/metadata`)).status, 200)
    assert.equal((await browser.get(`${app.baseUrl}/saml/nobody/login`)).status, 404)
    assert.equal((await browser.get(`${app.baseUrl}/saml/acme/logout?returnTo=%2Fbye`)).status, 302)
    // The SLO endpoint without a SAML message: a 4xx for IdP acme.
    const slo = await browser.get(`${app.baseUrl}/saml/acme/slo`, true)
    assert.equal(slo.status, 400)

    const spans = telemetry.spans.getFinishedSpans().map((s) => ({
      name: s.name,
      attributes: s.attributes,
      status: s.status.code,
    }))
    const failed = { status: SpanStatusCode.ERROR }
    const fine = { status: SpanStatusCode.UNSET }
    assert.deepEqual(spans, [
      {
        name: 'saml.login',
        attributes: { 'saml.flow': 'login', 'saml.idp': 'acme', 'saml.outcome': 'redirect' },
        ...fine,
      },
      {
        name: 'saml.acs',
        attributes: { 'saml.flow': 'acs', 'saml.idp': 'acme', 'saml.outcome': 'accepted' },
        ...fine,
      },
      {
        name: 'saml.login',
        attributes: { 'saml.flow': 'login', 'saml.idp': 'acme', 'saml.outcome': 'redirect' },
        ...fine,
      },
      {
        name: 'saml.acs',
        attributes: {
          'saml.flow': 'acs',
          'saml.idp': 'acme',
          'saml.outcome': 'denied',
          'saml.error.code': 'ERR_SAML_STATUS',
          'saml.check.failed': 'status',
        },
        ...failed,
      },
      {
        name: 'saml.acs',
        attributes: {
          'saml.flow': 'acs',
          'saml.idp': 'globex',
          'saml.outcome': 'error',
          'saml.error.code': 'ERR_SAML_UNSOLICITED',
          'saml.check.failed': 'in-response-to',
        },
        ...failed,
      },
      {
        name: 'saml.metadata',
        attributes: { 'saml.flow': 'metadata', 'saml.idp': 'acme', 'saml.outcome': 'document' },
        ...fine,
      },
      {
        name: 'saml.login',
        attributes: {
          'saml.flow': 'login',
          'saml.outcome': 'error',
          'saml.error.code': 'ERR_SAML_UNKNOWN_IDP',
        },
        ...failed,
      },
      {
        name: 'saml.logout',
        attributes: { 'saml.flow': 'logout', 'saml.idp': 'acme', 'saml.outcome': 'redirect' },
        ...fine,
      },
      {
        name: 'saml.slo',
        attributes: {
          'saml.flow': 'slo',
          'saml.idp': 'acme',
          'saml.outcome': 'error',
          'saml.error.code': 'ERR_SAML_BAD_REQUEST',
        },
        ...failed,
      },
    ])
    const everything = JSON.stringify(
      telemetry.spans.getFinishedSpans().map((s) => [s.name, s.attributes, s.status, s.events]),
    )
    assert.doesNotMatch(everything, /alice/i, 'no span names the user (NameID, email)')
  })

  it('saml.logins counts each ACS attempt once by IdP, outcome and code; saml.acs.duration has a sample per attempt', async () => {
    // Cumulative instruments: this test reads what its own logins added, whatever ran before it.
    const key = (a: object) => JSON.stringify(a)
    const counts = async (): Promise<Map<string, number>> =>
      new Map((await telemetry.points('saml.logins')).map((p) => [key(p.attributes), p.value as number]))
    const samples = async (): Promise<Map<string, number>> =>
      new Map(
        (await telemetry.points('saml.acs.duration')).map((p) => [
          key(p.attributes),
          (p.value as { count: number }).count,
        ]),
      )
    const added = (after: Map<string, number>, before: Map<string, number>) =>
      Object.fromEntries(
        [...after]
          .map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const)
          .filter(([, v]) => v !== 0)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      )
    const [countsBefore, samplesBefore] = [await counts(), await samples()]

    const browser = new TestBrowser()
    assert.equal((await logIn(app, browser, acme, 'acme', { nameId: 'bob@acme.test' })).status, 302)
    assert.equal((await logIn(app, browser, acme, 'acme', { nameId: 'bob@acme.test' })).status, 302)
    assert.equal((await logIn(app, browser, acme, 'acme', { nameId: 'boom@acme.test' })).status, 500)
    assert.equal(
      (await logIn(app, browser, acme, 'acme', { nameId: 'bob@acme.test', statusCode: RESPONDER })).status,
      401,
    )

    const accepted = key({ 'saml.idp': 'acme', 'saml.outcome': 'accepted' })
    // The application's verify failed: an error without a SAML code.
    const verifyFailed = key({ 'saml.idp': 'acme', 'saml.outcome': 'error' })
    const denied = key({ 'saml.idp': 'acme', 'saml.outcome': 'denied', 'saml.error.code': 'ERR_SAML_STATUS' })
    const expected = Object.fromEntries(
      [
        [accepted, 2],
        [denied, 1],
        [verifyFailed, 1],
      ].sort(([a], [b]) => (a! < b! ? -1 : 1)),
    )
    const countsAfter = await counts()
    assert.deepEqual(
      added(countsAfter, countsBefore),
      expected,
      'one count per attempt, by IdP, outcome and code',
    )
    assert.deepEqual(
      added(await samples(), samplesBefore),
      expected,
      'one duration sample per attempt, same attributes',
    )
    assert.doesNotMatch(JSON.stringify([...countsAfter.keys()]), /bob|boom|alice/i)
  })
})

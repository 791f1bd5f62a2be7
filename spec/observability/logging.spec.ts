// The injectable logger through a real Express + Passport app: one line per flow end at info, warn
// (4xx) or error (5xx) with the IdP, flow, code and failed check, written through a child logger;
// no user identity unless logUserIds; and a logger or telemetry that throws never breaks a login.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type { SamlLogger, SamlMeter, SamlProfile, SamlTracer } from '../../lib/index.js'
import { startTestApp, TestBrowser, type TestApp, type TestAppOptions } from '../support/app.js'
import { acme } from '../support/tenant-idps.js'
import { CapturingLogger } from '../support/capturing-logger.js'
import { logIn } from './capture.js'

const RESPONDER = 'urn:oasis:names:tc:SAML:2.0:status:Responder'
const apps: TestApp[] = []
after(() => Promise.all(apps.map((a) => a.close())))

async function appWith(strategy: TestAppOptions['strategy']): Promise<TestApp> {
  const app = await startTestApp({
    strategy,
    verify: (profile: SamlProfile, done) => {
      if (profile.nameID === 'boom@acme.test') return done(new Error('the user database is down'))
      done(null, { idp: profile.idp, nameID: profile.nameID })
    },
  })
  apps.push(app)
  await app.store.put({ id: 'acme', metadataXml: acme.metadataXml() })
  return app
}

/** The fields every line has, with `durationMs` checked and left out (its value is timing). */
function withoutDuration(fields: Record<string, unknown>): Record<string, unknown> {
  const { durationMs, ...rest } = fields
  assert.equal(typeof durationMs, 'number')
  return rest
}

describe('logger', () => {
  it('one line per flow end through a child logger: info, warn for a 4xx refusal, error for a 5xx; no user identity', async () => {
    const logger = new CapturingLogger()
    const app = await appWith({ logger })
    const browser = new TestBrowser()
    assert.equal((await logIn(app, browser, acme, 'acme')).status, 302)
    assert.equal((await logIn(app, browser, acme, 'acme', { statusCode: RESPONDER })).status, 401)
    assert.equal((await logIn(app, browser, acme, 'acme', { solicited: false })).status, 400)
    assert.equal((await logIn(app, browser, acme, 'acme', { nameId: 'boom@acme.test' })).status, 500)
    assert.equal((await browser.get(`${app.baseUrl}/saml/nobody/metadata`)).status, 404)

    assert.deepEqual(logger.children, [{ component: 'passport-saml-multi-idp' }], 'one child, made once')
    assert.ok(logger.lines.every((l) => l.bindings.component === 'passport-saml-multi-idp'))
    assert.deepEqual(
      logger.lines.map((l) => [l.level, withoutDuration(l.fields)]),
      [
        ['info', { flow: 'login', outcome: 'redirect', idp: 'acme' }],
        ['info', { flow: 'acs', outcome: 'accepted', idp: 'acme' }],
        ['info', { flow: 'login', outcome: 'redirect', idp: 'acme' }],
        ['warn', { flow: 'acs', outcome: 'denied', idp: 'acme', code: 'ERR_SAML_STATUS', check: 'status' }],
        [
          'warn',
          {
            flow: 'acs',
            outcome: 'error',
            idp: 'acme',
            code: 'ERR_SAML_UNSOLICITED',
            check: 'in-response-to',
          },
        ],
        ['info', { flow: 'login', outcome: 'redirect', idp: 'acme' }],
        // The application's verify failed (500): no SAML code, the verify check.
        ['error', { flow: 'acs', outcome: 'error', idp: 'acme', check: 'verify' }],
        ['warn', { flow: 'metadata', outcome: 'error', code: 'ERR_SAML_UNKNOWN_IDP' }],
      ],
    )
    assert.ok(
      logger.lines.every((l) => typeof l.msg === 'string' && l.msg.startsWith(`saml ${l.fields.flow} `)),
    )
    assert.doesNotMatch(JSON.stringify(logger.lines), /alice|boom/i, 'no line names the user')
  })

  it('logUserIds: true adds the NameID to the accepted ACS line only', async () => {
    const logger = new CapturingLogger()
    const app = await appWith({ logger, logUserIds: true })
    assert.equal((await logIn(app, new TestBrowser(), acme, 'acme')).status, 302)
    const acs = logger.lines.filter((l) => l.fields.flow === 'acs')
    assert.deepEqual(
      acs.map((l) => withoutDuration(l.fields)),
      [{ flow: 'acs', outcome: 'accepted', idp: 'acme', nameID: 'alice@acme.test' }],
    )
    assert.equal(logger.lines.filter((l) => 'nameID' in l.fields).length, 1)
  })

  it('a logger, tracer and meter that throw everywhere change no outcome', async () => {
    const boom = () => {
      throw new Error('observability backend down')
    }
    const logger: SamlLogger = { debug: boom, info: boom, warn: boom, error: boom, child: boom }
    const span = { setAttribute: boom, setStatus: boom, end: boom }
    const tracer: SamlTracer = { startSpan: () => span }
    const meter: SamlMeter = {
      createCounter: () => ({ add: boom }),
      createHistogram: () => ({ record: boom }),
    }
    const throwingTracer: SamlTracer = { startSpan: boom }
    for (const strategy of [
      { logger, telemetry: { tracer, meter } },
      { telemetry: { tracer: throwingTracer } },
    ]) {
      const app = await appWith(strategy)
      const browser = new TestBrowser()
      const post = await logIn(app, browser, acme, 'acme')
      assert.equal(post.status, 302)
      const me = (await (await browser.get(`${app.baseUrl}/me`, true)).json()) as { nameID: string }
      assert.equal(me.nameID, 'alice@acme.test')
      assert.equal((await logIn(app, browser, acme, 'acme', { statusCode: RESPONDER })).status, 401)
    }
  })

  it('misuse is a TypeError naming the option', async () => {
    const { MultiIdpSamlStrategy, MemoryIdpStore } = await import('../../lib/index.js')
    const make = (extra: object) => () =>
      new MultiIdpSamlStrategy(
        { store: new MemoryIdpStore(), sp: { baseUrl: 'https://app.example.com' }, ...extra },
        (_p, done) => done(null, {}),
      )
    assert.throws(make({ logger: console.log }), { name: 'TypeError', message: /"options\.logger"/ })
    assert.throws(make({ telemetry: { tracer: {} } }), { name: 'TypeError', message: /"options\.telemetry"/ })
    assert.throws(make({ logUserIds: 'yes' }), { name: 'TypeError', message: /"options\.logUserIds"/ })
  })
})

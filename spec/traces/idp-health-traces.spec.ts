// Issue #12 item 5, the trace-based part: checkIdpHealth reads each IdP's latest traces and reports
// clock skew (responses issued ahead of this server's clock, or refused on time) and the latest
// login's error. The traces come from real logins through the core, signed by the test IdP, with the
// core's clock and the IdP's set apart on purpose; time is given, never waited.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  checkIdpHealth,
  checkIdpRecordHealth,
  MemoryIdpStore,
  MemoryTraceStore,
  type IdpHealthReason,
} from '../../lib/index.js'
import { SamlServiceProvider } from '../../lib/entries/core.js'
import { keys, TestIdp } from '../support/test-idp.js'
import { waitUntil } from '../support/wait-until.js'

const acme = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  sloUrl: 'https://idp.acme.test/slo',
  signing: keys.idpAcme,
})
const BASE = 'https://app.example.test'
const NOW = Date.parse('2030-03-01T12:00:00Z')

async function setup() {
  const store = new MemoryIdpStore()
  await store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
  const traces = new MemoryTraceStore()
  let coreNow = NOW
  const saml = new SamlServiceProvider({
    store,
    sp: { baseUrl: BASE, signingKey: keys.sp.key, signingCert: keys.sp.cert },
    clock: () => coreNow,
    traces: { store: traces },
  })
  let count = 0
  /**
   * One IdP-initiated login judged at `at` with the IdP's clock at `idpNow`; resolves once its trace
   * is stored.
   */
  const login = async (signal: AbortSignal, idpNow: number, nameId = 'alice@acme.test', at = NOW) => {
    coreNow = at
    const response = await acme.createResponse({
      spEntityId: `${BASE}/saml/acme/metadata`,
      acsUrl: `${BASE}/saml/acme/acs`,
      nameId,
      now: new Date(idpNow),
    })
    const outcome = await saml.acs(
      {
        method: 'POST',
        url: '/saml/acme/acs',
        params: { idp: 'acme' },
        body: { SAMLResponse: response.base64 },
      },
      async (profile) => ({ user: profile.nameID === 'refused' ? false : { id: profile.nameID } }),
    )
    count++
    await waitUntil(async () => (await traces.list({ idp: 'acme' })).length === count, {
      signal,
      what: 'the trace',
    })
    return outcome
  }
  return { store, traces, login }
}

const byCode = (reasons: readonly IdpHealthReason[], code: IdpHealthReason['code']) =>
  reasons.find((r) => r.code === code)

describe('IdP health from traces', () => {
  it('clocks in step and a signed-in latest login: no trace reasons', async (t) => {
    const { store, traces, login } = await setup()
    assert.equal((await login(t.signal, NOW - 2000)).type, 'accepted')
    const [health] = await checkIdpHealth(store, { now: NOW, traces })
    assert.equal(health!.status, 'ok')
    assert.deepEqual(
      health!.reasons.map((r) => r.code),
      [],
    )
  })

  it('an IdP clock 90 s ahead: logins pass only thanks to the skew, and health says so', async (t) => {
    const { store, traces, login } = await setup()
    assert.equal((await login(t.signal, NOW + 90_000)).type, 'accepted')
    assert.equal((await login(t.signal, NOW, 'alice@acme.test', NOW + 1000)).type, 'accepted')
    const [health] = await checkIdpHealth(store, { now: NOW, traces })
    const skew = byCode(health!.reasons, 'clock-skew')
    assert.equal(health!.status, 'warning')
    assert.ok(skew && skew.code === 'clock-skew')
    assert.equal(skew.aheadByMs, 90_000)
    assert.equal(skew.timeFailures, 0)
    const [ahead] = await traces.list({
      idp: 'acme',
      before: (await traces.list({ idp: 'acme', limit: 1 }))[0],
    })
    assert.equal(skew.traceId, ahead!.id)
    assert.equal(byCode(health!.reasons, 'last-login-failed'), undefined)
  })

  it('a response refused on time counts as skew, and the latest error is its own reason', async (t) => {
    const { store, traces, login } = await setup()
    const refused = await login(t.signal, NOW - 3_600_000)
    assert.equal(refused.type, 'error')
    const code = refused.type === 'error' ? (refused.error as { code?: string }).code : undefined
    assert.ok(code === 'ERR_SAML_EXPIRED' || code === 'ERR_SAML_NOT_YET_VALID', code)
    const [health] = await checkIdpHealth(store, { now: NOW, traces })
    const skew = byCode(health!.reasons, 'clock-skew')
    const last = byCode(health!.reasons, 'last-login-failed')
    assert.ok(skew?.code === 'clock-skew' && skew.timeFailures === 1)
    assert.ok(last?.code === 'last-login-failed')
    assert.equal(last.status, 'warning')
    assert.equal(last.error.code, code)
    assert.equal(last.traceId, skew.traceId)
    assert.equal(health!.status, 'warning')
  })

  it('a latest login the application refused is a notice; an accepted one after it clears it', async (t) => {
    const { store, traces, login } = await setup()
    assert.equal((await login(t.signal, NOW, 'refused')).type, 'denied')
    let [health] = await checkIdpHealth(store, { now: NOW, traces })
    const last = byCode(health!.reasons, 'last-login-failed')
    assert.ok(last?.code === 'last-login-failed' && last.status === 'notice')
    assert.equal(last.error.code, 'ERR_SAML_ACCESS_DENIED')
    assert.equal(health!.status, 'ok')
    assert.equal((await login(t.signal, NOW, 'alice@acme.test', NOW + 1000)).type, 'accepted')
    ;[health] = await checkIdpHealth(store, { now: NOW + 2000, traces })
    assert.equal(byCode(health!.reasons, 'last-login-failed'), undefined)
  })

  it('checkIdpRecordHealth takes traces as given and reads only its own IdP’s', async (t) => {
    const { store, traces, login } = await setup()
    await login(t.signal, NOW + 90_000)
    const record = (await store.get('acme'))!
    const recentTraces = await traces.list()
    assert.ok(byCode(checkIdpRecordHealth(record, { now: NOW, recentTraces }).reasons, 'clock-skew'))
    const elsewhere = recentTraces.map((trace) => ({ ...trace, idp: 'globex' }))
    assert.equal(
      byCode(checkIdpRecordHealth(record, { now: NOW, recentTraces: elsewhere }).reasons, 'clock-skew'),
      undefined,
    )
    assert.throws(() => checkIdpRecordHealth(record, { recentTraces: {} as never }), TypeError)
  })
})

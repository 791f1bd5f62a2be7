// Login traces through real Express and Passport: every ACS attempt becomes a trace, refused ones
// show its id on the error page and in JSON errors, and what is stored is redacted: no signature
// value, certificate or attribute value unless the app opts in. A store that fails or never answers
// changes no login.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  MemoryTraceStore,
  MultiIdpSamlStrategy,
  REDACTED,
  type SamlAttempt,
  type SamlTrace,
  type SamlTraceStore,
} from '../../lib/index.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { CapturingLogger, type LogLine } from '../support/capturing-logger.js'
import { keys, mutateXml, TestIdp, type TestResponse } from '../support/test-idp.js'
import { waitUntil } from '../support/wait-until.js'

const acme = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  signing: keys.idpAcme,
})

const NAME_ID = 'alice.personal@acme.test'
const SECRET_VALUE = 'payroll-team-4711'

function respond(app: TestApp, now?: Date): Promise<TestResponse> {
  return acme.createResponse({
    spEntityId: `${app.baseUrl}/saml/acme/metadata`,
    acsUrl: `${app.baseUrl}/saml/acme/acs`,
    nameId: NAME_ID,
    attributes: [
      { name: 'email', values: [NAME_ID] },
      { name: 'groups', values: [SECRET_VALUE, 'staff'] },
    ],
    ...(now && { now }),
  })
}

/** The text of every element named `local` in `xml`. */
function texts(xml: string, local: string): string[] {
  return [...xml.matchAll(new RegExp(`<(?:\\w+:)?${local}\\b[^>]*>([^<]+)<`, 'g'))].map((m) => m[1]!.trim())
}

async function storedTrace(store: SamlTraceStore, id: string, signal: AbortSignal): Promise<SamlTrace> {
  let trace: SamlTrace | undefined
  await waitUntil(async () => (trace = await store.get(id)) !== undefined, { signal, what: `trace ${id}` })
  return trace!
}

describe('login traces through Express', () => {
  let app: TestApp
  const traces = new MemoryTraceStore()
  const attempts: SamlAttempt[] = []

  before(async () => {
    app = await startTestApp({
      strategy: { traces: { store: traces }, onAttempt: (a) => attempts.push(a) },
      verify: (profile, done) =>
        profile.mapped.email === 'refused@acme.test'
          ? done(null, false, { message: 'this account is disabled' })
          : done(null, { idp: profile.idp }),
    })
    await app.store.put({
      id: 'acme',
      metadataXml: acme.metadataXml(),
      allowIdpInitiated: true,
      attributeMap: { email: 'email', groups: { from: 'groups', multi: true } },
    })
  })
  after(() => app.close())

  it('a refused login (tampered, signed response) shows a trace id that finds a redacted trace', async (t) => {
    const signed = await respond(app)
    const tampered = mutateXml(signed.xml, (doc) => {
      const value = doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'AttributeValue')[0]!
      value.textContent = 'admins'
    })
    const SAMLResponse = Buffer.from(tampered).toString('base64')

    const json = await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse })
    const body = (await json.json()) as { error: { code: string; message: string; traceId: string } }
    assert.equal(json.status, 400)
    assert.equal(body.error.code, 'ERR_SAML_SIGNATURE_INVALID')
    assert.match(body.error.traceId, /^[0-9a-f-]{36}$/)
    assert.equal(attempts.at(-1)?.id, body.error.traceId)

    const trace = await storedTrace(traces, body.error.traceId, t.signal)
    assert.equal(trace.idp, 'acme')
    assert.equal(trace.flow, 'acs')
    assert.equal(trace.outcome, 'error')
    assert.equal(trace.error?.code, 'ERR_SAML_SIGNATURE_INVALID')
    assert.deepEqual(trace.checks.at(-1), {
      name: trace.checks.at(-1)!.name,
      title: trace.checks.at(-1)!.title,
      ok: false,
      code: 'ERR_SAML_SIGNATURE_INVALID',
    })
    assert.equal(trace.personalData, false)

    const stored = JSON.stringify(trace)
    const secrets = [...texts(tampered, 'SignatureValue'), ...texts(tampered, 'X509Certificate')]
    assert.ok(secrets.length >= 2, 'the response carried a signature value and a certificate')
    for (const secret of [...secrets, ...texts(tampered, 'DigestValue')]) {
      assert.ok(!stored.includes(secret.slice(0, 40)), 'no signature value, digest or certificate is stored')
    }
    for (const personal of [NAME_ID, SECRET_VALUE, 'admins']) assert.ok(!stored.includes(personal), personal)
    // The structure stays readable: attribute names, the issuer, and the markers where values were.
    assert.match(trace.responseXml!, /Name="groups"/)
    assert.ok(trace.responseXml!.includes(acme.entityId))
    assert.ok(trace.responseXml!.includes(REDACTED))

    const page = await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse }, false)
    const html = await page.text()
    assert.equal(page.status, 400)
    const shown = /Reference for support: <code>([^<]+)<\/code>/.exec(html)?.[1]
    assert.ok(shown && shown !== body.error.traceId, 'each attempt has its own trace id')
    assert.equal((await storedTrace(traces, shown, t.signal)).error?.code, 'ERR_SAML_SIGNATURE_INVALID')
  })

  it('an accepted login is traced with its checks and a redacted profile', async (t) => {
    // The IdP's clock runs 90 s ahead: the login passes thanks to the allowed skew, and the trace says so.
    const response = await respond(app, new Date(Date.now() + 90_000))
    const res = await new TestBrowser().post(
      `${app.baseUrl}/saml/acme/acs`,
      { SAMLResponse: response.base64 },
      false,
    )
    assert.equal(res.status, 302)
    const id = attempts.at(-1)!.id
    const trace = await storedTrace(traces, id, t.signal)
    assert.equal(trace.outcome, 'accepted')
    assert.equal(trace.error, undefined)
    assert.ok(trace.checks.every((c) => c.ok))
    assert.deepEqual(trace.checks.map((c) => c.name).slice(-2), ['attributes', 'verify'])
    assert.equal(trace.profile?.nameID, REDACTED)
    assert.deepEqual(trace.profile?.mapped, { email: REDACTED, groups: [REDACTED, REDACTED] })
    assert.equal(trace.profile?.issuer, acme.entityId)
    assert.ok(trace.issueInstantOffsetMs! > 60_000, `offset ${trace.issueInstantOffsetMs}`)
    const stored = JSON.stringify(trace)
    for (const personal of [NAME_ID, SECRET_VALUE]) assert.ok(!stored.includes(personal), personal)
    assert.deepEqual(
      (await traces.list({ idp: 'acme', outcome: 'accepted', limit: 1 })).map((x) => x.id),
      [id],
    )
  })

  it('an application refusal (verify says no) is a denied trace, its id in the 401 answer', async (t) => {
    const response = await acme.createResponse({
      spEntityId: `${app.baseUrl}/saml/acme/metadata`,
      acsUrl: `${app.baseUrl}/saml/acme/acs`,
      nameId: 'refused',
      attributes: [{ name: 'email', values: ['refused@acme.test'] }],
    })
    const res = await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, {
      SAMLResponse: response.base64,
    })
    const body = (await res.json()) as { error: { code: string; traceId: string } }
    assert.equal(res.status, 401)
    assert.equal(body.error.code, 'ERR_SAML_ACCESS_DENIED')
    const trace = await storedTrace(traces, body.error.traceId, t.signal)
    assert.equal(trace.outcome, 'denied')
    assert.equal(attempts.at(-1)?.outcome, 'denied', 'the trace takes its outcome from the attempt')
    assert.equal(trace.profile?.nameID, REDACTED)
  })
})

describe('login traces: options and failures', () => {
  it('includePersonalData keeps NameIDs and attribute values (never signature values)', async (t) => {
    const traces = new MemoryTraceStore()
    const attempts: SamlAttempt[] = []
    const app = await startTestApp({
      strategy: { traces: { store: traces, includePersonalData: true }, onAttempt: (a) => attempts.push(a) },
    })
    try {
      await app.store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
      const response = await respond(app)
      const res = await new TestBrowser().post(
        `${app.baseUrl}/saml/acme/acs`,
        { SAMLResponse: response.base64 },
        false,
      )
      assert.equal(res.status, 302)
      const trace = await storedTrace(traces, attempts.at(-1)!.id, t.signal)
      assert.equal(trace.personalData, true)
      assert.equal(trace.profile?.nameID, NAME_ID)
      assert.ok(trace.responseXml!.includes(SECRET_VALUE))
      assert.ok(!trace.responseXml!.includes(texts(response.xml, 'SignatureValue')[0]!.slice(0, 40)))
    } finally {
      await app.close()
    }
  })

  it('a store that fails is logged and a store that never answers delays nothing: logins go on', async (t) => {
    const logger = new CapturingLogger()
    const failing: SamlTraceStore = {
      add: async () => {
        throw new Error('disk full')
      },
      get: async () => undefined,
      list: async () => [],
      prune: async () => 0,
    }
    const hanging: SamlTraceStore = {
      ...failing,
      add: () => new Promise(() => {}),
      prune: () => new Promise(() => {}),
    }
    for (const store of [failing, hanging]) {
      const app = await startTestApp({ strategy: { traces: { store }, logger } })
      try {
        await app.store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
        for (let i = 0; i < 2; i++) {
          const response = await respond(app)
          const res = await new TestBrowser().post(
            `${app.baseUrl}/saml/acme/acs`,
            { SAMLResponse: response.base64 },
            false,
          )
          assert.equal(res.status, 302)
        }
      } finally {
        await app.close()
      }
    }
    const stored = (line: LogLine) => line.level === 'warn' && /was not stored/.test(line.msg ?? '')
    await waitUntil(() => logger.lines.some(stored), {
      signal: t.signal,
      what: 'the warning',
    })
  })

  it('without traces (onAttempt alone) a refusal names no trace id: there is no trace to find', async () => {
    const attempts: SamlAttempt[] = []
    const app = await startTestApp({ strategy: { onAttempt: (a) => attempts.push(a) } })
    try {
      await app.store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
      const response = await respond(app)
      const tampered = Buffer.from(response.xml.replace(NAME_ID, 'mallory@acme.test')).toString('base64')
      const res = await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: tampered })
      const body = (await res.json()) as { error: Record<string, unknown> }
      assert.equal(res.status, 400)
      assert.equal(attempts.length, 1)
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message'])
    } finally {
      await app.close()
    }
  })

  it('a bad traces option is a TypeError at construction, naming the option', () => {
    const sp = { baseUrl: 'https://app.example.com' }
    const verify = () => {}
    for (const traces of [{}, { store: {} }, { store: new MemoryTraceStore(), maxAgeMs: -1 }]) {
      assert.throws(
        () =>
          new MultiIdpSamlStrategy(
            {
              store: {
                get() {},
                findByEntityId() {},
                findByEmailDomain() {},
                list() {},
                put() {},
                delete() {},
              } as never,
              sp,
              traces: traces as never,
            },
            verify,
          ),
        /options\.traces/,
      )
    }
  })
})

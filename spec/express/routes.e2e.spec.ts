// The router's routes through real Express and Passport: an ACS takes SAML responses only, every
// route finds its IdP through the configured resolvers (not only the path parameter), and a late
// failure shows the checks that ran before it as passed.
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { byHost, type SamlAttempt } from '../../lib/index.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { keys, TestIdp } from '../support/test-idp.js'

const acme = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  sloUrl: 'https://idp.acme.test/slo',
  signing: keys.idpAcme,
})

/** A GET with a Host header of our choice (fetch does not let one set Host). */
function getWithHost(
  url: string,
  host: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host, accept: 'application/json' } }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    req.on('error', reject).end()
  })
}

describe('samlRouter routes', () => {
  let app: TestApp
  const attempts: SamlAttempt[] = []

  before(async () => {
    app = await startTestApp({ strategy: { onAttempt: (a) => attempts.push(a) } })
    await app.store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
  })
  after(() => app.close())

  it('an ACS without a SAMLResponse answers 400 ERR_SAML_BAD_REQUEST, per-IdP and shared, and starts no login', async () => {
    for (const path of ['/saml/acme/acs', '/saml/acs']) {
      const forms: Record<string, string>[] = [
        {},
        { RelayState: '/x' },
        { SAMLRequest: 'PHNhbWxwOkF1dGhuUmVxdWVzdC8+' },
      ]
      for (const form of forms) {
        const res = await new TestBrowser().post(`${app.baseUrl}${path}`, form)
        assert.equal(res.status, 400, `${path} ${JSON.stringify(form)}`)
        assert.equal(res.headers.get('location'), null)
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'ERR_SAML_BAD_REQUEST')
      }
    }
  })

  it('a late failure (a replayed assertion) lists the checks that ran, all passed but the last', async () => {
    const res = await acme.createResponse({
      spEntityId: `${app.baseUrl}/saml/acme/metadata`,
      acsUrl: `${app.baseUrl}/saml/acme/acs`,
      nameId: 'alice@acme.test',
    })
    assert.equal(
      (await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: res.base64 }, false))
        .status,
      302,
    )
    attempts.length = 0
    const replay = await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: res.base64 })
    assert.equal(replay.status, 400)
    const [attempt] = attempts
    assert.equal(attempt!.error?.code, 'ERR_SAML_REPLAY')
    const names = attempt!.checks.map((c) => c.name)
    assert.deepEqual(names.slice(0, 2), ['message', 'idp'])
    assert.ok(
      names.includes('assertion-signature') && names.includes('audience') && names.includes('in-response-to'),
    )
    assert.deepEqual(attempt!.checks.at(-1), {
      name: 'replay',
      title: attempt!.checks.at(-1)!.title,
      ok: false,
      code: 'ERR_SAML_REPLAY',
    })
    assert.ok(attempt!.checks.slice(0, -1).every((c) => c.ok))
    assert.ok(!names.includes('attributes') && !names.includes('verify'), 'nothing after the failing check')
  })
})

describe('samlRouter routes resolve the IdP through the configured resolvers', () => {
  let app: TestApp
  const tenantOfHost = (host: string) => (host.endsWith('.tenants.test') ? host.split('.')[0] : undefined)

  before(async () => {
    // Only byHost: the path segment of /saml/:idp/... names no IdP here.
    app = await startTestApp({ strategy: { resolve: [byHost(tenantOfHost)] } })
    await app.store.put({ id: 'acme', metadataXml: acme.metadataXml() })
  })
  after(() => app.close())

  it('metadata: the host picks the IdP, whatever the path says', async () => {
    const res = await getWithHost(`${app.baseUrl}/saml/anything/metadata`, 'acme.tenants.test')
    assert.equal(res.status, 200, res.body)
    assert.match(res.body, new RegExp(`Location="${app.baseUrl}/saml/acme/acs"`))
    const unknown = await getWithHost(`${app.baseUrl}/saml/acme/metadata`, 'nobody.tenants.test')
    assert.equal(unknown.status, 404)
    assert.equal((JSON.parse(unknown.body) as { error: { code: string } }).error.code, 'ERR_SAML_UNKNOWN_IDP')
  })

  it('login, logout and SLO: the host picks the IdP too', async () => {
    const login = await getWithHost(`${app.baseUrl}/saml/anything/login`, 'acme.tenants.test')
    assert.equal(login.status, 302)
    assert.ok(String(login.headers.location).startsWith(acme.ssoUrl))
    const logout = await getWithHost(
      `${app.baseUrl}/saml/anything/logout?returnTo=%2Fbye`,
      'acme.tenants.test',
    )
    assert.equal(logout.status, 302)
    assert.equal(logout.headers.location, '/bye')
    // An unsigned message reaches acme's checks (not ERR_SAML_UNKNOWN_IDP): the IdP was resolved.
    const slo = await getWithHost(`${app.baseUrl}/saml/anything/slo?SAMLRequest=abc`, 'acme.tenants.test')
    assert.equal(slo.status, 400)
    assert.equal(
      (JSON.parse(slo.body) as { error: { code: string; message: string } }).error.code,
      'ERR_SAML_SIGNATURE_MISSING',
    )
  })
})

describe('a custom resolver that throws', () => {
  let app: TestApp
  const attempts: SamlAttempt[] = []

  before(async () => {
    app = await startTestApp({
      strategy: {
        resolve: async () => {
          throw new Error('tenant directory unreachable')
        },
        onAttempt: (a) => attempts.push(a),
      },
    })
  })
  after(() => app.close())

  it('is a lookup failure: 503 ERR_SAML_STORE_UNAVAILABLE on every route, reported with that code', async () => {
    const login = await new TestBrowser().get(`${app.baseUrl}/saml/acme/login`, true)
    assert.equal(login.status, 503)
    const acs = await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, {
      SAMLResponse: Buffer.from(
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>',
      ).toString('base64'),
    })
    assert.equal(acs.status, 503)
    assert.equal(((await acs.json()) as { error: { code: string } }).error.code, 'ERR_SAML_STORE_UNAVAILABLE')
    assert.equal(attempts.at(-1)?.error?.code, 'ERR_SAML_STORE_UNAVAILABLE')
    assert.deepEqual(
      attempts.at(-1)?.checks.map((c) => [c.name, c.ok]),
      [
        ['message', true],
        ['idp', false],
      ],
    )
    const metadata = await new TestBrowser().get(`${app.baseUrl}/saml/acme/metadata`, true)
    assert.equal(metadata.status, 503)
  })
})

// The strategy's edge behaviour beyond validation: the onAttempt report, store failures as 503,
// the IdP named on errors, cookie options and option validation.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  MemoryIdpStore,
  MultiIdpSamlStrategy,
  SamlError,
  type IdpStore,
  type SamlAttempt,
} from '../../lib/index.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { keys } from '../support/test-idp.js'
import { acme } from '../support/tenant-idps.js'

/** A store whose backend can be switched off: what a custom adapter throws when its database is gone. */
class FlakyStore extends MemoryIdpStore {
  down = false
  override async get(id: string) {
    if (this.down)
      throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' })
    return super.get(id)
  }
}

describe('strategy edge: diagnostics, outages, options', () => {
  let app: TestApp
  const attempts: SamlAttempt[] = []
  const store = new FlakyStore()
  const sp = () => ({
    spEntityId: `${app.baseUrl}/saml/acme/metadata`,
    acsUrl: `${app.baseUrl}/saml/acme/acs`,
  })

  before(async () => {
    app = await startTestApp({
      store,
      strategy: { onAttempt: (a) => attempts.push(a) },
    })
    await store.put({
      id: 'acme',
      metadataXml: acme.metadataXml(),
      attributeMap: { email: { from: ['email'], required: true } },
      allowIdpInitiated: true,
    })
  })
  after(() => app.close())

  it('reports an accepted response with every check passed, the profile and the decoded XML', async () => {
    attempts.length = 0
    const res = await acme.createResponse({
      ...sp(),
      nameId: 'alice@acme.test',
      attributes: [{ name: 'email', values: ['a@acme.test'] }],
    })
    const post = await new TestBrowser().post(
      `${app.baseUrl}/saml/acme/acs`,
      { SAMLResponse: res.base64 },
      false,
    )
    assert.equal(post.status, 302)
    assert.equal(attempts.length, 1)
    const [attempt] = attempts
    assert.equal(attempt!.ok, true)
    assert.equal(attempt!.outcome, 'accepted')
    assert.equal(attempt!.idp, 'acme')
    assert.equal(attempt!.profile?.nameID, 'alice@acme.test')
    assert.equal(attempt!.responseXml, res.xml)
    assert.ok(attempt!.checks.length > 10 && attempt!.checks.every((c) => c.ok))
  })

  it('reports the verified assertion decrypted, while the response XML stays as posted', async () => {
    attempts.length = 0
    const res = await acme.createResponse({
      ...sp(),
      nameId: 'secret-agent@acme.test',
      attributes: [{ name: 'email', values: ['a@acme.test'] }],
      encrypt: { cert: keys.sp.cert, dataAlgorithm: 'aes256-gcm', keyAlgorithm: 'rsa-oaep-mgf1p' },
    })
    const post = await new TestBrowser().post(
      `${app.baseUrl}/saml/acme/acs`,
      { SAMLResponse: res.base64 },
      false,
    )
    assert.equal(post.status, 302)
    const [attempt] = attempts
    assert.doesNotMatch(attempt!.responseXml!, /secret-agent/)
    assert.match(attempt!.assertionXml!, /<(\w+:)?Assertion[\s>][\s\S]*secret-agent@acme\.test/)
  })

  it('reports a rejected response: the checks before the failing one passed, the failing one has its code', async () => {
    attempts.length = 0
    const res = await acme.createResponse({
      ...sp(),
      audience: 'https://someone-else.test',
      nameId: 'a@acme.test',
    })
    const post = await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: res.base64 })
    assert.equal(post.status, 400)
    const attempt = attempts[0]!
    assert.equal(attempt.ok, false)
    assert.equal(attempt.outcome, 'error')
    assert.equal(attempt.error?.code, 'ERR_SAML_AUDIENCE_MISMATCH')
    const last = attempt.checks.at(-1)!
    assert.deepEqual([last.ok, last.code], [false, 'ERR_SAML_AUDIENCE_MISMATCH'])
    assert.ok(attempt.checks.slice(0, -1).every((c) => c.ok))
    assert.ok(
      attempt.checks.some((c) => c.name.endsWith('signature')),
      'signature ran before audience',
    )
  })

  it('reports a missing required attribute and an undecodable message', async () => {
    attempts.length = 0
    const res = await acme.createResponse({ ...sp(), nameId: 'a@acme.test', attributes: [] })
    const post = await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: res.base64 })
    assert.equal(post.status, 400)
    const junk = await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, {
      SAMLResponse: '%%%not base64',
    })
    assert.equal(junk.status, 400)
    assert.deepEqual(
      attempts.map((a) => [a.error?.code, a.checks.length]),
      [
        ['ERR_SAML_ATTRIBUTE_MISSING', attempts[0]!.checks.length],
        ['ERR_SAML_MALFORMED', 1],
      ],
    )
    assert.equal(attempts[1]!.idp, undefined)
  })

  it('a store that cannot reach its backend gives 503 ERR_SAML_STORE_UNAVAILABLE, then recovers', async () => {
    const browser = new TestBrowser()
    store.down = true
    try {
      const login = await browser.get(`${app.baseUrl}/saml/acme/login`, true)
      assert.equal(login.status, 503)
      const body = (await login.json()) as { error: { code: string; message: string } }
      assert.equal(body.error.code, 'ERR_SAML_STORE_UNAVAILABLE')
      assert.doesNotMatch(body.error.message, /10\.0\.0\.5|ECONNREFUSED/, 'driver details stay server-side')
      const metadata = await browser.get(`${app.baseUrl}/saml/acme/metadata`, true)
      assert.equal(metadata.status, 503)
    } finally {
      store.down = false
    }
    const login = await browser.get(`${app.baseUrl}/saml/acme/login`)
    assert.equal(login.status, 302)
    assert.ok(readRedirectAuthnRequest(login.headers.get('location')!).id)
  })

  it('names the IdP on validation errors (err.idp)', async () => {
    const res = await acme.createResponse({ ...sp(), destination: 'https://elsewhere.test/acs', nameId: 'a' })
    const outcome = await app.strategy.serviceProvider.acs(
      { method: 'POST', url: '/saml/acme/acs', params: { idp: 'acme' }, body: { SAMLResponse: res.base64 } },
      async () => ({ user: { id: 1 } }),
    )
    assert.equal(outcome.type, 'error')
    const err = (outcome as { error: Error }).error
    assert.ok(err instanceof SamlError)
    assert.equal(err.code, 'ERR_SAML_DESTINATION_MISMATCH')
    assert.equal(err.idp, 'acme')
  })
})

describe('strategy options', () => {
  const store: IdpStore = new MemoryIdpStore()
  const verify = async () => ({ id: 1 })

  it('refuses a request TTL too short to finish a login', () => {
    for (const requestTtlMs of [0, 999, -1, 1.5]) {
      assert.throws(
        () => new MultiIdpSamlStrategy({ store, sp: { baseUrl: 'https://app.test' }, requestTtlMs }, verify),
        /"options.requestTtlMs"/,
      )
    }
  })

  it('validates bindingCookieDomain and onAttempt', () => {
    assert.throws(
      () =>
        new MultiIdpSamlStrategy(
          { store, sp: { baseUrl: 'https://app.test' }, bindingCookieDomain: 'a b' },
          verify,
        ),
      /"options.bindingCookieDomain"/,
    )
    assert.throws(
      () =>
        new MultiIdpSamlStrategy(
          { store, sp: { baseUrl: 'https://app.test' }, onAttempt: 'log' as unknown as () => void },
          verify,
        ),
      /"options.onAttempt"/,
    )
  })

  it('with bindingCookieDomain the binding cookie covers tenant hosts (byHost logins, one ACS host)', async () => {
    const app = await startTestApp({ strategy: { bindingCookieDomain: 'app.example.com' } })
    try {
      await app.store.put({ id: 'acme', metadataXml: acme.metadataXml() })
      const res = await fetch(`${app.baseUrl}/saml/acme/login`, { redirect: 'manual' })
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('saml_binding='))
      assert.ok(cookie, 'binding cookie set')
      assert.match(cookie!, /Domain=app\.example\.com/i)
      assert.match(cookie!, /HttpOnly/i)
    } finally {
      await app.close()
    }
  })

  it('uses the __Secure- prefix for a domain cookie and __Host- for a host-only one on https', async () => {
    await store.put({ id: 'acme', metadataXml: acme.metadataXml() })
    const host = new MultiIdpSamlStrategy({ store, sp: { baseUrl: 'https://app.example.com' } }, verify)
    const domain = new MultiIdpSamlStrategy(
      { store, sp: { baseUrl: 'https://app.example.com' }, bindingCookieDomain: 'example.com' },
      verify,
    )
    const cookieOf = async (strategy: MultiIdpSamlStrategy) => {
      const outcome = await strategy.serviceProvider.login({
        method: 'GET',
        url: '/saml/acme/login',
        params: { idp: 'acme' },
      })
      assert.equal(outcome.type, 'redirect')
      return (outcome as { setCookies: readonly string[] }).setCookies[0]
    }
    const hostCookie = (await cookieOf(host))!
    assert.match(hostCookie, /^__Host-saml_binding=/)
    assert.match(hostCookie, /; Secure/i)
    assert.match(hostCookie, /; SameSite=None/i)
    assert.doesNotMatch(hostCookie, /Domain=/i)
    assert.match((await cookieOf(domain))!, /^__Secure-saml_binding=.*Domain=example\.com/i)
  })
})

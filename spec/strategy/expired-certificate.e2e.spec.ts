// Issue #11 item 6: whether an expired signing certificate still verifies logins is the record's
// `acceptExpiredSigningCerts` (default true). Certificates with real past dates are made by openssl;
// responses are signed by the test IdP and posted through Express, Passport and the router.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { makeCertificate } from '../support/openssl-certificates.js'
import { keys, TestIdp } from '../support/test-idp.js'

const entityId = 'https://idp.initech.test/saml'
const ssoUrl = 'https://idp.initech.test/sso'
const DAY = 86_400_000

// Expired on 2021-01-01; the same key renewed until ten years from now; a current certificate.
const expired = makeCertificate({
  commonName: 'idp.initech.test',
  notBefore: new Date('2020-01-01T00:00:00Z'),
  notAfter: new Date('2021-01-01T00:00:00Z'),
})
const renewed = makeCertificate({
  commonName: 'idp.initech.test',
  notBefore: new Date(Date.now() - DAY),
  notAfter: new Date(Date.now() + 3650 * DAY),
  reuseKey: expired,
})

describe('acceptExpiredSigningCerts through Express and Passport', () => {
  let app: TestApp
  before(async () => {
    app = await startTestApp()
  })
  after(() => app.close())

  /** Puts record `id` for initech, starts a login there and posts the IdP's answer to the ACS. */
  async function login(
    id: string,
    record: { signingCerts: string[]; acceptExpiredSigningCerts?: boolean },
    signing = expired,
    json = false,
  ) {
    await app.store.put({ id, entityId: `${entityId}/${id}`, ssoUrl, ...record })
    const idp = new TestIdp({ entityId: `${entityId}/${id}`, ssoUrl, signing })
    const browser = new TestBrowser()
    const start = await browser.get(`${app.baseUrl}/saml/${id}/login`)
    assert.equal(start.status, 302)
    const request = readRedirectAuthnRequest(start.headers.get('location')!)
    const response = await idp.createResponse({
      spEntityId: `${app.baseUrl}/saml/${id}/metadata`,
      acsUrl: `${app.baseUrl}/saml/${id}/acs`,
      inResponseTo: request.id,
      nameId: 'peter@initech.test',
    })
    const post = await browser.post(`${app.baseUrl}/saml/${id}/acs`, { SAMLResponse: response.base64 }, json)
    const me = await browser.get(`${app.baseUrl}/me`, true)
    return { post, me }
  }

  it('by default a response signed by an expired certificate still logs in', async () => {
    const { post, me } = await login('lenient', { signingCerts: [expired.cert] })
    assert.equal(post.status, 302, await post.text())
    assert.equal(me.status, 200)
  })

  it('with acceptExpiredSigningCerts: false it is refused with ERR_SAML_CERTIFICATE_EXPIRED, a 4xx and no session', async () => {
    const { post, me } = await login(
      'strict',
      { signingCerts: [expired.cert], acceptExpiredSigningCerts: false },
      expired,
      true,
    )
    assert.ok(post.status >= 400 && post.status < 500, `status ${post.status}`)
    assert.equal(
      ((await post.json()) as { error: { code: string } }).error.code,
      'ERR_SAML_CERTIFICATE_EXPIRED',
    )
    assert.equal(me.status, 401)
  })

  it('a strict record accepts a current certificate: a new key beside the expired one, or the same key renewed', async () => {
    const rotated = await login(
      'strict-rotated',
      { signingCerts: [expired.cert, keys.idpAcme.cert], acceptExpiredSigningCerts: false },
      keys.idpAcme,
    )
    assert.equal(rotated.post.status, 302, await rotated.post.text())
    assert.equal(rotated.me.status, 200)
    // The response's KeyInfo names the expired certificate; the renewed one holds the same key.
    const renewal = await login('strict-renewed', {
      signingCerts: [expired.cert, renewed.cert],
      acceptExpiredSigningCerts: false,
    })
    assert.equal(renewal.post.status, 302, await renewal.post.text())
    assert.equal(renewal.me.status, 200)
  })
})

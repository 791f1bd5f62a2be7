// The browser binding cookie ties a response to the browser that started the login. When it does
// not come back, the error says why that usually happens and which setting fixes it; when another
// browser's cookie comes back, it says so.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MemoryIdpStore } from '../../lib/index.js'
import { SamlServiceProvider } from '../../lib/entries/core.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { acme } from '../support/tenant-idps.js'

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error
}

describe('browser binding cookie', () => {
  let app: TestApp

  before(async () => {
    app = await startTestApp()
    await app.store.put({ id: 'acme', metadataXml: acme.metadataXml() })
  })
  after(() => app.close())

  async function startLogin(browser: TestBrowser): Promise<string> {
    const start = await browser.get(`${app.baseUrl}/saml/acme/login`)
    assert.equal(start.status, 302)
    return readRedirectAuthnRequest(start.headers.get('location')!).id
  }

  const responseTo = (inResponseTo: string) =>
    acme.createResponse({
      spEntityId: `${app.baseUrl}/saml/acme/metadata`,
      acsUrl: `${app.baseUrl}/saml/acme/acs`,
      inResponseTo,
      nameId: 'alice@acme.test',
    })

  it('missing over http: names SameSite, https and bindRequestsToBrowser', async () => {
    const id = await startLogin(new TestBrowser())
    // What a browser does when it leaves a SameSite=Lax cookie out of the IdP's cross-site POST.
    const res = await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, {
      SAMLResponse: (await responseTo(id)).base64,
    })
    assert.equal(res.status, 400)
    const error = await errorOf(res)
    assert.equal(error.code, 'ERR_SAML_IN_RESPONSE_TO')
    assert.match(error.message, /saml_binding/)
    assert.match(error.message, /SameSite=Lax/)
    assert.match(error.message, /https/)
    assert.match(error.message, /bindRequestsToBrowser/)
  })

  it("another browser's cookie: says the login was started in another browser", async () => {
    const id = await startLogin(new TestBrowser())
    const other = new TestBrowser()
    await startLogin(other) // has a binding cookie of its own
    const res = await other.post(`${app.baseUrl}/saml/acme/acs`, {
      SAMLResponse: (await responseTo(id)).base64,
    })
    assert.equal(res.status, 400)
    const error = await errorOf(res)
    assert.equal(error.code, 'ERR_SAML_IN_RESPONSE_TO')
    assert.match(error.message, /started in another browser/)
  })

  it('missing on https: points at bindingCookieDomain for logins started on another host', async () => {
    const store = new MemoryIdpStore()
    await store.put({ id: 'acme', metadataXml: acme.metadataXml() })
    const baseUrl = 'https://app.example.com'
    const saml = new SamlServiceProvider({ store, sp: { baseUrl } })
    const login = await saml.login({ method: 'GET', url: '/saml/acme/login', params: { idp: 'acme' } })
    assert.equal(login.type, 'redirect')
    const id = readRedirectAuthnRequest((login as { location: string }).location).id
    const response = await acme.createResponse({
      spEntityId: `${baseUrl}/saml/acme/metadata`,
      acsUrl: `${baseUrl}/saml/acme/acs`,
      inResponseTo: id,
      nameId: 'alice@acme.test',
    })
    const outcome = await saml.acs(
      {
        method: 'POST',
        url: '/saml/acme/acs',
        params: { idp: 'acme' },
        body: { SAMLResponse: response.base64 },
      },
      async () => ({ user: { id: 1 } }),
    )
    assert.equal(outcome.type, 'error')
    const { error } = outcome as unknown as { error: { code: string; message: string } }
    assert.equal(error.code, 'ERR_SAML_IN_RESPONSE_TO')
    assert.match(error.message, /__Host-saml_binding/)
    assert.match(error.message, /bindingCookieDomain/)
    assert.doesNotMatch(error.message, /SameSite=Lax/)
  })
})

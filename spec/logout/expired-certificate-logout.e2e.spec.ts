// Issue #11 item 6 for logout: `acceptExpiredSigningCerts: false` judges the certificate that signs
// an IdP's LogoutRequest as it judges a response's, on both bindings. samlify (the IdP) signs the
// logout messages with a key whose certificate expired in 2021; logins are signed with a current key.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import samlify from 'samlify'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { makeCertificate } from '../support/openssl-certificates.js'
import { keys, TestIdp } from '../support/test-idp.js'

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'
samlify.setSchemaValidator({ validate: () => Promise.resolve('skipped') })

const expired = makeCertificate({
  commonName: 'idp.initech.test',
  notBefore: new Date('2020-01-01T00:00:00Z'),
  notAfter: new Date('2021-01-01T00:00:00Z'),
})

const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code

describe('acceptExpiredSigningCerts for IdP logout messages (Redirect and POST), samlify as the IdP', () => {
  let app: TestApp
  before(async () => {
    app = await startTestApp()
  })
  after(() => app.close())

  /**
   * Record `id` trusts the expired certificate and a current one; the user signs in with the current
   * key; samlify then sends a LogoutRequest signed with the expired key on `binding`.
   */
  async function logoutSignedByExpired(id: string, binding: 'redirect' | 'post', strict: boolean) {
    const entityId = `https://idp.initech.test/${id}`
    const current = new TestIdp({
      entityId,
      ssoUrl: `${entityId}/sso`,
      sloUrl: `${entityId}/slo`,
      signing: keys.idpAcme,
    })
    const old = new TestIdp({
      entityId,
      ssoUrl: `${entityId}/sso`,
      sloUrl: `${entityId}/slo`,
      signing: expired,
    })
    await app.store.put({
      id,
      entityId,
      ssoUrl: `${entityId}/sso`,
      sloUrls: { redirect: `${entityId}/slo`, post: `${entityId}/slo` },
      signingCerts: [expired.cert, keys.idpAcme.cert],
      allowIdpInitiated: true,
      ...(strict && { acceptExpiredSigningCerts: false }),
    })

    const browser = new TestBrowser()
    const response = await current.createResponse({
      spEntityId: `${app.baseUrl}/saml/${id}/metadata`,
      acsUrl: `${app.baseUrl}/saml/${id}/acs`,
      nameId: 'peter@initech.test',
      sessionIndex: `sess-${id}`,
    })
    const login = await browser.post(
      `${app.baseUrl}/saml/${id}/acs`,
      { SAMLResponse: response.base64 },
      false,
    )
    assert.equal(login.status, 302, await login.text())

    const sp = samlify.ServiceProvider({
      metadata: await (await fetch(`${app.baseUrl}/saml/${id}/metadata`)).text(),
      wantLogoutRequestSigned: true,
      wantLogoutResponseSigned: true,
    })
    const idp = samlify.IdentityProvider({
      metadata: old.metadataXml(),
      privateKey: expired.key,
      requestSignatureAlgorithm: RSA_SHA256,
      wantLogoutRequestSigned: true,
    })
    const request = idp.createLogoutRequest(sp, binding, {
      logoutNameID: 'peter@initech.test',
      sessionIndex: `sess-${id}`,
    } as never) as { context: string; entityEndpoint: string }
    const res =
      binding === 'redirect'
        ? await browser.get(request.context, true)
        : await browser.post(request.entityEndpoint, { SAMLRequest: request.context }, true)
    const me = await browser.get(`${app.baseUrl}/me`, true)
    return { res, me }
  }

  for (const binding of ['redirect', 'post'] as const) {
    it(`${binding}: by default a LogoutRequest signed by an expired certificate ends the session`, async () => {
      const { res, me } = await logoutSignedByExpired(`lenient-${binding}`, binding, false)
      assert.equal(res.status, 302, await res.text())
      assert.equal(me.status, 401)
    })

    it(`${binding}: with acceptExpiredSigningCerts: false it is refused with ERR_SAML_CERTIFICATE_EXPIRED and the session stays`, async () => {
      const { res, me } = await logoutSignedByExpired(`strict-${binding}`, binding, true)
      assert.equal(res.status, 400)
      assert.equal(await code(res), 'ERR_SAML_CERTIFICATE_EXPIRED')
      assert.equal(me.status, 200)
    })
  }
})

// Issue #11 item 4: the shared ACS works with records imported from a federation. A real Express app
// with Passport imports a signed aggregate (xmlsec1) from a loopback metadata server; a user finds
// their IdP with searchIdps, logs in there, and the IdP posts to /saml/acs, which finds the record by
// the response's Issuer.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { importFederation, searchIdps } from '../../lib/index.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { startMetadataServer, type MetadataServer } from '../support/metadata-server.js'
import { keys } from '../support/test-idp.js'
import { aggregate, federationIdp, registered, signedAggregate, spEntity } from './federation-fixtures.js'

describe('a user logs in at one IdP of an imported federation, through the shared ACS', () => {
  let app: TestApp
  let server: MetadataServer
  const uniA = federationIdp('uni-a', keys.idpAcme)
  const uniB = federationIdp('uni-b', keys.idpGlobex)

  before(async () => {
    app = await startTestApp()
    server = await startMetadataServer()
    const path = server.publish(
      signedAggregate(
        aggregate([
          registered(uniA.metadataXml(), {
            displayNames: { en: 'University A' },
            scopes: [{ value: 'uni-a.example' }],
          }),
          spEntity('portal'),
          registered(uniB.metadataXml(), {
            displayNames: { en: 'University B' },
            scopes: [{ value: 'uni-b.example' }],
          }),
        ]),
      ),
    )
    const result = await importFederation(
      app.store,
      { id: 'fed', url: server.url(path), signingCerts: [keys.idpGlobex.cert] },
      { fetch: { allowHttp: true, allowPrivateNetwork: true } },
    )
    assert.equal(result.created.length, 2)
  })
  after(async () => {
    await app.close()
    await server.close()
  })

  it('discovery finds the IdP, the login starts there, and /saml/acs signs the user in', async () => {
    const [hit] = await searchIdps(app.store, 'bob@uni-b.example')
    assert.equal(hit!.displayName, 'University B')
    const browser = new TestBrowser()
    const login = await browser.get(`${app.baseUrl}/saml/${hit!.id}/login`)
    assert.equal(login.status, 302)
    const request = readRedirectAuthnRequest(login.headers.get('location')!)
    assert.ok(
      login.headers.get('location')!.startsWith('https://idp.uni-b.example/idp/profile/SAML2/Redirect/SSO?'),
    )
    const response = await uniB.createResponse({
      spEntityId: request.issuer,
      acsUrl: `${app.baseUrl}/saml/acs`,
      inResponseTo: request.id,
      nameId: 'bob@uni-b.example',
    })
    const acs = await browser.post(`${app.baseUrl}/saml/acs`, { SAMLResponse: response.base64 }, false)
    assert.equal(acs.status, 302)
    const me = (await (await browser.get(`${app.baseUrl}/me`, true)).json()) as { nameID?: string }
    assert.equal(me.nameID, 'bob@uni-b.example')
    assert.equal(app.verified.at(-1)!.issuer, uniB.entityId)
  })

  it('a response signed with the key of another IdP of the federation is refused at /saml/acs', async () => {
    const browser = new TestBrowser()
    const [hit] = await searchIdps(app.store, 'University A')
    const login = await browser.get(`${app.baseUrl}/saml/${hit!.id}/login`)
    const request = readRedirectAuthnRequest(login.headers.get('location')!)
    // uni-b's key, uni-a's Issuer: the record found by Issuer pins uni-a's key only.
    const forged = await uniA.createResponse({
      spEntityId: request.issuer,
      acsUrl: `${app.baseUrl}/saml/acs`,
      inResponseTo: request.id,
      nameId: 'mallory@uni-a.example',
      signingKey: keys.idpGlobex,
    })
    const acs = await browser.post(`${app.baseUrl}/saml/acs`, { SAMLResponse: forged.base64 })
    assert.equal(acs.status, 400)
    assert.equal(((await acs.json()) as { error: { code: string } }).error.code, 'ERR_SAML_SIGNATURE_INVALID')
  })
})

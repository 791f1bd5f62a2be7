// Issue #11 item 5 end to end: an Express app with Passport whose store knows no IdP; the MDQ
// responder (a real loopback server serving xmlsec1-signed metadata) knows one. Users of that IdP
// sign in on the shared ACS (by the response's Issuer) and from a discovery link, with responses
// signed by the test IdP; an Issuer the responder does not know is ERR_SAML_UNKNOWN_IDP at one fetch
// per negative TTL; the response is still verified against the fetched metadata.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MemoryIdpStore, mdqIdpId, withMdq, type MdqLookup } from '../../lib/index.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { startMdqResponder, type MdqResponder } from '../support/mdq-responder.js'
import { signMetadata } from '../support/signed-metadata.js'
import { keys, TestIdp } from '../support/test-idp.js'

const federation = keys.idpGlobex
const university = new TestIdp({
  entityId: 'https://idp.university.test/idp/shibboleth',
  ssoUrl: 'https://idp.university.test/idp/profile/SAML2/Redirect/SSO',
  signing: keys.idpAcme,
})
const unsignedAtResponder = new TestIdp({
  entityId: 'https://idp.college.test/idp/shibboleth',
  ssoUrl: 'https://idp.college.test/sso',
  signing: keys.idpAcmeNext,
})
const id = mdqIdpId(university.entityId)

describe('MDQ end to end: sign-in with an IdP known only to the MDQ responder', () => {
  let responder: MdqResponder
  let app: TestApp
  const inner = new MemoryIdpStore()
  const lookups: MdqLookup[] = []

  before(async () => {
    responder = await startMdqResponder()
    responder.answer(university.entityId, {
      kind: 'document',
      xml: signMetadata(university.metadataXml(), federation),
    })
    responder.answer(unsignedAtResponder.entityId, {
      kind: 'document',
      xml: unsignedAtResponder.metadataXml(),
    })
    app = await startTestApp({
      store: withMdq(inner, {
        baseUrl: responder.baseUrl,
        signingCerts: [federation.cert],
        entityIdPrefixes: ['https://idp.'],
        recordFields: { allowIdpInitiated: true },
        fetch: { allowHttp: true, allowPrivateNetwork: true },
        onLookup: (lookup) => lookups.push(lookup),
      }),
    })
  })
  after(async () => {
    await app?.close()
    await responder?.close()
  })

  const sp = (idpId: string) => ({
    spEntityId: `${app.baseUrl}/saml/${idpId}/metadata`,
    acsUrl: `${app.baseUrl}/saml/acs`,
  })
  const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code

  it('an IdP-initiated response on the shared ACS signs in: the entity is fetched once and stored', async () => {
    assert.deepEqual(await inner.list(), [])
    const browser = new TestBrowser()
    const res = await university.createResponse({ ...sp(id), nameId: 'alice@university.test' })
    const post = await browser.post(`${app.baseUrl}/saml/acs`, { SAMLResponse: res.base64 }, false)
    assert.equal(post.status, 302)
    const me = (await (await browser.get(`${app.baseUrl}/me`, true)).json()) as {
      idp: string
      nameID: string
    }
    assert.deepEqual([me.idp, me.nameID], [id, 'alice@university.test'])
    assert.deepEqual(
      (await inner.list()).map((r) => [r.id, r.entityId, r.metadataUrl]),
      [[id, university.entityId, `${responder.baseUrl}/entities/${encodeURIComponent(university.entityId)}`]],
    )
    assert.equal(responder.requests(university.entityId).length, 1)
  })

  it('a discovery link to /saml/<mdqIdpId>/login starts an SP-initiated login that completes on the shared ACS', async () => {
    const browser = new TestBrowser()
    const login = await browser.get(`${app.baseUrl}/saml/${id}/login`)
    assert.equal(login.status, 302)
    const location = login.headers.get('location')!
    assert.ok(location.startsWith(university.ssoUrl))
    const request = readRedirectAuthnRequest(location)
    const res = await university.createResponse({
      spEntityId: request.issuer,
      acsUrl: `${app.baseUrl}/saml/acs`,
      inResponseTo: request.id,
      nameId: 'bob@university.test',
    })
    const post = await browser.post(
      `${app.baseUrl}/saml/acs`,
      { SAMLResponse: res.base64, RelayState: request.relayState ?? '' },
      false,
    )
    assert.equal(post.status, 302)
    const me = (await (await browser.get(`${app.baseUrl}/me`, true)).json()) as { nameID: string }
    assert.equal(me.nameID, 'bob@university.test')
    // Known since the first sign-in: no further fetch.
    assert.equal(responder.requests(university.entityId).length, 1)
  })

  it('the response is still verified against the fetched metadata: another key is refused', async () => {
    const res = await university.createResponse({ ...sp(id), signingKey: keys.attacker })
    const post = await new TestBrowser().post(`${app.baseUrl}/saml/acs`, { SAMLResponse: res.base64 })
    assert.equal(post.status, 400)
    assert.equal(await errorCode(post), 'ERR_SAML_SIGNATURE_INVALID')
  })

  it('a response from an entity the responder does not know is ERR_SAML_UNKNOWN_IDP, at one fetch per negative TTL', async () => {
    const stranger = new TestIdp({
      entityId: 'https://idp.stranger.test/idp',
      ssoUrl: 'https://idp.stranger.test/sso',
      signing: keys.attacker,
    })
    const path = `/entities/${encodeURIComponent(stranger.entityId)}`
    for (let i = 0; i < 3; i++) {
      const res = await stranger.createResponse(sp(mdqIdpId(stranger.entityId)))
      const post = await new TestBrowser().post(`${app.baseUrl}/saml/acs`, { SAMLResponse: res.base64 })
      assert.equal(post.status, 404)
      assert.equal(await errorCode(post), 'ERR_SAML_UNKNOWN_IDP')
    }
    assert.equal(responder.unknownRequests().filter((p) => p === path).length, 1)
    assert.equal(await inner.findByEntityId(stranger.entityId), undefined)
  })

  it('an Issuer outside the allow rule is ERR_SAML_UNKNOWN_IDP without any fetch', async () => {
    const before = responder.unknownRequests().length
    const outsider = new TestIdp({
      entityId: 'urn:attacker:chosen',
      ssoUrl: 'https://x.test/sso',
      signing: keys.attacker,
    })
    const post = await new TestBrowser().post(`${app.baseUrl}/saml/acs`, {
      SAMLResponse: (await outsider.createResponse(sp('x'))).base64,
    })
    assert.equal(post.status, 404)
    assert.equal(await errorCode(post), 'ERR_SAML_UNKNOWN_IDP')
    assert.equal(responder.unknownRequests().length, before)
  })

  it('unsigned metadata at the responder refuses the sign-in with ERR_SAML_METADATA_SIGNATURE, fetched once', async () => {
    const id2 = mdqIdpId(unsignedAtResponder.entityId)
    for (let i = 0; i < 2; i++) {
      const res = await unsignedAtResponder.createResponse(sp(id2))
      const post = await new TestBrowser().post(`${app.baseUrl}/saml/acs`, { SAMLResponse: res.base64 })
      assert.equal(post.status, 400)
      assert.equal(await errorCode(post), 'ERR_SAML_METADATA_SIGNATURE')
    }
    assert.equal(responder.requests(unsignedAtResponder.entityId).length, 1)
    assert.equal(await inner.get(id2), undefined)
    assert.deepEqual(
      lookups.map((l) => [l.entityId, l.outcome]),
      [
        [university.entityId, 'added'],
        ['https://idp.stranger.test/idp', 'not-found'],
        [unsignedAtResponder.entityId, 'failed'],
      ],
    )
  })
})

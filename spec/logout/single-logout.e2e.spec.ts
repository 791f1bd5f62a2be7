// Single Logout through Express and Passport against samlify as the IdP: samlify writes and signs the
// IdP's LogoutRequests and LogoutResponses, and checks the signatures of ours.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { inflateRawSync } from 'node:zlib'
import samlify from 'samlify'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { readPostForm, redirectRequest } from '../support/samlify-peer.js'
import { encryptWithSantuario, XENC } from '../support/santuario.js'
import { keys, TestIdp } from '../support/test-idp.js'

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'
// samlify insists on an XML schema validator; it serves here only as the peer that signs and checks signatures.
samlify.setSchemaValidator({ validate: () => Promise.resolve('skipped') })

const acme = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  sloUrl: 'https://idp.acme.test/slo',
  signing: keys.idpAcme,
})
const globex = new TestIdp({
  entityId: 'https://idp.globex.test/saml',
  ssoUrl: 'https://idp.globex.test/sso',
  sloUrl: 'https://idp.globex.test/slo',
  signing: keys.idpGlobex,
})

const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code

describe('Single Logout (HTTP-Redirect and HTTP-POST) with samlify as the IdP', () => {
  let app: TestApp
  let idp: ReturnType<typeof samlify.IdentityProvider>
  let attackerIdp: ReturnType<typeof samlify.IdentityProvider>
  let sp: ReturnType<typeof samlify.ServiceProvider>
  const logoutRequests: Array<{ idp: string; nameID: string }> = []

  before(async () => {
    app = await startTestApp({
      router: { onLogoutRequest: (_req, r) => void logoutRequests.push(r) },
      // A decryption key apart from the signing key: the IdP must find the signing certificate in the
      // SP metadata to check our logout messages.
      strategy: { sp: { decryptionKey: keys.spNext.key, decryptionCert: keys.spNext.cert } },
    })
    await app.store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
    await app.store.put({ id: 'globex', metadataXml: globex.metadataXml(), allowIdpInitiated: true })
    const spMetadata = await (await fetch(`${app.baseUrl}/saml/acme/metadata`)).text()
    assert.match(spMetadata, /SingleLogoutService[^>]+\/saml\/acme\/slo/)
    sp = samlify.ServiceProvider({
      metadata: spMetadata,
      wantLogoutRequestSigned: true,
      wantLogoutResponseSigned: true,
    })
    const idpSettings = {
      metadata: acme.metadataXml(),
      requestSignatureAlgorithm: RSA_SHA256,
      // samlify then checks the signatures of our LogoutRequests and LogoutResponses.
      wantLogoutRequestSigned: true,
      wantLogoutResponseSigned: true,
    }
    idp = samlify.IdentityProvider({ ...idpSettings, privateKey: keys.idpAcme.key })
    attackerIdp = samlify.IdentityProvider({ ...idpSettings, privateKey: keys.attacker.key })
  })
  after(() => app.close())

  async function signIn(nameId: string, sessionIndex: string): Promise<TestBrowser> {
    const browser = new TestBrowser()
    const response = await acme.createResponse({
      spEntityId: `${app.baseUrl}/saml/acme/metadata`,
      acsUrl: `${app.baseUrl}/saml/acme/acs`,
      nameId,
      sessionIndex,
    })
    const res = await browser.post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: response.base64 }, false)
    assert.equal(res.status, 302)
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 200)
    return browser
  }

  it('SP-initiated: ends the session, sends a signed LogoutRequest, lands on returnTo after the response', async () => {
    const browser = await signIn('alice@acme.test', 'sess-1')
    const start = await browser.get(`${app.baseUrl}/saml/acme/logout?returnTo=%2Fbye`)
    assert.equal(start.status, 302)
    const location = start.headers.get('location')!
    assert.ok(location.startsWith('https://idp.acme.test/slo?'), location)
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401, 'local session ended at once')

    // samlify checks our signature (a flipped one is refused) and reads the request.
    const forged = redirectRequest(location.replace(/Signature=[^&]+/, (m) => m.slice(0, -6) + 'AAAA%3D'))
    await assert.rejects(idp.parseLogoutRequest(sp, 'redirect', forged))
    const { extract } = await idp.parseLogoutRequest(sp, 'redirect', redirectRequest(location))
    assert.equal(extract.nameID, 'alice@acme.test')
    assert.equal(extract.sessionIndex, 'sess-1')

    const relayState = new URL(location).searchParams.get('RelayState') ?? ''
    const reply = idp.createLogoutResponse(sp, { extract }, 'redirect', relayState) as { context: string }
    const done = await browser.get(reply.context)
    assert.equal(done.status, 302)
    assert.equal(done.headers.get('location'), '/bye')

    const again = await browser.get(reply.context, true)
    assert.equal(again.status, 400)
    assert.equal(await code(again), 'ERR_SAML_IN_RESPONSE_TO')
  })

  it('IdP-initiated: a signed LogoutRequest ends the matching session and gets a signed LogoutResponse', async () => {
    const browser = await signIn('alice@acme.test', 'sess-2')
    const request = idp.createLogoutRequest(sp, 'redirect', {
      logoutNameID: 'alice@acme.test',
      sessionIndex: 'sess-2',
    } as never) as { id: string; context: string }
    const res = await browser.get(request.context)
    assert.equal(res.status, 302)
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
    assert.deepEqual(logoutRequests.at(-1), {
      idp: 'acme',
      nameID: 'alice@acme.test',
      sessionIndexes: ['sess-2'],
    })

    const location = res.headers.get('location')!
    assert.ok(location.startsWith('https://idp.acme.test/slo?'))
    const { extract } = await idp.parseLogoutResponse(sp, 'redirect', redirectRequest(location))
    assert.equal(extract.response?.inResponseTo, request.id)

    const replay = await new TestBrowser().get(request.context, true)
    assert.equal(replay.status, 400)
    assert.equal(await code(replay), 'ERR_SAML_REPLAY')
  })

  it('HTTP-POST binding: an enveloped-signed LogoutRequest is accepted', async () => {
    const browser = await signIn('carol@acme.test', 'sess-3')
    const request = idp.createLogoutRequest(sp, 'post', {
      logoutNameID: 'carol@acme.test',
      sessionIndex: 'sess-3',
    } as never) as { context: string; entityEndpoint: string }
    const res = await browser.post(request.entityEndpoint, { SAMLRequest: request.context }, false)
    assert.equal(res.status, 302, await res.text())
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
  })

  it("an EncryptedID (Santuario, to the SP's decryption key) is decrypted and ends that user's session", async () => {
    const browser = await signIn('erin@acme.test', 'sess-enc')
    const other = await signIn('frank@acme.test', 'sess-other')
    // Santuario encrypts the NameID as OpenSAML does (its namespace declared only by the context);
    // samlify writes the rest of the LogoutRequest around it and signs the Redirect query.
    const [encrypted] = await encryptWithSantuario([
      {
        xml: '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">erin@acme.test</saml:NameID></samlp:LogoutRequest>',
        target: 'NameID',
        wrapper: 'EncryptedID',
        dataAlgorithm: XENC.aes256gcm,
        keyAlgorithm: XENC.rsaOaep11,
        digest: XENC.sha256,
        mgf: XENC.mgf1sha256,
        placement: 'inline',
        recipients: [keys.spNext.cert],
      },
    ])
    const encryptedId = /<saml:EncryptedID>[\s\S]*<\/saml:EncryptedID>/.exec(encrypted!)![0]
    const template = samlify.SamlLib.defaultLogoutRequestTemplate.context.replace(
      /<saml:NameID[^>]*>\{NameID\}<\/saml:NameID>/,
      encryptedId,
    )
    assert.notEqual(template, samlify.SamlLib.defaultLogoutRequestTemplate.context)
    const encryptingIdp = samlify.IdentityProvider({
      metadata: acme.metadataXml(),
      privateKey: keys.idpAcme.key,
      requestSignatureAlgorithm: RSA_SHA256,
      logoutRequestTemplate: { context: template },
    })
    const request = encryptingIdp.createLogoutRequest(
      sp,
      'redirect',
      { sessionIndex: 'sess-enc' } as never,
      '',
      // samlify uses a custom template only with a tag replacement, which it hands the tags as well.
      (template: string, ...rest: unknown[]) => {
        const tags = rest[0] as Record<string, string>
        return { id: tags.ID!, context: samlify.SamlLib.replaceTagsByValue(template, tags) }
      },
    ) as { context: string }
    assert.match(
      inflateRawSync(
        Buffer.from(new URL(request.context).searchParams.get('SAMLRequest')!, 'base64'),
      ).toString(),
      /<saml:EncryptedID>/,
    )
    const res = await browser.get(request.context)
    assert.equal(res.status, 302, await res.text())
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
    assert.deepEqual(logoutRequests.at(-1), {
      idp: 'acme',
      nameID: 'erin@acme.test',
      sessionIndexes: ['sess-enc'],
    })
    assert.equal((await other.get(`${app.baseUrl}/me`, true)).status, 200, "another user's session stays")
  })

  it("the record's logoutBinding 'post': our LogoutRequest goes as a signed form, which samlify reads", async () => {
    await app.store.put({
      id: 'acme',
      metadataXml: acme.metadataXml(),
      allowIdpInitiated: true,
      logoutBinding: 'post',
    })
    try {
      const browser = await signIn('dave@acme.test', 'sess-post')
      const start = await browser.get(`${app.baseUrl}/saml/acme/logout?returnTo=%2Fbye`)
      assert.equal(start.status, 200)
      const { action, fields } = readPostForm(await start.text())
      assert.equal(action, 'https://idp.acme.test/slo')
      const xml = Buffer.from(fields.SAMLRequest!, 'base64').toString('utf8')
      assert.match(xml, /^<samlp:LogoutRequest /, 'the XML itself: the POST binding is not deflated')
      const { extract } = await idp.parseLogoutRequest(sp, 'post', { body: fields })
      assert.equal(extract.nameID, 'dave@acme.test')
      assert.equal(extract.sessionIndex, 'sess-post')
      assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
    } finally {
      await app.store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
    }
  })

  it('refuses forged, unsigned, tampered and cross-tenant logout messages and keeps the session', async () => {
    const browser = await signIn('dave@acme.test', 'sess-4')
    const make = (entity: typeof idp, nameId = 'dave@acme.test') =>
      (
        entity.createLogoutRequest(sp, 'redirect', {
          logoutNameID: nameId,
          sessionIndex: 'sess-4',
        } as never) as {
          context: string
        }
      ).context
    const unsigned = (() => {
      const url = new URL(make(idp))
      url.searchParams.delete('Signature')
      url.searchParams.delete('SigAlg')
      return url.href
    })()
    const tampered = make(idp).replace('SAMLRequest=', 'RelayState=%2Fevil&SAMLRequest=')
    const crossTenant = make(idp).replace('/saml/acme/slo', '/saml/globex/slo')
    const sha1 = (() => {
      const url = new URL(make(idp))
      url.searchParams.set('SigAlg', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1')
      return url.href
    })()
    const cases: Array<[string, string, string]> = [
      ['signed by an attacker key', make(attackerIdp), 'ERR_SAML_SIGNATURE_INVALID'],
      ['unsigned', unsigned, 'ERR_SAML_SIGNATURE_MISSING'],
      ['RelayState added after signing', tampered, 'ERR_SAML_SIGNATURE_INVALID'],
      ["acme's request sent to globex", crossTenant, 'ERR_SAML_SIGNATURE_INVALID'],
      ['SHA-1 signature algorithm', sha1, 'ERR_SAML_SIGNATURE_ALGORITHM'],
      ['duplicate parameter', `${make(idp)}&SAMLRequest=x`, 'ERR_SAML_BAD_REQUEST'],
    ]
    for (const [name, url, expected] of cases) {
      const res = await browser.get(url, true)
      assert.equal(res.status, 400, name)
      assert.equal(await code(res), expected, name)
      assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 200, `${name}: session kept`)
    }

    // A valid request for someone else answers success but leaves this browser's session alone.
    const other = await browser.get(make(idp, 'mallory@acme.test'))
    assert.equal(other.status, 302)
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 200)
  })

  it('refuses a logout started from another site, and an oversized RelayState', async () => {
    const browser = await signIn('erin@acme.test', 'sess-5')
    const crossSite = await browser.request(`${app.baseUrl}/saml/acme/logout`, {
      headers: { 'sec-fetch-site': 'cross-site', accept: 'application/json' },
    })
    assert.equal(crossSite.status, 400)
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 200, 'session kept')

    const request = idp.createLogoutRequest(sp, 'redirect', {
      logoutNameID: 'erin@acme.test',
      sessionIndex: 'sess-5',
    } as never) as { context: string }
    const url = new URL(request.context)
    url.searchParams.set('RelayState', 'x'.repeat(2000))
    const res = await browser.get(url.href, true)
    assert.equal(res.status, 400)
    assert.equal(await code(res), 'ERR_SAML_BAD_REQUEST')
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 200, 'session kept')
  })

  it('logout without a SAML session, or for an IdP without SLO, only ends the local session', async () => {
    await app.store.put({
      id: 'noslo',
      entityId: 'https://idp.noslo.test',
      ssoUrl: 'https://idp.noslo.test/sso',
      signingCerts: [keys.idpGlobex.cert],
    })
    const browser = new TestBrowser()
    const res = await browser.get(`${app.baseUrl}/saml/noslo/logout?returnTo=https%3A%2F%2Fevil.test%2F`)
    assert.equal(res.status, 302)
    assert.equal(res.headers.get('location'), '/')
  })

  it('a logout link naming an unknown IdP still ends the local session, and says the IdP is unknown', async () => {
    const browser = await signIn('frank@acme.test', 'sess-6')
    const res = await browser.get(`${app.baseUrl}/saml/nobody/logout`, true)
    assert.equal(res.status, 404)
    assert.equal(await code(res), 'ERR_SAML_UNKNOWN_IDP')
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401, 'signed out here all the same')
  })
})

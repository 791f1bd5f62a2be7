// pysaml2 (Debian's python3-pysaml2, signing and encrypting with xmlsec1) as the IdP: a second real
// SAML implementation, the one Shibboleth-style Python IdPs and the PySAML2/Okta example use. It
// publishes the IdP metadata we register, parses our AuthnRequest itself, and answers it with
// eduPerson attributes under their urn:oid names. `npm test` installs the packages when missing.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { pysaml2 } from '../support/pysaml2.js'
import { keys } from '../support/test-idp.js'

const keyDir = new URL('../fixtures/keys/', import.meta.url).pathname
const idp = {
  entityId: 'https://idp.uni.test/idp/shibboleth',
  ssoUrl: 'https://idp.uni.test/idp/profile/SAML2/Redirect/SSO',
  keyFile: `${keyDir}idp-globex.key.pem`,
  certFile: `${keyDir}idp-globex.cert.pem`,
}
const identity = {
  mail: ['Ada.Lovelace@uni.test'],
  givenName: ['Ada'],
  sn: ['Lovelace'],
  eduPersonAffiliation: ['member', 'staff'],
  eduPersonPrincipalName: ['ada@uni.test'],
}

/** One pysaml2 command for this IdP. */
const run = <T>(command: Record<string, unknown>) => pysaml2<T>({ idp, ...command })

describe('pysaml2 as the IdP', () => {
  let app: TestApp
  let spMetadataXml: string

  before(async () => {
    app = await startTestApp({
      // Encrypt to a key apart from the signing key, as a real deployment does.
      strategy: { sp: { decryptionKey: keys.spNext.key, decryptionCert: keys.spNext.cert } },
    })
    const { metadataXml } = await run<{ metadataXml: string }>({ op: 'metadata' })
    await app.store.put({ id: 'uni', metadataXml, attributeMap: 'eduPerson', allowIdpInitiated: true })
    spMetadataXml = await (await fetch(`${app.baseUrl}/saml/uni/metadata`)).text()
  })
  after(() => app.close())

  const respond = (extra: Record<string, unknown>) =>
    run<{ samlResponse: string; inResponseTo: string | null; requestAcsUrl: string | null }>({
      op: 'respond',
      spMetadataXml,
      spEntityId: `${app.baseUrl}/saml/uni/metadata`,
      acsUrl: `${app.baseUrl}/saml/uni/acs`,
      nameId: 'ada@uni.test',
      identity,
      ...extra,
    })

  it('SP-initiated: pysaml2 parses our AuthnRequest and its signed response logs the user in', async () => {
    const browser = new TestBrowser()
    const start = await browser.get(`${app.baseUrl}/saml/uni/login?returnTo=%2Fcourses`)
    assert.equal(start.status, 302)
    const samlRequest = new URL(start.headers.get('location')!).searchParams.get('SAMLRequest')
    const answer = await respond({ samlRequest })
    assert.ok(answer.inResponseTo, 'pysaml2 read the request ID')
    assert.equal(answer.requestAcsUrl, `${app.baseUrl}/saml/uni/acs`)
    const post = await browser.post(
      `${app.baseUrl}/saml/uni/acs`,
      { SAMLResponse: answer.samlResponse },
      false,
    )
    assert.equal(post.status, 302, await post.text())
    assert.equal(post.headers.get('location'), '/courses')
    const me = (await (await browser.get(`${app.baseUrl}/me`, true)).json()) as {
      nameID: string
      mapped: Record<string, unknown>
    }
    assert.equal(me.nameID, 'ada@uni.test')
    assert.equal(me.mapped.email, 'ada.lovelace@uni.test')
    assert.equal(me.mapped.firstName, 'Ada')
    assert.deepEqual(me.mapped.affiliation, ['member', 'staff'])
  })

  it('an assertion encrypted by xmlsec1 with AES-256-CBC is decrypted and accepted', async () => {
    const answer = await respond({ encryptAssertion: 'aes256-cbc', signResponse: true })
    const xml = Buffer.from(answer.samlResponse, 'base64').toString('utf8')
    assert.match(xml, /EncryptedAssertion/)
    assert.doesNotMatch(xml, /Lovelace/)
    const post = await new TestBrowser().post(
      `${app.baseUrl}/saml/uni/acs`,
      { SAMLResponse: answer.samlResponse },
      false,
    )
    assert.equal(post.status, 302, await post.text())
  })

  it("pysaml2's default encryption (3DES) is refused, as 3DES always is", async () => {
    const answer = await respond({ encryptAssertion: 'pysaml2-default', signResponse: true })
    assert.match(Buffer.from(answer.samlResponse, 'base64').toString('utf8'), /tripledes-cbc/)
    const browser = new TestBrowser()
    const post = await browser.post(`${app.baseUrl}/saml/uni/acs`, { SAMLResponse: answer.samlResponse })
    assert.equal(post.status, 400)
    assert.equal(
      ((await post.json()) as { error: { code: string } }).error.code,
      'ERR_SAML_ENCRYPTION_ALGORITHM',
    )
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
  })

  it('a pysaml2 response altered after signing is refused', async () => {
    const answer = await respond({ signResponse: false })
    const xml = Buffer.from(answer.samlResponse, 'base64').toString('utf8')
    assert.match(xml, /ada@uni\.test/)
    const forged = Buffer.from(xml.replaceAll('ada@uni.test', 'admin@uni.test')).toString('base64')
    const browser = new TestBrowser()
    const post = await browser.post(`${app.baseUrl}/saml/uni/acs`, { SAMLResponse: forged })
    assert.equal(post.status, 400)
    assert.equal(
      ((await post.json()) as { error: { code: string } }).error.code,
      'ERR_SAML_SIGNATURE_INVALID',
    )
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
  })
})

// No 500 anywhere in Single Logout: every malformed, forged or out-of-place message sent to the SLO
// endpoint (both bindings) and to the logout route gets a 4xx with a typed code, or an ordinary
// redirect, and the server keeps answering. What the attacker sends is hand-built on purpose.
import assert from 'node:assert/strict'
import { deflateRawSync } from 'node:zlib'
import { after, before, describe, it } from 'node:test'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { keys, TestIdp } from '../support/test-idp.js'

const acme = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  sloUrl: 'https://idp.acme.test/slo',
  signing: keys.idpAcme,
})

const deflated = (xml: string) => deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64')
const plain = (xml: string) => Buffer.from(xml, 'utf8').toString('base64')
const q = (params: Record<string, string>) => new URLSearchParams(params).toString()

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol'
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion'
const logoutRequest = (extra = '') =>
  `<samlp:LogoutRequest xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" ID="_x1" Version="2.0" IssueInstant="${new Date().toISOString()}"${extra}>` +
  `<saml:Issuer>${acme.entityId}</saml:Issuer><saml:NameID>alice@acme.test</saml:NameID></samlp:LogoutRequest>`
const logoutResponse = () =>
  `<samlp:LogoutResponse xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" ID="_r1" Version="2.0" IssueInstant="${new Date().toISOString()}" InResponseTo="_nothing">` +
  `<saml:Issuer>${acme.entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>`
const bomb =
  '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
  '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&b;</samlp:LogoutRequest>'

/** [name, method, path (under /saml), query or form fields]. */
const CASES: Array<[string, 'GET' | 'POST', string, Record<string, string> | string]> = [
  ['no parameters', 'GET', '/acme/slo', {}],
  ['an empty SAMLRequest', 'GET', '/acme/slo', { SAMLRequest: '' }],
  ['SAMLRequest not base64', 'GET', '/acme/slo', { SAMLRequest: '%%%***' }],
  ['SAMLRequest base64 but not DEFLATE', 'GET', '/acme/slo', { SAMLRequest: plain(logoutRequest()) }],
  ['DEFLATE of text that is not XML', 'GET', '/acme/slo', { SAMLRequest: deflated('hello there') }],
  ['DEFLATE of another root element', 'GET', '/acme/slo', { SAMLRequest: deflated('<foo/>') }],
  [
    'an AuthnRequest where a LogoutRequest belongs',
    'GET',
    '/acme/slo',
    { SAMLRequest: deflated(logoutRequest().replace(/LogoutRequest/g, 'AuthnRequest')) },
  ],
  ['an unsigned LogoutRequest', 'GET', '/acme/slo', { SAMLRequest: deflated(logoutRequest()) }],
  [
    'SigAlg without Signature',
    'GET',
    '/acme/slo',
    { SAMLRequest: deflated(logoutRequest()), SigAlg: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' },
  ],
  [
    'a garbage Signature',
    'GET',
    '/acme/slo',
    {
      SAMLRequest: deflated(logoutRequest()),
      SigAlg: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      Signature: 'AAAA',
    },
  ],
  [
    'an unknown SigAlg',
    'GET',
    '/acme/slo',
    { SAMLRequest: deflated(logoutRequest()), SigAlg: 'urn:x', Signature: 'AAAA' },
  ],
  ['a LogoutResponse answering nothing', 'GET', '/acme/slo', { SAMLResponse: deflated(logoutResponse()) }],
  [
    'both SAMLRequest and SAMLResponse',
    'GET',
    '/acme/slo',
    { SAMLRequest: deflated(logoutRequest()), SAMLResponse: deflated(logoutResponse()) },
  ],
  ['an entity-expansion bomb', 'GET', '/acme/slo', { SAMLRequest: deflated(bomb) }],
  [
    'a 12 KiB RelayState',
    'GET',
    '/acme/slo',
    { SAMLRequest: deflated(logoutRequest()), RelayState: 'x'.repeat(12_288) },
  ],
  [
    'a DEFLATE bomb (8 MB of spaces in 8 KB)',
    'GET',
    '/acme/slo',
    { SAMLRequest: deflateRawSync(Buffer.alloc(8_000_000, 32)).toString('base64') },
  ],
  [
    'SAMLRequest twice',
    'GET',
    '/acme/slo',
    `SAMLRequest=${encodeURIComponent(deflated(logoutRequest()))}&SAMLRequest=x`,
  ],
  ['an IdP that does not exist', 'GET', '/nobody/slo', { SAMLRequest: deflated(logoutRequest()) }],
  ['POST: no fields', 'POST', '/acme/slo', {}],
  ['POST: SAMLRequest not base64', 'POST', '/acme/slo', { SAMLRequest: '***' }],
  [
    'POST: a DEFLATEd SAMLRequest (the POST binding does not deflate)',
    'POST',
    '/acme/slo',
    { SAMLRequest: deflated(logoutRequest()) },
  ],
  ['POST: an unsigned LogoutRequest', 'POST', '/acme/slo', { SAMLRequest: plain(logoutRequest()) }],
  [
    'POST: a LogoutRequest with a broken Signature',
    'POST',
    '/acme/slo',
    {
      SAMLRequest: plain(
        logoutRequest().replace(
          '</saml:Issuer>',
          '</saml:Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>',
        ),
      ),
    },
  ],
  [
    'POST: a LogoutResponse answering nothing',
    'POST',
    '/acme/slo',
    { SAMLResponse: plain(logoutResponse()) },
  ],
  ['POST: an entity-expansion bomb', 'POST', '/acme/slo', { SAMLRequest: plain(bomb) }],
  ['logout without a session', 'GET', '/acme/logout', {}],
  ['logout with a hostile returnTo', 'GET', '/acme/logout', { returnTo: 'https://evil.test/' }],
]

describe('Single Logout: no 500 for any input', () => {
  let app: TestApp
  before(async () => {
    app = await startTestApp()
    await app.store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
  })
  after(() => app.close())

  for (const [name, method, path, fields] of CASES) {
    it(`${method} ${path}: ${name}`, async () => {
      const browser = new TestBrowser()
      const query = typeof fields === 'string' ? fields : q(fields)
      const res =
        method === 'GET'
          ? await browser.get(`${app.baseUrl}/saml${path}${query ? `?${query}` : ''}`, true)
          : await browser.post(`${app.baseUrl}/saml${path}`, fields as Record<string, string>)
      const text = await res.text()
      assert.ok(res.status < 500, `${res.status}: ${text.slice(0, 300)}`)
      if (res.status >= 400) {
        const body = JSON.parse(text) as { error: { code: string } }
        assert.match(body.error.code, /^ERR_SAML_/)
      } else {
        assert.equal(res.status, 302, 'anything but an error is the redirect that ends a local logout')
        assert.doesNotMatch(res.headers.get('location') ?? '', /evil\.test/)
      }
    })
  }

  it('still answers a normal request afterwards', async () => {
    const res = await new TestBrowser().get(`${app.baseUrl}/saml/acme/metadata`)
    assert.equal(res.status, 200)
  })
})

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import type { TestIdp } from '../support/test-idp.js'
import { keys, mutateXml, reencode, type ResponseOptions } from '../support/test-idp.js'
import { acme, globex } from '../support/tenant-idps.js'

const attributes = [
  { name: 'email', values: ['Alice@Acme.test'] },
  { name: 'firstName', values: ['Alice'] },
  { name: 'groups', values: ['admins', 'staff'] },
]

describe('MultiIdpSamlStrategy through Express and Passport', () => {
  let app: TestApp
  const sp = (idp: string) => ({
    spEntityId: `${app.baseUrl}/saml/${idp}/metadata`,
    acsUrl: `${app.baseUrl}/saml/${idp}/acs`,
  })

  before(async () => {
    app = await startTestApp()
    await app.store.put({
      id: 'acme',
      metadataXml: acme.metadataXml(),
      attributeMap: 'okta',
      allowIdpInitiated: true,
      emailDomains: ['acme.test'],
    })
    await app.store.put({
      id: 'globex',
      entityId: globex.entityId,
      ssoUrl: globex.ssoUrl,
      signingCerts: [keys.idpGlobex.cert],
    })
  })
  after(() => app.close())

  async function startLogin(browser: TestBrowser, path: string) {
    const res = await browser.get(`${app.baseUrl}${path}`)
    assert.equal(res.status, 302)
    return readRedirectAuthnRequest(res.headers.get('location')!)
  }

  async function respond(idp: TestIdp, idpId: string, options: Partial<ResponseOptions>) {
    return idp.createResponse({ ...sp(idpId), attributes, nameId: 'alice@acme.test', ...options })
  }

  it('SP-initiated login on two IdPs at once, with deep links and mapped profiles', async () => {
    const alice = new TestBrowser()
    const bob = new TestBrowser()
    const reqA = await startLogin(alice, '/saml/acme/login?returnTo=%2Freports%3Fid%3D7')
    const reqB = await startLogin(bob, '/saml/globex/login')
    assert.equal(reqA.issuer, `${app.baseUrl}/saml/acme/metadata`)
    assert.equal(reqA.acsUrl, `${app.baseUrl}/saml/acme/acs`)
    const resA = await respond(acme, 'acme', { inResponseTo: reqA.id })
    const resB = await respond(globex, 'globex', { inResponseTo: reqB.id, nameId: 'bob@globex.test' })
    const postA = await alice.post(
      `${app.baseUrl}/saml/acme/acs`,
      { SAMLResponse: resA.base64, RelayState: reqA.relayState ?? '' },
      false,
    )
    assert.equal(postA.status, 302)
    assert.equal(postA.headers.get('location'), '/reports?id=7')
    const postB = await bob.post(`${app.baseUrl}/saml/globex/acs`, { SAMLResponse: resB.base64 }, false)
    assert.equal(postB.status, 302)
    assert.equal(postB.headers.get('location'), '/')
    const meA = (await (await alice.get(`${app.baseUrl}/me`, true)).json()) as {
      idp: string
      mapped: { email: string; groups: string[] }
    }
    assert.equal(meA.idp, 'acme')
    assert.equal(meA.mapped.email, 'alice@acme.test')
    assert.deepEqual(meA.mapped.groups, ['admins', 'staff'])
    const meB = (await (await bob.get(`${app.baseUrl}/me`, true)).json()) as { idp: string; nameID: string }
    assert.deepEqual([meB.idp, meB.nameID], ['globex', 'bob@globex.test'])
  })

  it('IdP-initiated login where allowed, with a safe RelayState; refused where not', async () => {
    const browser = new TestBrowser()
    const res = await respond(acme, 'acme', {})
    const ok = await browser.post(
      `${app.baseUrl}/saml/acme/acs`,
      { SAMLResponse: res.base64, RelayState: 'https://evil.test/' },
      false,
    )
    assert.equal(ok.status, 302)
    assert.equal(ok.headers.get('location'), '/')
    const refused = await browser.post(`${app.baseUrl}/saml/globex/acs`, {
      SAMLResponse: (await respond(globex, 'globex', {})).base64,
    })
    assert.equal(refused.status, 400)
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'ERR_SAML_UNSOLICITED')
  })

  it('shared ACS picks the IdP by Issuer; discovery by email domain', async () => {
    const browser = new TestBrowser()
    const req = await startLogin(browser, '/saml/login?email=carol%40ACME.test')
    assert.equal(req.acsUrl, `${app.baseUrl}/saml/acme/acs`)
    const res = await acme.createResponse({
      spEntityId: `${app.baseUrl}/saml/acme/metadata`,
      acsUrl: `${app.baseUrl}/saml/acs`,
      inResponseTo: req.id,
      nameId: 'carol@acme.test',
    })
    const post = await browser.post(`${app.baseUrl}/saml/acs`, { SAMLResponse: res.base64 }, false)
    assert.equal(post.status, 302)
  })

  const rejects: Array<
    [
      string,
      string,
      (
        base: () => Promise<{ browser: TestBrowser; id: string }>,
      ) => Promise<{ browser: TestBrowser; body: Record<string, string>; path?: string }>,
    ]
  > = [
    [
      'attacker key',
      'ERR_SAML_SIGNATURE_INVALID',
      async (s) => {
        const { browser, id } = await s()
        return {
          browser,
          body: {
            SAMLResponse: (await respond(acme, 'acme', { inResponseTo: id, signingKey: keys.attacker }))
              .base64,
          },
        }
      },
    ],
    [
      'attacker key with trusted cert in KeyInfo',
      'ERR_SAML_SIGNATURE_INVALID',
      async (s) => {
        const { browser, id } = await s()
        return {
          browser,
          body: {
            SAMLResponse: (
              await respond(acme, 'acme', {
                inResponseTo: id,
                signingKey: keys.attacker,
                keyInfoCert: keys.idpAcme.cert,
              })
            ).base64,
          },
        }
      },
    ],
    [
      'response from IdP A posted to IdP B',
      'ERR_SAML_ISSUER_MISMATCH',
      async (s) => {
        const { browser, id } = await s()
        return {
          browser,
          path: '/saml/globex/acs',
          body: { SAMLResponse: (await acme.createResponse({ ...sp('globex'), inResponseTo: id })).base64 },
        }
      },
    ],
    [
      'wrong audience',
      'ERR_SAML_AUDIENCE_MISMATCH',
      async (s) => {
        const { browser, id } = await s()
        return {
          browser,
          body: {
            SAMLResponse: (
              await respond(acme, 'acme', { inResponseTo: id, audience: 'https://other-sp.test' })
            ).base64,
          },
        }
      },
    ],
    [
      'wrong recipient',
      'ERR_SAML_RECIPIENT_MISMATCH',
      async (s) => {
        const { browser, id } = await s()
        return {
          browser,
          body: {
            SAMLResponse: (
              await respond(acme, 'acme', { inResponseTo: id, recipient: 'https://evil.test/acs' })
            ).base64,
          },
        }
      },
    ],
    [
      'wrong destination',
      'ERR_SAML_DESTINATION_MISMATCH',
      async (s) => {
        const { browser, id } = await s()
        return {
          browser,
          body: {
            SAMLResponse: (
              await respond(acme, 'acme', { inResponseTo: id, destination: 'https://evil.test/acs' })
            ).base64,
          },
        }
      },
    ],
    [
      'expired',
      'ERR_SAML_EXPIRED',
      async (s) => {
        const { browser, id } = await s()
        return {
          browser,
          body: {
            SAMLResponse: (
              await respond(acme, 'acme', { inResponseTo: id, now: new Date(Date.now() - 3_600_000) })
            ).base64,
          },
        }
      },
    ],
    [
      'not yet valid',
      'ERR_SAML_NOT_YET_VALID',
      async (s) => {
        const { browser, id } = await s()
        return {
          browser,
          body: {
            SAMLResponse: (
              await respond(acme, 'acme', { inResponseTo: id, now: new Date(Date.now() + 3_600_000) })
            ).base64,
          },
        }
      },
    ],
    [
      'unknown InResponseTo',
      'ERR_SAML_IN_RESPONSE_TO',
      async (s) => {
        const { browser } = await s()
        return {
          browser,
          body: { SAMLResponse: (await respond(acme, 'acme', { inResponseTo: '_forged' })).base64 },
        }
      },
    ],
    [
      'login started in another browser',
      'ERR_SAML_IN_RESPONSE_TO',
      async (s) => {
        const { id } = await s()
        return {
          browser: new TestBrowser(),
          body: { SAMLResponse: (await respond(acme, 'acme', { inResponseTo: id })).base64 },
        }
      },
    ],
    [
      'assertion unsigned',
      'ERR_SAML_SIGNATURE_MISSING',
      async (s) => {
        const { browser, id } = await s()
        return {
          browser,
          body: {
            SAMLResponse: (
              await respond(acme, 'acme', { inResponseTo: id, signAssertion: false, signResponse: true })
            ).base64,
          },
        }
      },
    ],
    [
      'value changed after signing',
      'ERR_SAML_SIGNATURE_INVALID',
      async (s) => {
        const { browser, id } = await s()
        const r = await respond(acme, 'acme', { inResponseTo: id })
        return {
          browser,
          body: { SAMLResponse: reencode(r.xml.replace('alice@acme.test', 'mallory@acme.test')) },
        }
      },
    ],
    [
      'two assertions (wrapping)',
      'ERR_SAML_STRUCTURE',
      async (s) => {
        const { browser, id } = await s()
        const r = await respond(acme, 'acme', { inResponseTo: id })
        return {
          browser,
          body: {
            SAMLResponse: reencode(
              mutateXml(r.xml, (doc) => {
                const a = doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion')[0]!
                doc.documentElement!.appendChild(a.cloneNode(true))
              }),
            ),
          },
        }
      },
    ],
    [
      'DOCTYPE',
      'ERR_SAML_XML_DTD',
      async (s) => {
        const { browser, id } = await s()
        const r = await respond(acme, 'acme', { inResponseTo: id })
        return {
          browser,
          body: {
            SAMLResponse: reencode(r.xml.replace(/^(<\?xml[^>]*>)?/, '$1<!DOCTYPE x [<!ENTITY a "b">]>')),
          },
        }
      },
    ],
    [
      'not base64',
      'ERR_SAML_MALFORMED',
      async (s) => {
        const { browser } = await s()
        return { browser, body: { SAMLResponse: '%%%not-base64%%%' } }
      },
    ],
    [
      'unknown IdP',
      'ERR_SAML_UNKNOWN_IDP',
      async (s) => {
        const { browser, id } = await s()
        return {
          browser,
          path: '/saml/nobody/acs',
          body: { SAMLResponse: (await respond(acme, 'acme', { inResponseTo: id })).base64 },
        }
      },
    ],
  ]

  for (const [name, code, make] of rejects) {
    it(`rejects ${name} with ${code}, a 4xx and no session`, async () => {
      const setup = async () => {
        const browser = new TestBrowser()
        const req = await startLogin(browser, '/saml/acme/login')
        return { browser, id: req.id }
      }
      const { browser, body, path } = await make(setup)
      const res = await browser.post(`${app.baseUrl}${path ?? '/saml/acme/acs'}`, body)
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`)
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, code)
      assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
    })
  }

  it('rejects a replayed assertion', async () => {
    const browser = new TestBrowser()
    const res = await respond(acme, 'acme', {})
    assert.equal(
      (await browser.post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: res.base64 }, false)).status,
      302,
    )
    const again = await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: res.base64 })
    assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'ERR_SAML_REPLAY')
  })

  it('accepts encrypted assertions (AES-256-GCM and AES-128-CBC) and both-signed responses', async () => {
    for (const extra of [
      { encrypt: { cert: keys.sp.cert, dataAlgorithm: 'aes256-gcm' as const } },
      { encrypt: { cert: keys.sp.cert, dataAlgorithm: 'aes128-cbc' as const } },
      { signResponse: true, inclusiveNamespacesPrefixList: 'xs', namespaceStyle: 'saml2' as const },
    ]) {
      const browser = new TestBrowser()
      const req = await startLogin(browser, '/saml/acme/login')
      const res = await respond(acme, 'acme', { inResponseTo: req.id, ...extra })
      const post = await browser.post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: res.base64 }, false)
      assert.equal(post.status, 302, JSON.stringify(extra) + (await post.text()))
    }
  })

  it('serves SP metadata per IdP', async () => {
    const res = await fetch(`${app.baseUrl}/saml/acme/metadata`)
    assert.equal(res.status, 200)
    const xml = await res.text()
    assert.match(xml, new RegExp(`entityID="${app.baseUrl}/saml/acme/metadata"`))
    assert.match(xml, new RegExp(`Location="${app.baseUrl}/saml/acme/acs"`))
  })
})

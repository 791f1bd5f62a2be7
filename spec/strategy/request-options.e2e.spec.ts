// AuthnRequest options through Express and Passport: the IdP record's (RequestedAuthnContext, Scoping,
// NameIDPolicy, vendor query parameters, login hint delivery) and one login's own
// (`passport.authenticate('saml', { loginHint, forceAuthn, isPassive })`) reach the request; the
// query signature still verifies (checked by pysaml2); an enforced context refuses a response
// with another class; a NoPassive answer is a Passport failure with its own code, never a session.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import type { NextFunction, Request, Response } from 'express'
import type { AuthenticateOptions } from 'passport'
import type { SamlAuthenticateOptions } from '../../lib/index.js'
import { samlErrorHandler } from '../../lib/entries/express.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { keys, SAML_URN, type ResponseOptions } from '../support/test-idp.js'
import { acme } from '../support/tenant-idps.js'

const PYTHON = '/usr/bin/python3'
const SCRIPT = new URL('../support/pysaml2_check.py', import.meta.url).pathname
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol'
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion'
const MFA = 'http://schemas.microsoft.com/claims/multipleauthn'
const NO_PASSIVE = 'urn:oasis:names:tc:SAML:2.0:status:NoPassive'

function pysaml2VerifiesRedirect(location: string): boolean {
  const input = JSON.stringify({
    op: 'redirect',
    query: new URL(location).search.slice(1),
    cert: keys.sp.cert,
  })
  return (JSON.parse(execFileSync(PYTHON, [SCRIPT], { input, encoding: 'utf8' })) as { verified: boolean })
    .verified
}

const first = (doc: Document, ns: string, name: string) => doc.getElementsByTagNameNS(ns, name)[0]

describe('AuthnRequest options through Express and Passport', () => {
  let app: TestApp

  before(async () => {
    app = await startTestApp({
      routes: (express, auth) => {
        // An app's own login route passing per-login options (a login hint from its sign-in form).
        express.get(
          '/sign-in/:idp',
          (req: Request, res: Response, next: NextFunction) => {
            const hint = typeof req.query.hint === 'string' ? req.query.hint : undefined
            const options: SamlAuthenticateOptions = {
              ...(hint !== undefined && { loginHint: hint }),
              ...(req.query.passive === '1' && { isPassive: true }),
              forceAuthn: true,
            }
            // Passport's own options type does not know a strategy's; the strategy reads them.
            auth.authenticate('saml', options as AuthenticateOptions)(req, res, next)
          },
          samlErrorHandler(),
        )
      },
    })
    await app.store.put({
      id: 'acme',
      entityId: acme.entityId,
      ssoUrl: acme.ssoUrl,
      signingCerts: [keys.idpAcme.cert],
      signAuthnRequests: true,
      authnRequestOptions: {
        requestedAuthnContext: { classRefs: [MFA], comparison: 'exact', enforce: true },
        scoping: { proxyCount: 0 },
        nameIdPolicy: { allowCreate: false },
        queryParameters: { domain_hint: 'acme.test' },
        loginHint: { queryParameter: 'login_hint' },
      },
    })
  })
  after(() => app.close())

  async function login(browser: TestBrowser, path: string) {
    const res = await browser.get(`${app.baseUrl}${path}`)
    assert.equal(res.status, 302, await res.text())
    const location = res.headers.get('location')!
    const read = readRedirectAuthnRequest(location)
    return {
      location,
      read,
      doc: new DOMParser().parseFromString(read.xml, 'text/xml') as unknown as Document,
    }
  }

  function respond(inResponseTo: string, extra: Partial<ResponseOptions>) {
    return acme.createResponse({
      spEntityId: `${app.baseUrl}/saml/acme/metadata`,
      acsUrl: `${app.baseUrl}/saml/acme/acs`,
      nameId: 'alice@acme.test',
      inResponseTo,
      ...extra,
    })
  }

  it("the record's options reach the request; vendor parameters leave the query signature valid", async () => {
    const { location, doc } = await login(new TestBrowser(), '/saml/acme/login')
    const url = new URL(location)
    assert.equal(url.searchParams.get('domain_hint'), 'acme.test')
    assert.equal(url.searchParams.get('login_hint'), null, 'no hint asked for, none sent')
    assert.ok(url.searchParams.has('Signature'))
    assert.ok(pysaml2VerifiesRedirect(location), 'pysaml2 verifies the query signature')
    const context = first(doc, PROTOCOL, 'RequestedAuthnContext')!
    assert.equal(context.getAttribute('Comparison'), 'exact')
    assert.equal(first(doc, ASSERTION, 'AuthnContextClassRef')!.textContent, MFA)
    assert.equal(first(doc, PROTOCOL, 'Scoping')!.getAttribute('ProxyCount'), '0')
    assert.equal(first(doc, PROTOCOL, 'NameIDPolicy')!.getAttribute('AllowCreate'), 'false')
    assert.equal(first(doc, ASSERTION, 'Subject'), undefined)
    assert.equal(doc.documentElement!.hasAttribute('ForceAuthn'), false)
  })

  it("one login's options: a login hint in the Subject and as the record's query parameter, ForceAuthn", async () => {
    const { location, doc } = await login(new TestBrowser(), '/sign-in/acme?hint=alice%40acme.test')
    assert.equal(new URL(location).searchParams.get('login_hint'), 'alice@acme.test')
    assert.equal(first(doc, ASSERTION, 'NameID')!.textContent, 'alice@acme.test')
    assert.equal(doc.documentElement!.getAttribute('ForceAuthn'), 'true')
    assert.ok(pysaml2VerifiesRedirect(location))
  })

  it('a login hint with a control character is a 400, and no request is sent', async () => {
    const res = await new TestBrowser().get(`${app.baseUrl}/sign-in/acme?hint=alice%00`, true)
    assert.equal(res.status, 400)
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'ERR_SAML_BAD_REQUEST')
  })

  it('an enforced RequestedAuthnContext refuses another class (a denial) and accepts the asked one', async () => {
    const browser = new TestBrowser()
    const weak = await login(browser, '/saml/acme/login')
    const password = await respond(weak.read.id, {
      authnContextClassRef: SAML_URN.passwordProtectedTransport,
    })
    const refused = await browser.post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: password.base64 })
    assert.equal(refused.status, 401)
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'ERR_SAML_AUTHN_CONTEXT')
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)

    const strong = await login(browser, '/saml/acme/login')
    const mfa = await respond(strong.read.id, { authnContextClassRef: MFA })
    const accepted = await browser.post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: mfa.base64 }, false)
    assert.equal(accepted.status, 302)
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 200)
  })

  it('IsPassive answered with NoPassive is a Passport failure with ERR_SAML_NO_PASSIVE, no session', async () => {
    const browser = new TestBrowser()
    const passive = await login(browser, '/sign-in/acme?passive=1')
    assert.equal(passive.doc.documentElement!.getAttribute('IsPassive'), 'true')
    const answer = await respond(passive.read.id, {
      statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
      secondLevelStatus: NO_PASSIVE,
    })
    const res = await browser.post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: answer.base64 })
    assert.equal(res.status, 401)
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'ERR_SAML_NO_PASSIVE')
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
  })
})

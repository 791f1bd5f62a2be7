// The core is framework-free: an edge over plain node:http, with no Express and no Passport, is the
// few dozen lines of `edge` below, and it logs in through a real IdP flow (SP-initiated, bound to
// the browser by the core's cookie) and refuses a forged response with a typed 4xx.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { MemoryIdpStore, isSamlError, samlErrorStatus } from '../../lib/index.js'
import { SamlServiceProvider, type SamlHttpRequest } from '../../lib/entries/core.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { TestBrowser } from '../support/app.js'
import { keys } from '../support/test-idp.js'
import { acme } from '../support/tenant-idps.js'

// ---- the edge -------------------------------------------------------------------------------------
async function formOf(req: IncomingMessage): Promise<Record<string, string>> {
  let text = ''
  for await (const chunk of req) text += String(chunk)
  return Object.fromEntries(new URLSearchParams(text))
}

function edge(saml: SamlServiceProvider) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const route = /^\/saml\/([^/?]+)\/(login|acs|metadata)(\?|$)/.exec(req.url ?? '')
    if (!route) return void res.writeHead(404).end()
    const request: SamlHttpRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      params: { idp: route[1] },
      headers: req.headers,
      ...(req.method === 'POST' && { body: await formOf(req) }),
    }
    const outcome =
      route[2] === 'login'
        ? await saml.login(request)
        : route[2] === 'metadata'
          ? await saml.metadata(request)
          : await saml.acs(request, async (profile) => ({ user: { id: `${profile.idp}:${profile.nameID}` } }))
    switch (outcome.type) {
      case 'redirect':
        return void res
          .writeHead(302, { location: outcome.location, 'set-cookie': [...outcome.setCookies] })
          .end()
      case 'post-form':
        return void res
          .writeHead(200, { 'content-type': 'text/html', 'set-cookie': [...outcome.setCookies] })
          .end(outcome.html)
      case 'document':
        return void res.writeHead(200, { 'content-type': outcome.contentType }).end(outcome.body)
      case 'accepted':
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ user: outcome.user, returnTo: outcome.returnTo }))
      default: {
        const status =
          outcome.type === 'denied'
            ? 401
            : isSamlError(outcome.error)
              ? samlErrorStatus(outcome.error.code)
              : 500
        const code = isSamlError(outcome.error) ? outcome.error.code : 'ERR_INTERNAL'
        return void res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code } }))
      }
    }
  }
}
// ---------------------------------------------------------------------------------------------------

describe('the core behind a plain node:http edge', () => {
  let server: Server
  let baseUrl: string

  before(async () => {
    server = createServer()
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const store = new MemoryIdpStore()
    await store.put({ id: 'acme', metadataXml: acme.metadataXml(), attributeMap: 'okta' })
    const saml = new SamlServiceProvider({
      store,
      sp: { baseUrl, signingKey: keys.sp.key, signingCert: keys.sp.cert },
    })
    server.on('request', (req, res) => void edge(saml)(req, res).catch(() => res.writeHead(500).end()))
  })
  after(async () => {
    server.closeAllConnections()
    server.close()
  })

  it('logs in SP-initiated: AuthnRequest, binding cookie, signed response, accepted user and deep link', async () => {
    const browser = new TestBrowser()
    const start = await browser.get(`${baseUrl}/saml/acme/login?returnTo=%2Freports`)
    assert.equal(start.status, 302)
    assert.ok(browser.cookie('saml_binding'), 'the core asked for its binding cookie')
    const request = readRedirectAuthnRequest(start.headers.get('location')!)
    const response = await acme.createResponse({
      spEntityId: `${baseUrl}/saml/acme/metadata`,
      acsUrl: `${baseUrl}/saml/acme/acs`,
      inResponseTo: request.id,
      nameId: 'alice@acme.test',
    })
    const acs = await browser.post(`${baseUrl}/saml/acme/acs`, { SAMLResponse: response.base64 })
    assert.equal(acs.status, 200)
    assert.deepEqual(await acs.json(), { user: { id: 'acme:alice@acme.test' }, returnTo: '/reports' })
  })

  it('refuses a response signed by a key the IdP record does not trust, with a typed 4xx', async () => {
    const forged = await acme.createResponse({
      spEntityId: `${baseUrl}/saml/acme/metadata`,
      acsUrl: `${baseUrl}/saml/acme/acs`,
      nameId: 'mallory@acme.test',
      signingKey: keys.attacker,
    })
    const res = await new TestBrowser().post(`${baseUrl}/saml/acme/acs`, { SAMLResponse: forged.base64 })
    assert.equal(res.status, 400)
    assert.deepEqual(await res.json(), { error: { code: 'ERR_SAML_SIGNATURE_INVALID' } })
  })

  it('serves the SP metadata', async () => {
    const res = await fetch(`${baseUrl}/saml/acme/metadata`)
    assert.equal(res.status, 200)
    assert.match(
      await res.text(),
      /AssertionConsumerService [^>]*Location="http:\/\/127\.0\.0\.1:\d+\/saml\/acme\/acs"/,
    )
  })
})

// The Fastify plugin shows a refused login's trace id too: in the JSON error and on the error page,
// for an error (a tampered response, through the plugin's error handler) and for a denial (verify
// refuses, through Passport's fail), and the id finds the stored trace.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import fastifyCookie from '@fastify/cookie'
import { Authenticator } from '@fastify/passport'
import fastifySession from '@fastify/session'
import Fastify, { type FastifyInstance } from 'fastify'
import { MemoryIdpStore, MemoryTraceStore, MultiIdpSamlStrategy } from '../../lib/index.js'
import { samlPlugin } from '../../lib/entries/fastify.js'
import { TestBrowser } from '../support/app.js'
import { acme } from '../support/tenant-idps.js'
import { waitUntil } from '../support/wait-until.js'

const BASE_URL = 'http://sp.test'

describe('login traces through the Fastify plugin', () => {
  let app: FastifyInstance
  let url: string
  const traces = new MemoryTraceStore()

  before(async () => {
    const store = new MemoryIdpStore()
    await store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
    const strategy = new MultiIdpSamlStrategy(
      { store, sp: { baseUrl: BASE_URL }, traces: { store: traces } },
      async (profile) => (profile.nameID === 'nobody@acme.test' ? false : { id: profile.nameID }),
    )
    const passport = new Authenticator()
    passport.registerUserSerializer(async (user) => user)
    passport.registerUserDeserializer(async (user) => user)
    app = Fastify()
    await app.register(fastifyCookie)
    await app.register(fastifySession, {
      secret: 'a test secret of at least 32 characters',
      cookie: { secure: false },
    })
    await app.register(passport.initialize())
    await app.register(passport.secureSession())
    await app.register(samlPlugin, { prefix: '/saml', strategy, passport })
    await app.listen({ port: 0, host: '127.0.0.1' })
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  })
  after(() => app.close())

  const response = (nameId: string) =>
    acme.createResponse({
      spEntityId: `${BASE_URL}/saml/acme/metadata`,
      acsUrl: `${BASE_URL}/saml/acme/acs`,
      nameId,
    })

  it('a tampered response: 400 with the trace id in JSON and on the page, each finding its trace', async (t) => {
    const signed = await response('alice@acme.test')
    const SAMLResponse = Buffer.from(signed.xml.replace('alice@acme.test', 'mallory@acme.test')).toString(
      'base64',
    )
    const json = await new TestBrowser().post(`${url}/saml/acme/acs`, { SAMLResponse })
    const body = (await json.json()) as { error: { code: string; traceId?: string } }
    assert.equal(json.status, 400)
    assert.equal(body.error.code, 'ERR_SAML_SIGNATURE_INVALID')
    const page = await new TestBrowser().post(`${url}/saml/acme/acs`, { SAMLResponse }, false)
    const shown = /Reference for support: <code>([^<]+)<\/code>/.exec(await page.text())?.[1]
    for (const id of [body.error.traceId, shown]) {
      assert.ok(id)
      await waitUntil(async () => (await traces.get(id))?.error?.code === 'ERR_SAML_SIGNATURE_INVALID', {
        signal: t.signal,
        what: `trace ${id}`,
      })
    }
  })

  it('a refusal by verify: 401 ERR_SAML_ACCESS_DENIED with the trace id of a denied trace', async (t) => {
    const res = await new TestBrowser().post(`${url}/saml/acme/acs`, {
      SAMLResponse: (await response('nobody@acme.test')).base64,
    })
    const body = (await res.json()) as { error: { code: string; traceId?: string } }
    assert.equal(res.status, 401)
    assert.equal(body.error.code, 'ERR_SAML_ACCESS_DENIED')
    const id = body.error.traceId!
    await waitUntil(async () => (await traces.get(id))?.outcome === 'denied', {
      signal: t.signal,
      what: `trace ${id}`,
    })
  })
})

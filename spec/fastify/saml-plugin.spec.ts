// samlPlugin in process (the source, not the build): its options, what it leaves to the app (the
// app's own form parser outside its scope, the app's error handler for errors that are not SAML's),
// a denial, onSuccess, and session: false. spec/frameworks/fastify.spec.ts runs the whole wiring.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import fastifyCookie from '@fastify/cookie'
import { Authenticator } from '@fastify/passport'
import fastifySession from '@fastify/session'
import Fastify, { type FastifyInstance } from 'fastify'
import { MemoryIdpStore, MultiIdpSamlStrategy } from '../../lib/index.js'
import { samlPlugin, SAML_SESSION_KEY } from '../../lib/entries/fastify.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { TestBrowser } from '../support/app.js'
import { acme } from '../support/tenant-idps.js'

const BASE_URL = 'http://sp.test'
function strategyWith(verify: (nameID: string) => Promise<unknown>) {
  const store = new MemoryIdpStore()
  const strategy = new MultiIdpSamlStrategy({ store, sp: { baseUrl: BASE_URL } }, async (profile) =>
    verify(profile.nameID),
  )
  return { store, strategy }
}

describe('samlPlugin', () => {
  it('refuses options that cannot work, naming the option', async () => {
    const { strategy } = strategyWith(async () => ({}))
    const passport = new Authenticator()
    const cases: Array<[object, RegExp]> = [
      [{ passport }, /options\.strategy/],
      [{ strategy }, /options\.passport/],
      [{ strategy, passport, successRedirectStatus: 301 }, /options\.successRedirectStatus/],
    ]
    for (const [options, message] of cases) {
      const app = Fastify()
      await assert.rejects(
        async () => {
          await app.register(samlPlugin, {
            prefix: '/saml',
            ...(options as Parameters<typeof samlPlugin>[1]),
          })
          await app.ready()
        },
        (err: Error) => err instanceof TypeError && message.test(err.message),
      )
      await app.close()
    }
  })

  describe('in an app with its own form parser and error handler', () => {
    let app: FastifyInstance
    let url: string
    const appErrors: Error[] = []
    const successes: unknown[] = []
    const { store, strategy } = strategyWith(async (nameID) => {
      if (nameID === 'crash@acme.test') throw new Error('the user database is down')
      if (nameID === 'nobody@acme.test') return false
      return { id: nameID }
    })

    before(async () => {
      await store.put({ id: 'acme', metadataXml: acme.metadataXml() })
      const passport = new Authenticator()
      passport.registerUserSerializer(async (user) => user)
      passport.registerUserDeserializer(async (user) => user)
      app = Fastify()
      app.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string' },
        (_req, body, done) =>
          done(null, { app: 'parsed', fields: [...new URLSearchParams(body as string).keys()].length }),
      )
      app.setErrorHandler((err, _request, reply) => {
        appErrors.push(err as Error)
        return reply.code(500).send({ error: { code: 'APP_ERROR' } })
      })
      await app.register(fastifyCookie)
      await app.register(fastifySession, {
        secret: 'a test secret of at least 32 characters',
        cookie: { secure: false },
      })
      await app.register(passport.initialize())
      await app.register(passport.secureSession())
      await app.register(samlPlugin, { prefix: '/saml', strategy, passport })
      await app.register(samlPlugin, {
        prefix: '/token',
        strategy,
        passport,
        session: false,
        onSuccess: async (request, reply, info) => {
          successes.push({
            user: request.user,
            returnTo: info.returnTo,
            session: request.session.get(SAML_SESSION_KEY),
          })
          return reply.send({ token: 'issued' })
        },
      })
      app.post('/form', async (request) => request.body)
      app.get('/own/:idp/login', { preValidation: passport.authenticate(strategy) }, async () => 'unreached')
      await app.listen({ port: 0, host: '127.0.0.1' })
      url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    })
    after(() => app.close())

    async function respond(browser: TestBrowser, prefix: string, nameId: string): Promise<Response> {
      const start = await browser.get(`${url}${prefix}/acme/login`)
      assert.equal(start.status, 302)
      const { id } = readRedirectAuthnRequest(start.headers.get('location')!)
      // The SP's URLs are built from /saml (sp.pathPrefix), wherever the plugin was registered.
      const response = await acme.createResponse({
        spEntityId: `${BASE_URL}/saml/acme/metadata`,
        acsUrl: `${BASE_URL}/saml/acme/acs`,
        inResponseTo: id,
        nameId,
      })
      return browser.post(`${url}${prefix}/acme/acs`, { SAMLResponse: response.base64 })
    }

    it("keeps the app's form parser outside its scope and its own inside", async () => {
      const form = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, 'x']))
      const outside = await new TestBrowser().post(`${url}/form`, form)
      assert.deepEqual(await outside.json(), { app: 'parsed', fields: 12 })
      const inside = await new TestBrowser().post(`${url}/saml/acme/acs`, form)
      assert.equal(inside.status, 413)
      assert.equal(((await inside.json()) as { error: { code: string } }).error.code, 'ERR_SAML_TOO_LARGE')
    })

    it("hands an error of the app's own verify to the app's error handler", async () => {
      const res = await respond(new TestBrowser(), '/saml', 'crash@acme.test')
      assert.equal(res.status, 500)
      assert.deepEqual(await res.json(), { error: { code: 'APP_ERROR' } })
      assert.equal(appErrors.at(-1)?.message, 'the user database is down')
    })

    it('answers a refusal by verify with 401 ERR_SAML_ACCESS_DENIED', async () => {
      const res = await respond(new TestBrowser(), '/saml', 'nobody@acme.test')
      assert.equal(res.status, 401)
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'ERR_SAML_ACCESS_DENIED')
    })

    it("a login route of the app's own through fastifyPassport.authenticate reports why it cannot set the cookie", async () => {
      const res = await new TestBrowser().get(`${url}/own/acme/login`)
      assert.equal(res.status, 500) // the app's error handler decides
      const err = appErrors.at(-1) as Error & { code?: string }
      assert.equal(err.code, 'ERR_SAML_BAD_REQUEST')
      assert.match(err.message, /binding cookie.*no response object.*docs\/frameworks\.md/)
    })

    it('calls onSuccess instead of redirecting; with session: false it keeps nothing in the session', async () => {
      const res = await respond(new TestBrowser(), '/token', 'alice@acme.test')
      assert.equal(res.status, 200)
      assert.deepEqual(await res.json(), { token: 'issued' })
      assert.deepEqual(successes.at(-1), {
        user: { id: 'alice@acme.test' },
        returnTo: '/',
        session: undefined,
      })
    })
  })
})

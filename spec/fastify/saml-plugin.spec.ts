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
import { generateKeyPairSync } from 'node:crypto'
import {
  createTokenHandoff,
  MemoryIdpStore,
  MultiIdpSamlStrategy,
  verifyHandoffToken,
} from '../../lib/index.js'
import { samlPlugin, SAML_SESSION_KEY } from '../../lib/entries/fastify.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { TestBrowser } from '../support/app.js'
import type { TestIdp } from '../support/test-idp.js'
import { acme, globex } from '../support/tenant-idps.js'

const BASE_URL = 'http://sp.test'
const handoffKeys = generateKeyPairSync('ed25519')
const tokenHandoff = createTokenHandoff({
  algorithm: 'EdDSA',
  key: handoffKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  frontendUrl: 'https://app.example.test/auth/callback',
  issuer: 'https://api.example.test',
  audience: 'app.example.test',
})
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
      [{ strategy, passport, tokenHandoff: { issue: 'no' } }, /options\.tokenHandoff/],
      [{ strategy, passport, tokenHandoff, onSuccess: () => undefined }, /tokenHandoff.*onSuccess/],
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
      // A front end on a host the hand-off does not allow: its users get an error, never a token.
      await store.put({
        id: 'globex',
        metadataXml: globex.metadataXml(),
        frontendUrl: 'https://evil.example.net/',
      })
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
      await app.register(samlPlugin, { prefix: '/spa', strategy, passport, tokenHandoff })
      app.post('/form', async (request) => request.body)
      app.get('/own/:idp/login', { preValidation: passport.authenticate(strategy) }, async () => 'unreached')
      await app.listen({ port: 0, host: '127.0.0.1' })
      url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    })
    after(() => app.close())

    async function respond(
      browser: TestBrowser,
      prefix: string,
      nameId: string,
      [idp, idpId]: [TestIdp, string] = [acme, 'acme'],
    ): Promise<Response> {
      const start = await browser.get(`${url}${prefix}/${idpId}/login?returnTo=%2Freports`)
      assert.equal(start.status, 302)
      const { id } = readRedirectAuthnRequest(start.headers.get('location')!)
      // The SP's URLs are built from /saml (sp.pathPrefix), wherever the plugin was registered.
      const response = await idp.createResponse({
        spEntityId: `${BASE_URL}/saml/${idpId}/metadata`,
        acsUrl: `${BASE_URL}/saml/${idpId}/acs`,
        inResponseTo: id,
        nameId,
      })
      return browser.post(`${url}${prefix}/${idpId}/acs`, { SAMLResponse: response.base64 })
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
        returnTo: '/reports',
        session: undefined,
      })
    })

    it('tokenHandoff: redirects to the front end with a verifiable token in the fragment, never the query', async () => {
      const res = await respond(new TestBrowser(), '/spa', 'alice@acme.test')
      assert.equal(res.status, 302)
      assert.equal(res.headers.get('cache-control'), 'no-store')
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer')
      const location = new URL(res.headers.get('location')!)
      assert.equal(location.origin + location.pathname, 'https://app.example.test/auth/callback')
      assert.equal(location.search, '')
      const fragment = new URLSearchParams(location.hash.slice(1))
      assert.equal(fragment.get('returnTo'), '/reports')
      const claims = await verifyHandoffToken(fragment.get('token')!, {
        key: handoffKeys.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
        algorithms: ['EdDSA'],
        issuer: 'https://api.example.test',
        audience: 'app.example.test',
      })
      assert.equal(claims.sub, 'alice@acme.test')
      assert.equal(claims.idp, 'acme')
    })

    it('tokenHandoff to a front end on a foreign host: 500 ERR_SAML_IDP_UNUSABLE and no redirect (no token leaves)', async () => {
      const browser = new TestBrowser()
      const res = await respond(browser, '/spa', 'mallory@globex.test', [globex, 'globex'])
      assert.equal(res.status, 500)
      assert.equal(res.headers.get('location'), null)
      const body = (await res.json()) as { error: { code: string; message: string } }
      assert.equal(body.error.code, 'ERR_SAML_IDP_UNUSABLE')
      assert.match(body.error.message, /evil\.example\.net/)
    })
  })
})

// Errors thrown by application code the strategy calls into (onSuccess, a custom Passport callback)
// end the request through Express's error handling: never a crash, an unhandled rejection or a hang.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import express from 'express'
import passport from 'passport'
import { MemoryIdpStore, MultiIdpSamlStrategy, type VerifyFunction } from '../../lib/index.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { acme } from '../support/tenant-idps.js'

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => void unhandled.push(reason)

describe('errors thrown by application callbacks', { timeout: 120_000 }, () => {
  let app: TestApp
  before(async () => {
    process.on('unhandledRejection', onUnhandled)
    app = await startTestApp({
      router: {
        session: false,
        onSuccess: () => {
          throw new Error('onSuccess bug')
        },
      },
    })
    await app.store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
  })
  after(async () => {
    await app.close()
    process.off('unhandledRejection', onUnhandled)
  })

  it('an onSuccess that throws synchronously gives a 500, and the server keeps serving', async () => {
    const sp = { spEntityId: `${app.baseUrl}/saml/acme/metadata`, acsUrl: `${app.baseUrl}/saml/acme/acs` }
    for (let i = 0; i < 2; i++) {
      const response = await acme.createResponse({ ...sp, nameId: 'alice@acme.test' })
      const res = await new TestBrowser().post(
        `${app.baseUrl}/saml/acme/acs`,
        { SAMLResponse: response.base64 },
        false,
      )
      assert.equal(res.status, 500)
    }
    assert.deepEqual(unhandled, [])
  })

  for (const form of ['async verify', 'callback verify'] as const) {
    // A callback bug that left the request hanging fails on the suite's timeout, whose signal also aborts
    // the request: no wall-clock deadline of the request's own.
    it(`a custom Passport callback that throws on success reaches next(err) (${form})`, async (t) => {
      const store = new MemoryIdpStore()
      const verify: VerifyFunction =
        form === 'async verify'
          ? async (profile) => ({ id: profile.nameID })
          : (profile, done) => done(null, { id: profile.nameID })
      const server = createServer()
      server.listen(0, '127.0.0.1')
      await once(server, 'listening')
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const strategy = new MultiIdpSamlStrategy(
        { store, sp: { baseUrl }, bindRequestsToBrowser: false },
        verify,
      )
      await store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
      const auth = new passport.Passport()
      auth.use(strategy)
      const web = express()
      web.post('/saml/:idp/acs', express.urlencoded({ extended: false }), (req, res, next) =>
        auth.authenticate('saml', { session: false }, (err: unknown, user: unknown) => {
          if (err) return next(err)
          if (user) throw new Error('callback bug')
          res.sendStatus(401)
        })(req, res, next),
      )
      web.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).send(err.message)
      })
      server.on('request', web)
      try {
        const response = await acme.createResponse({
          spEntityId: `${baseUrl}/saml/acme/metadata`,
          acsUrl: `${baseUrl}/saml/acme/acs`,
          nameId: 'bob@acme.test',
        })
        const res = await fetch(`${baseUrl}/saml/acme/acs`, {
          method: 'POST',
          body: new URLSearchParams({ SAMLResponse: response.base64 }),
          signal: t.signal,
        })
        assert.equal(res.status, 500)
        assert.equal(await res.text(), 'callback bug')
        assert.deepEqual(unhandled, [])
      } finally {
        server.closeAllConnections()
        server.close()
      }
    })
  }
})

// Fastify 5 with @fastify/passport and @fastify/session: the routes come from samlPlugin
// (`passport-saml-multi-idp/fastify`), which sends the binding cookie and the HTTP-POST binding's
// page itself (a Fastify request has no `res` for the strategy to write to) and runs the ACS through
// `fastifyPassport.authenticate`.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeFrameworkApp, root, startApp } from './framework-app.js'
import { TestBrowser } from '../support/app.js'

describeFrameworkApp(
  'Fastify 5 + @fastify/passport, ESM TypeScript, the built package by name',
  () => startApp(['--import', 'tsx', 'app.ts'], { cwd: `${root}spec/frameworks/apps/fastify` }),
  (app) => {
    it('answers a browser with the error page, a JSON client with JSON; an oversized form is a typed 413', async () => {
      const page = await new TestBrowser().post(`${app().url}/saml/acme/acs`, { SAMLResponse: 'x' }, false)
      assert.equal(page.status, 400)
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
      assert.match(await page.text(), /ERR_SAML_/)
      const big = await new TestBrowser().post(`${app().url}/saml/acme/acs`, {
        SAMLResponse: 'A'.repeat(400_000),
      })
      assert.equal(big.status, 413)
      assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'ERR_SAML_TOO_LARGE')
    })
  },
)

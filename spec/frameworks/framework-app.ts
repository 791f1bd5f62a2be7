// What every framework wiring of docs/frameworks.md must do, run against that framework's app in a
// child process (spec/frameworks/apps/*), loaded the way a user runs it and importing the BUILT
// package by its name: SP-initiated login through a real IdP flow (bound to the browser by the
// binding cookie, on both bindings), the shared ACS and discovery, SP metadata, logout, and a
// forged or unbound response refused with its typed 4xx, never a 500.
//
// The app listens on 127.0.0.1 on a port of its own choosing; its `sp.baseUrl` is a public origin
// (`http://sp.test`), as behind a reverse proxy, so nothing waits for a port to be known up front.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { TestBrowser } from '../support/app.js'
import { keys, TestIdp } from '../support/test-idp.js'
import { globex } from '../support/tenant-idps.js'

export const root = new URL('../../', import.meta.url).pathname
export const BASE_URL = 'http://sp.test'

export const acme = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  sloUrl: 'https://idp.acme.test/slo',
  signing: keys.idpAcme,
})
/** An IdP that takes AuthnRequests on the HTTP-POST binding only: login start is a page, not a redirect. */
export /** The IdP records every app puts in its store (IDP_RECORDS). */
const RECORDS = [
  { id: 'acme', metadataXml: acme.metadataXml(), attributeMap: 'okta', emailDomains: ['acme.test'] },
  { id: 'globex', metadataXml: globex.metadataXml(), authnRequestBinding: 'post' },
]

export interface RunningApp {
  /** Where the app listens: `http://127.0.0.1:<port>`. */
  readonly url: string
  /** The CommonJS packages the app had loaded when it was ready (report-ready.cjs). */
  readonly packages: readonly string[]
  stop(): Promise<void>
}

/**
 * Starts `node <args>` in `cwd` with the apps' environment and waits until it prints its ready
 * line (never a fixed delay); rejects if it exits first.
 */
export async function startApp(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.cwd ?? root,
    env: {
      ...process.env,
      BASE_URL,
      PORT: '0',
      IDP_RECORDS: JSON.stringify(RECORDS),
      SP_KEY: keys.sp.key,
      SP_CERT: keys.sp.cert,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  // The ready line is the first that starts with {"port": (a framework may log before it).
  const lines = createInterface({ input: child.stdout! })
  const readyLine = new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('{"port":')) resolve(line)
    })
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before listening`)))
  })
  const ready = JSON.parse(await readyLine) as { port: number; packages: string[] }
  return {
    url: `http://127.0.0.1:${ready.port}`,
    packages: ready.packages,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    },
  } satisfies RunningApp
}

interface ErrorBody {
  error: { code: string; message: string }
}

async function errorOf(res: Response): Promise<ErrorBody['error']> {
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/)
  const body = (await res.json()) as ErrorBody
  assert.equal(typeof body.error.message, 'string')
  return body.error
}

/** The SAMLRequest of the HTTP-POST binding's auto-submitting page. */
function postedAuthnRequestId(html: string): string {
  const encoded = /name="SAMLRequest" value="([^"]+)"/.exec(html)?.[1]
  assert.ok(encoded, 'the page posts a SAMLRequest')
  const xml = Buffer.from(encoded, 'base64').toString('utf8')
  const id = /<(?:\w+:)?AuthnRequest[^>]*\sID="([^"]+)"/.exec(xml)?.[1]
  assert.ok(id, 'the AuthnRequest has an ID')
  return id
}

/**
 * Registers the behaviour every wiring must have, against the app `start` runs. `extra` adds the
 * framework's own checks (which Express it loaded, …).
 */
export function describeFrameworkApp(
  title: string,
  start: () => Promise<RunningApp>,
  extra?: (app: () => RunningApp) => void,
): void {
  describe(title, () => {
    let app: RunningApp
    before(async () => {
      app = await start()
    })
    after(() => app?.stop())

    const sp = (idp: string, acs = `${BASE_URL}/saml/${idp}/acs`) => ({
      spEntityId: `${BASE_URL}/saml/${idp}/metadata`,
      acsUrl: acs,
    })

    async function startLogin(browser: TestBrowser, path: string): Promise<string> {
      const res = await browser.get(`${app.url}${path}`)
      assert.equal(res.status, 302)
      const location = res.headers.get('location')!
      assert.ok(location.startsWith(acme.ssoUrl), location)
      assert.ok(browser.cookie('saml_binding'), 'the binding cookie is set with the redirect')
      return readRedirectAuthnRequest(location).id
    }

    async function me(browser: TestBrowser): Promise<Response> {
      return browser.get(`${app.url}/me`, true)
    }

    it('logs in SP-initiated through the IdP: binding cookie, signed response, session, deep link', async () => {
      const browser = new TestBrowser()
      const id = await startLogin(browser, '/saml/acme/login?returnTo=%2Freports%3Fid%3D7')
      const response = await acme.createResponse({
        ...sp('acme'),
        inResponseTo: id,
        nameId: 'alice@acme.test',
        attributes: [{ name: 'email', values: ['Alice@Acme.test'] }],
      })
      const acs = await browser.post(`${app.url}/saml/acme/acs`, { SAMLResponse: response.base64 }, false)
      assert.ok([302, 303].includes(acs.status), `ACS answered ${acs.status}`)
      assert.equal(acs.headers.get('location'), '/reports?id=7')
      const user = await me(browser)
      assert.equal(user.status, 200)
      assert.deepEqual(await user.json(), { id: 'acme:alice@acme.test', email: 'alice@acme.test' })
    })

    it('refuses a response signed by a key the IdP record does not trust: typed 400, no session', async () => {
      const browser = new TestBrowser()
      const id = await startLogin(browser, '/saml/acme/login')
      const forged = await acme.createResponse({
        ...sp('acme'),
        inResponseTo: id,
        nameId: 'mallory@acme.test',
        signingKey: keys.attacker,
      })
      const res = await browser.post(`${app.url}/saml/acme/acs`, { SAMLResponse: forged.base64 })
      assert.equal(res.status, 400)
      assert.equal((await errorOf(res)).code, 'ERR_SAML_SIGNATURE_INVALID')
      assert.equal((await me(browser)).status, 401)
    })

    it('refuses a genuine response in a browser without the binding cookie: ERR_SAML_IN_RESPONSE_TO', async () => {
      const id = await startLogin(new TestBrowser(), '/saml/acme/login')
      const response = await acme.createResponse({ ...sp('acme'), inResponseTo: id })
      const res = await new TestBrowser().post(`${app.url}/saml/acme/acs`, { SAMLResponse: response.base64 })
      assert.equal(res.status, 400)
      assert.equal((await errorOf(res)).code, 'ERR_SAML_IN_RESPONSE_TO')
    })

    it('discovery by email domain, then the shared ACS picks the IdP by Issuer', async () => {
      const browser = new TestBrowser()
      const id = await startLogin(browser, '/saml/login?email=carol%40acme.test')
      const response = await acme.createResponse({
        ...sp('acme', `${BASE_URL}/saml/acs`),
        inResponseTo: id,
        nameId: 'carol@acme.test',
      })
      const acs = await browser.post(`${app.url}/saml/acs`, { SAMLResponse: response.base64 }, false)
      assert.ok([302, 303].includes(acs.status), `ACS answered ${acs.status}`)
      assert.equal(acs.headers.get('location'), '/')
      assert.equal(((await (await me(browser)).json()) as { id: string }).id, 'acme:carol@acme.test')
    })

    it('HTTP-POST binding: login start is the auto-submitting page, with the binding cookie', async () => {
      const browser = new TestBrowser()
      const page = await browser.get(`${app.url}/saml/globex/login`)
      assert.equal(page.status, 200)
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
      assert.equal(page.headers.get('cache-control'), 'no-store')
      assert.ok(browser.cookie('saml_binding'), 'the binding cookie is set with the page')
      const html = await page.text()
      assert.ok(html.includes(`action="${globex.ssoUrl}"`), 'the form posts to the IdP')
      const response = await globex.createResponse({
        ...sp('globex'),
        inResponseTo: postedAuthnRequestId(html),
        nameId: 'bob@globex.test',
      })
      const acs = await browser.post(`${app.url}/saml/globex/acs`, { SAMLResponse: response.base64 }, false)
      assert.ok([302, 303].includes(acs.status), `ACS answered ${acs.status}`)
      assert.equal(((await (await me(browser)).json()) as { id: string }).id, 'globex:bob@globex.test')
    })

    it('serves the SP metadata; an unknown IdP is a typed 404', async () => {
      const res = await fetch(`${app.url}/saml/acme/metadata`)
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-type') ?? '', /^application\/samlmetadata\+xml/)
      assert.ok((await res.text()).includes(`Location="${BASE_URL}/saml/acme/acs"`))
      const unknown = await new TestBrowser().get(`${app.url}/saml/nobody/login`, true)
      assert.equal(unknown.status, 404)
      assert.equal((await errorOf(unknown)).code, 'ERR_SAML_UNKNOWN_IDP')
    })

    it('logout ends the session and sends a LogoutRequest to the IdP; SLO refuses an empty request', async () => {
      const browser = new TestBrowser()
      const id = await startLogin(browser, '/saml/acme/login')
      const response = await acme.createResponse({ ...sp('acme'), inResponseTo: id })
      await browser.post(`${app.url}/saml/acme/acs`, { SAMLResponse: response.base64 }, false)
      assert.equal((await me(browser)).status, 200)
      const logout = await browser.get(`${app.url}/saml/acme/logout?returnTo=%2Fbye`)
      assert.equal(logout.status, 302)
      const location = new URL(logout.headers.get('location')!)
      assert.equal(`${location.origin}${location.pathname}`, acme.sloUrl)
      assert.ok(location.searchParams.get('SAMLRequest'), 'a LogoutRequest to the IdP')
      assert.equal((await me(browser)).status, 401)
      const slo = await browser.post(`${app.url}/saml/acme/slo`, { RelayState: 'x' })
      assert.equal(slo.status, 400)
      assert.equal((await errorOf(slo)).code, 'ERR_SAML_BAD_REQUEST')
    })

    extra?.(() => app)
  })
}

/**
 * Drives the demo over HTTP like a browser without JavaScript: a cookie jar, no automatic redirects,
 * and helpers that read the forms the embedded IdP renders.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { startDemo, type RunningDemo, type StartDemoOptions } from '../../demo/app.js'
import { TestBrowser } from '../support/app.js'

export { TestBrowser }

/** A demo on port 0 with a fresh temporary DATA_DIR, removed by `close()`. */
export async function startTestDemo(
  options: Partial<StartDemoOptions> = {},
): Promise<RunningDemo & { dataDir: string }> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'saml-demo-')))
  const demo = await startDemo({ port: 0, host: '127.0.0.1', ...options, dataDir }).catch(
    async (err: unknown) => {
      await rm(dataDir, { recursive: true, force: true })
      throw err
    },
  )
  return {
    ...demo,
    url: demo.url,
    dataDir,
    close: async () => {
      await demo.close()
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true })
    },
  }
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
}

/** The `value` of the input named `name` in `html`. */
export function inputValue(html: string, name: string): string | undefined {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html)
  return match ? decodeEntities(match[1]!) : undefined
}

/** The `action` of the first form in `html`. */
export function formAction(html: string): string {
  const match = /<form[^>]*action="([^"]*)"/.exec(html)
  assert.ok(match, 'the page has a form')
  return decodeEntities(match[1]!)
}

export interface IdpPost {
  /** The ACS the IdP posts to. */
  action: string
  SAMLResponse: string
  RelayState?: string
  /** The decoded response XML. */
  xml: string
}

/** Signs in at the embedded IdP's login form (`loginPageUrl` already shown) and reads the auto-post form. */
export async function loginAtIdp(
  browser: TestBrowser,
  loginPage: string,
  loginUrl: string,
  username: string,
  password: string,
): Promise<IdpPost> {
  const context = inputValue(loginPage, 'context') ?? ''
  const res = await browser.request(loginUrl, {
    method: 'POST',
    form: { context, username, password },
  })
  const html = await res.text()
  assert.equal(res.status, 200, html.slice(0, 500))
  const SAMLResponse = inputValue(html, 'SAMLResponse')
  assert.ok(SAMLResponse, 'the IdP answered with a SAMLResponse form')
  return {
    action: formAction(html),
    SAMLResponse,
    RelayState: inputValue(html, 'RelayState'),
    xml: Buffer.from(SAMLResponse, 'base64').toString('utf8'),
  }
}

/**
 * SP-initiated login up to the IdP's POST: app login URL → IdP SSO (login form) → credentials.
 * Returns the IdP's post and the AuthnRequest's redirect URL.
 */
export async function spInitiated(
  browser: TestBrowser,
  demo: { url: string },
  startPath: string,
  username: string,
  password: string,
): Promise<IdpPost & { ssoUrl: string }> {
  const start = await browser.get(`${demo.url}${startPath}`)
  assert.equal(start.status, 302, await start.text())
  const ssoUrl = start.headers.get('location')!
  const form = await browser.get(ssoUrl)
  const page = await form.text()
  assert.equal(form.status, 200, page.slice(0, 500))
  const tenant = new URL(ssoUrl).pathname.split('/')[2]!
  const post = await loginAtIdp(browser, page, `${demo.url}/idp/${tenant}/login`, username, password)
  return { ...post, ssoUrl }
}

/** Posts the IdP's response to `action` (default its own ACS). */
export function postToAcs(
  browser: TestBrowser,
  post: IdpPost,
  action = post.action,
  json = true,
): Promise<Response> {
  const form: Record<string, string> = { SAMLResponse: post.SAMLResponse }
  if (post.RelayState !== undefined) form.RelayState = post.RelayState
  return browser.post(action, form, json)
}

/** A browser signed in to the demo's admin pages with `password`. */
export async function adminBrowser(demo: { url: string }, password: string): Promise<TestBrowser> {
  const browser = new TestBrowser()
  const res = await browser.request(`${demo.url}/admin/login`, { method: 'POST', form: { password } })
  assert.equal(res.status, 303, 'the admin password is accepted')
  return browser
}

// A real browser (Debian's Chromium through playwright-core) clicks through the demo: deep link →
// sign in → pick the IdP → log in at the embedded IdP → back on the deep link with the profile; then
// discovery by email; a password login (a tenant without SSO); a key rotation at the embedded IdP
// with a metadata refresh; break-glass; then the admin pages. Screenshots go to test-output/demo/.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startTestDemo } from './demo-client.js'

const CHROMIUM = '/usr/bin/chromium'
const OUT = join('test-output', 'demo')
const ADMIN_PASSWORD = 'browser-spec-password'

type Demo = Awaited<ReturnType<typeof startTestDemo>>

describe('demo in a real browser', { timeout: 300_000 }, () => {
  let demo: Demo
  let browser: Browser

  // playwright-core launches Chromium with a fresh temporary profile of its own and removes it on close.
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: npm test installs it (apt-get install chromium)`)
    mkdirSync(OUT, { recursive: true })
    // The metadata refresher runs, but fetches only when asked ("Refresh metadata now"): the rotation
    // step checks the record before and after the refresh it asks for.
    const hour = 3_600_000
    demo = await startTestDemo({
      adminPassword: ADMIN_PASSWORD,
      metadataRefresh: { checkIntervalMs: hour, minIntervalMs: hour, maxIntervalMs: hour, immediate: false },
      auditLog: () => {},
    })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    })
  })

  after(async () => {
    await browser?.close()
    await demo?.close()
  })

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 860 } })
    const page = await context.newPage()
    // No deadline of Playwright's own on a wait (a busy machine only makes pages slower): the suite's
    // timeout bounds the run, and closing the browser in `after` ends any wait still pending.
    page.setDefaultTimeout(0)
    return page
  }

  async function signInAtIdp(page: Page, user: string): Promise<void> {
    // The IdP's test-user table fills the form.
    await page.click(`button.fill[data-user="${user}"]`)
    await page.click('form#login button[type=submit]')
  }

  it('deep link → sign in → pick the IdP → embedded IdP → back on the deep link with the profile', async () => {
    const page = await newPage()
    try {
      await page.goto(`${demo.url}/deep/link?tab=reports`)
      assert.equal(new URL(page.url()).pathname, '/login', 'an anonymous visit is sent to sign in')
      await page.screenshot({ path: join(OUT, 'login.png'), fullPage: true })
      await page.click('a[data-idp="acme"]')
      await page.waitForURL(/\/idp\/acme\/sso\?/)
      await page.screenshot({ path: join(OUT, 'idp-login.png'), fullPage: true })
      await signInAtIdp(page, 'alice@acme.test')
      await page.waitForURL(`${demo.url}/deep/link?tab=reports`)
      assert.equal(await page.textContent('#deep-link'), 'You are on the deep link')
      assert.equal(await page.textContent('#signed-in-idp'), 'acme')
      assert.equal(await page.textContent('#signed-in-nameid'), 'alice@acme.test')
      assert.equal(await page.textContent('td[data-field="email"]'), 'alice@acme.test')
      assert.match((await page.textContent('td[data-field="groups"]')) ?? '', /engineering/)
      await page.goto(`${demo.url}/`)
      await page.screenshot({ path: join(OUT, 'home-signed-in.png'), fullPage: true })

      await page.click('header form[action="/logout"] button')
      await page.waitForURL(`${demo.url}/`)
      assert.ok(await page.isVisible('#sign-in'))
      await page.screenshot({ path: join(OUT, 'home.png'), fullPage: true })
    } finally {
      await page.context().close()
    }
  })

  it('signs in through discovery by work email (Globex, encrypted assertion)', async () => {
    const page = await newPage()
    try {
      await page.goto(`${demo.url}/`)
      await page.click('#sign-in')
      await page.fill('#email', 'carol@globex.test')
      await page.click('#continue')
      await page.waitForURL(/\/idp\/globex\/sso\?/)
      await signInAtIdp(page, 'carol@globex.test')
      await page.waitForURL(`${demo.url}/`)
      assert.equal(await page.textContent('#signed-in-idp'), 'globex')
      assert.equal(await page.textContent('td[data-field="displayName"]'), 'Carol Chen')
      assert.match((await page.textContent('td[data-field="groups"]')) ?? '', /engineering/)
    } finally {
      await page.context().close()
    }
  })

  it('signs in with a password through discovery by email (Initech, no SSO), then signs out', async () => {
    const page = await newPage()
    try {
      await page.goto(`${demo.url}/`)
      await page.click('#sign-in')
      await page.fill('#email', 'erin@initech.test')
      await page.click('#continue')
      await page.waitForURL(/\/login\/password\?/)
      assert.equal(await page.inputValue('#email'), 'erin@initech.test')
      await page.fill('#password', 'erin-demo')
      await page.screenshot({ path: join(OUT, 'password-login.png'), fullPage: true })
      await page.click('#password-sign-in')
      await page.waitForURL(`${demo.url}/`)
      assert.equal(await page.textContent('#signed-in-idp'), 'none (password login)')
      assert.equal(await page.textContent('td[data-field="displayName"]'), 'Erin Ito')
      await page.click('header form[action="/logout"] button')
      await page.waitForURL(`${demo.url}/`)
      assert.ok(await page.isVisible('#sign-in'))
    } finally {
      await page.context().close()
    }
  })

  it('admin pages: rotate the embedded IdP key, refresh the metadata, and a test login still works', async () => {
    const page = await newPage()
    try {
      await page.goto(`${demo.url}/admin`)
      await page.fill('#password', ADMIN_PASSWORD)
      await page.click('#admin-sign-in')
      await page.waitForURL(`${demo.url}/admin`)
      await page.goto(`${demo.url}/admin/idp/acme`)
      assert.match((await page.textContent('#fetch-etag')) ?? '', /^W\/"/, 'the seeded record was fetched')

      await page.click('#rotate-key')
      await page.waitForURL(`${demo.url}/admin/idp/acme?done=rotated-rollover`)
      assert.equal(await page.getAttribute('tr[data-key="next"] td[data-in-record]', 'data-in-record'), 'no')

      await page.click('#refresh-now')
      await page.waitForURL(`${demo.url}/admin/idp/acme?done=refresh-updated`)
      assert.equal(await page.getAttribute('tr[data-key="next"] td[data-in-record]', 'data-in-record'), 'yes')
      assert.match((await page.textContent('#fetch-outcome')) ?? '', /updated/)

      await page.click('#sign-with-new-key')
      await page.waitForURL(`${demo.url}/admin/idp/acme?done=signing-with-new-key`)
      assert.equal(
        await page.getAttribute('tr[data-key="signing"] td[data-in-record]', 'data-in-record'),
        'yes',
      )
      await page.screenshot({ path: join(OUT, 'admin-idp-rotation.png'), fullPage: true })
      // The two cards of the rotation, for docs/demo.md.
      const from = (await page.locator('#metadata-refresh').boundingBox())!
      const to = (await page.locator('#signing-keys').boundingBox())!
      await page.screenshot({
        path: join(OUT, 'admin-idp-rotation-cards.png'),
        fullPage: true,
        clip: {
          x: from.x - 8,
          y: from.y - 8,
          width: from.width + 16,
          height: to.y + to.height - from.y + 16,
        },
      })

      // A login signed by the new key is accepted.
      await page.goto(`${demo.url}/admin/idp/acme/test`)
      await page.click('#run-test')
      await page.waitForURL(/\/idp\/acme\/sso\?/)
      await signInAtIdp(page, 'alice@acme.test')
      await page.waitForURL(`${demo.url}/admin/idp/acme/test`)
      assert.equal(await page.getAttribute('.attempt >> nth=0', 'data-ok'), 'true')
    } finally {
      await page.context().close()
    }
  })

  it('break-glass: the admin signs in to the app with the admin password, a reason and the confirmation', async () => {
    const page = await newPage()
    try {
      await page.goto(`${demo.url}/admin`)
      await page.click('#break-glass-link')
      await page.waitForURL(`${demo.url}/login/break-glass`)
      await page.fill('#password', ADMIN_PASSWORD)
      await page.fill('#reason', 'Acme IdP outage, fixing its record')
      await page.fill('#confirm', 'BREAK GLASS')
      await page.screenshot({ path: join(OUT, 'break-glass.png'), fullPage: true })
      await page.click('#break-glass-sign-in')
      await page.waitForURL(`${demo.url}/`)
      assert.equal(await page.textContent('#signed-in-idp'), 'none (break-glass login)')
      assert.ok(await page.isVisible('#session-ends'))
    } finally {
      await page.context().close()
    }
  })

  it('admin pages: sign in with the local password, IdP list, SP metadata, test connection', async () => {
    const page = await newPage()
    try {
      await page.goto(`${demo.url}/admin`)
      await page.fill('#password', ADMIN_PASSWORD)
      await page.click('#admin-sign-in')
      await page.waitForURL(`${demo.url}/admin`)
      assert.ok(await page.isVisible('a[href="/admin/idp/acme"]'))
      await page.screenshot({ path: join(OUT, 'admin.png'), fullPage: true })

      // The add form as Chromium posts it: the expired-certificate box left checked, then unchecked.
      for (const [id, keepChecked, policy] of [
        ['initech-lenient', true, /^\s*accepted/],
        ['initech-strict', false, /^\s*refused/],
      ] as const) {
        await page.goto(`${demo.url}/admin`)
        assert.ok(await page.isChecked('#acceptExpiredSigningCerts'), 'checked by default')
        await page.fill('#id', id)
        const metadata = demo.idp.metadataXml('globex')
        await page.fill(
          '#metadataXml',
          metadata.replace(/entityID="[^"]+"/, `entityID="https://${id}.test/saml"`),
        )
        if (!keepChecked) await page.uncheck('#acceptExpiredSigningCerts')
        await page.click('#add-idp button[type="submit"]')
        await page.waitForURL(`${demo.url}/admin/idp/${id}`)
        assert.match((await page.textContent('#expired-signing-certs')) ?? '', policy)
        assert.match((await page.textContent('#metadata-signatures')) ?? '', /not pinned/)
      }
      await page.goto(`${demo.url}/admin`)

      await page.click('a[href="/admin/idp/globex"]')
      await page.waitForURL(`${demo.url}/admin/idp/globex`)
      assert.match((await page.textContent('#sp-metadata')) ?? '', /AssertionConsumerService/)
      await page.screenshot({ path: join(OUT, 'admin-idp.png'), fullPage: true })

      // The vendor chooser: Entra ID's steps with this IdP's own values.
      await page.selectOption('#vendor', 'entra')
      await page.waitForURL(`${demo.url}/admin/idp/globex?vendor=entra`)
      const fields = (await page.textContent('#setup-fields')) ?? ''
      assert.match(fields, /Reply URL \(Assertion Consumer Service URL\)/)
      assert.ok(fields.includes(`${demo.url}/saml/globex/acs`))
      await page.screenshot({ path: join(OUT, 'admin-idp-setup.png'), fullPage: true })

      // Test connection: a login from this browser shows up with its checks.
      await page.goto(`${demo.url}/admin/idp/acme/test`)
      await page.click('#run-test')
      await page.waitForURL(/\/idp\/acme\/sso\?/)
      await signInAtIdp(page, 'bob@acme.test')
      await page.waitForURL(`${demo.url}/admin/idp/acme/test`)
      assert.ok(await page.isVisible('.attempt[data-ok="true"]'))
      const xml = (await page.locator('.attempt').first().locator('pre.xml').allTextContents()).join('\n')
      assert.match(
        xml,
        /saml2:Assertion[\s\S]*saml2p:Response/,
        'the verified assertion, then the response as posted',
      )
      await page.screenshot({ path: join(OUT, 'admin-test-connection.png'), fullPage: true })
    } finally {
      await page.context().close()
    }
  })
})

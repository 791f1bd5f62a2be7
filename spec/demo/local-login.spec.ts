// The demo's non-SAML logins (issue #12 item 7), through its HTTP surface: discovery sends a domain of
// local accounts to the password form; a password login answers /me in the contract's shape and
// POST /logout ends it; a SAML tenant's users cannot use a password, even with a local account;
// failed passwords are rate-limited; break-glass needs the admin password, a reason and the typed
// confirmation, is audited (logged and on the admin page) and ends when its time is up.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { hashPassword } from '../../demo/local/password-hash.js'
import { TestBrowser, startTestDemo } from './demo-client.js'

type Demo = Awaited<ReturnType<typeof startTestDemo>>

const ADMIN_PASSWORD = 'local-login-spec-password'
const TTL_MS = 15 * 60_000

async function passwordLogin(
  demo: Demo,
  browser: TestBrowser,
  email: string,
  password: string,
  returnTo = '/',
): Promise<Response> {
  return browser.request(`${demo.url}/login/password`, {
    method: 'POST',
    form: { email, password, returnTo },
  })
}

describe('demo: password accounts and break-glass', { timeout: 300_000 }, () => {
  let demo: Demo
  let dataDir: string
  let offsetMs = 0
  const auditLines: string[] = []

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'saml-demo-local-'))
    // A local account on a SAML tenant's domain: it must never get in with a password.
    const users = [
      {
        email: 'erin@initech.test',
        displayName: 'Erin Ito',
        firstName: 'Erin',
        lastName: 'Ito',
        groups: ['everyone', 'finance'],
        passwordHash: await hashPassword('erin-demo'),
      },
      {
        email: 'bob@acme.test',
        displayName: 'Bob Barker',
        firstName: 'Bob',
        lastName: 'Barker',
        groups: [],
        passwordHash: await hashPassword('bob-local'),
      },
    ]
    await writeFile(join(dataDir, 'local-users.json'), JSON.stringify({ users }))
    demo = await startTestDemo({
      dataDir,
      adminPassword: ADMIN_PASSWORD,
      breakGlassTtlMs: TTL_MS,
      auditLog: (line) => auditLines.push(line),
      now: () => Date.now() + offsetMs,
    })
  })
  after(async () => {
    await demo?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('discovery: an SSO domain goes to its IdP, a domain of local accounts to the password form', async () => {
    const browser = new TestBrowser()
    const local = await browser.get(`${demo.url}/login/sso?email=erin%40initech.test&returnTo=%2Fdeep%2Flink`)
    assert.equal(local.status, 302)
    assert.equal(
      local.headers.get('location'),
      '/login/password?email=erin%40initech.test&returnTo=%2Fdeep%2Flink',
    )
    const form = await browser.get(new URL(local.headers.get('location')!, demo.url).href)
    assert.equal(form.status, 200)
    assert.match(await form.text(), /<form method="post" action="\/login\/password"/)

    const sso = await browser.get(`${demo.url}/login/sso?email=alice%40acme.test`)
    assert.equal(sso.status, 302)
    assert.match(sso.headers.get('location')!, /^\/saml\/login\?email=alice%40acme\.test/)
    assert.equal((await browser.get(`${demo.url}/login/sso?email=x%40unknown.test`)).status, 404)
  })

  it('a password login answers /me in the contract shape (idp null), and POST /logout ends it with 303 /', async () => {
    const browser = new TestBrowser()
    const wrong = await passwordLogin(demo, browser, 'erin@initech.test', 'nope')
    assert.equal(wrong.status, 401)
    assert.equal((await browser.get(`${demo.url}/me`, true)).status, 401)

    const ok = await passwordLogin(demo, browser, 'Erin@Initech.test', 'erin-demo', '/deep/link?tab=1')
    assert.equal(ok.status, 303)
    assert.equal(ok.headers.get('location'), '/deep/link?tab=1')
    const me = await browser.get(`${demo.url}/me`, true)
    assert.equal(me.status, 200)
    assert.deepEqual(await me.json(), {
      idp: null,
      nameID: 'erin@initech.test',
      nameIDFormat: null,
      sessionIndex: null,
      profile: {
        email: 'erin@initech.test',
        firstName: 'Erin',
        lastName: 'Ito',
        displayName: 'Erin Ito',
        groups: ['everyone', 'finance'],
      },
      attributes: {},
      login: 'password',
    })

    const signOut = await browser.request(`${demo.url}/logout`, { method: 'POST' })
    assert.equal(signOut.status, 303)
    assert.equal(signOut.headers.get('location'), '/')
    assert.equal((await browser.get(`${demo.url}/me`, true)).status, 401)
  })

  it("a SAML tenant's user cannot use a password, even with a local account", async () => {
    const browser = new TestBrowser()
    const refused = await passwordLogin(demo, browser, 'bob@acme.test', 'bob-local')
    assert.equal(refused.status, 403)
    assert.match(await refused.text(), /acme\.test signs in through its identity provider/)
    assert.equal((await browser.get(`${demo.url}/me`, true)).status, 401)

    const form = await browser.get(`${demo.url}/login/password?email=bob%40acme.test`)
    assert.equal(form.status, 302, 'the password form sends an SSO domain to its IdP')
    assert.match(form.headers.get('location')!, /^\/saml\/login\?email=bob%40acme\.test/)
  })

  it('break-glass: refused without the confirmation or with a wrong password; granted, audited, time-limited', async () => {
    const browser = new TestBrowser()
    const page = await browser.get(`${demo.url}/login/break-glass`)
    assert.equal(page.status, 200)
    const attempt = (form: Record<string, string>) =>
      browser.request(`${demo.url}/login/break-glass`, { method: 'POST', form })

    const unconfirmed = await attempt({
      password: ADMIN_PASSWORD,
      reason: 'Okta is down for everyone',
      confirm: 'yes',
    })
    assert.equal(unconfirmed.status, 400)
    const wrong = await attempt({
      password: 'guess',
      reason: 'Okta is down for everyone',
      confirm: 'BREAK GLASS',
    })
    assert.equal(wrong.status, 401)
    assert.equal((await browser.get(`${demo.url}/me`, true)).status, 401)

    const granted = await attempt({
      password: ADMIN_PASSWORD,
      reason: 'Okta is down for everyone',
      confirm: 'BREAK GLASS',
    })
    assert.equal(granted.status, 303)
    const cookie = granted.headers.getSetCookie().find((c) => c.startsWith('demo.sid='))
    const cookieEnds = Date.parse(/Expires=([^;]+)/i.exec(cookie ?? '')?.[1] ?? '')
    assert.ok(cookieEnds <= Date.now() + TTL_MS, 'the session cookie ends with the break-glass session')
    const me = (await (await browser.get(`${demo.url}/me`, true)).json()) as Record<string, unknown>
    assert.equal(me.idp, null)
    assert.equal(me.login, 'break-glass')
    assert.equal(me.nameID, 'break-glass-admin')
    const expiresAt = Date.parse(me.expiresAt as string)
    assert.ok(expiresAt > Date.now() && expiresAt <= Date.now() + TTL_MS, 'the session ends within the TTL')

    assert.deepEqual(
      auditLines.map((line) => /\] \S+ (\S+) /.exec(line)?.[1]),
      ['not-confirmed', 'wrong-password', 'granted'],
      'every attempt is logged',
    )
    assert.ok(auditLines.every((line) => line.includes('Okta is down for everyone')))

    // The admin page lists them, newest first.
    const admin = new TestBrowser()
    await admin.request(`${demo.url}/admin/login`, { method: 'POST', form: { password: ADMIN_PASSWORD } })
    const list = await (await admin.get(`${demo.url}/admin`)).text()
    const outcomes = [...list.matchAll(/<tr data-outcome="([^"]+)"/g)].map((m) => m[1])
    assert.deepEqual(outcomes, ['granted', 'wrong-password', 'not-confirmed'])

    // Past its end the session is gone.
    offsetMs = TTL_MS + 1000
    try {
      assert.equal((await browser.get(`${demo.url}/me`, true)).status, 401)
    } finally {
      offsetMs = 0
    }
  })

  it('rate-limits failed passwords per account: 429 with Retry-After, even for the right password', async () => {
    const browser = new TestBrowser()
    for (let i = 0; i < 5; i++) {
      assert.equal((await passwordLogin(demo, browser, 'erin@initech.test', `wrong-${i}`)).status, 401)
    }
    const limited = await passwordLogin(demo, browser, 'erin@initech.test', 'erin-demo')
    assert.equal(limited.status, 429)
    assert.ok(Number(limited.headers.get('retry-after')) > 0)
    assert.equal((await browser.get(`${demo.url}/me`, true)).status, 401)

    // The window passes: the right password works again.
    offsetMs = 16 * 60_000
    try {
      assert.equal((await passwordLogin(demo, browser, 'erin@initech.test', 'erin-demo')).status, 303)
    } finally {
      offsetMs = 0
    }
  })
})

describe('demo: the seeded local account', { timeout: 120_000 }, () => {
  it('is erin@initech.test / erin-demo, stored as an scrypt hash', async () => {
    const demo = await startTestDemo()
    try {
      const browser = new TestBrowser()
      assert.equal((await passwordLogin(demo, browser, 'erin@initech.test', 'erin-demo')).status, 303)
      const stored = await readFile(join(demo.dataDir, 'local-users.json'), 'utf8')
      assert.doesNotMatch(stored, /erin-demo/)
      assert.match(stored, /"passwordHash": "scrypt\$/)
    } finally {
      await demo.close()
    }
  })
})

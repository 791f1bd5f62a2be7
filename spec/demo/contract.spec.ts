// The demo's HTTP contract (issue #3), driven over HTTP against startDemo on port 0 with a fresh
// DATA_DIR. The IdPs are registered through the admin API from the embedded IdP's metadata, and every
// login goes through the embedded IdP's real login form.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inflateRawSync } from 'node:zlib'
import { after, before, describe, it } from 'node:test'
import { TestBrowser, loginAtIdp, postToAcs, spInitiated, startTestDemo, inputValue } from './demo-client.js'
import { keys } from '../support/test-idp.js'

type Demo = Awaited<ReturnType<typeof startTestDemo>>

const ADMIN_TOKEN = 'spec-admin-token-0123456789'
const ADMIN_PASSWORD = 'spec-admin-password'

function api(
  demo: Demo,
  path: string,
  init: RequestInit & { token?: string | null } = {},
): Promise<Response> {
  const headers = new Headers(init.headers)
  const token = init.token === undefined ? ADMIN_TOKEN : init.token
  if (token !== null) headers.set('authorization', `Bearer ${token}`)
  if (init.body !== undefined) headers.set('content-type', 'application/json')
  return fetch(`${demo.url}${path}`, { ...init, headers })
}

function put(demo: Demo, id: string, body: unknown): Promise<Response> {
  return api(demo, `/admin/idps/${id}`, { method: 'PUT', body: JSON.stringify(body) })
}

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } }
  assert.equal(typeof body.error.message, 'string')
  assert.ok(body.error.message.length > 0)
  return body.error
}

function authnRequestOf(ssoUrl: string): string {
  const encoded = new URL(ssoUrl).searchParams.get('SAMLRequest')!
  return inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8')
}

async function me(browser: TestBrowser, demo: Demo): Promise<Response> {
  return browser.get(`${demo.url}/me`, true)
}

describe('demo HTTP contract', () => {
  let demo: Demo

  before(async () => {
    // No seeding: the spec registers both IdPs through the admin API.
    demo = await startTestDemo({ seed: false, adminToken: ADMIN_TOKEN, adminPassword: ADMIN_PASSWORD })
  })
  after(async () => {
    await demo?.close()
  })

  describe('admin API', () => {
    it('refuses a missing or wrong bearer token with 401 JSON', async () => {
      for (const token of [null, 'wrong-token']) {
        for (const [method, path] of [
          ['GET', '/admin/idps'],
          ['GET', '/admin/idps/acme'],
          ['PUT', '/admin/idps/acme'],
          ['DELETE', '/admin/idps/acme'],
        ] as const) {
          const res = await api(demo, path, {
            method,
            token,
            body:
              method === 'PUT' ? JSON.stringify({ metadataUrl: demo.idp.metadataUrl('acme') }) : undefined,
          })
          assert.equal(res.status, 401, `${method} ${path} with ${token}`)
          assert.equal((await errorOf(res)).code, 'ERR_ADMIN_UNAUTHORIZED')
        }
      }
      assert.equal(
        ((await (await api(demo, '/admin/idps')).json()) as unknown[]).length,
        0,
        'nothing was written',
      )
    })

    it('registers an IdP from its metadata URL: 201, then 200 on update', async () => {
      const metadataUrl = demo.idp.metadataUrl('acme')
      const res = await put(demo, 'acme', {
        metadataUrl,
        displayName: 'Acme',
        emailDomains: ['acme.test'],
        attributeMap: 'okta',
        groupsMap: { Engineering: 'engineering' },
      })
      assert.equal(res.status, 201)
      const created = (await res.json()) as Record<string, unknown>
      assert.equal(created.id, 'acme')
      assert.equal(created.entityId, demo.idp.entityId('acme'))
      assert.equal(created.metadataUrl, metadataUrl)
      assert.equal(created.metadataXml, demo.idp.metadataXml('acme'))
      assert.equal(created.allowIdpInitiated, false, 'default false')
      assert.equal(created.wantAssertionsSigned, true, 'default true')
      assert.deepEqual(created.emailDomains, ['acme.test'])
      assert.equal(created.version, 1)

      const updated = await put(demo, 'acme', {
        metadataUrl,
        displayName: 'Acme',
        emailDomains: ['acme.test'],
        attributeMap: 'okta',
        groupsMap: { Engineering: 'engineering' },
        allowIdpInitiated: true,
      })
      assert.equal(updated.status, 200)
      const record = (await updated.json()) as Record<string, unknown>
      assert.equal(record.version, 2)
      assert.equal(record.allowIdpInitiated, true)
    })

    it('registers an IdP from pasted metadata XML', async () => {
      const res = await put(demo, 'globex', {
        metadataXml: demo.idp.metadataXml('globex'),
        emailDomains: ['globex.test'],
        attributeMap: 'entra',
        groupsMap: { '6f1c2a9e-3b7d-4e21-9a55-0c8d2b7e41a3': 'engineering' },
        requireEncryptedAssertions: true,
      })
      assert.equal(res.status, 201)
      const record = (await res.json()) as Record<string, unknown>
      assert.equal(record.entityId, demo.idp.entityId('globex'))
      assert.equal(record.requireEncryptedAssertions, true)
    })

    it('lists, gets, deletes (204) and answers 404 for an unknown id', async () => {
      const list = (await (await api(demo, '/admin/idps')).json()) as { id: string }[]
      assert.deepEqual(
        list.map((r) => r.id),
        ['acme', 'globex'],
      )
      const one = await api(demo, '/admin/idps/globex')
      assert.equal(one.status, 200)
      assert.equal(((await one.json()) as { id: string }).id, 'globex')

      const missing = await api(demo, '/admin/idps/nope')
      assert.equal(missing.status, 404)
      assert.equal((await errorOf(missing)).code, 'ERR_SAML_UNKNOWN_IDP')

      // A throwaway record, manual fields this time.
      const cert = (demo.idp.metadataXml('acme').match(/<(?:ds:)?X509Certificate>([^<]+)</) ?? [])[1]!
      const manual = await put(demo, 'initech', {
        entityId: 'https://idp.initech.test/saml',
        ssoUrl: 'https://idp.initech.test/saml/sso',
        signingCerts: [cert],
      })
      assert.equal(manual.status, 201)
      const deleted = await api(demo, '/admin/idps/initech', { method: 'DELETE' })
      assert.equal(deleted.status, 204)
      assert.equal(await deleted.text(), '')
      assert.equal((await api(demo, '/admin/idps/initech')).status, 404)
      const again = await api(demo, '/admin/idps/initech', { method: 'DELETE' })
      assert.equal(again.status, 404)
      assert.equal((await errorOf(again)).code, 'ERR_SAML_UNKNOWN_IDP')
    })

    it('answers 400 with the SamlError code for invalid metadata, and writes nothing', async () => {
      const cases: [unknown, string][] = [
        [
          { metadataXml: '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>' },
          'ERR_SAML_METADATA_INVALID',
        ],
        [{ metadataXml: 'not xml at all' }, 'ERR_SAML_METADATA_INVALID'],
        [{ metadataUrl: `${demo.url}/idp/nope/metadata` }, 'ERR_SAML_METADATA_FETCH'],
        [{ displayName: 'no identity' }, 'ERR_SAML_IDP_CONFIG'],
        [{ metadataXml: demo.idp.metadataXml('acme'), bogus: 1 }, 'ERR_BAD_REQUEST'],
        // Metadata past its validUntil: registered, its logins would fail at once.
        [
          {
            metadataXml: demo.idp
              .metadataXml('acme')
              .replace(/<((?:\w+:)?EntityDescriptor)\b/, '<$1 validUntil="2001-01-01T00:00:00Z"'),
          },
          'ERR_SAML_METADATA_INVALID',
        ],
        // Unsigned metadata for a record that pins its signer: one of the contract's three codes.
        [
          { metadataXml: demo.idp.metadataXml('acme'), metadataSigningCerts: [keys.idpGlobex.cert] },
          'ERR_SAML_METADATA_INVALID',
        ],
      ]
      for (const [body, code] of cases) {
        const res = await put(demo, 'broken', body)
        assert.equal(res.status, 400, JSON.stringify(body))
        assert.equal((await errorOf(res)).code, code, JSON.stringify(body))
      }
      const notJson = await api(demo, '/admin/idps/broken', { method: 'PUT', body: '{nope' })
      assert.equal(notJson.status, 400)
      assert.equal((await errorOf(notJson)).code, 'ERR_BAD_REQUEST')
      // The entityID of acme belongs to acme.
      const taken = await put(demo, 'acme2', { metadataXml: demo.idp.metadataXml('acme') })
      assert.equal(taken.status, 400)
      assert.equal((await errorOf(taken)).code, 'ERR_SAML_IDP_CONFIG')
      assert.equal((await api(demo, '/admin/idps/broken')).status, 404)
    })
  })

  describe('SP metadata', () => {
    it('GET /saml/:id/metadata names the per-IdP entityID and ACS', async () => {
      const res = await fetch(`${demo.url}/saml/acme/metadata`)
      assert.equal(res.status, 200)
      const xml = await res.text()
      assert.match(xml, new RegExp(`entityID="${demo.url}/saml/acme/metadata"`))
      assert.match(xml, new RegExp(`Location="${demo.url}/saml/acme/acs"`))
      assert.match(xml, /use="encryption"/)
      assert.doesNotMatch(xml, /PRIVATE KEY/)
    })
  })

  describe('logins through the embedded IdP', () => {
    it('Single Logout: sign out goes through the IdP and back, and ends the session', async () => {
      const browser = new TestBrowser()
      const post = await spInitiated(browser, demo, '/saml/acme/login', 'alice@acme.test', 'alice-demo')
      assert.equal((await postToAcs(browser, post, post.action, false)).status, 302)
      assert.equal((await me(browser, demo)).status, 200)

      const signOut = await browser.request(`${demo.url}/logout`, { method: 'POST' })
      assert.equal(signOut.status, 303)
      const logout = await browser.get(new URL(signOut.headers.get('location')!, demo.url).href)
      assert.equal(logout.status, 302)
      const toIdp = new URL(logout.headers.get('location')!)
      assert.equal(`${toIdp.origin}${toIdp.pathname}`, `${demo.url}/idp/acme/slo`)
      assert.ok(toIdp.searchParams.get('Signature'), 'the LogoutRequest is signed')
      assert.equal((await me(browser, demo)).status, 401, 'the local session ends before the IdP answers')

      const atIdp = await browser.get(toIdp.href)
      assert.equal(atIdp.status, 302, await atIdp.text())
      const back = new URL(atIdp.headers.get('location')!)
      assert.equal(`${back.origin}${back.pathname}`, `${demo.url}/saml/acme/slo`)
      const done = await browser.get(back.href)
      assert.equal(done.status, 302)
      assert.equal(done.headers.get('location'), '/')
      const again = await browser.get(back.href, true)
      assert.equal(again.status, 400, 'a LogoutResponse is accepted once')
    })

    it('SP-initiated (acme): 302 to the IdP, RelayState and InResponseTo round-trip, deep link kept', async () => {
      const browser = new TestBrowser()
      assert.equal((await me(browser, demo)).status, 401)
      const returnTo = '/deep/link?tab=reports&x=1'
      const post = await spInitiated(
        browser,
        demo,
        `/saml/acme/login?returnTo=${encodeURIComponent(returnTo)}`,
        'alice@acme.test',
        'alice-demo',
      )
      const sso = new URL(post.ssoUrl)
      assert.equal(`${sso.origin}${sso.pathname}`, `${demo.url}/idp/acme/sso`)
      assert.equal(sso.searchParams.get('RelayState'), returnTo)
      const requestId = /\bID="([^"]+)"/.exec(authnRequestOf(post.ssoUrl))![1]
      assert.match(post.xml, new RegExp(`InResponseTo="${requestId}"`))
      assert.equal(post.action, `${demo.url}/saml/acme/acs`)
      assert.equal(post.RelayState, returnTo, 'the IdP echoes RelayState')

      const acs = await postToAcs(browser, post, post.action, false)
      assert.equal(acs.status, 302)
      assert.equal(acs.headers.get('location'), returnTo)
      assert.ok(browser.cookie('demo.sid'), 'a session cookie was set')

      const res = await me(browser, demo)
      assert.equal(res.status, 200)
      const body = (await res.json()) as Record<string, unknown>
      assert.deepEqual(Object.keys(body).sort(), [
        'attributes',
        'idp',
        'nameID',
        'nameIDFormat',
        'profile',
        'sessionIndex',
      ])
      assert.equal(body.idp, 'acme')
      assert.equal(body.nameID, 'alice@acme.test')
      assert.equal(body.nameIDFormat, 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress')
      assert.match(String(body.sessionIndex), /^_/)
      assert.deepEqual(body.profile, {
        email: 'alice@acme.test',
        firstName: 'Alice',
        lastName: 'Anders',
        groups: ['Everyone', 'engineering', 'Admins'],
      })
      assert.deepEqual((body.attributes as Record<string, string[]>).groups, [
        'Everyone',
        'Engineering',
        'Admins',
      ])
      assert.deepEqual((body.attributes as Record<string, string[]>).department, ['R&D'])

      const page = await browser.get(`${demo.url}${returnTo}`)
      assert.equal(page.status, 200)
      assert.match(await page.text(), /You are on the deep link/)
    })

    it('SP-initiated (globex): the assertion is encrypted, Entra claim URIs are mapped', async () => {
      const browser = new TestBrowser()
      const post = await spInitiated(browser, demo, '/saml/globex/login', 'carol@globex.test', 'carol-demo')
      assert.match(post.xml, /EncryptedAssertion/)
      assert.doesNotMatch(post.xml, /carol@globex\.test/, 'nothing about the user is in clear text')
      const acs = await postToAcs(browser, post)
      assert.equal(acs.status, 302)
      assert.equal(acs.headers.get('location'), '/')
      const body = (await (await me(browser, demo)).json()) as {
        idp: string
        profile: Record<string, unknown>
        attributes: Record<string, string[]>
      }
      assert.equal(body.idp, 'globex')
      assert.equal(body.profile.email, 'carol@globex.test')
      assert.equal(body.profile.displayName, 'Carol Chen')
      assert.deepEqual(body.profile.groups, ['engineering', '0d9a3f61-7c2e-4b58-a4f9-2e1b6c8d7a05'])
      assert.ok(body.attributes['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'])
    })

    it('a wrong password at the IdP sends nothing to the app', async () => {
      const browser = new TestBrowser()
      const start = await browser.get(`${demo.url}/saml/acme/login`)
      const form = await (await browser.get(start.headers.get('location')!)).text()
      const res = await browser.request(`${demo.url}/idp/acme/login`, {
        method: 'POST',
        form: { context: inputValue(form, 'context')!, username: 'alice@acme.test', password: 'wrong' },
      })
      assert.equal(res.status, 401)
      assert.equal(inputValue(await res.text(), 'SAMLResponse'), undefined)
    })

    it('IdP-initiated (acme allows it): RelayState deep link, no InResponseTo; replay refused', async () => {
      const browser = new TestBrowser()
      const form = await (await browser.get(`${demo.url}/idp/acme/login?RelayState=%2Fdeep%2Flink`)).text()
      const post = await loginAtIdp(browser, form, `${demo.url}/idp/acme/login`, 'bob@acme.test', 'bob-demo')
      assert.doesNotMatch(post.xml, /InResponseTo/)
      const acs = await postToAcs(browser, post)
      assert.equal(acs.status, 302)
      assert.equal(acs.headers.get('location'), '/deep/link')
      assert.equal(((await (await me(browser, demo)).json()) as { nameID: string }).nameID, 'bob@acme.test')

      const other = new TestBrowser()
      const replay = await postToAcs(other, post)
      assert.equal(replay.status, 400)
      assert.equal((await errorOf(replay)).code, 'ERR_SAML_REPLAY')
      assert.equal((await me(other, demo)).status, 401)
    })

    it('IdP-initiated at globex (not allowed): 400 ERR_SAML_UNSOLICITED, no session', async () => {
      const browser = new TestBrowser()
      const form = await (await browser.get(`${demo.url}/idp/globex/login`)).text()
      const post = await loginAtIdp(
        browser,
        form,
        `${demo.url}/idp/globex/login`,
        'dave@globex.test',
        'dave-demo',
      )
      const res = await postToAcs(browser, post)
      assert.equal(res.status, 400)
      assert.equal((await errorOf(res)).code, 'ERR_SAML_UNSOLICITED')
      assert.equal(browser.cookie('demo.sid'), undefined)
      assert.equal((await me(browser, demo)).status, 401)
    })

    it('a tampered response is rejected with its JSON error and no session', async () => {
      const browser = new TestBrowser()
      const post = await spInitiated(browser, demo, '/saml/acme/login', 'bob@acme.test', 'bob-demo')
      const forged = post.xml.replace(
        /<saml2:NameID([^>]*)>bob@acme\.test</,
        '<saml2:NameID$1>alice@acme.test<',
      )
      assert.notEqual(forged, post.xml)
      const res = await postToAcs(browser, { ...post, SAMLResponse: Buffer.from(forged).toString('base64') })
      assert.equal(res.status, 400)
      assert.equal((await errorOf(res)).code, 'ERR_SAML_SIGNATURE_INVALID')
      assert.equal(browser.cookie('demo.sid'), undefined)
      assert.equal((await me(browser, demo)).status, 401)
    })

    it('shared ACS: POST /saml/acs resolves the IdP from the Issuer', async () => {
      const browser = new TestBrowser()
      const post = await spInitiated(
        browser,
        demo,
        '/saml/globex/login?returnTo=%2Fdeep%2Flink',
        'dave@globex.test',
        'dave-demo',
      )
      const res = await postToAcs(browser, post, `${demo.url}/saml/acs`)
      assert.equal(res.status, 302)
      assert.equal(res.headers.get('location'), '/deep/link')
      assert.equal(((await (await me(browser, demo)).json()) as { idp: string }).idp, 'globex')
    })

    it('discovery by email domain routes to that IdP and keeps returnTo', async () => {
      const browser = new TestBrowser()
      const res = await browser.get(
        `${demo.url}/saml/login?email=Carol%40GLOBEX.test&returnTo=%2Fdeep%2Flink`,
      )
      assert.equal(res.status, 302)
      const location = new URL(res.headers.get('location')!)
      assert.equal(`${location.origin}${location.pathname}`, `${demo.url}/idp/globex/sso`)
      assert.equal(location.searchParams.get('RelayState'), '/deep/link')

      // The sign-in page's email form goes through the same route.
      const page = await browser.get(`${demo.url}/login/sso?email=alice%40acme.test&returnTo=%2Fdeep%2Flink`)
      assert.equal(page.status, 302)
      const next = await browser.get(new URL(page.headers.get('location')!, demo.url).href)
      assert.equal(next.status, 302)
      assert.match(next.headers.get('location')!, new RegExp(`^${demo.url}/idp/acme/sso\\?`))

      const unknown = await browser.get(`${demo.url}/login/sso?email=x%40unknown.test`)
      assert.equal(unknown.status, 404)
      assert.match(await unknown.text(), /No company is set up for &#34;unknown\.test&#34;/)
    })
  })

  describe('admin pages', () => {
    it('need the local admin password; the test-connection view shows the last attempts', async () => {
      const browser = new TestBrowser()
      const locked = await browser.get(`${demo.url}/admin/idp/acme/test`)
      assert.equal(locked.status, 401)
      const wrong = await browser.request(`${demo.url}/admin/login`, {
        method: 'POST',
        form: { password: 'nope' },
      })
      assert.equal(wrong.status, 401)
      const login = await browser.request(`${demo.url}/admin/login`, {
        method: 'POST',
        form: { password: ADMIN_PASSWORD },
      })
      assert.equal(login.status, 303)

      const res = await browser.get(`${demo.url}/admin/idp/acme/test`)
      assert.equal(res.status, 200)
      const html = await res.text()
      assert.match(html, /accepted/)
      assert.match(html, /ERR_SAML_SIGNATURE_INVALID/, 'the tampered attempt, with its code')
      assert.match(html, /signature verifies with one of the IdP/, 'each check with what it establishes')
      assert.match(html, /&#60;saml2p:Response|&lt;saml2p:Response/, 'the decoded response, escaped')
      assert.doesNotMatch(html, /PRIVATE KEY/)

      const detail = await (await browser.get(`${demo.url}/admin/idp/acme`)).text()
      assert.ok(detail.includes(`${demo.url}/saml/acme/acs`))
      assert.ok(detail.includes(`${demo.url}/saml/acme/metadata`))
      // Its health (checkIdpRecordHealth): the embedded IdP's certificates are current; the one
      // warning it may carry is from recent traces, the tampered login above (last-login-failed).
      assert.match(detail, /id="idp-health-status">(ok|warning)</)
      const reasons = [...detail.matchAll(/<li><code>([a-z-]+)<\/code> \((notice|warning|error)\)/g)]
      assert.deepEqual(
        reasons.filter(([, , status]) => status !== 'notice').map(([, code]) => code),
        detail.includes('id="idp-health-status">warning<') ? ['last-login-failed'] : [],
      )
      assert.match(detail, /<td>signing<\/td>/)
      assert.doesNotMatch(detail, /PRIVATE KEY/)
    })

    it("the IdP page's vendor chooser shows that vendor's setup steps with the IdP's own values", async () => {
      const browser = new TestBrowser()
      await browser.request(`${demo.url}/admin/login`, { method: 'POST', form: { password: ADMIN_PASSWORD } })
      const row = (html: string, field: string, value: string) =>
        assert.match(
          html,
          new RegExp(
            `<td>${field}</td>\\s*<td><code>${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}</code></td>`,
          ),
          `${field} = ${value}`,
        )

      const plain = await (await browser.get(`${demo.url}/admin/idp/acme`)).text()
      assert.match(plain, /<select name="vendor" id="vendor"/)
      assert.doesNotMatch(plain, /data-vendor=/, 'no vendor chosen: the chooser alone')

      const okta = await browser.get(`${demo.url}/admin/idp/acme?vendor=okta`)
      assert.equal(okta.status, 200)
      const oktaHtml = await okta.text()
      assert.match(oktaHtml, /data-vendor="okta"/)
      assert.match(oktaHtml, /<option value="okta" selected>\s*Okta\s*<\/option>/)
      row(oktaHtml, 'Single sign-on URL', `${demo.url}/saml/acme/acs`)
      row(oktaHtml, 'Audience URI \\(SP Entity ID\\)', `${demo.url}/saml/acme/metadata`)
      assert.match(oktaHtml, /<code>attributeMap: 'okta'<\/code>/)
      assert.ok(oktaHtml.includes('id="sp-metadata"'), 'the rest of the page is still there')

      const entra = await (await browser.get(`${demo.url}/admin/idp/globex?vendor=entra`)).text()
      row(entra, 'Identifier \\(Entity ID\\)', `${demo.url}/saml/globex/metadata`)
      row(entra, 'Reply URL \\(Assertion Consumer Service URL\\)', `${demo.url}/saml/globex/acs`)
      row(entra, 'Logout Url', `${demo.url}/saml/globex/slo`)

      // OneLogin's preset, and its ACS validator as a regex.
      const onelogin = await (await browser.get(`${demo.url}/admin/idp/globex?vendor=onelogin`)).text()
      row(onelogin, 'ACS \\(Consumer\\) URL', `${demo.url}/saml/globex/acs`)
      const pattern = `^${demo.url}/saml/globex/acs$`.replace(/[.:/]/g, (c) => (c === ':' ? c : `\\${c}`))
      assert.ok(onelogin.includes(`<code>${pattern}</code>`), pattern)
      assert.match(onelogin, /<code>attributeMap: 'oneLogin'<\/code>/)

      const unknown = await browser.get(`${demo.url}/admin/idp/acme?vendor=nope`)
      assert.equal(unknown.status, 200)
      assert.doesNotMatch(await unknown.text(), /data-vendor=/)
    })
  })

  describe('restart', () => {
    it('keeps IdP records, keys and the generated admin token in DATA_DIR', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'saml-demo-restart-'))
      try {
        const first = await startTestDemo({ dataDir })
        const token = first.adminToken.value
        const certOf = (xml: string) => /X509Certificate>([^<]+)</.exec(xml)![1]
        const cert = certOf(first.idp.metadataXml('acme'))
        try {
          assert.equal(first.adminToken.source, 'generated')
          const list = (await (
            await fetch(`${first.url}/admin/idps`, { headers: { authorization: `Bearer ${token}` } })
          ).json()) as { id: string }[]
          assert.deepEqual(
            list.map((r) => r.id),
            ['acme', 'globex'],
            'both tenants are registered at first start',
          )
          const deleted = await fetch(`${first.url}/admin/idps/globex`, {
            method: 'DELETE',
            headers: { authorization: `Bearer ${token}` },
          })
          assert.equal(deleted.status, 204)
        } finally {
          await first.close()
        }
        const second = await startTestDemo({ dataDir })
        try {
          assert.equal(second.adminToken.source, 'file')
          assert.equal(second.adminToken.value, token)
          assert.equal(certOf(second.idp.metadataXml('acme')), cert, 'same IdP keys')
          const list = (await (
            await fetch(`${second.url}/admin/idps`, { headers: { authorization: `Bearer ${token}` } })
          ).json()) as { id: string; entityId: string }[]
          // Port 0 gave another BASE_URL: the demo's own record followed its IdP's new metadata.
          assert.equal(list[0]?.entityId, second.idp.entityId('acme'))
          assert.deepEqual(
            list.map((r) => r.id),
            ['acme'],
            'records survive the restart, and a deleted tenant is not registered again',
          )
        } finally {
          await second.close()
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true })
      }
    })
  })
})

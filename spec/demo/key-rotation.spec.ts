// The demo runs the metadata refresher against its embedded IdP (issue #11 item 7), proven through the
// demo's HTTP surface: logins carry on across a key rotation (login → rotate → refresh → login signed by
// the new key); a login signed by a key the record does not hold yet is refused, and works after a
// refresh; the refresher brings a rotation to the record on its own; the keys persist in DATA_DIR.
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startMetadataServer } from '../support/metadata-server.js'
import { waitUntil } from '../support/wait-until.js'
import {
  TestBrowser,
  adminBrowser,
  inputValue,
  postToAcs,
  spInitiated,
  startTestDemo,
} from './demo-client.js'

type Demo = Awaited<ReturnType<typeof startTestDemo>>

const ADMIN_TOKEN = 'rotation-spec-admin-token-0123'
const ADMIN_PASSWORD = 'rotation-spec-password'
const HOUR = 3_600_000
/** The refresher runs, but no IdP falls due during a test: only "Refresh metadata now" fetches. */
const ON_DEMAND = { checkIntervalMs: HOUR, minIntervalMs: HOUR, maxIntervalMs: HOUR, immediate: false }

interface RecordJson {
  signingCerts: string[]
  version: number
}

async function record(demo: Demo, id: string): Promise<RecordJson> {
  const res = await fetch(`${demo.url}/admin/idps/${id}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  assert.equal(res.status, 200)
  return (await res.json()) as RecordJson
}

function fingerprint(cert: string): string {
  const body = cert.replace(/-----[^-]+-----|\s/g, '')
  return new X509Certificate(Buffer.from(body, 'base64')).fingerprint256
}

/** The certificate in the signature's KeyInfo of a response the embedded IdP posted. */
function signerOf(xml: string): string {
  const match = /<(?:ds:)?X509Certificate>([^<]+)</.exec(xml)
  assert.ok(match, 'the response carries its signer certificate in KeyInfo')
  return fingerprint(match[1]!)
}

function publishedCerts(metadataXml: string): string[] {
  return [...metadataXml.matchAll(/X509Certificate>([^<]+)</g)].map((m) => fingerprint(m[1]!))
}

/** Posts one of the IdP page's forms (with its CSRF token) and returns the `done` notice it redirects to. */
async function adminAction(
  demo: Demo,
  admin: TestBrowser,
  action: string,
  form: Record<string, string> = {},
): Promise<string> {
  const page = await (await admin.get(`${demo.url}/admin/idp/acme`)).text()
  const _csrf = inputValue(page, '_csrf')
  assert.ok(_csrf)
  const res = await admin.request(`${demo.url}/admin/idp/acme/${action}`, {
    method: 'POST',
    form: { _csrf, ...form },
  })
  assert.equal(res.status, 303, await res.text())
  return new URL(res.headers.get('location')!, demo.url).searchParams.get('done') ?? ''
}

/** Alice signs in at Acme; returns the ACS answer and the fingerprint of the key that signed. */
async function aliceLogin(demo: Demo): Promise<{ status: number; signer: string; code?: string }> {
  const browser = new TestBrowser()
  const post = await spInitiated(browser, demo, '/saml/acme/login', 'alice@acme.test', 'alice-demo')
  const res = await postToAcs(browser, post)
  const code = res.status === 302 ? undefined : ((await res.json()) as { error: { code: string } }).error.code
  if (res.status === 302) {
    assert.equal((await browser.get(`${demo.url}/me`, true)).status, 200, 'signed in')
  }
  return { status: res.status, signer: signerOf(post.xml), ...(code && { code }) }
}

describe('demo: key rotation at the embedded IdP, metadata refresh', { timeout: 300_000 }, () => {
  let demo: Demo
  let admin: TestBrowser

  before(async () => {
    demo = await startTestDemo({
      adminToken: ADMIN_TOKEN,
      adminPassword: ADMIN_PASSWORD,
      metadataRefresh: ON_DEMAND,
      idpKeyRolloverMs: HOUR,
    })
    admin = await adminBrowser(demo, ADMIN_PASSWORD)
  })
  after(async () => {
    await demo?.close()
  })

  it('registers the seeded tenants from their metadata URL, with a fetch status', async () => {
    const page = await (await admin.get(`${demo.url}/admin/idp/acme`)).text()
    assert.match(page, new RegExp(`<code>${demo.url}/idp/acme/metadata</code>`))
    const status = await demo.store.getMetadataStatus?.('acme')
    assert.ok(status?.lastSuccessAt, 'the first fetch is recorded')
    assert.ok(status.etag, 'with the ETag of the document, for conditional refreshes')
    assert.match(page, /id="fetch-etag">W\/&#34;/)
  })

  it('logins carry on across a rollover: login → rotate → refresh → login signed by the new key', async () => {
    const before = await aliceLogin(demo)
    assert.equal(before.status, 302)
    const oldKey = before.signer
    assert.equal((await record(demo, 'acme')).signingCerts.length, 1)

    assert.equal(await adminAction(demo, admin, 'rotate-key', { mode: 'rollover' }), 'rotated-rollover')
    const published = publishedCerts(await (await fetch(`${demo.url}/idp/acme/metadata`)).text())
    assert.equal(published.length, 2, 'the metadata lists the current and the new certificate')
    assert.ok(published.includes(oldKey))
    const newKey = published.find((k) => k !== oldKey)!

    const during = await aliceLogin(demo)
    assert.deepEqual(
      [during.status, during.signer],
      [302, oldKey],
      'the old key still signs during the rollover',
    )

    assert.equal(await adminAction(demo, admin, 'refresh'), 'refresh-updated')
    assert.deepEqual(
      (await record(demo, 'acme')).signingCerts.map(fingerprint).sort(),
      [oldKey, newKey].sort(),
      'the record holds both certificates after the refresh',
    )

    assert.equal(await adminAction(demo, admin, 'sign-with-new-key'), 'signing-with-new-key')
    const afterRotation = await aliceLogin(demo)
    assert.deepEqual(
      [afterRotation.status, afterRotation.signer],
      [302, newKey],
      'signed by the new key, accepted',
    )

    // Nothing changed since: the conditional request is answered 304.
    assert.equal(await adminAction(demo, admin, 'refresh'), 'refresh-not-modified')
  })

  it('a login signed by a key the record does not hold yet is refused, and works after a refresh', async (t) => {
    const before = await aliceLogin(demo)
    assert.equal(before.status, 302)
    assert.equal(await adminAction(demo, admin, 'rotate-key', { mode: 'now' }), 'rotated-now')
    const page = await (await admin.get(`${demo.url}/admin/idp/acme`)).text()
    assert.match(
      page,
      /<tr data-key="signing">[\s\S]*?data-in-record="no"/,
      'the IdP page says the record lacks it',
    )

    const refused = await aliceLogin(demo)
    assert.notEqual(refused.signer, before.signer, 'the IdP signs with the new key at once')
    assert.equal(refused.status, 400)
    assert.equal(refused.code, 'ERR_SAML_SIGNATURE_INVALID')
    // The IdP page's health reads the refused login's trace, which is written after the answer.
    await waitUntil(
      async () =>
        /<code>last-login-failed<\/code> \(warning\)[^<]*ERR_SAML_SIGNATURE_INVALID/.test(
          await (await admin.get(`${demo.url}/admin/idp/acme`)).text(),
        ),
      { signal: t.signal, what: "the IdP page's health to name the last login's error" },
    )

    assert.equal(await adminAction(demo, admin, 'refresh'), 'refresh-updated')
    const accepted = await aliceLogin(demo)
    assert.deepEqual([accepted.status, accepted.signer], [302, refused.signer])
    const after = await (await admin.get(`${demo.url}/admin/idp/acme`)).text()
    assert.match(after, /<tr data-key="signing">[\s\S]*?data-in-record="yes"/)
  })

  it("the embedded IdP's exemption (http, loopback) does not extend to an admin's metadata URLs", async () => {
    const server = await startMetadataServer()
    try {
      const url = server.url('/metadata')
      const metadataXml = demo.idp
        .metadataXml('globex')
        .replace(/entityID="[^"]+"/, 'entityID="https://idp.other.example/"')
      // Were it ever fetched, the URL would serve this document (and count the request).
      server.answer('/metadata', { kind: 'document', xml: metadataXml })
      const put = await fetch(`${demo.url}/admin/idps/other`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ metadataXml, metadataUrl: url }),
      })
      assert.equal(put.status, 201, await put.text())
      const page = await (await admin.get(`${demo.url}/admin/idp/other`)).text()
      const _csrf = inputValue(page, '_csrf')!
      const res = await admin.request(`${demo.url}/admin/idp/other/refresh`, {
        method: 'POST',
        form: { _csrf },
      })
      assert.equal(new URL(res.headers.get('location')!, demo.url).searchParams.get('done'), 'refresh-failed')
      assert.equal(
        (await demo.store.getMetadataStatus?.('other'))?.lastError?.code,
        'ERR_SAML_METADATA_FETCH',
      )
      assert.equal(
        server.requests('/metadata').length,
        0,
        'an http URL on loopback is refused before any request',
      )
      assert.doesNotMatch(page, /id="signing-keys"/, 'not a tenant of the embedded IdP: no rotation')
    } finally {
      await server.close()
      await fetch(`${demo.url}/admin/idps/other`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
    }
  })

  it('refuses a second rotation while one is under way', async () => {
    assert.equal(await adminAction(demo, admin, 'rotate-key', { mode: 'rollover' }), 'rotated-rollover')
    assert.equal(await adminAction(demo, admin, 'rotate-key', { mode: 'rollover' }), 'rotation-under-way')
    assert.equal(await adminAction(demo, admin, 'sign-with-new-key'), 'signing-with-new-key')
  })
})

describe('demo: the refresher runs by itself', { timeout: 300_000 }, () => {
  it('brings a rotation to the record without anyone asking, and the keys survive a restart', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'saml-demo-rotation-'))
    const options = {
      dataDir,
      adminToken: ADMIN_TOKEN,
      adminPassword: ADMIN_PASSWORD,
      idpKeyRolloverMs: HOUR,
      // The shortest the library allows: a look every second, each IdP due every second.
      metadataRefresh: { checkIntervalMs: 1000, minIntervalMs: 1000, maxIntervalMs: 1000 },
    }
    try {
      let signing: string
      const first = await startTestDemo(options)
      try {
        const admin = await adminBrowser(first, ADMIN_PASSWORD)
        assert.equal(await adminAction(first, admin, 'rotate-key', { mode: 'rollover' }), 'rotated-rollover')
        await waitUntil(async () => (await record(first, 'acme')).signingCerts.length === 2, {
          signal: t.signal,
          what: 'the refresher to adopt the metadata with both certificates',
        })
        assert.equal(await adminAction(first, admin, 'sign-with-new-key'), 'signing-with-new-key')
        signing = first.idp.signingKeys('acme').signing.cert
        assert.equal((await aliceLogin(first)).signer, fingerprint(signing))
      } finally {
        await first.close()
      }
      const ring = statSync(join(dataDir, 'keys', 'idp-acme.keys.json'))
      assert.equal(ring.mode & 0o077, 0, 'the private keys are owner-only')

      const second = await startTestDemo(options)
      try {
        assert.equal(
          second.idp.signingKeys('acme').signing.cert,
          signing,
          'the new key persisted in DATA_DIR',
        )
        const login = await aliceLogin(second)
        assert.deepEqual([login.status, login.signer], [302, fingerprint(signing)])
      } finally {
        await second.close()
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

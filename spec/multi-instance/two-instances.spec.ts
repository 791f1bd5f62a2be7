// Two app instances in separate processes behind one public BASE_URL, sharing one PostgreSQL
// database (IdP store) and one Redis (request/replay cache), as a SaaS runs them behind a load
// balancer without sticky sessions.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { SqlIdpStore } from '../../lib/entries/sql.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { TestBrowser } from '../support/app.js'
import { keys, TestIdp } from '../support/test-idp.js'
import { waitUntil } from '../support/wait-until.js'
import { acme } from '../support/tenant-idps.js'

const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const BASE_URL = 'http://sso.app.test'
const tag = randomBytes(4).toString('hex')
const schema = `multi_instance_${tag}`

const sp = { spEntityId: `${BASE_URL}/saml/acme/metadata`, acsUrl: `${BASE_URL}/saml/acme/acs` }
/**
 * The instances' lookup-cache TTL: longer than this suite may run (its timeout), so no cached IdP record
 * can age out during a test, and a change seen by an instance was delivered by the store's change
 * notification.
 */
const CACHE_TTL_MS = 3_600_000

interface Instance {
  url: string
  child: ChildProcess
}

/** Every instance started, ready or not, so `after` stops them even if the suite timed out meanwhile. */
const children: ChildProcess[] = []

async function startInstance(): Promise<Instance> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('../support/instance.ts', import.meta.url).pathname],
    {
      env: {
        ...process.env,
        PG_URL,
        PG_SCHEMA: schema,
        PG_CACHE_TTL_MS: String(CACHE_TTL_MS),
        REDIS_URL,
        REDIS_PREFIX: `multi:${tag}:`,
        BASE_URL,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  children.push(child)
  // Ready when it says so: the instance prints its URL once it listens (no sleep, no port polling).
  const lines = createInterface({ input: child.stdout! })
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`instance exited with ${code} before listening`)
    }),
  ])) as [string]
  return { url: (JSON.parse(line) as { url: string }).url, child }
}

async function stopInstance(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  await exited
}

describe('two instances sharing PostgreSQL and Redis', { timeout: 300_000 }, () => {
  let a: Instance
  let b: Instance
  let admin: SqlIdpStore

  before(async () => {
    // Both instances start at the same moment on an empty schema: migrations take a lock.
    ;[a, b] = await Promise.all([startInstance(), startInstance()])
    admin = await SqlIdpStore.open({ connectionString: PG_URL, schema })
    await admin.put({
      id: 'acme',
      metadataXml: acme.metadataXml(),
      allowIdpInitiated: true,
      attributeMap: 'okta',
    })
  })
  after(async () => {
    await Promise.all(children.map(stopInstance))
    await admin?.close()
    const client = new pg.Client({ connectionString: PG_URL })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.end()
  })

  it('a login started on instance A completes on instance B', async () => {
    const browser = new TestBrowser()
    const start = await browser.get(`${a.url}/saml/acme/login?returnTo=%2Freports`)
    assert.equal(start.status, 302)
    const request = readRedirectAuthnRequest(start.headers.get('location')!)
    const response = await acme.createResponse({ ...sp, inResponseTo: request.id, nameId: 'alice@acme.test' })
    const done = await browser.post(`${b.url}/saml/acme/acs`, { SAMLResponse: response.base64 }, false)
    assert.equal(done.status, 302, await done.text())
    assert.equal(done.headers.get('location'), '/reports')
    const me = (await (await browser.get(`${b.url}/me`, true)).json()) as { nameID: string }
    assert.equal(me.nameID, 'alice@acme.test')

    // The same response replayed to the other instance is refused.
    const replay = await browser.post(`${a.url}/saml/acme/acs`, { SAMLResponse: response.base64 })
    assert.equal(replay.status, 400)
    assert.equal(((await replay.json()) as { error: { code: string } }).error.code, 'ERR_SAML_IN_RESPONSE_TO')
  })

  it('an IdP-initiated assertion accepted by one instance is a replay on the other', async () => {
    const response = await acme.createResponse({ ...sp, nameId: 'bob@acme.test' })
    const first = await new TestBrowser().post(
      `${b.url}/saml/acme/acs`,
      { SAMLResponse: response.base64 },
      false,
    )
    assert.equal(first.status, 302)
    const replay = await new TestBrowser().post(`${a.url}/saml/acme/acs`, { SAMLResponse: response.base64 })
    assert.equal(((await replay.json()) as { error: { code: string } }).error.code, 'ERR_SAML_REPLAY')
  })

  it('one response posted to both at the same moment: exactly one login', async () => {
    for (let round = 0; round < 5; round++) {
      // SP-initiated: the pending request is consumed atomically.
      const browser = new TestBrowser()
      const start = await browser.get(`${a.url}/saml/acme/login`)
      const request = readRedirectAuthnRequest(start.headers.get('location')!)
      const solicited = await acme.createResponse({
        ...sp,
        inResponseTo: request.id,
        nameId: `race${round}@acme.test`,
      })
      // IdP-initiated: the assertion ID is recorded atomically.
      const unsolicited = await acme.createResponse({ ...sp, nameId: `race${round}@acme.test` })
      for (const response of [solicited, unsolicited]) {
        const statuses = (
          await Promise.all(
            [a, b].map((instance) =>
              browser.post(`${instance.url}/saml/acme/acs`, { SAMLResponse: response.base64 }, false),
            ),
          )
        ).map((res) => res.status)
        assert.deepEqual(statuses.sort(), [302, 400], `round ${round}`)
      }
    }
  })

  // "Within a second" was a stopwatch; what it stands for is that the store's change notification, not the
  // lookup cache's TTL, makes the other instances drop the old record. Each instance is shown to hold
  // acme (it answers a login) before the change, and keeps lookups for an hour (CACHE_TTL_MS), longer than
  // this suite may run: an instance acting on the change can only have been told by the notification.
  it('an IdP changed or deleted through one instance applies on the others by its notification', async (t) => {
    const browser = new TestBrowser()
    // Both instances hold acme in their lookup caches (a login resolves it through the store).
    for (const instance of [a, b]) {
      assert.equal((await browser.get(`${instance.url}/saml/acme/login`)).status, 302)
    }
    // Rotate acme to a new key through the shared store (what the demo's admin API on A does); each
    // instance's lookup cache is dropped by the store's change notification.
    const rotated = new TestIdp({ entityId: acme.entityId, ssoUrl: acme.ssoUrl, signing: keys.idpAcmeNext })
    await admin.put({
      id: 'acme',
      metadataXml: rotated.metadataXml(),
      allowIdpInitiated: true,
      attributeMap: 'okta',
    })
    for (const instance of [b, a]) {
      await waitUntil(
        async () => {
          const newKey = await rotated.createResponse({ ...sp, nameId: 'carol@acme.test' })
          return (
            (await browser.post(`${instance.url}/saml/acme/acs`, { SAMLResponse: newKey.base64 }, false))
              .status === 302
          )
        },
        { signal: t.signal, what: `${instance.url} to accept the new key`, pauseMs: 10 },
      )
    }
    const oldKey = await acme.createResponse({ ...sp, nameId: 'carol@acme.test' })
    const refused = await browser.post(`${a.url}/saml/acme/acs`, { SAMLResponse: oldKey.base64 })
    assert.equal(
      ((await refused.json()) as { error: { code: string } }).error.code,
      'ERR_SAML_SIGNATURE_INVALID',
    )

    await admin.delete('acme')
    for (const instance of [a, b]) {
      await waitUntil(
        async () => (await browser.get(`${instance.url}/saml/acme/login`, true)).status === 404,
        {
          signal: t.signal,
          what: `${instance.url} to forget the deleted IdP`,
          pauseMs: 10,
        },
      )
    }
  })
})

// Two demo instances behind one BASE_URL, sharing DATA_DIR, SESSION_SECRET, PostgreSQL and Redis, as
// a SaaS runs them behind a load balancer (issue #4): both start at the same moment on an empty
// database, a login started on one completes on the other, the session is seen by both, and IdPs
// changed or deleted through one instance's admin API apply on the other at once.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import pg from 'pg'
import { waitUntil } from '../support/wait-until.js'
import { TestBrowser, postToAcs, spInitiated, startTestDemo } from './demo-client.js'

const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const ADMIN_TOKEN = 'two-instances-admin-token-0123'

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

describe('two demo instances sharing BASE_URL, DATA_DIR, PostgreSQL and Redis', { timeout: 300_000 }, () => {
  const suffix = randomBytes(6).toString('hex')
  const schema = `demo_two_${suffix}`
  const prefix = `demo-two-${suffix}:`
  let a: Awaited<ReturnType<typeof startTestDemo>>
  let b: Awaited<ReturnType<typeof startTestDemo>>
  let dataDir: string

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'saml-demo-two-'))
    const port = await freePort()
    const shared = {
      dataDir,
      baseUrl: `http://127.0.0.1:${port}`,
      sessionSecret: 'two-instances-session-secret-0123456789',
      adminToken: ADMIN_TOKEN,
      adminPassword: 'two-instances-admin-password',
      databaseUrl: PG_URL,
      databaseSchema: schema,
      redisUrl: REDIS_URL,
      redisKeyPrefix: prefix,
    }
    // The same moment, an empty schema: the store's migrations take a lock.
    ;[a, b] = await Promise.all([startTestDemo({ ...shared, port }), startTestDemo({ ...shared, port: 0 })])
  })

  after(async () => {
    await Promise.all([a?.close(), b?.close()])
    await rm(dataDir, { recursive: true, force: true })
    const redis = new Redis(REDIS_URL)
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 })
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await pool.end()
  })

  const admin = (demo: typeof a, path: string, init: RequestInit = {}) =>
    fetch(`${demo.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    })

  it('both started on the empty database and see the same two tenants', async () => {
    for (const demo of [a, b]) {
      const list = (await (await admin(demo, '/admin/idps')).json()) as { id: string }[]
      assert.deepEqual(
        list.map((r) => r.id),
        ['acme', 'globex'],
      )
    }
  })

  it('a login started on A completes on B, and the session is valid on both', async () => {
    const browser = new TestBrowser()
    const post = await spInitiated(
      browser,
      a,
      '/saml/acme/login?returnTo=%2Fdeep%2Flink',
      'alice@acme.test',
      'alice-demo',
    )
    const acs = await postToAcs(browser, post, `${b.url}/saml/acme/acs`, false)
    assert.equal(acs.status, 302)
    assert.equal(acs.headers.get('location'), '/deep/link')
    for (const demo of [a, b]) {
      const me = await browser.get(`${demo.url}/me`, true)
      assert.equal(me.status, 200)
      assert.equal(((await me.json()) as { nameID: string }).nameID, 'alice@acme.test')
    }
    const replay = await postToAcs(browser, post, `${a.url}/saml/acme/acs`)
    assert.equal(replay.status, 400)
  })

  // "Within a second" was a stopwatch; what it stands for is that the store's change notification, not the
  // lookup cache's TTL, makes B drop acme. B's store keeps lookups for 60 s by its clock, Date.now, which
  // stays frozen (node:test's mocked Date) from just after B was shown to hold acme until B has acted on
  // the change: the cached record cannot age out meanwhile, so B can only have learnt it from the
  // notification, however slowly the machine runs.
  it('an IdP changed or deleted through A applies on B by the change notification', async (t) => {
    const version = async () =>
      ((await (await admin(b, '/admin/idps/acme')).json()) as { version: number }).version
    const withFrozenClock = async (fn: () => Promise<void>) => {
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() })
      try {
        await fn()
      } finally {
        t.mock.timers.reset()
      }
    }

    const before = await version() // B reads acme, and caches it
    await withFrozenClock(async () => {
      const changed = await admin(a, '/admin/idps/acme', {
        method: 'PUT',
        body: JSON.stringify({
          metadataUrl: `${a.url.replace(/\/$/, '')}/idp/acme/metadata`,
          attributeMap: { email: { from: ['email'] }, team: { from: ['department'] } },
          allowIdpInitiated: true,
        }),
      })
      const changedBody = await changed.text()
      assert.equal(changed.status, 200, changedBody)
      // B's lookup cache is dropped by the store's change notification, a moment after A's write.
      const expected = (JSON.parse(changedBody) as { version: number }).version
      assert.notEqual(expected, before)
      await waitUntil(async () => (await version()) === expected, {
        signal: t.signal,
        what: 'B to see the change',
        pauseMs: 10,
      })
    })
    const browser = new TestBrowser()
    const post = await spInitiated(browser, b, '/saml/acme/login', 'alice@acme.test', 'alice-demo')
    assert.equal((await postToAcs(browser, post, `${b.url}/saml/acme/acs`, false)).status, 302)
    const profile = (
      (await (await browser.get(`${b.url}/me`, true)).json()) as { profile: Record<string, unknown> }
    ).profile
    assert.equal(
      typeof profile.team,
      'string',
      `B maps with the new attribute map: ${JSON.stringify(profile)}`,
    )

    const login = async () => (await new TestBrowser().get(`${b.url}/saml/acme/login`, true)).status
    assert.equal(await login(), 302) // B resolves acme, and caches it
    await withFrozenClock(async () => {
      assert.equal((await admin(a, '/admin/idps/acme', { method: 'DELETE' })).status, 204)
      await waitUntil(async () => (await login()) === 404, {
        signal: t.signal,
        what: 'a deleted IdP to stop working on the other instance',
        pauseMs: 10,
      })
    })
  })
})

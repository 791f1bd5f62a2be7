// Outages at the edge: the real SqlIdpStore (PostgreSQL) and RedisSamlCache behind TCP proxies that
// cut and restore the connections. The strategy answers 503 with the typed code, never creates a
// session without the InResponseTo and replay checks, does not crash, and recovers on its own.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { RedisSamlCache } from '../../lib/entries/redis.js'
import { SqlIdpStore } from '../../lib/entries/sql.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js'
import { waitUntil } from '../support/wait-until.js'
import { acme } from '../support/tenant-idps.js'

const PG_URL = new URL(process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
const REDIS_URL = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
const schema = `outage_${randomBytes(4).toString('hex')}`
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code

/**
 * Polls until `check` holds (a failing check counts as not yet). No deadline of its own: the suite's
 * timeout bounds it (its signal ends the wait), so a slow recovery on a busy machine is not a failure.
 */
async function eventually(signal: AbortSignal, check: () => Promise<boolean>, what: string): Promise<void> {
  await waitUntil(() => check().catch(() => false), { signal, what: `${what} to recover`, pauseMs: 100 })
}

describe('outages of PostgreSQL and Redis, through Express and Passport', { timeout: 120_000 }, () => {
  let pgProxy: TcpProxy
  let redisProxy: TcpProxy
  let store: SqlIdpStore
  let cache: RedisSamlCache
  let app: TestApp

  before(async () => {
    pgProxy = await startTcpProxy({ host: PG_URL.hostname, port: Number(PG_URL.port || 5432) })
    redisProxy = await startTcpProxy({ host: REDIS_URL.hostname, port: Number(REDIS_URL.port || 6379) })
    const viaProxy = new URL(PG_URL)
    viaProxy.hostname = '127.0.0.1'
    viaProxy.port = String(pgProxy.port)
    store = await SqlIdpStore.open({ connectionString: viaProxy.href, schema })
    cache = await RedisSamlCache.connect(`redis://127.0.0.1:${redisProxy.port}`, { keyPrefix: `${schema}:` })
    app = await startTestApp({ store, strategy: { cache } })
    await store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
  })

  after(async () => {
    await app?.close()
    await cache?.close()
    await store?.close()
    await pgProxy?.close()
    await redisProxy?.close()
    const client = new pg.Client({ connectionString: PG_URL.href })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.end()
  })

  const sp = () => ({
    spEntityId: `${app.baseUrl}/saml/acme/metadata`,
    acsUrl: `${app.baseUrl}/saml/acme/acs`,
  })

  it('PostgreSQL down: 503 ERR_SAML_STORE_UNAVAILABLE for login and ACS, no session; back by itself', async (t) => {
    const browser = new TestBrowser()
    const response = await acme.createResponse({ ...sp(), nameId: 'alice@acme.test' })
    pgProxy.cut()
    try {
      const login = await browser.get(`${app.baseUrl}/saml/acme/login`, true)
      assert.equal(login.status, 503)
      assert.equal(await code(login), 'ERR_SAML_STORE_UNAVAILABLE')
      const acs = await browser.post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: response.base64 })
      assert.equal(acs.status, 503)
      assert.equal(await code(acs), 'ERR_SAML_STORE_UNAVAILABLE')
      assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
    } finally {
      pgProxy.restore()
    }
    await eventually(
      t.signal,
      async () => (await browser.get(`${app.baseUrl}/saml/acme/login`)).status === 302,
      'login',
    )
    const accepted = await browser.post(
      `${app.baseUrl}/saml/acme/acs`,
      { SAMLResponse: response.base64 },
      false,
    )
    assert.equal(accepted.status, 302, 'the response refused during the outage was never recorded as used')
  })

  it('Redis down: 503 ERR_SAML_CACHE_UNAVAILABLE, never a login without the replay check; back by itself', async (t) => {
    const browser = new TestBrowser()
    const start = await browser.get(`${app.baseUrl}/saml/acme/login`)
    const request = readRedirectAuthnRequest(start.headers.get('location')!)
    const solicited = await acme.createResponse({
      ...sp(),
      inResponseTo: request.id,
      nameId: 'bob@acme.test',
    })
    const unsolicited = await acme.createResponse({ ...sp(), nameId: 'bob@acme.test' })

    redisProxy.cut()
    try {
      for (const response of [solicited, unsolicited]) {
        const acs = await browser.post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: response.base64 })
        assert.equal(acs.status, 503)
        assert.equal(await code(acs), 'ERR_SAML_CACHE_UNAVAILABLE')
      }
      const login = await browser.get(`${app.baseUrl}/saml/acme/login`, true)
      assert.equal(login.status, 503, 'a login that could not be remembered is not started')
      assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
    } finally {
      redisProxy.restore()
    }

    await eventually(
      t.signal,
      async () => (await browser.get(`${app.baseUrl}/saml/acme/login`)).status === 302,
      'login',
    )
    const done = await browser.post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: solicited.base64 }, false)
    assert.equal(done.status, 302, 'the pending request survived the outage in Redis')
    const replay = await browser.post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: solicited.base64 })
    assert.equal(replay.status, 400)
  })
})

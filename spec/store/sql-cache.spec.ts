// The SqlIdpStore lookup cache: served from memory while change notifications flow, dropped on every
// write by any store on the schema (LISTEN/NOTIFY), bypassed while the notification connection is
// down. Two stores stand for two app instances.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { isSamlError } from '../../lib/index.js'
import { SqlIdpStore } from '../../lib/entries/sql.js'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js'
import { waitUntil } from '../support/wait-until.js'
import { CERTS } from './conformance.js'

const PG_URL = new URL(process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
const schema = `sql_cache_${randomBytes(4).toString('hex')}`

const manual = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  entityId: `https://idp.example.test/${id}`,
  ssoUrl: `https://idp.example.test/${id}/sso`,
  signingCerts: [CERTS.acme],
  ...extra,
})

/**
 * Reads until `ok` holds: a notification arrives a moment after the write that sent it. Bounded only
 * by the test's timeout (its signal ends the wait), never by a deadline of its own.
 */
async function eventually<T>(
  signal: AbortSignal,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
): Promise<void> {
  await waitUntil(async () => ok(await read()), { signal, what, pauseMs: 5 })
}

/**
 * Longer than any test here may run (their timeouts): a cached lookup cannot age out during a test, so
 * a change seen through a store's cache was delivered by the change notification, not by its TTL.
 */
const NEVER_EXPIRES_MS = 3_600_000
const TEST = { timeout: 60_000 }

describe('SqlIdpStore lookup cache across instances (PostgreSQL)', () => {
  let proxy: TcpProxy
  let a: SqlIdpStore
  let b: SqlIdpStore

  before(async () => {
    proxy = await startTcpProxy({ host: PG_URL.hostname, port: Number(PG_URL.port || 5432) })
    const viaProxy = new URL(PG_URL)
    viaProxy.hostname = '127.0.0.1'
    viaProxy.port = String(proxy.port)
    a = await SqlIdpStore.open({ connectionString: viaProxy.href, schema, cacheTtlMs: NEVER_EXPIRES_MS })
    b = await SqlIdpStore.open({ connectionString: PG_URL.href, schema })
  })
  after(async () => {
    await a?.close()
    await b?.close()
    await proxy?.close()
    const client = new pg.Client({ connectionString: PG_URL.href })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.end()
  })

  it('serves repeated lookups from memory, without a query', TEST, async (t) => {
    const pool = new pg.Pool({ connectionString: PG_URL.href, max: 2 })
    let queries = 0
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown
    pool.query = ((...args: unknown[]) => {
      queries++
      return query(...args)
    }) as typeof pool.query
    const store = await SqlIdpStore.open({ pool, schema })
    try {
      await b.put(manual('cached', { emailDomains: ['cached.test'] }))
      // The put's notification reaches this store a moment later and drops what it read before it.
      await eventually(
        t.signal,
        async () => {
          await store.get('cached')
          await store.findByEmailDomain('cached.test')
          const before = queries
          await store.get('cached')
          await store.findByEmailDomain('cached.test')
          return queries === before
        },
        (cached) => cached,
        'a cached lookup',
      )
      const first = await store.get('cached')
      const before = queries
      for (let i = 0; i < 10; i++) {
        assert.equal(await store.get('cached'), first)
        assert.equal(await store.findByEmailDomain('cached.test'), first)
      }
      assert.equal(queries, before, 'no query for cached lookups')
      assert.equal(await store.get('never-stored'), undefined)
      assert.equal(await store.get('never-stored'), undefined)
      assert.equal(queries, before + 2, 'misses are not cached')
    } finally {
      await store.close()
      await pool.end()
    }
  })

  it('does not use its cache while its notification connection is down', TEST, async (t) => {
    await b.put(manual('outage'))
    assert.ok(await a.get('outage'))
    proxy.cut()
    try {
      await eventually(
        t.signal,
        () =>
          a.get('outage').then(
            () => false,
            (err: unknown) => isSamlError(err, 'ERR_SAML_STORE_UNAVAILABLE'),
          ),
        (refused) => refused,
        'the outage',
      )
    } finally {
      proxy.restore()
    }
    await eventually(
      t.signal,
      () => a.get('outage').catch(() => undefined),
      (r) => r !== undefined,
      'recovery',
    )
  })

  // "Within milliseconds" was a stopwatch; what it stands for is that the change notification, not the
  // lookup cache's TTL, drops the stale record. Before each change `a` is shown to serve the record from
  // memory (a lookup sends nothing through its proxy to PostgreSQL), and `a` keeps lookups for an hour,
  // longer than this test may run: the new state seen through `a` can only come from the notification.
  it('a change or delete through another store reaches this one by its notification', TEST, async (t) => {
    const lookups = [
      () => a.get('rotating'),
      () => a.findByEntityId('https://idp.example.test/rotating'),
      () => a.findByEmailDomain('rotating.test'),
    ]
    const cachedInA = (what: string) =>
      waitUntil(
        async () => {
          const before = proxy.bytesToTarget
          for (const lookup of lookups) await lookup()
          return proxy.bytesToTarget === before
        },
        { signal: t.signal, what, pauseMs: 5 },
      )

    await b.put(manual('rotating', { displayName: 'v1', emailDomains: ['rotating.test'] }))
    await eventually(
      t.signal,
      () => a.get('rotating'),
      (r) => r?.displayName === 'v1',
      'the first version',
    )
    await cachedInA('the first version served from memory')
    for (const lookup of lookups) assert.equal((await lookup())?.version, 1)

    await b.put(manual('rotating', { displayName: 'v2', emailDomains: ['rotating.test'] }))
    await eventually(
      t.signal,
      () => a.get('rotating'),
      (r) => r?.displayName === 'v2',
      'the change',
    )
    assert.equal((await a.findByEmailDomain('rotating.test'))?.version, 2)

    await cachedInA('the second version served from memory')
    assert.equal(await b.delete('rotating'), true)
    await eventually(
      t.signal,
      () => a.get('rotating'),
      (r) => r === undefined,
      'the delete',
    )
    assert.equal(await a.findByEntityId('https://idp.example.test/rotating'), undefined)
  })

  it('cacheTtlMs: 0 turns the cache off; a bad value is a TypeError', async () => {
    await assert.rejects(SqlIdpStore.open({ cacheTtlMs: -1 }), TypeError)
    const store = await SqlIdpStore.open({ cacheTtlMs: 0 })
    try {
      await store.put(manual('x'))
      assert.notEqual(await store.get('x'), undefined)
    } finally {
      await store.close()
    }
  })
})

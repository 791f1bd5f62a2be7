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

async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
): Promise<number> {
  const started = Date.now()
  while (Date.now() - started < 5000) {
    if (ok(await read())) return Date.now() - started
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  assert.fail(`${what} not seen within 5 s`)
}

describe('SqlIdpStore lookup cache across instances (PostgreSQL)', () => {
  let proxy: TcpProxy
  let a: SqlIdpStore
  let b: SqlIdpStore

  before(async () => {
    proxy = await startTcpProxy({ host: PG_URL.hostname, port: Number(PG_URL.port || 5432) })
    const viaProxy = new URL(PG_URL)
    viaProxy.hostname = '127.0.0.1'
    viaProxy.port = String(proxy.port)
    a = await SqlIdpStore.open({ connectionString: viaProxy.href, schema })
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

  it('serves repeated lookups from memory, without a query', async () => {
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

  it('does not use its cache while its notification connection is down', async () => {
    await b.put(manual('outage'))
    assert.ok(await a.get('outage'))
    proxy.cut()
    try {
      await eventually(
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
      () => a.get('outage').catch(() => undefined),
      (r) => r !== undefined,
      'recovery',
    )
  })

  it('a change or delete made through another store reaches this one within milliseconds', async () => {
    await b.put(manual('rotating', { displayName: 'v1', emailDomains: ['rotating.test'] }))
    await eventually(
      () => a.get('rotating'),
      (r) => r?.displayName === 'v1',
      'the first version',
    )
    for (const lookup of [
      () => a.get('rotating'),
      () => a.findByEntityId('https://idp.example.test/rotating'),
      () => a.findByEmailDomain('rotating.test'),
    ])
      assert.equal((await lookup())?.version, 1)

    await b.put(manual('rotating', { displayName: 'v2', emailDomains: ['rotating.test'] }))
    const changedIn = await eventually(
      () => a.get('rotating'),
      (r) => r?.displayName === 'v2',
      'the change',
    )
    assert.equal((await a.findByEmailDomain('rotating.test'))?.version, 2)
    assert.ok(changedIn < 1000, `change seen after ${changedIn} ms`)

    assert.equal(await b.delete('rotating'), true)
    const deletedIn = await eventually(
      () => a.get('rotating'),
      (r) => r === undefined,
      'the delete',
    )
    assert.equal(await a.findByEntityId('https://idp.example.test/rotating'), undefined)
    assert.ok(deletedIn < 1000, `delete seen after ${deletedIn} ms`)
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

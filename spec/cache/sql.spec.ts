// SqlSamlCache on embedded PGlite and on a real PostgreSQL server (PG_URL, a random schema
// per run, dropped at the end).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, describe, it } from 'node:test'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { SqlSamlCache } from '../../lib/cache/sql-saml-cache.js'
import { isSamlError } from '../../lib/errors/saml-error.js'
import { startTcpProxy } from '../support/tcp-proxy.js'
import { samlCacheConformance } from './conformance.js'

const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const schema = `spec_cache_${randomBytes(6).toString('hex')}`
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 })
after(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await admin.end()
})

/**
 * Moves the cache's clock `ms` forward. Every expiry check of SqlSamlCache compares `expires_at` with the
 * database's `now()`, so moving every row's `expires_at` back by `ms` is the same as the clock moving
 * forward by `ms`: the suite's TTL tests then run on long TTLs and never wait out a TTL in real time.
 * The table holds only this file's rows (its own schema, its own PGlite database).
 */
const advanceBy =
  (query: (sql: string, params: unknown[]) => Promise<unknown>, table: string) =>
  async (ms: number): Promise<void> => {
    await query(
      `UPDATE ${table} SET expires_at = expires_at - $1::double precision * interval '1 millisecond'`,
      [ms],
    )
  }

// PGlite takes seconds to start: one database, a cache opened on it per test.
const db = new PGlite()
after(() => db.close())
samlCacheConformance('postgres (PGlite)', () => SqlSamlCache.open({ pglite: db }), {
  advanceTime: advanceBy((sql, params) => db.query(sql, params), 'saml_multi_idp.saml_cache'),
})

samlCacheConformance('postgres (PostgreSQL)', () => SqlSamlCache.open({ connectionString: PG_URL, schema }), {
  advanceTime: advanceBy((sql, params) => admin.query(sql, params), `"${schema}".saml_cache`),
})

const key = (name: string) => `spec:${randomBytes(6).toString('hex')}:${name}`

// "Fast" in the outage test is what the suite's timeout proves: every call settles (rejects) instead of
// hanging, and the timeout fails a hang instead of blocking the run. How many ms a call takes is for
// `npm run bench`, not for a spec.
describe('SqlSamlCache on PostgreSQL', { timeout: 120_000 }, () => {
  it('is atomic across instances: 50 takes over 5 pools get one value, 50 adds store once', async () => {
    const caches = await Promise.all(
      Array.from({ length: 5 }, () => SqlSamlCache.open({ connectionString: PG_URL, schema })),
    )
    try {
      for (let round = 0; round < 5; round++) {
        const k = key(`race${round}`)
        await caches[0]!.set(k, 'the-value', 60_000)
        const taken = await Promise.all(Array.from({ length: 50 }, (_, i) => caches[i % 5]!.take(k)))
        assert.deepEqual(
          taken.filter((v) => v !== undefined),
          ['the-value'],
        )
        const added = await Promise.all(
          Array.from({ length: 50 }, (_, i) => caches[i % 5]!.add(k, `w${i}`, 60_000)),
        )
        const winners = added.flatMap((ok, i) => (ok ? [i] : []))
        assert.equal(winners.length, 1)
        assert.equal(await caches[2]!.take(k), `w${winners[0]}`)
      }
    } finally {
      await Promise.all(caches.map((c) => c.close()))
    }
  })

  it('expires on the database clock, and sweep() deletes expired rows only', async () => {
    const cache = await SqlSamlCache.open({ connectionString: PG_URL, schema, sweepIntervalMs: 0 })
    try {
      const gone = key('gone')
      const kept = key('kept')
      await cache.set(gone, 'v', 50)
      await cache.add(kept, 'v', 60_000)
      // Move the row's expiry into the past by the server's clock, not ours.
      await admin.query(
        `UPDATE "${schema}".saml_cache SET expires_at = now() - interval '1 second' WHERE key = $1`,
        [gone],
      )
      assert.equal(await cache.add(gone, 'again', 60_000), true, 'an expired key can be added again')
      await admin.query(
        `UPDATE "${schema}".saml_cache SET expires_at = now() - interval '1 second' WHERE key = $1`,
        [gone],
      )
      const swept = await cache.sweep()
      assert.ok(swept >= 1)
      const { rows } = await admin.query(`SELECT key FROM "${schema}".saml_cache WHERE key = ANY($1)`, [
        [gone, kept],
      ])
      assert.deepEqual(
        rows.map((r: { key: string }) => r.key),
        [kept],
      )
      assert.equal(await cache.take(kept), 'v')
    } finally {
      await cache.close()
    }
  })

  it('an outage is ERR_SAML_CACHE_UNAVAILABLE, fast, and the cache recovers by itself', async () => {
    const proxy = await startTcpProxy({ port: Number(new URL(PG_URL).port || 5432) })
    const url = new URL(PG_URL)
    url.hostname = '127.0.0.1'
    url.port = String(proxy.port)
    const cache = await SqlSamlCache.open({
      connectionString: url.href,
      schema,
      poolOptions: { connectionTimeoutMillis: 1000 },
    })
    try {
      const k = key('outage')
      await cache.set(k, 'v', 60_000)
      proxy.cut()
      for (const op of [() => cache.take(k), () => cache.add(k, 'x', 1000), () => cache.set(k, 'x', 1000)]) {
        await assert.rejects(op(), (err: unknown) => isSamlError(err, 'ERR_SAML_CACHE_UNAVAILABLE'))
      }
      proxy.restore()
      assert.equal(await cache.take(k), 'v')
    } finally {
      await cache.close()
      await proxy.close()
    }
  })

  it('rejects misuse with TypeError', async () => {
    await assert.rejects(SqlSamlCache.open({ sweepIntervalMs: -1 }), TypeError)
    await assert.rejects(SqlSamlCache.open({ schema: 'no way' }), /options\.schema/)
    const cache = await SqlSamlCache.open({ connectionString: PG_URL, schema })
    try {
      await assert.rejects(cache.set('k', 'v', 0), TypeError)
      await assert.rejects(cache.add('k', 'v', Number.NaN), TypeError)
      await assert.rejects(cache.set('k', 1 as unknown as string, 10), TypeError)
      await assert.rejects(cache.take(undefined as unknown as string), TypeError)
    } finally {
      await cache.close()
    }
    await assert.rejects(cache.take('k'), (err: unknown) => isSamlError(err, 'ERR_SAML_CACHE_UNAVAILABLE'))
  })
})

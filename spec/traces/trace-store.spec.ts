// The trace store conformance suite against the memory adapter, embedded PGlite and a real
// PostgreSQL server (PG_URL, a random schema per run, dropped at the end).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, describe, it } from 'node:test'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { isSamlError } from '../../lib/errors/saml-error.js'
import { traceStoreConformance } from '../../lib/testing/trace-store-conformance.js'
import { MemoryTraceStore } from '../../lib/traces/memory-trace-store.js'
import { SqlTraceStore } from '../../lib/traces/sql-trace-store.js'

const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const schema = `spec_traces_${randomBytes(6).toString('hex')}`
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 })
after(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await admin.end()
})

traceStoreConformance('memory', async () => new MemoryTraceStore())

// PGlite takes seconds to start: one database, a store opened on it per test.
const db = new PGlite()
after(() => db.close())
traceStoreConformance('postgres (PGlite)', () => SqlTraceStore.open({ pglite: db }))

traceStoreConformance('postgres (PostgreSQL)', () => SqlTraceStore.open({ connectionString: PG_URL, schema }))

describe('SqlTraceStore', () => {
  it('records its migration beside the IdP store and cache, as component trace-store', async () => {
    const store = await SqlTraceStore.open({ connectionString: PG_URL, schema })
    await store.close()
    const rows = await admin.query(
      `SELECT version FROM "${schema}".migrations WHERE component = 'trace-store'`,
    )
    assert.deepEqual(
      rows.rows.map((r: { version: number }) => r.version),
      [1],
    )
  })

  it('a closed store answers ERR_SAML_STORE_UNAVAILABLE', async () => {
    const store = await SqlTraceStore.open({ pglite: db })
    await store.close()
    await assert.rejects(store.list(), (err) => isSamlError(err, 'ERR_SAML_STORE_UNAVAILABLE'))
  })

  it('checks its connection options up front', async () => {
    await assert.rejects(SqlTraceStore.open({ schema: 'Bad-Schema' }), TypeError)
  })
})

// Several instances starting at once on an empty database must migrate it exactly once.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, describe, it } from 'node:test'
import pg from 'pg'
import { SqlIdpStore } from '../../lib/store/sql/sql-idp-store.js'
import { CERTS, idpMetadataXml } from './conformance.js'

const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 })
const schemas: string[] = []
after(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await admin.end()
})

describe('SqlIdpStore migrations', () => {
  for (let round = 0; round < 3; round++) {
    it(`5 stores opened at once on a fresh schema all start, and migrate it once (round ${round + 1})`, async () => {
      const schema = `spec_race_${randomBytes(6).toString('hex')}`
      schemas.push(schema)
      const stores = await Promise.all(
        Array.from({ length: 5 }, () => SqlIdpStore.open({ connectionString: PG_URL, schema })),
      )
      try {
        const { rows } = await admin.query(
          `SELECT component, version FROM "${schema}".migrations ORDER BY version`,
        )
        assert.deepEqual(rows, [
          { component: 'idp-store', version: 1 },
          { component: 'idp-store', version: 2 },
          { component: 'idp-store', version: 3 },
          { component: 'idp-store', version: 4 },
        ])
        // Every instance sees what another wrote.
        const written = await stores[0]!.put({
          id: 'acme',
          entityId: 'https://idp.acme.test',
          ssoUrl: 'https://idp.acme.test/sso',
          signingCerts: [CERTS.acme],
          emailDomains: ['acme.test'],
        })
        for (const store of stores)
          assert.deepStrictEqual(await store.findByEmailDomain('acme.test'), written)
        // And a write through another instance is the next version for all of them.
        await stores[3]!.put({
          id: 'acme',
          entityId: 'https://idp.acme.test',
          ssoUrl: 'https://idp.acme.test/sso',
          signingCerts: [CERTS.acme],
        })
        for (const store of stores) assert.equal((await store.get('acme'))?.version, 2)
      } finally {
        await Promise.all(stores.map((store) => store.close()))
      }
    })
  }

  it('stores records lz4-compressed where the server has lz4 (migration 4), pglz elsewhere', async () => {
    const schema = `spec_lz4_${randomBytes(6).toString('hex')}`
    schemas.push(schema)
    const store = await SqlIdpStore.open({ connectionString: PG_URL, schema })
    try {
      const { rows: settings } = await admin.query<{ enumvals: string[] | null }>(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'",
      )
      const serverHasLz4 = settings[0]?.enumvals?.includes('lz4') ?? false
      const { rows: version } = await admin.query<{ n: number }>(
        "SELECT current_setting('server_version_num')::int AS n",
      )
      // Before PostgreSQL 14 there is no per-column compression (nor these catalog columns): nothing to see.
      if (version[0]!.n < 140000) return assert.equal(serverHasLz4, false)
      const { rows: column } = await admin.query<{ attcompression: string }>(
        `SELECT attcompression FROM pg_attribute WHERE attrelid = '"${schema}".idps'::regclass AND attname = 'record'`,
      )
      assert.equal(column[0]?.attcompression, serverHasLz4 ? 'l' : '')
      // A record large enough for PostgreSQL to compress: the metadata and its certificate.
      await store.put({ id: 'acme', metadataXml: idpMetadataXml('https://idp.acme.test') })
      const { rows } = await admin.query<{ method: string | null }>(
        `SELECT pg_column_compression(record) AS method FROM "${schema}".idps WHERE id = 'acme'`,
      )
      assert.equal(rows[0]?.method, serverHasLz4 ? 'lz4' : 'pglz')
    } finally {
      await store.close()
    }
  })
})

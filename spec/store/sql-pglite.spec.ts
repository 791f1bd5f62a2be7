import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { PGlite } from '@electric-sql/pglite'
import { isSamlError } from '../../lib/errors/saml-error.js'
import type { SqlDriver } from '../../lib/sql/sql-driver.js'
import type { IdpStore } from '../../lib/store/idp-store.js'
import { SqlIdpStore } from '../../lib/store/sql/sql-idp-store.js'
import { CERTS, idpStoreConformance } from './conformance.js'

// PGlite takes seconds to start, so each suite shares one database across its tests; the suite's
// own close() after each test is a no-op on the shared store, and the real one runs at the end.
function sharing(open: () => Promise<SqlIdpStore>): {
  make: () => Promise<IdpStore>
  close: () => Promise<void>
} {
  let store: Promise<SqlIdpStore> | undefined
  return {
    make: async () => {
      const real = await (store ??= open())
      return Object.assign(Object.create(real) as IdpStore, { close: async () => {} })
    },
    close: async () => {
      if (store) await (await store).close()
    },
  }
}

const inMemory = sharing(() => SqlIdpStore.open())
after(() => inMemory.close())
idpStoreConformance('sql (PGlite in memory)', inMemory.make, { metadataStatus: true, federationStatus: true })

const dataDir = await mkdtemp(join(tmpdir(), 'saml-idps-'))
const onDisk = sharing(() => SqlIdpStore.open({ dataDir }))
after(async () => {
  await onDisk.close()
  await rm(dataDir, { recursive: true, force: true })
})
idpStoreConformance('sql (PGlite data directory)', onDisk.make, {
  metadataStatus: true,
  federationStatus: true,
})

// A user-supplied PGlite: every test opens (and migrates) a fresh store on it and closes it, which
// must leave the database open for the next test.
const userDb = new PGlite()
after(() => userDb.close())
idpStoreConformance('sql (user PGlite, store per test)', () =>
  SqlIdpStore.open({ pglite: userDb, schema: 'per_test' }),
)

const manual = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  entityId: `https://idp.example.test/${id}`,
  ssoUrl: 'https://idp.example.test/sso',
  signingCerts: [CERTS.acme],
  ...extra,
})

describe('SqlIdpStore on PGlite', () => {
  let db: PGlite
  before(async () => {
    db = await PGlite.create()
  })
  after(() => db.close())

  it('keeps records across closing and reopening a data directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'saml-idps-reopen-'))
    try {
      const first = await SqlIdpStore.open({ dataDir: dir })
      await first.put(manual('acme', { emailDomains: ['acme.com'] }))
      const v2 = await first.put(manual('acme', { emailDomains: ['acme.com'], displayName: 'Acme' }))
      await first.close()
      // The metadata status lives beside the record and survives a restart too.
      const status = {
        url: 'https://idp.acme.test/metadata',
        nextRefreshAt: '2026-12-01T06:00:00.000Z',
        consecutiveFailures: 0,
        etag: '"v7"',
      }
      const third = await SqlIdpStore.open({ dataDir: dir })
      await third.saveMetadataStatus('acme', status)
      await third.close()
      const fourth = await SqlIdpStore.open({ dataDir: dir })
      assert.deepStrictEqual(await fourth.getMetadataStatus('acme'), status)
      await fourth.close()
      const second = await SqlIdpStore.open({ dataDir: dir })
      try {
        assert.deepStrictEqual(await second.get('acme'), v2)
        assert.equal((await second.findByEmailDomain('ACME.COM'))?.version, 2)
        assert.equal((await second.put(manual('acme'))).version, 3)
      } finally {
        await second.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('runs the PGlite it opens with 16 MB of shared buffers, without writing that into the data directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'saml-idps-buffers-'))
    try {
      const store = await SqlIdpStore.open({ dataDir: dir })
      try {
        const { driver } = store as unknown as { driver: SqlDriver }
        assert.deepEqual(await driver.query('SHOW shared_buffers'), [{ shared_buffers: '16MB' }])
      } finally {
        await store.close()
      }
      // The directory's own configuration is untouched: PGlite opened on it by the app has its default.
      const own = await PGlite.create(dir)
      try {
        assert.deepEqual((await own.query('SHOW shared_buffers')).rows, [{ shared_buffers: '128MB' }])
      } finally {
        await own.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('records its migrations and runs them once', async () => {
    const a = await SqlIdpStore.open({ pglite: db, schema: 'migrated' })
    await a.close()
    const b = await SqlIdpStore.open({ pglite: db, schema: 'migrated' })
    await b.close()
    const { rows } = await db.query<{ component: string; version: number }>(
      'SELECT component, version FROM migrated.migrations ORDER BY component, version',
    )
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      [
        { component: 'idp-store', version: 1 },
        { component: 'idp-store', version: 2 },
        { component: 'idp-store', version: 3 },
        { component: 'idp-store', version: 4 },
      ],
    )
  })

  it('raises ERR_SAML_IDP_CORRUPT for a stored record that no longer validates', async () => {
    // Rows changed behind the store's back send no notification: read without the lookup cache.
    const store = await SqlIdpStore.open({ pglite: db, schema: 'tampered', cacheTtlMs: 0 })
    try {
      await store.put(manual('acme', { emailDomains: ['acme.com'] }))
      assert.equal((await store.get('acme'))?.id, 'acme')
      await db.query(
        `UPDATE tampered.idps SET record = jsonb_set(record, '{signingCerts}', '["junk"]') WHERE id = 'acme'`,
      )
      for (const read of [
        () => store.get('acme'),
        () => store.findByEntityId('https://idp.example.test/acme'),
        () => store.findByEmailDomain('acme.com'),
        () => store.list(),
      ]) {
        await assert.rejects(read(), (err: unknown) => isSamlError(err, 'ERR_SAML_IDP_CORRUPT'))
      }
      await db.query(`UPDATE tampered.idps SET record = '[1]' WHERE id = 'acme'`)
      await assert.rejects(store.get('acme'), (err: unknown) => isSamlError(err, 'ERR_SAML_IDP_CORRUPT'))
      // Re-putting fixes it.
      await store.put(manual('acme'))
      assert.equal((await store.get('acme'))?.version, 2)
    } finally {
      await store.close()
    }
  })

  it('names the IdP that holds a taken entityID or email domain', async () => {
    const store = await SqlIdpStore.open({ pglite: db, schema: 'conflicts' })
    try {
      await store.put(manual('first', { emailDomains: ['first.example'] }))
      await assert.rejects(
        store.put(manual('second', { entityId: 'https://idp.example.test/first' })),
        (err: unknown) => {
          assert.ok(isSamlError(err, 'ERR_SAML_IDP_CONFLICT'))
          assert.match(
            err.message,
            /entityID "https:\/\/idp\.example\.test\/first" already belongs to IdP "first"/,
          )
          return true
        },
      )
      await assert.rejects(
        store.put(manual('second', { emailDomains: ['First.Example'] })),
        (err: unknown) => {
          assert.ok(isSamlError(err, 'ERR_SAML_IDP_CONFLICT'))
          assert.match(err.message, /email domain "first\.example" already belongs to IdP "first"/)
          return true
        },
      )
    } finally {
      await store.close()
    }
  })

  it('lookups with keys no record can have (NUL, over-long) find nothing instead of failing', async () => {
    const store = await SqlIdpStore.open({ pglite: db, schema: 'odd_keys' })
    try {
      await store.put(manual('acme', { emailDomains: ['acme.com'] }))
      assert.equal(await store.get('ac\u0000me'), undefined)
      assert.equal(await store.get('a'.repeat(65)), undefined)
      assert.equal(await store.findByEntityId('https://idp.example.test/acme\u0000'), undefined)
      assert.equal(await store.findByEntityId(`https://idp.example.test/${'x'.repeat(2000)}`), undefined)
      assert.equal(await store.findByEmailDomain('acme\u0000.com'), undefined)
      assert.equal(await store.delete('ac\u0000me'), false)
      await assert.rejects(store.list({ after: 'a\u0000' }), TypeError)
      assert.equal((await store.get('acme'))?.id, 'acme')
    } finally {
      await store.close()
    }
  })

  it('close() leaves a user PGlite open; the closed store reports ERR_SAML_STORE_UNAVAILABLE', async () => {
    const store = await SqlIdpStore.open({ pglite: db, schema: 'closing' })
    await store.close()
    assert.equal(db.closed, false)
    assert.deepEqual((await db.query('SELECT 1 AS one')).rows, [{ one: 1 }])
    await assert.rejects(store.get('acme'), (err: unknown) => isSamlError(err, 'ERR_SAML_STORE_UNAVAILABLE'))
  })

  it('rejects bad options with a TypeError naming the option', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ dataDir: '' }, /options\.dataDir/],
      [{ dataDir: 'x', connectionString: 'postgres://x' }, /at most one/],
      [{ schema: 'Bad-Schema' }, /options\.schema/],
      [{ schema: 'x'.repeat(64) }, /options\.schema/],
      [{ pool: {} }, /options\.pool/],
      [{ pglite: 'db' }, /options\.pglite/],
      [{ connectionString: 42 }, /options\.connectionString/],
      [{ poolOptions: { max: 1 } }, /options\.poolOptions/],
      [{ allowSharedEntityIds: 'yes' }, /options\.allowSharedEntityIds/],
    ]
    for (const [options, message] of cases) {
      await assert.rejects(SqlIdpStore.open(options as never), (err: unknown) => {
        assert.ok(err instanceof TypeError, `${JSON.stringify(options)}: ${String(err)}`)
        assert.match(err.message, message)
        return true
      })
    }
  })
})

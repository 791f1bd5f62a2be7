// SqlIdpStore on a real PostgreSQL server (PG_URL). Every run uses its own random schema, dropped
// at the end, so runs and other suites can share the database.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, describe, it } from 'node:test'
import pg from 'pg'
import { isSamlError } from '../../lib/errors/saml-error.js'
import { normalizeIdpRecord } from '../../lib/record/normalize-idp-record.js'
import { SqlIdpStore } from '../../lib/store/sql/sql-idp-store.js'
import { CERTS, idpStoreConformance } from './conformance.js'

const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const schema = `spec_idps_${randomBytes(6).toString('hex')}`
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 })
after(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}_pool" CASCADE`)
  await admin.end()
})

idpStoreConformance(
  'sql (PostgreSQL, connection string)',
  () => SqlIdpStore.open({ connectionString: PG_URL, schema }),
  { metadataStatus: true, federationStatus: true },
)

// The user's own pool, shared by every test's store and left open by store.close().
const userPool = new pg.Pool({ connectionString: PG_URL, max: 5 })
after(() => userPool.end())
idpStoreConformance('sql (PostgreSQL, user pg.Pool)', () =>
  SqlIdpStore.open({ pool: userPool, schema: `${schema}_pool` }),
)

describe('SqlIdpStore on PostgreSQL', () => {
  it(
    'puts of one id wait for each other on a lock of that id (so two first puts cannot race)',
    { timeout: 60_000 },
    async (t) => {
      // The race it closes: puts creating the same new id at once could both miss the row, and the
      // loser tripped the entityID index (which ON CONFLICT (id) does not arbitrate) and read as a
      // conflict with "another record". Holding the id's lock from outside shows a put waits on it.
      const store = await SqlIdpStore.open({ connectionString: PG_URL, schema })
      const holder = await admin.connect()
      try {
        const id = `locked-${randomBytes(3).toString('hex')}`
        const key = `"${schema}".idps:${id}`
        await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key])
        let settled = false
        const put = store
          .put({
            id,
            entityId: `https://idp.example.test/${id}`,
            ssoUrl: 'https://idp.example.test/sso',
            signingCerts: [CERTS.acme],
          })
          .finally(() => (settled = true))
        // Readiness, not time: poll until a backend waits for that advisory lock.
        for (;;) {
          assert.ok(!t.signal.aborted && !settled, 'the put never waited for the lock')
          const { rows } = await holder.query(
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
          )
          if ((rows[0] as { n: number }).n > 0) break
          await new Promise((resolve) => setImmediate(resolve))
        }
        assert.equal(settled, false, 'the put waits while the lock is held')
        await holder.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])
        assert.equal((await put).version, 1)
      } finally {
        holder.release()
        await store.close()
      }
    },
  )

  it(
    'putMany raced by another writer on an entityID: the batch falls back to put one by one, the raced input is a conflict naming the other record, the rest is written',
    { timeout: 60_000 },
    async (t) => {
      const store = await SqlIdpStore.open({ connectionString: PG_URL, schema })
      const writer = await admin.connect()
      const tag = randomBytes(3).toString('hex')
      const contested = `https://idp.example.test/contested-${tag}`
      const input = (id: string, entityId: string) => ({
        id,
        entityId,
        ssoUrl: 'https://idp.example.test/sso',
        signingCerts: [CERTS.acme],
      })
      try {
        // Another instance inserts the entityID and has not committed: the batch's conflict check
        // cannot see it, and its insert waits on the unique index until that writer commits.
        await writer.query('BEGIN')
        await writer.query(
          `INSERT INTO "${schema}".idps (id, entity_id, record, version, updated_at) VALUES ($1, $2, $3::jsonb, 1, now())`,
          [`other-${tag}`, contested, JSON.stringify(normalizeIdpRecord(input(`other-${tag}`, contested)))],
        )
        const batch = store.putMany([
          input(`mine-${tag}`, contested),
          input(`fine-${tag}`, `https://idp.example.test/fine-${tag}`),
        ])
        // Readiness, not time: poll until a backend waits for a lock held by the writer.
        const writerPid = (await writer.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number
        for (;;) {
          assert.ok(!t.signal.aborted, 'the batch never waited for the other writer')
          const { rows } = await admin.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))`,
            [writerPid],
          )
          if ((rows[0] as { n: number }).n > 0) break
          await new Promise((resolve) => setImmediate(resolve))
        }
        await writer.query('COMMIT')
        const [mine, fine] = await batch
        assert.ok(mine?.error && isSamlError(mine.error, 'ERR_SAML_IDP_CONFLICT'), String(mine?.error))
        assert.match(mine.error.message, new RegExp(`other-${tag}`))
        assert.equal(fine?.record?.id, `fine-${tag}`)
        assert.equal((await store.get(`fine-${tag}`))?.version, 1)
        assert.equal(await store.get(`mine-${tag}`), undefined)
        assert.equal((await store.findByEntityId(contested))?.id, `other-${tag}`)
      } finally {
        await writer.query('ROLLBACK').catch(() => {})
        writer.release()
        await store.close()
      }
    },
  )

  it('uses indexes for lookups by id, entityID and email domain', async () => {
    const store = await SqlIdpStore.open({ connectionString: PG_URL, schema })
    await store.close()
    const client = await admin.connect()
    try {
      await client.query('SET enable_seqscan = off')
      const plan = async (sql: string) =>
        (await client.query(`EXPLAIN ${sql}`)).rows
          .map((r: Record<string, string>) => r['QUERY PLAN'])
          .join('\n')
      assert.match(await plan(`SELECT * FROM "${schema}".idps WHERE id = 'x'`), /Index/)
      assert.match(await plan(`SELECT * FROM "${schema}".idps WHERE entity_id = 'x'`), /Index/)
      assert.match(await plan(`SELECT * FROM "${schema}".idp_email_domains WHERE domain = 'x'`), /Index/)
    } finally {
      client.release()
    }
  })

  it('store.close() leaves a user pool open', async () => {
    const store = await SqlIdpStore.open({ pool: userPool, schema: `${schema}_pool` })
    await store.close()
    assert.deepEqual((await userPool.query('SELECT 1 AS one')).rows, [{ one: 1 }])
    await assert.rejects(store.get('x'), (err: unknown) => isSamlError(err, 'ERR_SAML_STORE_UNAVAILABLE'))
  })

  it('deleting a record deletes its email domains (ON DELETE CASCADE)', async () => {
    const store = await SqlIdpStore.open({ connectionString: PG_URL, schema })
    const id = `cascade-${randomBytes(4).toString('hex')}`
    try {
      await store.put({
        id,
        entityId: `https://idp.example.test/${id}`,
        ssoUrl: 'https://idp.example.test/sso',
        signingCerts: [CERTS.acme],
        emailDomains: [`${id}.example`, `b.${id}.example`],
      })
      const count = async () =>
        Number(
          (
            await admin.query(`SELECT count(*) AS n FROM "${schema}".idp_email_domains WHERE idp_id = $1`, [
              id,
            ])
          ).rows[0].n,
        )
      assert.equal(await count(), 2)
      assert.equal(await store.delete(id), true)
      assert.equal(await count(), 0)
    } finally {
      await store.close()
    }
  })

  it('an unreachable server is ERR_SAML_STORE_UNAVAILABLE at open', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    await assert.rejects(
      SqlIdpStore.open({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', schema }),
      (err: unknown) => isSamlError(err, 'ERR_SAML_STORE_UNAVAILABLE'),
    )
  })
})

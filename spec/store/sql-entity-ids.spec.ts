// entityID uniqueness is a unique index that follows the `allowSharedEntityIds` option.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, describe, it } from 'node:test'
import pg from 'pg'
import { isSamlError } from '../../lib/errors/saml-error.js'
import { SqlIdpStore } from '../../lib/store/sql/sql-idp-store.js'
import { CERTS } from './conformance.js'

const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const schema = `spec_entity_${randomBytes(6).toString('hex')}`
const admin = new pg.Pool({ connectionString: PG_URL, max: 1 })
after(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await admin.end()
})

const ENTITY = 'https://accounts.example.test/o/saml2?idpid=shared'
const tenant = (id: string) => ({
  id,
  entityId: ENTITY,
  ssoUrl: 'https://accounts.example.test/sso',
  signingCerts: [CERTS.acme],
  spEntityId: `https://app.example.test/saml/${id}`,
  emailDomains: [`${id}.example.test`],
})

describe('SqlIdpStore entityID uniqueness', () => {
  it('allowSharedEntityIds lets tenants share an entityID; findByEntityId then refuses to guess', async () => {
    const store = await SqlIdpStore.open({ connectionString: PG_URL, schema, allowSharedEntityIds: true })
    try {
      await store.put(tenant('tenant-a'))
      await store.put(tenant('tenant-b'))
      assert.equal((await store.get('tenant-b'))?.entityId, ENTITY)
      assert.equal(await store.findByEntityId(ENTITY), undefined, 'ambiguous issuer resolves to nothing')
      assert.equal((await store.findByEmailDomain('tenant-a.example.test'))?.id, 'tenant-a')
      // Email domains stay unique either way.
      await assert.rejects(
        store.put({ ...tenant('tenant-c'), emailDomains: ['tenant-a.example.test'] }),
        (err: unknown) => isSamlError(err, 'ERR_SAML_IDP_CONFLICT'),
      )
    } finally {
      await store.close()
    }
  })

  it('opening without the option while records share an entityID fails with ERR_SAML_IDP_CONFLICT', async () => {
    await assert.rejects(SqlIdpStore.open({ connectionString: PG_URL, schema }), (err: unknown) => {
      assert.ok(isSamlError(err, 'ERR_SAML_IDP_CONFLICT'))
      assert.match(err.message, /allowSharedEntityIds/)
      return true
    })
  })

  it('once the duplicates are gone, the default store enforces uniqueness again', async () => {
    const shared = await SqlIdpStore.open({ connectionString: PG_URL, schema, allowSharedEntityIds: true })
    assert.equal(await shared.delete('tenant-b'), true)
    await shared.close()
    const store = await SqlIdpStore.open({ connectionString: PG_URL, schema })
    try {
      assert.equal((await store.findByEntityId(ENTITY))?.id, 'tenant-a')
      await assert.rejects(store.put(tenant('tenant-b')), (err: unknown) =>
        isSamlError(err, 'ERR_SAML_IDP_CONFLICT'),
      )
      assert.equal(await store.get('tenant-b'), undefined)
    } finally {
      await store.close()
    }
  })
})

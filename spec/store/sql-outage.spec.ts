// A real outage: the store talks to PostgreSQL through a TCP proxy that the spec cuts and restores.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { isSamlError } from '../../lib/errors/saml-error.js'
import { SqlIdpStore } from '../../lib/store/sql/sql-idp-store.js'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js'
import { CERTS } from './conformance.js'

const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const schema = `spec_outage_${randomBytes(6).toString('hex')}`

const acme = (displayName?: string) => ({
  id: 'acme',
  entityId: 'https://idp.acme.test',
  ssoUrl: 'https://idp.acme.test/sso',
  signingCerts: [CERTS.acme],
  emailDomains: ['acme.test'],
  ...(displayName !== undefined && { displayName }),
})

const unavailable = (err: unknown) => isSamlError(err, 'ERR_SAML_STORE_UNAVAILABLE')

// No call is timed: "fails fast" is proven by each call settling with ERR_SAML_STORE_UNAVAILABLE at all
// (a cut proxy refuses new connections at once, the pool's connect timeout bounds the rest), and the
// suite's timeout fails a hang instead of blocking the run. How many ms a call takes is for `npm run bench`.
describe('SqlIdpStore during a PostgreSQL outage', { timeout: 120_000 }, () => {
  let proxy: TcpProxy
  let store: SqlIdpStore
  before(async () => {
    proxy = await startTcpProxy({
      port: Number(new URL(PG_URL).port || 5432),
      host: new URL(PG_URL).hostname,
    })
    const url = new URL(PG_URL)
    url.hostname = '127.0.0.1'
    url.port = String(proxy.port)
    store = await SqlIdpStore.open({
      connectionString: url.href,
      schema,
      poolOptions: { connectionTimeoutMillis: 1000, max: 4 },
      // Every read queries here: this spec is about the driver. The lookup cache's behaviour in an
      // outage (bypassed while its notification connection is down) is in sql-cache.spec.ts.
      cacheTtlMs: 0,
    })
  })
  after(async () => {
    await store?.close()
    await proxy?.close()
    const admin = new pg.Client({ connectionString: PG_URL })
    await admin.connect()
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await admin.end()
  })

  it('fails fast with ERR_SAML_STORE_UNAVAILABLE while cut, and recovers by itself', async () => {
    const v1 = await store.put(acme())
    assert.deepStrictEqual(await store.get('acme'), v1)
    // Open a few pooled connections, so the cut hits idle clients too (they must not crash the process).
    await Promise.all([store.get('acme'), store.findByEntityId('https://idp.acme.test'), store.list()])
    assert.ok(proxy.connections >= 1)

    proxy.cut()
    for (const read of [
      () => store.get('acme'),
      () => store.findByEntityId('https://idp.acme.test'),
      () => store.findByEmailDomain('acme.test'),
      () => store.list(),
      () => store.put(acme('during outage')),
      () => store.delete('acme'),
    ]) {
      await assert.rejects(read(), unavailable)
    }

    proxy.restore()
    // The same store, not reopened: the pool makes new connections.
    assert.deepStrictEqual(await store.get('acme'), v1, 'nothing was written during the outage')
    const v2 = await store.put(acme('after outage'))
    assert.equal(v2.version, 2)
    assert.equal((await store.findByEmailDomain('acme.test'))?.displayName, 'after outage')
  })

  it('a cut in the middle of many requests rejects them all cleanly, then works again', async () => {
    const pending = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? store.get('acme') : store.put(acme(`w${i}`)),
    )
    proxy.cut()
    const settled = await Promise.allSettled(pending)
    for (const result of settled) {
      if (result.status === 'rejected') assert.ok(unavailable(result.reason), String(result.reason))
    }
    proxy.restore()
    const after = await store.get('acme')
    assert.ok(after && after.version >= 2)
    assert.equal((await store.put(acme('again'))).version, after.version + 1)
  })
})

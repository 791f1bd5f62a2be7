// Issue #11 item 4 with item 2's rules: a federation refresher imports the aggregate on the schedule
// its cacheDuration / validUntil give, asks with If-None-Match, backs off after failures and keeps the
// records through them. The same import into SqlIdpStore (PGlite), the store a user would run.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  federationRecordId,
  importFederation,
  MemoryIdpStore,
  SamlError,
  startFederationRefresh,
  type FederationRefreshOutcome,
  type FederationSource,
} from '../../lib/index.js'
import { SqlIdpStore } from '../../lib/store/sql/sql-idp-store.js'
import { startMetadataServer, type MetadataServer } from '../support/metadata-server.js'
import { keys } from '../support/test-idp.js'
import { aggregate, federationIdp, registered, signedAggregate } from './federation-fixtures.js'

const T0 = Date.parse('2026-12-01T00:00:00.000Z')
const local = { allowHttp: true, allowPrivateNetwork: true }
const idp = (name: string) =>
  registered(federationIdp(name).metadataXml(), {
    displayNames: { en: `University ${name}` },
    scopes: [{ value: `${name}.example` }],
  })

describe('startFederationRefresh', () => {
  let server: MetadataServer
  const path = '/fed/aggregate.xml'
  let source: FederationSource
  before(async () => {
    server = await startMetadataServer()
    source = { id: 'fed', url: server.url(path), signingCerts: [keys.idpGlobex.cert] }
  })
  after(() => server.close())

  it('imports by the rules: cacheDuration, 304s, backoff after failures that keep the records', async () => {
    const store = new MemoryIdpStore()
    let now = T0
    const seen: FederationRefreshOutcome[] = []
    const validUntil = new Date(T0 + 10 * 86_400_000).toISOString()
    const first = signedAggregate(aggregate([idp('a'), idp('b')], { validUntil, cacheDuration: 'PT1H' }))
    server.answer(path, { kind: 'document', xml: first })
    const refresher = startFederationRefresh(store, source, {
      fetch: local,
      clock: () => now,
      random: () => 0,
      immediate: false,
      onResult: (o) => seen.push(o),
    })
    try {
      const imported = await refresher.refreshNow()
      assert.equal(imported.result?.outcome, 'imported')
      assert.equal(imported.result?.created.length, 2)
      assert.equal(imported.nextRefreshAt, T0 + 3600_000) // cacheDuration PT1H
      assert.equal(imported.result?.validUntil, Date.parse(validUntil))

      now += 3600_000
      const again = await refresher.refreshNow()
      assert.equal(again.result?.outcome, 'not-modified')
      assert.ok(server.requests(path).at(-1)!['if-none-match'])

      server.answer(path, { kind: 'status', status: 503 })
      const failed = await refresher.refreshNow()
      assert.ok(failed.error instanceof SamlError && failed.error.code === 'ERR_SAML_METADATA_FETCH')
      assert.equal(failed.nextRefreshAt, now + 600_000) // minIntervalMs, the first backoff step
      server.answer(path, { kind: 'document', xml: first.replace('University a', 'University 4') })
      const tampered = await refresher.refreshNow()
      assert.ok(tampered.error instanceof SamlError && tampered.error.code === 'ERR_SAML_METADATA_SIGNATURE')
      assert.equal(tampered.nextRefreshAt, now + 1_200_000) // doubled
      assert.equal((await store.list()).length, 2)
      assert.equal(
        (await store.get(federationRecordId('https://idp.a.example/idp/shibboleth')))!.displayName,
        'University a',
      )

      server.answer(path, { kind: 'document', xml: signedAggregate(aggregate([idp('a'), idp('c')])) })
      const changed = await refresher.refreshNow()
      assert.deepEqual(changed.result?.removed, [federationRecordId('https://idp.b.example/idp/shibboleth')])
      assert.equal(changed.nextRefreshAt, now + 6 * 3600_000) // no hints: maxIntervalMs
      assert.equal(seen.length, 5)
    } finally {
      refresher.stop()
    }
  })

  it('shares its schedule through the store: not due is nothing, held elsewhere is skipped', async () => {
    const store = new MemoryIdpStore()
    let now = T0
    const sharedPath = '/fed/shared.xml'
    const shared = { ...source, url: server.url(sharedPath) }
    server.answer(sharedPath, {
      kind: 'document',
      xml: signedAggregate(aggregate([idp('a')], { cacheDuration: 'PT1H' })),
    })
    const options = { fetch: local, clock: () => now, random: () => 0, immediate: false }
    const one = startFederationRefresh(store, shared, options)
    const two = startFederationRefresh(store, shared, options)
    try {
      assert.equal((await one.refreshDue())?.result?.outcome, 'imported')
      assert.equal(await two.refreshDue(), undefined, 'imported by the other an instant ago: not due')
      assert.equal(
        (await store.getFederationStatus('fed'))?.nextRefreshAt,
        new Date(T0 + 3600_000).toISOString(),
      )
      now += 3600_000
      // Another instance holds the import: neither a due look nor a forced one fetches.
      assert.equal(await store.claimFederationRefresh('fed', 'elsewhere', now, 60_000), true)
      assert.equal(await two.refreshDue(), undefined)
      assert.deepEqual(await two.refreshNow(), { source: 'fed', skipped: true })
      assert.equal(server.requests(sharedPath).length, 1)
      // Its lease over, the next look imports, conditionally, with the validators the store holds.
      now += 60_000
      assert.equal((await two.refreshDue())?.result?.outcome, 'not-modified')
      assert.ok(server.requests(sharedPath).at(-1)!['if-none-match'])
      assert.equal(server.requests(sharedPath).length, 2)
    } finally {
      one.stop()
      two.stop()
    }
  })

  it('checks its options up front', () => {
    const store = new MemoryIdpStore()
    assert.throws(() => startFederationRefresh(store, { ...source, signingCerts: [] }), TypeError)
    assert.throws(() => startFederationRefresh(store, source, { minIntervalMs: 5 }), /minIntervalMs/)
    assert.throws(() => startFederationRefresh(store, source, { onResult: 1 as never }), /onResult/)
  })

  it('imports into SqlIdpStore on PGlite; an unchanged refresh writes nothing', async () => {
    const store = await SqlIdpStore.open()
    try {
      const entities = ['a', 'b', 'c', 'd'].map(idp)
      server.answer(path, { kind: 'document', xml: signedAggregate(aggregate(entities)) })
      const first = await importFederation(store, source, { fetch: local })
      assert.equal(first.created.length, 4)
      const record = (await store.findByEntityId('https://idp.c.example/idp/shibboleth'))!
      assert.equal(record.federation, 'fed')
      assert.deepEqual(record.scopes, ['c.example'])
      const again = await importFederation(store, source, { fetch: local })
      assert.equal(again.unchanged, 4)
      assert.deepEqual([again.created, again.updated, again.removed], [[], [], []])
      assert.equal((await store.get(record.id))!.version, record.version)
    } finally {
      await store.close()
    }
  })
})

// Issue #11 item 8: a large import writes in bounded batches, two in flight with a store that has
// putMany (the next batch is validated while the database writes the previous one). What is
// written and reported must not depend on that overlap, and a store failing midway must leave the
// batches before it and end the one in flight before the import reports the failure.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  federationRecordId,
  importFederation,
  MemoryIdpStore,
  SamlError,
  type IdpRecordInput,
  type PutManyOutcome,
} from '../../lib/index.js'
import { startMetadataServer, type MetadataServer } from '../support/metadata-server.js'
import { aggregate, federationIdp, signedAggregate } from './federation-fixtures.js'
import { keys } from '../support/test-idp.js'

const local = { allowHttp: true, allowPrivateNetwork: true }
/** More than two batches of 100 (the import's batch size), so two are in flight more than once. */
const ENTITIES = 250
const names = Array.from({ length: ENTITIES }, (_, i) => `batch-${String(i).padStart(3, '0')}`)
const entityId = (name: string) => `https://idp.${name}.example/idp/shibboleth`

/** A memory store whose putMany calls are counted and can be made to fail. */
class WatchedStore extends MemoryIdpStore {
  calls = 0
  inFlight = 0
  maxInFlight = 0
  settled: boolean[] = []
  failCall: number | undefined

  override async putMany(inputs: readonly IdpRecordInput[]): Promise<PutManyOutcome[]> {
    const call = this.calls++
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    this.settled[call] = false
    try {
      // Let the importer run on while this batch is "in the database".
      await new Promise((resolve) => setImmediate(resolve))
      if (call === this.failCall) throw new SamlError('the database went away', 'ERR_SAML_STORE_UNAVAILABLE')
      return await super.putMany(inputs)
    } finally {
      this.inFlight--
      this.settled[call] = true
    }
  }
}

describe('importFederation writes in batches', () => {
  let server: MetadataServer
  const path = '/federation/large.xml'
  const source = () => ({ id: 'fed', url: server.url(path), signingCerts: [keys.idpGlobex.cert] })

  before(async () => {
    server = await startMetadataServer()
    const xml = signedAggregate(aggregate(names.map((name) => federationIdp(name).metadataXml())))
    server.answer(path, { kind: 'document', xml })
  })
  after(() => server.close())

  it('keeps two batches in flight and writes and reports every entity as one at a time would', async () => {
    const watched = new WatchedStore()
    const result = await importFederation(watched, source(), { fetch: local })
    assert.equal(watched.calls, 3)
    assert.equal(watched.maxInFlight, 2)
    const ids = names.map((name) => federationRecordId(entityId(name))).sort()
    assert.deepEqual(result.created, ids)
    assert.deepEqual(result.skipped, [])
    assert.deepEqual(
      (await watched.list()).map((r) => r.id),
      ids,
    )
  })

  it('a store failing on the second batch: the import throws its error, the first batch stays, the third has ended', async () => {
    const watched = new WatchedStore()
    watched.failCall = 1
    await assert.rejects(
      importFederation(watched, source(), { fetch: local }),
      (err: unknown) => err instanceof SamlError && err.code === 'ERR_SAML_STORE_UNAVAILABLE',
    )
    assert.equal(watched.calls, 3)
    assert.deepEqual(watched.settled, [true, true, true])
    const stored = new Set((await watched.list()).map((r) => r.entityId))
    // The first batch (the first 100 entities in aggregate order) was written; the second was not.
    for (const name of names.slice(0, 100)) assert.ok(stored.has(entityId(name)), name)
    for (const name of names.slice(100, 200)) assert.ok(!stored.has(entityId(name)), name)
  })
})

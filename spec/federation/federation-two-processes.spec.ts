// Issue #11: with several instances on one store, one federation import per source per interval
// across all of them, and an instance without the lease does nothing. Two processes run the
// federation refresher on one PostgreSQL schema for the same source, looking for a due import at the
// same moments, many times per interval; the aggregate server counts the fetches. Time is each
// process's clock moved by the parent past an interval (nothing sleeps).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { SqlIdpStore } from '../../lib/entries/sql.js'
import { startMetadataServer, type MetadataServer } from '../support/metadata-server.js'
import {
  PG_URL,
  startRefresherInstance,
  stopRefresherInstances,
  type RefresherInstance,
} from '../support/refresher-instances.js'
import { keys } from '../support/test-idp.js'
import { aggregate, federationIdp, registered, signedAggregate } from './federation-fixtures.js'

const schema = `federation_two_${randomBytes(4).toString('hex')}`
/** Past the aggregate's cacheDuration (PT1H) and the jitter: the import is due again. */
const INTERVAL_MS = 2 * 3600_000
const LOOKS_PER_INTERVAL = 6
const path = '/federation/aggregate.xml'

interface Looked {
  outcome?: { result?: { outcome: string; created: string[] }; error?: string }
}
type Instance = RefresherInstance<Looked>

const idp = (name: string) =>
  registered(federationIdp(name).metadataXml(), { displayNames: { en: `University ${name}` } })
const document = (names: string[]) =>
  signedAggregate(
    aggregate(names.map(idp), {
      cacheDuration: 'PT1H',
      validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    }),
  )

describe('two processes refreshing one federation on one PostgreSQL store', { timeout: 300_000 }, () => {
  let server: MetadataServer
  let a: Instance
  let b: Instance

  before(async () => {
    server = await startMetadataServer()
    server.answer(path, { kind: 'document', xml: document(['one', 'two', 'three']) })
    // The schema exists before both start, as in a deployment.
    await (await SqlIdpStore.open({ connectionString: PG_URL, schema })).close()
    const source = { id: 'fed', url: server.url(path), signingCerts: [keys.idpGlobex.cert] }
    const env = { FED_SOURCE: JSON.stringify(source) }
    ;[a, b] = await Promise.all([
      startRefresherInstance<Looked>(schema, env),
      startRefresherInstance<Looked>(schema, env),
    ])
  })
  after(async () => {
    await stopRefresherInstances(schema)
    await server?.close()
  })

  /** Both look at the same moment, `LOOKS_PER_INTERVAL` times; returns what each import did. */
  async function lookTogether(): Promise<string[]> {
    const outcomes: string[] = []
    for (let look = 0; look < LOOKS_PER_INTERVAL; look++) {
      const answers = await Promise.all([a.ask({ type: 'look' }), b.ask({ type: 'look' })])
      for (const { outcome } of answers) {
        if (outcome === undefined) continue
        assert.equal(outcome.error, undefined)
        outcomes.push(`${outcome.result!.outcome}:${outcome.result!.created.length}`)
      }
    }
    return outcomes
  }

  it('exactly one fetch and one import per interval across both, however often they look', async () => {
    assert.deepEqual(await lookTogether(), ['imported:3'], 'the first import, by one of the two')
    assert.equal(server.requests(path).length, 1)

    for (let interval = 1; interval <= 3; interval++) {
      await Promise.all([a, b].map((instance) => instance.ask({ type: 'advance', ms: INTERVAL_MS })))
      if (interval === 3)
        server.answer(path, { kind: 'document', xml: document(['one', 'two', 'three', 'four']) })
      const outcomes = await lookTogether()
      assert.equal(server.requests(path).length, 1 + interval, `interval ${interval}: one fetch`)
      // The validators live in the store: whichever instance imports asks conditionally.
      assert.deepEqual(outcomes, [interval === 3 ? 'imported:1' : 'not-modified:0'], `interval ${interval}`)
      assert.ok(server.requests(path).at(-1)!['if-none-match'], `interval ${interval}: conditional`)
    }
    const store = await SqlIdpStore.open({ connectionString: PG_URL, schema, cacheTtlMs: 0 })
    try {
      const records = await store.list()
      assert.equal(records.length, 4)
      assert.ok(records.every((record) => record.federation === 'fed'))
    } finally {
      await store.close()
    }
  })
})

// Issue #11: with several instances, one refresh per IdP per interval across all of them. Two
// processes run the refresher on one PostgreSQL schema for the same IdPs, looking for due refreshes at
// the same moments, many times per interval; the metadata server counts the fetches. Time is each
// process's clock moved by the parent past an interval (nothing sleeps).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { putIdpRecord } from '../../lib/index.js'
import { SqlIdpStore } from '../../lib/entries/sql.js'
import { startMetadataServer, type MetadataServer } from '../support/metadata-server.js'
import {
  PG_URL,
  startRefresherInstance,
  stopRefresherInstances,
  type RefresherInstance,
} from '../support/refresher-instances.js'
import { keys, TestIdp } from '../support/test-idp.js'

const schema = `refresh_two_${randomBytes(4).toString('hex')}`
const IDPS = 12
/** Longer than the default maximum interval (6 h) plus its jitter: every IdP is due again. */
const INTERVAL_MS = 7 * 3600_000
const LOOKS_PER_INTERVAL = 6

type Looked = { results?: { idp: string; outcome: string }[] }
type Instance = RefresherInstance<Looked>

describe('two processes refreshing one PostgreSQL store', { timeout: 300_000 }, () => {
  let server: MetadataServer
  let a: Instance
  let b: Instance
  const paths = Array.from({ length: IDPS }, (_, i) => `/tenant-${i}/metadata.xml`)

  before(async () => {
    server = await startMetadataServer()
    const admin = await SqlIdpStore.open({ connectionString: PG_URL, schema })
    try {
      for (const [i, path] of paths.entries()) {
        const idp = new TestIdp({
          entityId: `https://idp.tenant-${i}.test/saml`,
          ssoUrl: `https://idp.tenant-${i}.test/sso`,
          signing: i % 2 === 0 ? keys.idpAcme : keys.idpGlobex,
        })
        server.answer(path, { kind: 'document', xml: idp.metadataXml() })
        await putIdpRecord(
          admin,
          { id: `tenant-${i}`, metadataUrl: server.url(path) },
          { fetch: { allowHttp: true, allowPrivateNetwork: true } },
        )
      }
    } finally {
      await admin.close()
    }
    ;[a, b] = await Promise.all([
      startRefresherInstance<Looked>(schema),
      startRefresherInstance<Looked>(schema),
    ])
  })
  after(async () => {
    await stopRefresherInstances(schema)
    await server?.close()
  })

  const fetchesPerIdp = () => paths.map((path) => server.requests(path).length)

  it('exactly one fetch per IdP per interval across both, however often they look', async () => {
    // Registration fetched each IdP once; within the interval nobody fetches again.
    assert.deepEqual(fetchesPerIdp(), Array(IDPS).fill(1))
    for (let look = 0; look < LOOKS_PER_INTERVAL; look++)
      await Promise.all([a.ask({ type: 'look' }), b.ask({ type: 'look' })])
    assert.deepEqual(fetchesPerIdp(), Array(IDPS).fill(1), 'nothing is due yet')

    for (let interval = 1; interval <= 3; interval++) {
      await Promise.all([a, b].map((instance) => instance.ask({ type: 'advance', ms: INTERVAL_MS })))
      const outcomes: string[] = []
      for (let look = 0; look < LOOKS_PER_INTERVAL; look++) {
        // Both look at the same moment: every due IdP is claimed by both at once.
        const answers = await Promise.all([a.ask({ type: 'look' }), b.ask({ type: 'look' })])
        for (const answer of answers) outcomes.push(...answer.results!.map((r) => `${r.idp}:${r.outcome}`))
      }
      assert.deepEqual(fetchesPerIdp(), Array(IDPS).fill(1 + interval), `interval ${interval}`)
      assert.equal(outcomes.length, IDPS, `interval ${interval}: one result per IdP, from one of the two`)
      assert.ok(
        outcomes.every((o) => o.endsWith(':not-modified')),
        `interval ${interval}: conditional requests answered 304: ${outcomes.join(', ')}`,
      )
    }
  })
})

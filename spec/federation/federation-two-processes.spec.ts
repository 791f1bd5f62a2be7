// Issue #11: with several instances on one store, one federation import per source per interval
// across all of them, and an instance without the lease does nothing. Two processes run the
// federation refresher on one PostgreSQL schema for the same source, looking for a due import at the
// same moments, many times per interval; the aggregate server counts the fetches. Time is each
// process's clock moved by the parent past an interval (nothing sleeps).
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { SqlIdpStore } from '../../lib/entries/sql.js'
import { startMetadataServer, type MetadataServer } from '../support/metadata-server.js'
import { keys } from '../support/test-idp.js'
import { aggregate, federationIdp, registered, signedAggregate } from './federation-fixtures.js'

const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const schema = `federation_two_${randomBytes(4).toString('hex')}`
/** Past the aggregate's cacheDuration (PT1H) and the jitter: the import is due again. */
const INTERVAL_MS = 2 * 3600_000
const LOOKS_PER_INTERVAL = 6
const path = '/federation/aggregate.xml'

interface Looked {
  outcome?: { result?: { outcome: string; created: string[] }; error?: string }
}
interface Instance {
  ask(command: Record<string, unknown>): Promise<Looked>
}

const children: ChildProcess[] = []
let asked = 0

async function startInstance(source: object): Promise<Instance> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('../support/federation-refresher-instance.ts', import.meta.url).pathname],
    {
      env: { ...process.env, PG_URL, PG_SCHEMA: schema, FED_SOURCE: JSON.stringify(source) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  )
  children.push(child)
  const pending = new Map<number, (answer: Looked) => void>()
  child.on('message', (message: Looked & { id?: number }) => {
    if (message.id !== undefined) pending.get(message.id)?.(message)
  })
  // Ready when it says so.
  await Promise.race([
    new Promise<void>((resolve) =>
      child.on('message', (m: { type: string }) => m.type === 'ready' && resolve()),
    ),
    once(child, 'exit').then(([code]) => {
      throw new Error(`federation refresher instance exited with ${code} before it was ready`)
    }),
  ])
  return {
    ask: (command) =>
      new Promise((resolve) => {
        const id = ++asked
        pending.set(id, resolve)
        child.send({ ...command, id })
      }),
  }
}

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
    ;[a, b] = await Promise.all([startInstance(source), startInstance(source)])
  })
  after(async () => {
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue
      const exited = once(child, 'exit')
      child.disconnect()
      await exited
    }
    await server?.close()
    const client = new pg.Client({ connectionString: PG_URL })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.end()
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

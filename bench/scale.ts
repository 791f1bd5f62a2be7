// `npm run bench scale`: how long resolving an IdP takes in SqlIdpStore with 10, 10k and 100k IdPs,
// on a real PostgreSQL server (PG_URL, a fresh schema dropped afterwards) and on embedded PGlite.
//
// For each size the records are bulk-loaded with multi-row INSERTs shaped exactly like put()'s rows
// (the JSON of normalizeIdpRecord's output, version 1, one row per email domain), because 100k
// put()s one by one would dominate the run. Then, per lookup kind (id, entityID, email domain):
// - cold: a freshly opened store (new pool / new store object, nothing remembered) looks up
//   distinct keys once each, so every lookup validates the record it reads;
// - warm: the same store repeats lookups of keys it has seen, answered by its lookup cache (kept
//   honest by LISTEN/NOTIFY);
// - query: the same repeated lookups on a store with `cacheTtlMs: 0`, so the database query runs
//   every time (only the validation of an unchanged row is remembered): what a warm lookup costs
//   while the cache is bypassed.
// The database itself is warm in both (the rows were just written): "cold" is the store, not the disk.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { normalizeIdpRecord } from '../lib/entries/core.js'
import { SqlIdpStore, type SqlIdpStoreOptions } from '../lib/entries/sql.js'
import type { IdpRecordFields } from '../lib/index.js'

const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const SIZES = [10, 10_000, 100_000]
const COLD_KEYS = 1000
const WARM_LOOKUPS = 3000
const BATCH = 5000

interface Row {
  backend: string
  idps: string
  lookup: string
  'cold p50 ms': string
  'cold p99 ms': string
  'warm p50 ms': string
  'warm p99 ms': string
  'query p50 ms': string
  'query p99 ms': string
}

type Execute = (text: string, params: unknown[]) => Promise<unknown>

const cert = readFileSync(new URL('../spec/fixtures/keys/idp-acme.cert.pem', import.meta.url), 'utf8')
const template = normalizeIdpRecord({
  id: 'template',
  entityId: 'https://idp.example.test/template',
  ssoUrls: { redirect: 'https://idp.example.test/sso', post: 'https://idp.example.test/sso/post' },
  signingCerts: [cert],
  emailDomains: ['template.example.test'],
  attributeMap: 'okta',
})

const idOf = (i: number) => `idp-${String(i).padStart(6, '0')}`
const entityOf = (i: number) => `https://idp-${i}.example.test/saml/metadata`
const domainOf = (i: number) => `tenant-${i}.example.test`

function fieldsOf(i: number): IdpRecordFields {
  return { ...template, id: idOf(i), entityId: entityOf(i), emailDomains: [domainOf(i)] }
}

/** Rows exactly as put() writes them, in multi-row statements of BATCH records. */
async function bulkLoad(execute: Execute, schema: string, n: number): Promise<void> {
  for (let start = 0; start < n; start += BATCH) {
    const ids: string[] = []
    const entityIds: string[] = []
    const records: string[] = []
    const domains: string[] = []
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const fields = fieldsOf(i)
      ids.push(fields.id)
      entityIds.push(fields.entityId)
      records.push(JSON.stringify(fields))
      domains.push(domainOf(i))
    }
    await execute(
      `INSERT INTO "${schema}".idps (id, entity_id, record, version, updated_at)
       SELECT id, entity_id, record::jsonb, 1, date_trunc('milliseconds', clock_timestamp())
       FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, entity_id, record)`,
      [ids, entityIds, records],
    )
    await execute(
      `INSERT INTO "${schema}".idp_email_domains (domain, idp_id) SELECT * FROM unnest($1::text[], $2::text[])`,
      [domains, ids],
    )
  }
  await execute(`ANALYZE "${schema}".idps`, [])
  await execute(`ANALYZE "${schema}".idp_email_domains`, [])
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

function pick(n: number, count: number): number[] {
  const chosen = new Set<number>()
  while (chosen.size < Math.min(n, count)) chosen.add(Math.floor(Math.random() * n))
  return [...chosen]
}

const LOOKUPS = {
  id: (store: SqlIdpStore, i: number) => store.get(idOf(i)),
  entityID: (store: SqlIdpStore, i: number) => store.findByEntityId(entityOf(i)),
  'email domain': (store: SqlIdpStore, i: number) => store.findByEmailDomain(domainOf(i).toUpperCase()),
} as const

// Collect garbage (from the bulk load, from the previous phase) before each timed phase, so a
// collection it did not cause does not land in its tail.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  const found = await fn()
  const ms = performance.now() - started
  if (found === undefined) throw new Error('bench lookup found nothing')
  return ms
}

async function measure(
  backend: string,
  n: number,
  open: (extra?: Partial<SqlIdpStoreOptions>) => Promise<SqlIdpStore>,
  rows: Row[],
): Promise<void> {
  for (const [lookup, find] of Object.entries(LOOKUPS)) {
    const store = await open()
    const uncached = await open({ cacheTtlMs: 0 })
    try {
      const keys = pick(n, COLD_KEYS)
      collectGarbage()
      const cold: number[] = []
      for (const i of keys) cold.push(await time(() => find(store, i)))
      collectGarbage()
      const warm: number[] = []
      for (let j = 0; j < WARM_LOOKUPS; j++) warm.push(await time(() => find(store, keys[j % keys.length]!)))
      for (const i of keys) await find(uncached, i)
      collectGarbage()
      const query: number[] = []
      for (let j = 0; j < WARM_LOOKUPS; j++)
        query.push(await time(() => find(uncached, keys[j % keys.length]!)))
      rows.push({
        backend,
        idps: n.toLocaleString('en-US'),
        lookup,
        'cold p50 ms': percentile(cold, 50).toFixed(3),
        'cold p99 ms': percentile(cold, 99).toFixed(3),
        'warm p50 ms': percentile(warm, 50).toFixed(3),
        'warm p99 ms': percentile(warm, 99).toFixed(3),
        'query p50 ms': percentile(query, 50).toFixed(3),
        'query p99 ms': percentile(query, 99).toFixed(3),
      })
    } finally {
      await store.close()
      await uncached.close()
    }
  }
}

async function benchPostgres(rows: Row[]): Promise<void> {
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 })
  try {
    await admin.query('SELECT 1')
  } catch (err) {
    console.log(`scale: PostgreSQL at ${PG_URL} is not reachable (${String(err)}); skipping it`)
    await admin.end()
    return
  }
  try {
    for (const n of SIZES) {
      const schema = `bench_scale_${randomBytes(4).toString('hex')}`
      const options: SqlIdpStoreOptions = { connectionString: PG_URL, schema }
      try {
        await (await SqlIdpStore.open(options)).close()
        const started = performance.now()
        await bulkLoad((text, params) => admin.query(text, params), schema, n)
        console.log(
          `scale: PostgreSQL, ${n} IdPs loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        )
        await measure('PostgreSQL', n, (extra) => SqlIdpStore.open({ ...options, ...extra }), rows)
      } finally {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      }
    }
  } finally {
    await admin.end()
  }
}

async function benchPglite(rows: Row[]): Promise<void> {
  const db = await PGlite.create()
  try {
    for (const n of SIZES) {
      const schema = `bench_${n}`
      const options: SqlIdpStoreOptions = { pglite: db, schema }
      await (await SqlIdpStore.open(options)).close()
      const started = performance.now()
      await bulkLoad((text, params) => db.query(text, params), schema, n)
      console.log(`scale: PGlite, ${n} IdPs loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`)
      await measure('PGlite (in memory)', n, (extra) => SqlIdpStore.open({ ...options, ...extra }), rows)
      await db.query(`DROP SCHEMA "${schema}" CASCADE`)
    }
  } finally {
    await db.close()
  }
}

export async function run(): Promise<void> {
  const started = performance.now()
  const rows: Row[] = []
  await benchPostgres(rows)
  await benchPglite(rows)
  console.log(
    `\nscale: SqlIdpStore lookups (${COLD_KEYS} distinct keys cold on a fresh store, ${WARM_LOOKUPS} repeated lookups warm)`,
  )
  console.table(rows)
  for (const backend of new Set(rows.map((r) => r.backend))) {
    const worst = Math.max(
      ...rows
        .filter((r) => r.backend === backend && r.idps === '100,000')
        .map((r) => Number(r['warm p99 ms'])),
    )
    console.log(`scale: ${backend}: worst warm p99 at 100k IdPs ${worst.toFixed(3)} ms (target < 1 ms)`)
  }
  // Tail latencies on a busy machine measure the scheduler more than the store.
  console.log(
    `scale: load average during the run ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} CPUs`,
  )
  console.log(`scale: done in ${((performance.now() - started) / 1000).toFixed(0)} s`)
}

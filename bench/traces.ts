/**
 * `npm run bench -- traces`: what login traces (issue #12 item 3) cost per login.
 *
 * - The answer: `saml.acs(…)` of a signed IdP-initiated response through the core, with traces off
 *   and on (memory store). With traces on the ACS only queues the attempt, so the difference is the
 *   id and the queue push.
 * - The work after the answer, per attempt captured from those logins: building the trace (parsing
 *   and redacting the response, redacting the profile) and `add` to the memory store and to
 *   `SqlTraceStore` on in-memory PGlite.
 *
 * Environment: `BENCH_TRACES_N` timed logins per row (default 300), after a tenth as warm-up.
 *
 * @module
 */
import { hrtime } from 'node:process'
import { SamlServiceProvider } from '../lib/entries/core.js'
import { SqlTraceStore } from '../lib/entries/sql.js'
import {
  MemoryIdpStore,
  MemoryTraceStore,
  traceOfAttempt,
  type SamlAttempt,
  type SamlTraceStore,
} from '../lib/index.js'
import { keys, TestIdp } from '../spec/support/test-idp.js'
import { machineLine, markdownTable, summarize } from './support/stats.js'

const N = (() => {
  const raw = process.env.BENCH_TRACES_N
  const n = raw === undefined ? 300 : Number(raw)
  if (!Number.isInteger(n) || n < 1)
    throw new TypeError(`BENCH_TRACES_N must be a positive integer, got "${raw}"`)
  return n
})()
const WARM = Math.ceil(N / 10)
const BASE = 'https://app.example.test'
const idp = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  signing: keys.idpAcme,
})

/** Median and p95 of `fn` over the timed calls, after the warm-up ones. */
async function time(fn: (i: number) => Promise<unknown>): Promise<{ medianMs: number; p95Ms: number }> {
  for (let i = 0; i < WARM; i++) await fn(i)
  const samples: bigint[] = []
  const started = hrtime.bigint()
  for (let i = WARM; i < WARM + N; i++) {
    const t = hrtime.bigint()
    await fn(i)
    samples.push(hrtime.bigint() - t)
  }
  return summarize(samples, hrtime.bigint() - started)
}

async function responses(): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < WARM + N; i++) {
    const response = await idp.createResponse({
      spEntityId: `${BASE}/saml/acme/metadata`,
      acsUrl: `${BASE}/saml/acme/acs`,
      nameId: `user-${i}@acme.test`,
      attributes: [
        { name: 'email', values: [`user-${i}@acme.test`] },
        { name: 'groups', values: ['staff', 'eng'] },
      ],
    })
    out.push(response.base64)
  }
  return out
}

/** Times the ACS answer over fresh responses, with `traces` set or not; returns the attempts seen. */
async function answerRow(traces: SamlTraceStore | undefined, posted: readonly string[]) {
  const store = new MemoryIdpStore()
  await store.put({ id: 'acme', metadataXml: idp.metadataXml(), allowIdpInitiated: true })
  const attempts: SamlAttempt[] = []
  const saml = new SamlServiceProvider({
    store,
    sp: { baseUrl: BASE, signingKey: keys.sp.key, signingCert: keys.sp.cert },
    onAttempt: (attempt) => attempts.push(attempt),
    ...(traces && { traces: { store: traces } }),
  })
  const timing = await time(async (i) => {
    const outcome = await saml.acs(
      { method: 'POST', url: '/saml/acme/acs', params: { idp: 'acme' }, body: { SAMLResponse: posted[i] } },
      async (profile) => ({ user: { id: profile.nameID } }),
    )
    if (outcome.type !== 'accepted') throw new Error(`login refused: ${outcome.type}`)
  })
  return { timing, attempts }
}

export async function run(): Promise<void> {
  console.log(`\n## traces: what login traces cost per login (BENCH_TRACES_N=${N})\n`)
  console.log(machineLine())
  const posted = await responses()
  const off = await answerRow(undefined, posted)
  const on = await answerRow(new MemoryTraceStore(), await responses())
  const attempts = off.attempts
  const built = attempts.map((a) => traceOfAttempt(a))
  const memory = new MemoryTraceStore()
  const pglite = await SqlTraceStore.open()
  const rows: [string, { medianMs: number; p95Ms: number }][] = [
    ['ACS answer, traces off (baseline)', off.timing],
    ['ACS answer, traces on (memory store)', on.timing],
    [
      'after the answer: build the trace (parse, redact)',
      await time(async (i) => traceOfAttempt(attempts[i]!)),
    ],
    ['after the answer: add to MemoryTraceStore', await time(async (i) => memory.add(built[i]!))],
    ['after the answer: add to SqlTraceStore (PGlite)', await time(async (i) => pglite.add(built[i]!))],
  ]
  await pglite.close()
  console.log(
    markdownTable(
      ['per login', 'median ms', 'p95 ms'],
      rows.map(([name, t]) => [name, t.medianMs.toFixed(3), t.p95Ms.toFixed(3)]),
    ),
  )
}

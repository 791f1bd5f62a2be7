// Shared conformance suite for SamlTraceStore adapters (keyv's core/test-suite, for login traces).
//
//   traceStoreConformance('memory', async () => new MemoryTraceStore())
//   traceStoreConformance('postgres', () => SqlTraceStore.open({ connectionString: pgUrl, schema }))
//
// Every test uses its own random IdP ids and trace ids, and times in its own stretch of the past, so
// several suites (and runs) can share one database. `prune` works on the whole store: a suite that
// shares a store with live data would prune it too, so give it a schema of its own.
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import type { SamlTrace, SamlTraceOutcome, SamlTraceStore } from '../traces/saml-trace.js'

/** A factory; the suite calls it once per test and closes the store (`close?.()`) after. */
export type MakeTraceStore = () => Promise<SamlTraceStore>

const MINUTE = 60_000
const DAY = 86_400_000

/** A random IdP id and a base time of its own, so tests never see each other's traces. */
function scope() {
  const idp = `conf-${randomBytes(5).toString('hex')}`
  // A random day in 2001–2010: prune-by-age in one test never reaches another's traces of today.
  const base = Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 3600) * DAY
  return { idp, base }
}

function trace(idp: string | undefined, at: number, outcome: SamlTraceOutcome = 'error'): SamlTrace {
  return {
    id: randomUUID(),
    at: new Date(at).toISOString(),
    ...(idp !== undefined && { idp }),
    flow: 'acs',
    outcome,
    ...(outcome !== 'accepted' && {
      error: { code: 'ERR_SAML_SIGNATURE_INVALID', message: 'the signature does not verify' },
    }),
    checks: [
      { name: 'message', title: 'the SAMLResponse decodes', ok: true },
      outcome === 'accepted'
        ? { name: 'verify', title: 'the application accepted the user', ok: true }
        : {
            name: 'response-signature',
            title: 'the signature verifies',
            ok: false,
            code: 'ERR_SAML_SIGNATURE_INVALID',
          },
    ],
    ...(outcome === 'accepted' && {
      profile: { idp, nameID: '[redacted]', mapped: { email: '[redacted]', groups: ['[redacted]'] } },
    }),
    responseXml: '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"/>',
    issueInstantOffsetMs: 1500,
    personalData: false,
  }
}

const ids = (traces: readonly SamlTrace[]) => traces.map((t) => t.id)

/** Registers the SamlTraceStore conformance tests under `describe(name)`. */
export function traceStoreConformance(name: string, makeStore: MakeTraceStore): void {
  async function withStore(fn: (store: SamlTraceStore) => Promise<void>): Promise<void> {
    const store = await makeStore()
    try {
      await fn(store)
    } finally {
      await store.close?.()
    }
  }

  describe(`SamlTraceStore conformance: ${name}`, () => {
    it('get returns a stored trace whole, and undefined for an unknown id', () =>
      withStore(async (store) => {
        const { idp, base } = scope()
        const accepted = trace(idp, base, 'accepted')
        const anonymous = trace(undefined, base + 1, 'error')
        await store.add(accepted)
        await store.add(anonymous)
        assert.deepEqual(await store.get(accepted.id), accepted)
        assert.deepEqual(await store.get(anonymous.id), anonymous)
        assert.equal(await store.get(randomUUID()), undefined)
      }))

    it('a trace read back is a copy: changing it changes nothing stored', () =>
      withStore(async (store) => {
        const { idp, base } = scope()
        const stored = trace(idp, base)
        await store.add(stored)
        const copy = (await store.get(stored.id)) as unknown as { outcome: string; checks: unknown[] }
        copy.outcome = 'accepted'
        copy.checks.length = 0
        assert.deepEqual(await store.get(stored.id), stored)
      }))

    it('adding an id already stored keeps the first trace', () =>
      withStore(async (store) => {
        const { idp, base } = scope()
        const first = trace(idp, base, 'error')
        await store.add(first)
        await store.add({ ...first, outcome: 'accepted' })
        assert.deepEqual(await store.get(first.id), first)
        assert.equal((await store.list({ idp })).length, 1)
      }))

    it('list is newest first, ties by id descending, filtered by IdP and outcome, capped by limit', () =>
      withStore(async (store) => {
        const { idp, base } = scope()
        const other = scope().idp
        const older = trace(idp, base, 'accepted')
        const tieA = trace(idp, base + MINUTE, 'error')
        const tieB = trace(idp, base + MINUTE, 'denied')
        const newest = trace(idp, base + 2 * MINUTE, 'error')
        const elsewhere = trace(other, base + MINUTE, 'error')
        for (const t of [tieA, elsewhere, older, newest, tieB]) await store.add(t)
        const ties = [tieA, tieB].sort((a, b) => (a.id < b.id ? 1 : -1))
        assert.deepEqual(ids(await store.list({ idp })), ids([newest, ...ties, older]))
        assert.deepEqual(ids(await store.list({ idp, outcome: 'error' })), ids([newest, tieA]))
        assert.deepEqual(ids(await store.list({ idp, outcome: 'accepted' })), [older.id])
        assert.deepEqual(ids(await store.list({ idp, limit: 2 })), ids([newest, ties[0]!]))
        assert.deepEqual(await store.list({ idp, limit: 0 }), [])
        assert.deepEqual(ids(await store.list({ idp: other })), [elsewhere.id])
        const everyone = ids(await store.list({ limit: 1000 })).filter((id) =>
          [older, tieA, tieB, newest, elsewhere].some((t) => t.id === id),
        )
        const expected = [newest, ...[tieA, tieB, elsewhere].sort((a, b) => (a.id < b.id ? 1 : -1)), older]
        assert.deepEqual(everyone, ids(expected))
      }))

    it('keyset paging with before walks every trace once, newest first', () =>
      withStore(async (store) => {
        const { idp, base } = scope()
        const all: SamlTrace[] = []
        for (let i = 0; i < 7; i++) all.push(trace(idp, base + Math.floor(i / 2) * MINUTE))
        for (const t of all) await store.add(t)
        const seen: string[] = []
        let page = await store.list({ idp, limit: 3 })
        while (page.length > 0) {
          seen.push(...ids(page))
          page = await store.list({ idp, limit: 3, before: page.at(-1)! })
        }
        const sorted = [...all].sort((a, b) =>
          a.at !== b.at ? (a.at < b.at ? 1 : -1) : a.id < b.id ? 1 : -1,
        )
        assert.deepEqual(seen, ids(sorted))
      }))

    it('prune deletes traces older than maxAgeMs before now, and counts them', () =>
      withStore(async (store) => {
        const { idp, base } = scope()
        const old = [trace(idp, base - 10 * DAY), trace(idp, base - 6 * DAY)]
        const young = [trace(idp, base - 4 * DAY), trace(idp, base)]
        for (const t of [...old, ...young]) await store.add(t)
        const deleted = await store.prune({ maxAgeMs: 5 * DAY, now: base })
        assert.ok(deleted >= old.length, `prune reported ${deleted}`)
        assert.deepEqual(ids(await store.list({ idp })), ids([young[1]!, young[0]!]))
        assert.equal(await store.get(old[0]!.id), undefined)
      }))

    it('prune keeps the newest maxPerIdp traces of each IdP', () =>
      withStore(async (store) => {
        const busy = scope()
        const quiet = scope()
        const busyTraces = [0, 1, 2, 3, 4].map((i) => trace(busy.idp, busy.base + i * MINUTE))
        const quietTraces = [0, 1].map((i) => trace(quiet.idp, quiet.base + i * MINUTE))
        for (const t of [...busyTraces, ...quietTraces]) await store.add(t)
        const deleted = await store.prune({ maxPerIdp: 3 })
        assert.ok(deleted >= 2, `prune reported ${deleted}`)
        assert.deepEqual(ids(await store.list({ idp: busy.idp })), ids(busyTraces.slice(2).reverse()))
        assert.deepEqual(ids(await store.list({ idp: quiet.idp })), ids(quietTraces.reverse()))
      }))

    it('misuse is a TypeError: a bad trace, bad list or prune options', () =>
      withStore(async (store) => {
        const { idp, base } = scope()
        const good = trace(idp, base)
        await assert.rejects(store.add({ ...good, id: 'not/url-safe' }), TypeError)
        await assert.rejects(store.add({ ...good, at: 'yesterday' }), TypeError)
        await assert.rejects(store.add({ ...good, outcome: 'maybe' as SamlTraceOutcome }), TypeError)
        await assert.rejects(store.list({ limit: -1 }), TypeError)
        await assert.rejects(store.list({ limit: 1001 }), TypeError)
        await assert.rejects(store.list({ outcome: 'maybe' as SamlTraceOutcome }), TypeError)
        await assert.rejects(store.list({ before: { at: 'x', id: good.id } }), TypeError)
        await assert.rejects(store.prune({ maxAgeMs: -1 }), TypeError)
        await assert.rejects(store.prune({ maxPerIdp: 1.5 }), TypeError)
        assert.equal(await store.get(good.id), undefined)
      }))
  })
}

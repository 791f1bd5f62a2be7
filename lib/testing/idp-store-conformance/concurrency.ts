// “Versions” and “Uniqueness” in docs/writing-a-store.md under races: concurrent puts get distinct
// versions, and of concurrent claims on one entityID or domain exactly one wins.
import assert from 'node:assert/strict'
import { isSamlError } from '../../errors/saml-error.js'
import type { ConformanceHarness } from './harness.js'
import { manualInput, scope } from './fixtures.js'

/** Registers the concurrent-write tests (under "writes"), unless the options turn them off. */
export function registerConcurrencyTests({ withStore, concurrentIt }: ConformanceHarness): void {
  concurrentIt(
    'concurrent puts to one id each get a distinct version and the last one wins consistently',
    async () => {
      const s = scope()
      const n = 20
      await withStore(async (store, cleanup) => {
        cleanup.add(s.id())
        const results = await Promise.all(
          Array.from({ length: n }, (_, i) =>
            store.put(
              manualInput(s.id(), s.entityId(), {
                displayName: `writer ${i}`,
                emailDomains: [s.domain()],
              }),
            ),
          ),
        )
        const versions = results.map((r) => r.version).sort((a, b) => a - b)
        assert.deepEqual(
          versions,
          Array.from({ length: n }, (_, i) => i + 1),
        )
        const last = results.find((r) => r.version === n)!
        const stored = (await store.get(s.id()))!
        assert.equal(stored.version, n)
        assert.equal(stored.displayName, last.displayName)
        assert.deepStrictEqual(stored, last)
      })
    },
  )

  concurrentIt(
    'of concurrent puts claiming one entityID or domain for different ids, exactly one wins',
    async () => {
      const s = scope()
      const n = 10
      await withStore(async (store, cleanup) => {
        for (const [label, claim] of [
          ['entityID', (i: number) => manualInput(s.id(`e${i}`), s.entityId())],
          [
            'domain',
            (i: number) => manualInput(s.id(`d${i}`), s.entityId(`d${i}`), { emailDomains: [s.domain()] }),
          ],
        ] as const) {
          const inputs = Array.from({ length: n }, (_, i) => claim(i))
          inputs.forEach((input) => cleanup.add(input.id))
          const settled = await Promise.allSettled(inputs.map((input) => store.put(input)))
          const won = settled.filter((r) => r.status === 'fulfilled')
          assert.equal(won.length, 1, `${label}: exactly one put succeeds`)
          for (const r of settled) {
            if (r.status === 'rejected')
              assert.ok(isSamlError(r.reason, 'ERR_SAML_IDP_CONFLICT'), `${label}: ${r.reason}`)
          }
          const stored = await Promise.all(inputs.map((input) => store.get(input.id)))
          assert.equal(stored.filter(Boolean).length, 1, `${label}: exactly one record stored`)
        }
      })
    },
  )
}

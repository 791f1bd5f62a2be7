// “Versions” and “Uniqueness” in docs/writing-a-store.md under races: concurrent puts get distinct
// versions, and of concurrent claims on one entityID or domain exactly one wins.
import assert from 'node:assert/strict'
import { isSamlError } from '../../errors/saml-error.js'
import type { ConformanceHarness } from './harness.js'
import { freshNames, manualInput } from './fixtures.js'

/** Registers the concurrent-write tests (under "writes"), unless the options turn them off. */
export function registerConcurrencyTests({ withStore, concurrentIt }: ConformanceHarness): void {
  concurrentIt(
    'concurrent puts to one id each get a distinct version and the last one wins consistently',
    async () => {
      const names = freshNames()
      const writers = 20
      await withStore(async (store, cleanup) => {
        cleanup.add(names.id())
        const results = await Promise.all(
          Array.from({ length: writers }, (_, i) =>
            store.put(
              manualInput(names.id(), names.entityId(), {
                displayName: `writer ${i}`,
                emailDomains: [names.domain()],
              }),
            ),
          ),
        )
        const versions = results.map((r) => r.version).sort((a, b) => a - b)
        assert.deepEqual(
          versions,
          Array.from({ length: writers }, (_, i) => i + 1),
        )
        const last = results.find((r) => r.version === writers)!
        const stored = (await store.get(names.id()))!
        assert.equal(stored.version, writers)
        assert.equal(stored.displayName, last.displayName)
        assert.deepStrictEqual(stored, last)
      })
    },
  )

  concurrentIt(
    'of concurrent puts claiming one entityID or domain for different ids, exactly one wins',
    async () => {
      const names = freshNames()
      const writers = 10
      await withStore(async (store, cleanup) => {
        for (const [label, claim] of [
          ['entityID', (i: number) => manualInput(names.id(`e${i}`), names.entityId())],
          [
            'domain',
            (i: number) =>
              manualInput(names.id(`d${i}`), names.entityId(`d${i}`), { emailDomains: [names.domain()] }),
          ],
        ] as const) {
          const inputs = Array.from({ length: writers }, (_, i) => claim(i))
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

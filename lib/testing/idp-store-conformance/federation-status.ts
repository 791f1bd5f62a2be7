// The federation-refresh capability (`federationStatus: true`): the status and the claim of a
// federation source's imports, by the rule of an IdP's refresh claim but with no record behind it.
// Times are passed in, so nothing here waits.
import assert from 'node:assert/strict'
import { hasFederationStatus, type FederationStatusStore, type IdpStore } from '../../store/idp-store.js'
import type { IdpMetadataStatus } from '../../store/metadata-status.js'
import type { ConformanceHarness } from './harness.js'
import { freshNames } from './fixtures.js'

const T0 = Date.parse('2026-12-01T00:00:00.000Z')
const HOUR = 3600_000

function capable(store: IdpStore): FederationStatusStore {
  assert.ok(
    hasFederationStatus(store),
    'getFederationStatus, claimFederationRefresh and saveFederationStatus',
  )
  return store
}

const statusAt = (nextRefreshAt: number): IdpMetadataStatus => ({
  url: 'https://federation.example.test/aggregate.xml',
  nextRefreshAt: new Date(nextRefreshAt).toISOString(),
  consecutiveFailures: 0,
  etag: '"v1"',
  cacheDurationMs: HOUR,
})

/** Registers the federation-status tests when the capability is on. */
export function registerFederationStatusTests({ withStore, federationIt }: ConformanceHarness): void {
  federationIt('one holder at a time, until it saves the next due time; then no one until then', async () => {
    const source = `fed-${freshNames().tag}`
    await withStore(async (raw) => {
      const store = capable(raw)
      assert.equal(await store.getFederationStatus(source), undefined)
      assert.equal(await store.claimFederationRefresh(source, 'a', T0, HOUR), true, 'never imported: due')
      assert.equal(await store.claimFederationRefresh(source, 'b', T0 + 1, HOUR), false, 'a holds it')
      assert.equal(await store.claimFederationRefresh(source, 'a', T0 + 2, HOUR), true, 'a may claim again')
      await store.saveFederationStatus(source, statusAt(T0 + 6 * HOUR), 'a')
      assert.deepStrictEqual(await store.getFederationStatus(source), statusAt(T0 + 6 * HOUR))
      assert.equal(await store.claimFederationRefresh(source, 'b', T0 + HOUR, HOUR), false, 'not due')
      assert.equal(await store.claimFederationRefresh(source, 'b', T0 + 6 * HOUR, HOUR), true, 'due')
      // A claim whose holder died runs out with its lease.
      assert.equal(await store.claimFederationRefresh(source, 'c', T0 + 7 * HOUR - 1, HOUR), false)
      assert.equal(await store.claimFederationRefresh(source, 'c', T0 + 7 * HOUR, HOUR), true)
      // Saving without the holder keeps the claim (an admin's "due now").
      await store.saveFederationStatus(source, statusAt(T0))
      assert.equal(await store.claimFederationRefresh(source, 'd', T0 + 7 * HOUR, HOUR), false)
    })
  })

  federationIt('of concurrent claims on a due import exactly one wins', async () => {
    const source = `fed-${freshNames().tag}`
    await withStore(async (raw) => {
      const store = capable(raw)
      for (let round = 0; round < 3; round++) {
        const now = T0 + round * 10 * HOUR
        const won = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.claimFederationRefresh(source, `h${round}-${i}`, now, HOUR),
          ),
        )
        assert.equal(won.filter(Boolean).length, 1, `round ${round}`)
        const holder = `h${round}-${won.indexOf(true)}`
        await store.saveFederationStatus(source, statusAt(now + 5 * HOUR), holder)
      }
    })
  })

  federationIt('checks its arguments (a TypeError for misuse)', async () => {
    await withStore(async (raw) => {
      const store = capable(raw)
      await assert.rejects(store.claimFederationRefresh('', 'a', T0, HOUR), TypeError)
      await assert.rejects(store.claimFederationRefresh('fed', '', T0, HOUR), TypeError)
      await assert.rejects(
        store.saveFederationStatus('fed', { url: '' } as unknown as IdpMetadataStatus),
        TypeError,
      )
    })
  })
}

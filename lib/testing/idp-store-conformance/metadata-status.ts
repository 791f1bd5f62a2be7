// The metadata-refresh capability (`metadataStatus: true`): the status kept beside each record and
// the claim that lets instances agree on who fetches an IdP's metadata next. Times are passed in, so
// nothing here waits.
import assert from 'node:assert/strict'
import { hasMetadataStatus, type MetadataStatusStore } from '../../store/idp-store.js'
import type { IdpMetadataStatus } from '../../store/metadata-status.js'
import type { IdpStore } from '../../store/idp-store.js'
import type { ConformanceHarness } from './harness.js'
import { freshNames, manualInput } from './fixtures.js'

const T0 = Date.parse('2026-12-01T00:00:00.000Z')
const HOUR = 3600_000

function capable(store: IdpStore): MetadataStatusStore {
  assert.ok(hasMetadataStatus(store), 'getMetadataStatus, claimMetadataRefresh and saveMetadataStatus')
  return store
}

function statusAt(nextRefreshAt: number, extra: Partial<IdpMetadataStatus> = {}): IdpMetadataStatus {
  return {
    url: 'https://idp.example.test/metadata',
    nextRefreshAt: new Date(nextRefreshAt).toISOString(),
    consecutiveFailures: 0,
    ...extra,
  }
}

/** Registers the metadata-status tests (under "metadata refresh") when the capability is on. */
export function registerMetadataStatusTests({ withStore, statusIt }: ConformanceHarness): void {
  statusIt('a saved status reads back exactly, frozen; none for an IdP without one', async () => {
    const names = freshNames()
    await withStore(
      async (raw) => {
        const store = capable(raw)
        assert.equal(await store.getMetadataStatus(names.id()), undefined)
        assert.equal(await store.getMetadataStatus(names.id('missing')), undefined)
        const full: IdpMetadataStatus = statusAt(T0 + HOUR, {
          consecutiveFailures: 3,
          lastFetchAt: '2026-12-01T00:00:00.000Z',
          lastSuccessAt: '2026-11-30T18:00:00.000Z',
          etag: 'W/"ü-not-ascii-is-fine-here"',
          lastModified: 'Mon, 30 Nov 2026 18:00:00 GMT',
          validUntil: '2026-12-14T00:00:00.000Z',
          cacheDurationMs: 6 * HOUR,
          recordVersion: 7,
          lastError: { code: 'ERR_SAML_METADATA_FETCH', message: 'HTTP 503' },
        })
        assert.equal(await store.saveMetadataStatus(names.id(), full), true)
        const read = await store.getMetadataStatus(names.id())
        assert.deepStrictEqual(read, full)
        assert.ok(Object.isFrozen(read))
        // Replaced whole, not merged.
        assert.equal(await store.saveMetadataStatus(names.id(), statusAt(T0)), true)
        assert.deepStrictEqual(await store.getMetadataStatus(names.id()), statusAt(T0))
      },
      [manualInput(names.id(), names.entityId())],
    )
  })

  statusIt('no status for an IdP that does not exist, and deleting an IdP deletes its status', async () => {
    const names = freshNames()
    await withStore(async (raw, cleanup) => {
      const store = capable(raw)
      assert.equal(await store.saveMetadataStatus(names.id(), statusAt(T0)), false)
      assert.equal(await store.claimMetadataRefresh(names.id(), 'a', T0, 1000), false)
      await store.put(manualInput(names.id(), names.entityId()))
      cleanup.add(names.id())
      assert.equal(await store.getMetadataStatus(names.id()), undefined, 'saved before the IdP existed')
      await store.saveMetadataStatus(names.id(), statusAt(T0 + HOUR))
      await store.delete(names.id())
      assert.equal(await store.getMetadataStatus(names.id()), undefined)
      await store.put(manualInput(names.id(), names.entityId()))
      assert.equal(await store.getMetadataStatus(names.id()), undefined, 'a new IdP starts afresh')
      assert.equal(await store.claimMetadataRefresh(names.id(), 'a', T0, 1000), true)
    })
  })

  statusIt('a claim is granted once the refresh is due, to one holder until its lease ends', async () => {
    const names = freshNames()
    await withStore(
      async (raw) => {
        const store = capable(raw)
        const id = names.id()
        // No status yet: due now.
        assert.equal(await store.claimMetadataRefresh(id, 'a', T0, 60_000), true)
        assert.equal(await store.claimMetadataRefresh(id, 'b', T0 + 59_999, 60_000), false, 'a holds it')
        assert.equal(await store.claimMetadataRefresh(id, 'a', T0 + 1, 60_000), true, 'a may claim again')
        assert.equal(await store.claimMetadataRefresh(id, 'b', T0 + 60_001, 60_000), true, "a's lease ended")
        // b finishes: the next refresh is due in an hour, for everyone.
        assert.equal(await store.saveMetadataStatus(id, statusAt(T0 + HOUR), 'b'), true)
        assert.equal(await store.claimMetadataRefresh(id, 'a', T0 + 120_000, 60_000), false, 'not due')
        assert.equal(await store.claimMetadataRefresh(id, 'b', T0 + HOUR - 1, 60_000), false, 'not due')
        assert.equal(await store.claimMetadataRefresh(id, 'a', T0 + HOUR, 60_000), true, 'due')
        // Saving without being the holder keeps the holder's lease.
        await store.saveMetadataStatus(id, statusAt(T0), 'b')
        assert.equal(await store.claimMetadataRefresh(id, 'b', T0 + HOUR + 1, 60_000), false)
        await store.saveMetadataStatus(id, statusAt(T0), 'a')
        assert.equal(await store.claimMetadataRefresh(id, 'b', T0 + HOUR + 1, 60_000), true, 'a let go')
      },
      [manualInput(names.id(), names.entityId())],
    )
  })

  statusIt('misuse is a TypeError', async () => {
    const names = freshNames()
    await withStore(
      async (raw) => {
        const store = capable(raw)
        const id = names.id()
        await assert.rejects(store.claimMetadataRefresh(id, '', T0, 1000), TypeError)
        await assert.rejects(store.claimMetadataRefresh(id, 'a', Number.NaN, 1000), TypeError)
        await assert.rejects(store.claimMetadataRefresh(id, 'a', T0, 0), TypeError)
        for (const bad of [
          null,
          {},
          { ...statusAt(T0), nextRefreshAt: 'tomorrow' },
          { ...statusAt(T0), consecutiveFailures: -1 },
          { ...statusAt(T0), extra: 1 },
          { ...statusAt(T0), lastError: 'down' },
        ])
          await assert.rejects(store.saveMetadataStatus(id, bad as unknown as IdpMetadataStatus), TypeError)
        assert.equal(await store.getMetadataStatus(id), undefined, 'nothing saved')
      },
      [manualInput(names.id(), names.entityId())],
    )
  })

  statusIt('of 20 concurrent claims by different holders exactly one wins', async () => {
    const names = freshNames()
    await withStore(
      async (raw) => {
        const store = capable(raw)
        for (const [round, now] of [T0, T0 + HOUR].entries()) {
          const won = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              store.claimMetadataRefresh(names.id(), `h${i}`, now, 60_000),
            ),
          )
          assert.equal(won.filter(Boolean).length, 1, `round ${round}`)
          const winner = `h${won.indexOf(true)}`
          await store.saveMetadataStatus(names.id(), statusAt(T0 + HOUR), winner)
        }
      },
      [manualInput(names.id(), names.entityId())],
    )
  })
}

// “Listing” in docs/writing-a-store.md: list in code-unit order of id, with limit and after, so
// keyset paging visits every record once.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { IdpRecord } from '../../record/record-fields.js'
import type { ConformanceHarness } from './harness.js'
import { freshNames, manualInput } from './fixtures.js'

/** Registers the listing and paging test (under "reads"). */
export function registerListingTests({ withStore }: ConformanceHarness): void {
  it('list orders by id in code-unit order (like COLLATE "C"), with limit and after', async () => {
    const names = freshNames()
    // Deliberately mixed case and punctuation: a locale collation orders these differently.
    const suffixes = ['b', 'Z', 'a', '_x', '.y', '-w', 'A1', '9']
    const seed = suffixes.map((suffix) => manualInput(names.id(suffix), names.entityId(suffix)))
    const expected = seed.map((i) => i.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    await withStore(async (store) => {
      // Only our ids start with the random prefix, and they sort contiguously right after it.
      const after = `t${names.tag}`
      const ours = (records: IdpRecord[]) => records.map((r) => r.id).filter((id) => id.startsWith(after))
      assert.deepEqual(ours(await store.list({ after })).slice(0, expected.length), expected)
      assert.deepEqual(
        (await store.list({ after, limit: 3 })).map((r) => r.id),
        expected.slice(0, 3),
      )
      assert.deepEqual(
        (await store.list({ after: expected[2], limit: 2 })).map((r) => r.id),
        expected.slice(3, 5),
      )
      // Keyset paging visits every record exactly once.
      const paged: string[] = []
      let cursor = after
      for (;;) {
        const page = await store.list({ after: cursor, limit: 3 })
        const mine = page.filter((r) => r.id.startsWith(after))
        paged.push(...mine.map((r) => r.id))
        if (mine.length < 3) break
        cursor = page[page.length - 1]!.id
      }
      assert.deepEqual(paged, expected)
      const all = (await store.list()).map((r) => r.id)
      assert.deepEqual(
        all.filter((id) => id.startsWith(after)),
        expected,
      )
      assert.deepEqual(
        all,
        [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        'the whole list is ordered by id',
      )
    }, seed)
  })
}

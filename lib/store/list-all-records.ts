import type { IdpRecord } from '../record/record-fields.js'
import type { IdpStore } from './idp-store.js'

/**
 * Every record of `store`, in id order, read in pages of `pageSize` by keyset (`after` the last id
 * seen), so a store of thousands is never asked for all at once. A page shorter than `pageSize` is
 * the last one: the store is not asked again for the empty page after it. Internal: the refresher,
 * the health report and federation search page through the store with it.
 */
export async function* listAllRecords(store: IdpStore, pageSize: number): AsyncGenerator<IdpRecord> {
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new TypeError('"pageSize" must be a positive integer')
  for (let after: string | undefined; ;) {
    const page = await store.list({ limit: pageSize, ...(after !== undefined && { after }) })
    yield* page
    if (page.length < pageSize) return
    after = page[page.length - 1]!.id
  }
}

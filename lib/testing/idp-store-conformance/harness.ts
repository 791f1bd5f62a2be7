import type { it } from 'node:test'
import type { IdpRecordInput } from '../../record/record-fields.js'
import type { IdpStore } from '../../store/idp-store.js'

/**
 * What `idpStoreConformance` hands each test group: a store per test, and `it` variants that
 * register nothing when the adapter lacks the capability (a read-only adapter has no writes to
 * skip).
 */
export interface ConformanceHarness {
  /**
   * Runs `fn` on a fresh store holding `seed` (put through the store, or given to `makeStore` for a
   * read-only one); afterwards deletes the ids in `cleanup` (writable stores) and closes the store.
   */
  withStore(
    fn: (store: IdpStore, cleanup: Set<string>) => Promise<void>,
    seed?: readonly IdpRecordInput[],
  ): Promise<void>
  /** `it` for tests that write; registers nothing for a read-only store. */
  writeIt: typeof it
  /** `it` for concurrent-write tests; registers nothing when they are turned off or the store is read-only. */
  concurrentIt: typeof it
  /** `it` for the metadata-refresh capability; registers nothing unless `metadataStatus` is on. */
  statusIt: typeof it
  /** `it` for the federation-refresh capability; registers nothing unless `federationStatus` is on. */
  federationIt: typeof it
}

// Shared conformance suite for IdpStore adapters (keyv's core/test-suite, for IdP records).
//
//   idpStoreConformance('memory', async () => new MemoryIdpStore())
//   idpStoreConformance('postgres', () => SqlIdpStore.open({ connectionString: pgUrl, schema }))
//
// Every test uses fresh random ids, entityIDs and email domains and deletes what it wrote, so
// several suites (and several runs) can share one database.
import { describe, it } from 'node:test'
import type { IdpRecordInput } from '../record/record-fields.js'
import type { IdpStore } from '../store/idp-store.js'
import { registerConcurrencyTests } from './idp-store-conformance/concurrency.js'
import type { ConformanceHarness } from './idp-store-conformance/harness.js'
import {
  registerFrozenRecordTests,
  registerInputIsolationTests,
} from './idp-store-conformance/immutability.js'
import { registerFederationStatusTests } from './idp-store-conformance/federation-status.js'
import { registerListingTests } from './idp-store-conformance/listing.js'
import { registerMetadataStatusTests } from './idp-store-conformance/metadata-status.js'
import { registerLookupTests } from './idp-store-conformance/lookups.js'
import { registerPutManyTests } from './idp-store-conformance/put-many.js'
import { registerUniquenessTests } from './idp-store-conformance/uniqueness.js'
import { registerValidationTests } from './idp-store-conformance/validation.js'
import { registerWriteTests } from './idp-store-conformance/writes.js'

export { CERTS, idpMetadataXml } from './idp-store-conformance/fixtures.js'

/** Optional capabilities of the adapter under test. */
export interface IdpStoreConformanceOptions {
  /**
   * The store cannot be written through `put`/`delete` (e.g. one built from a config file). Only
   * the read tests run, and `makeStore` is called with the records the test needs; it must return
   * a store holding exactly those (validated with `normalizeIdpRecord`).
   */
  readOnly?: boolean
  /** Run the concurrent-write tests (default true). */
  concurrency?: boolean
  /**
   * The store has the metadata-refresh capability (`getMetadataStatus`, `claimMetadataRefresh`,
   * `saveMetadataStatus`): run its tests (default false).
   */
  metadataStatus?: boolean
  /**
   * The store has the federation-refresh capability (`getFederationStatus`,
   * `claimFederationRefresh`, `saveFederationStatus`): run its tests (default false).
   */
  federationStatus?: boolean
}

/** A factory; writable stores ignore `seed`, read-only ones must hold exactly the seeded records. */
export type MakeIdpStore = (seed?: readonly IdpRecordInput[]) => Promise<IdpStore>

/**
 * Registers the IdpStore conformance tests under `describe(name)`. `makeStore` is called once per
 * test; the store is closed (`close?.()`) after it.
 */
export function idpStoreConformance(
  name: string,
  makeStore: MakeIdpStore,
  options: IdpStoreConformanceOptions = {},
): void {
  const { readOnly = false, concurrency = true, metadataStatus = false, federationStatus = false } = options
  // Write tests are registered only for writable stores: a read-only adapter does not have the
  // feature, so there is nothing to skip. Concurrency tests can be turned off for adapters that
  // serialize writes outside the process.
  const writeIt = readOnly ? ((() => undefined) as unknown as typeof it) : it
  const concurrentIt = readOnly || !concurrency ? ((() => undefined) as unknown as typeof it) : it
  const statusIt = readOnly || !metadataStatus ? ((() => undefined) as unknown as typeof it) : it

  /** Runs `fn` on a fresh store; deletes `cleanup` ids afterwards (writable stores) and closes it. */
  async function withStore(
    fn: (store: IdpStore, cleanup: Set<string>) => Promise<void>,
    seed?: readonly IdpRecordInput[],
  ): Promise<void> {
    const store = await makeStore(seed)
    const cleanup = new Set<string>()
    try {
      if (seed && !readOnly) {
        for (const input of seed) {
          await store.put(input)
          cleanup.add(input.id)
        }
      }
      await fn(store, cleanup)
    } finally {
      try {
        if (!readOnly) for (const id of cleanup) await store.delete(id)
      } finally {
        await store.close?.()
      }
    }
  }

  const federationIt = readOnly || !federationStatus ? ((() => undefined) as unknown as typeof it) : it

  const harness: ConformanceHarness = { withStore, writeIt, concurrentIt, statusIt, federationIt }

  describe(`IdpStore conformance: ${name}`, () => {
    describe('reads', () => {
      registerLookupTests(harness)
      registerListingTests(harness)
      registerFrozenRecordTests(harness)
    })

    describe('writes', () => {
      registerWriteTests(harness)
      registerValidationTests(harness)
      registerUniquenessTests(harness)
      registerPutManyTests(harness)
      registerInputIsolationTests(harness)
      registerConcurrencyTests(harness)
    })

    if (metadataStatus && !readOnly) describe('metadata refresh', () => registerMetadataStatusTests(harness))
    if (federationStatus && !readOnly)
      describe('federation refresh', () => registerFederationStatusTests(harness))
  })
}

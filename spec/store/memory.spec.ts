import { MemoryIdpStore } from '../../lib/store/memory-idp-store.js'
import { idpStoreConformance } from './conformance.js'

idpStoreConformance('memory', async () => new MemoryIdpStore(), {
  metadataStatus: true,
  federationStatus: true,
})

// One store shared by every test, as a database is shared: checks the suite's isolation too.
const shared = new MemoryIdpStore()
idpStoreConformance('memory (one shared store)', async () => shared, {
  metadataStatus: true,
  federationStatus: true,
})

// The read-only mode, on a store seeded with the records a test needs.
idpStoreConformance(
  'memory (read-only mode)',
  async (seed = []) => {
    const store = new MemoryIdpStore()
    for (const input of seed) await store.put(input)
    return store
  },
  { readOnly: true },
)

// A user's store without `putMany`: batch writes fall back to `put`, with the same outcomes.
idpStoreConformance(
  'memory without putMany (the put fallback)',
  async () => {
    const store = new MemoryIdpStore()
    return Object.assign(Object.create(store) as MemoryIdpStore, { putMany: undefined })
  },
  { metadataStatus: true, federationStatus: true },
)

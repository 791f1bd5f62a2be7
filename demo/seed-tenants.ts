/**
 * Registers the embedded IdP's tenants as IdP records at first start, and keeps the records the
 * demo registered from its own IdP in step with it (a new `BASE_URL` or new keys).
 *
 * @module
 */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { IdpRecordInput, IdpStore } from '../lib/index.js'
import type { EmbeddedIdp } from './idp/embedded-idp.js'
import type { IdpTenant } from './idp/tenants.js'

/** Written at first start: a tenant the admin deleted afterwards is not registered again. */
const SEED_MARKER = 'seeded'

/**
 * Registers (first start, when `seed`) or refreshes (the demo's origin changed) the embedded
 * tenants' records.
 *
 * @example
 * ```ts
 * await seedTenants(store, idp, '.demo-data', true)
 * ```
 */
export async function seedTenants(
  store: IdpStore,
  idp: EmbeddedIdp,
  dataDir: string,
  seed: boolean,
): Promise<void> {
  const marker = join(dataDir, SEED_MARKER)
  const firstStart = !existsSync(marker)
  for (const tenant of idp.tenants) {
    const metadataXml = idp.metadataXml(tenant.id)
    const metadataUrl = idp.metadataUrl(tenant.id)
    const existing = await store.get(tenant.id)
    if (existing) {
      // A record the demo registered from its own IdP: follow the IdP if BASE_URL or keys changed.
      const ours = existing.metadataUrl?.endsWith(`/idp/${tenant.id}/metadata`) ?? false
      if (ours && existing.metadataXml !== metadataXml)
        await store.put(tenantRecord(tenant, metadataXml, metadataUrl))
    } else if (firstStart && seed) {
      await store.put(tenantRecord(tenant, metadataXml, metadataUrl))
    }
  }
  if (firstStart) writeFileSync(marker, `${new Date().toISOString()}\n`)
}

function tenantRecord(tenant: IdpTenant, metadataXml: string, metadataUrl: string): IdpRecordInput {
  return { id: tenant.id, metadataXml, metadataUrl, ...tenant.record }
}

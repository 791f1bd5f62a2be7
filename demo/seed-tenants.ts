/**
 * Registers the embedded IdP's tenants as IdP records at first start, and keeps the records the
 * demo registered from its own IdP in step with it (a new `BASE_URL` or new keys).
 *
 * Each record is registered from the tenant's metadata URL, as an admin would register a real IdP
 * (`putIdpRecord`: the URL is fetched, and the fetch status saved so that the refresher's next
 * fetch is conditional and on schedule). When the demo cannot reach its own `BASE_URL` (a proxy in
 * front of it, or another instance on `BASE_URL` still starting), the record is registered with
 * the same document, taken from the IdP in-process, and the refresher fetches it later.
 *
 * @module
 */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  isSamlError,
  putIdpRecord,
  type IdpRecordInput,
  type IdpStore,
  type PutIdpRecordOptions,
} from '../lib/index.js'
import type { EmbeddedIdp } from './idp/embedded-idp.js'
import type { IdpTenant } from './idp/tenants.js'

/** Written at first start: a tenant the admin deleted afterwards is not registered again. */
const SEED_MARKER = 'seeded'

/**
 * Registers (first start, when `seed`) or refreshes (the demo's origin or the IdP's keys changed)
 * the embedded tenants' records. `options` are `putIdpRecord`'s (the demo's own origin may be
 * fetched over http from a loopback address).
 *
 * @example
 * ```ts
 * await seedTenants(store, idp, '.demo-data', true, { fetch: { allowHttp: true, allowPrivateNetwork: true } })
 * ```
 */
export async function seedTenants(
  store: IdpStore,
  idp: EmbeddedIdp,
  dataDir: string,
  seed: boolean,
  options: PutIdpRecordOptions = {},
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
        await registerTenant(store, tenant, metadataUrl, metadataXml, options)
    } else if (firstStart && seed) {
      await registerTenant(store, tenant, metadataUrl, metadataXml, options)
    }
  }
  if (firstStart) writeFileSync(marker, `${new Date().toISOString()}\n`)
}

/** From the metadata URL; with the in-process document when the URL cannot be fetched from here. */
async function registerTenant(
  store: IdpStore,
  tenant: IdpTenant,
  metadataUrl: string,
  metadataXml: string,
  options: PutIdpRecordOptions,
): Promise<void> {
  const record: IdpRecordInput = { id: tenant.id, metadataUrl, ...tenant.record }
  try {
    await putIdpRecord(store, record, options)
  } catch (err) {
    if (!isSamlError(err) || err.code !== 'ERR_SAML_METADATA_FETCH') throw err
    await store.put({ ...record, metadataXml })
  }
}

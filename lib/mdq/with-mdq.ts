import { isSamlError, SamlError } from '../errors/saml-error.js'
import type { IdpRecord } from '../record/record-fields.js'
import { hasMetadataStatus, type IdpStore } from '../store/idp-store.js'
import { fetchMdqEntity, type MdqTarget } from './fetch-mdq-entity.js'
import { fetchSlots } from './fetch-slots.js'
import { resolveMdqOptions, type MdqOptions } from './mdq-options.js'
import { hashOfMdqId, mdqEntityHash } from './mdq-urls.js'
import { MissCache } from './miss-cache.js'

/** Failures that are about the entity or the responder, remembered as misses; store errors are not. */
const REMEMBERED: ReadonlySet<string> = new Set([
  'ERR_SAML_METADATA_FETCH',
  'ERR_SAML_METADATA_INVALID',
  'ERR_SAML_METADATA_EXPIRED',
  'ERR_SAML_METADATA_SIGNATURE',
  'ERR_SAML_IDP_CONFIG',
  // Its email domain or id taken by another record (the entityID taken is answered with that record).
  'ERR_SAML_IDP_CONFLICT',
  'ERR_SAML_TOO_LARGE',
  'ERR_SAML_XML_DTD',
  'ERR_SAML_XML_LIMITS',
  'ERR_SAML_CERTIFICATE_INVALID',
])

/**
 * An {@link IdpStore} that knows every IdP an MDQ responder (the Metadata Query Protocol,
 * draft-young-md-query) serves: `findByEntityId` (the shared ACS, by the response's Issuer) and
 * `get` of an id made by {@link mdqIdpId} fall back, on a miss in `store`, to fetching that one
 * entity from the responder. Its metadata must carry a signature by one of `signingCerts` and be
 * current; it is then put in `store` as an ordinary record with `metadataUrl` (its MDQ URL) and
 * `metadataSigningCerts`, so the metadata refresher keeps it fresh by the usual rules. The login is
 * then verified against it like any other.
 *
 * Lookups are cheap to trigger and bounded: only entityIDs the allow rule passes (`filter`,
 * `entityIdPrefixes`) are fetched, one fetch per entity at a time, `concurrency` at once; a miss (HTTP
 * 404, or a refused or failed fetch) is remembered for `negativeTtlMs` per process, so an unknown
 * Issuer costs one fetch per TTL. An unknown entity resolves to nothing (`ERR_SAML_UNKNOWN_IDP` on
 * the shared ACS); a refused document throws its error (`ERR_SAML_METADATA_SIGNATURE`, …).
 *
 * Give the wrapped store to the strategy; give `store` itself to the refresher and admin APIs, so
 * that reading a record there never fetches one.
 *
 * @example
 * ```ts
 * import { MemoryIdpStore, MultiIdpSamlStrategy, withMdq } from 'passport-saml-multi-idp'
 * const store = new MemoryIdpStore()
 * const strategy = new MultiIdpSamlStrategy(
 *   {
 *     store: withMdq(store, {
 *       baseUrl: 'https://mdq.example-federation.org',
 *       signingCerts: [federationSigningCertPem],
 *       entityIdPrefixes: ['https://'],
 *       recordFields: { attributeMap: 'eduPerson' },
 *     }),
 *     sp: { baseUrl: 'https://app.example.com' },
 *   },
 *   async (profile) => ({ id: profile.nameID }),
 * )
 * ```
 */
export function withMdq(store: IdpStore, options: MdqOptions): IdpStore {
  const settings = resolveMdqOptions(options)
  const { schedule, onLookup } = settings
  const misses = new MissCache(settings.negativeCacheSize)
  const inFlight = new Map<string, Promise<IdpRecord | undefined>>()
  const slots = fetchSlots(settings.concurrency, settings.maxWaiting)

  const report = (lookup: Parameters<typeof onLookup>[0]) => {
    try {
      onLookup(lookup)
    } catch {
      // A reporting hook must not change a lookup.
    }
  }

  const fetchOnce = async (hash: string, target: MdqTarget): Promise<IdpRecord | undefined> => {
    const idp = `mdq-${hash}`
    const entityId = 'entityId' in target ? target.entityId : undefined
    try {
      const { record, entityId: named } = await fetchMdqEntity(store, settings, target)
      const known = named ?? entityId
      if (record) {
        report({ idp, entityId: record.entityId, outcome: 'added' })
        return record
      }
      misses.set(hash, { until: schedule.clock() + settings.negativeTtlMs })
      report({ idp, ...(known !== undefined && { entityId: known }), outcome: 'not-found' })
      return undefined
    } catch (error) {
      // Another record took the entity meanwhile (an admin's): it is the one to use.
      const taken = isSamlError(error, 'ERR_SAML_IDP_CONFLICT') && entityId !== undefined
      const other = taken ? await store.findByEntityId(entityId) : undefined
      if (other) return other
      if (error instanceof SamlError && REMEMBERED.has(error.code))
        misses.set(hash, { until: schedule.clock() + settings.negativeTtlMs, error })
      report({ idp, ...(entityId !== undefined && { entityId }), outcome: 'failed', error })
      throw error
    }
  }

  /** The entity from the responder, once per entity at a time, unless a miss is remembered. */
  const lookUp = (hash: string, target: MdqTarget): Promise<IdpRecord | undefined> => {
    const miss = misses.get(hash, schedule.clock())
    if (miss) return miss.error === undefined ? Promise.resolve(undefined) : Promise.reject(miss.error)
    let pending = inFlight.get(hash)
    if (pending === undefined) {
      pending = slots(() => fetchOnce(hash, target)).finally(() => inFlight.delete(hash))
      inFlight.set(hash, pending)
    }
    return pending
  }

  return {
    get: async (id) => {
      const record = await store.get(id)
      const hash = record === undefined && typeof id === 'string' ? hashOfMdqId(id) : undefined
      return hash === undefined ? record : lookUp(hash, { hash })
    },
    findByEntityId: async (entityId) => {
      const record = await store.findByEntityId(entityId)
      if (record !== undefined || typeof entityId !== 'string' || !settings.allowed(entityId)) return record
      return lookUp(mdqEntityHash(entityId), { entityId })
    },
    findByEmailDomain: (domain) => store.findByEmailDomain(domain),
    list: (listOptions) => store.list(listOptions),
    put: (input) => store.put(input),
    delete: (id) => store.delete(id),
    ...(store.close && { close: () => store.close!() }),
    ...(hasMetadataStatus(store) && {
      getMetadataStatus: (id: string) => store.getMetadataStatus(id),
      claimMetadataRefresh: (id: string, holder: string, now: number, leaseMs: number) =>
        store.claimMetadataRefresh(id, holder, now, leaseMs),
      saveMetadataStatus: (...args: Parameters<typeof store.saveMetadataStatus>) =>
        store.saveMetadataStatus(...args),
    }),
  }
}

import { SamlError, withIdp } from '../errors/saml-error.js'
import { fetchIdpMetadataDocument, type FetchedIdpMetadata } from '../metadata/fetch-idp-metadata.js'
import type { IdpRecord } from '../record/record-fields.js'
import { checkNotExpired, hintsOf, successStatus, verifyFetchedSignature } from '../refresh/fetch-status.js'
import { checkUsableCertificates } from '../refresh/usable-certificates.js'
import { hasMetadataStatus, type IdpStore } from '../store/idp-store.js'
import type { ResolvedMdqOptions } from './mdq-options.js'
import { mdqEntityHash, mdqEntityUrl, mdqHashUrl } from './mdq-urls.js'
import { registrationAuthorityOf } from './registration-authority.js'

/** Which entity to fetch: by its entityID, or by the SHA-1 hex of it (a record id's tail). */
export type MdqTarget = { readonly entityId: string } | { readonly hash: string }

/** What one fetch gave: the stored record, or nothing (unknown to the responder, or not allowed). */
export interface MdqFetched {
  readonly record: IdpRecord | undefined
  readonly entityId?: string
}

/** fetchIdpMetadataDocument's error for an HTTP status ends in `: HTTP <status>`. */
const NOT_FOUND = /: HTTP (404|410)$/

/**
 * Fetches one entity from the responder and stores it as an ordinary record with a `metadataUrl`
 * (the entity's MDQ URL) and the pinned `metadataSigningCerts`, so the refresher keeps it fresh.
 * The signature is verified before anything of the document is used; expired metadata, another
 * entity than asked for, or one the allow rule refuses is never stored.
 */
export async function fetchMdqEntity(
  store: IdpStore,
  settings: ResolvedMdqOptions,
  target: MdqTarget,
): Promise<MdqFetched> {
  const { baseUrl, schedule, signingCerts } = settings
  const byId = 'entityId' in target
  const hash = byId ? mdqEntityHash(target.entityId) : target.hash
  const id = `mdq-${hash}`
  const url = byId ? mdqEntityUrl(baseUrl, target.entityId) : mdqHashUrl(baseUrl, hash)
  // An id held by a record of another entity (an admin's, by chance or not) is never overwritten.
  if (byId && (await store.get(id)) !== undefined) return { record: undefined, entityId: target.entityId }
  let fetched: FetchedIdpMetadata
  try {
    fetched = await fetchIdpMetadataDocument(url, {
      ...schedule.fetch,
      ...(byId && { entityId: target.entityId }),
    })
  } catch (err) {
    if (err instanceof SamlError && err.code === 'ERR_SAML_METADATA_FETCH' && NOT_FOUND.test(err.message))
      return { record: undefined, ...(byId && { entityId: target.entityId }) }
    throw err instanceof SamlError ? withIdp(err, id) : err
  }
  if (fetched.notModified)
    throw new SamlError(`IdP "${id}": HTTP 304 to an unconditional request`, 'ERR_SAML_METADATA_FETCH', {
      idp: id,
    })
  verifyFetchedSignature(id, url, fetched.xml, signingCerts)
  const { entityId } = fetched.metadata
  if (mdqEntityHash(entityId) !== hash)
    throw new SamlError(
      `IdP "${id}": the MDQ responder answered {sha1}${hash} with another entity`,
      'ERR_SAML_METADATA_INVALID',
      { idp: id },
    )
  // The allow rule, for a lookup by hash only now that the entityID is known; and the federation.
  const authorities = settings.registrationAuthorities
  if (
    (!byId && !settings.allowed(entityId)) ||
    (authorities && !authorities.has(registrationAuthorityOf(fetched.xml, entityId) ?? ''))
  )
    return { record: undefined, entityId }
  const hints = hintsOf(fetched.metadata)
  const now = schedule.clock()
  checkNotExpired(id, url, hints.validUntil, now)
  checkUsableCertificates(id, { signing: fetched.metadata.signingCerts }, 'ERR_SAML_METADATA_INVALID', url)
  // The record refreshes from the entity's own URL: the form that names it, whichever was asked.
  const metadataUrl = mdqEntityUrl(baseUrl, entityId)
  const record = await store.put({
    ...settings.recordFields,
    id,
    entityId,
    metadataUrl,
    metadataXml: fetched.xml,
    metadataSigningCerts: signingCerts,
  })
  if (hasMetadataStatus(store)) {
    // Validators belong to the URL they came from: none for a document asked for by its hash.
    const validators = byId ? fetched : {}
    await store.saveMetadataStatus(
      id,
      successStatus(metadataUrl, now, hints, validators, record.version, schedule),
    )
  }
  return { record, entityId }
}

import { SamlError, withIdp } from '../errors/saml-error.js'
import { fetchIdpMetadataDocument, type FetchedIdpMetadata } from '../metadata/fetch-idp-metadata.js'
import { normalizeCertificate } from '../metadata/certificate.js'
import { parseIdpMetadata } from '../metadata/parse-idp-metadata.js'
import { normalizeIdpRecord } from '../record/normalize-idp-record.js'
import type { IdpRecord, IdpRecordInput } from '../record/record-fields.js'
import { hasMetadataStatus, type IdpStore } from '../store/idp-store.js'
import { isPlainObject } from '../values/plain-values.js'
import { checkNotExpired, hintsOf, successStatus, verifyFetchedSignature } from './fetch-status.js'
import { resolveFetchSchedule, type MetadataFetchScheduleOptions } from './refresh-options.js'
import { checkUsableCertificates } from './usable-certificates.js'

/** Options for {@link putIdpRecord}: how to fetch, and the refresh rule's bounds for the first status. */
export type PutIdpRecordOptions = MetadataFetchScheduleOptions

const given = (value: unknown) => value !== undefined && value !== null

/** The pinned metadata signers of an input, normalized; undefined when none (or unusable: store.put says why). */
function pinnedCertificates(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined
  try {
    return value.map((cert) => normalizeCertificate(cert as string))
  } catch {
    return undefined
  }
}

/**
 * `store.put` after decoding the record's certificates with OpenSSL: an admin hears now, not at the
 * first login, that a certificate cannot be used (the store checks certificates by shape only).
 */
async function putChecked(store: IdpStore, input: IdpRecordInput): Promise<IdpRecord> {
  let fields
  try {
    fields = normalizeIdpRecord(input)
  } catch {
    return store.put(input) // it says what is wrong, naming the field
  }
  checkUsableCertificates(
    fields.id,
    {
      signing: fields.signingCerts,
      ...(fields.metadataSigningCerts && { metadataSigning: fields.metadataSigningCerts }),
    },
    fields.metadataXml === undefined ? 'ERR_SAML_IDP_CONFIG' : 'ERR_SAML_METADATA_INVALID',
    fields.metadataXml === undefined ? 'signingCerts' : 'metadata',
  )
  return store.put(input)
}

/**
 * Writes an IdP record the way an admin API should: a record given only a `metadataUrl` (no
 * `metadataXml`) has its metadata fetched first, with the SSRF guard and the size and time caps of
 * `options.fetch`, and stored with it; the fetch status (validators, `validUntil`, when to refresh
 * next) is saved beside the record when the store has the metadata-refresh capability, so the
 * refresher's next fetch is conditional and on schedule. Metadata whose `validUntil` has passed,
 * fetched or pasted, is refused with `ERR_SAML_METADATA_EXPIRED` and nothing is written. Its
 * certificates are decoded with OpenSSL before the write (`ERR_SAML_IDP_CONFIG`, or
 * `ERR_SAML_METADATA_INVALID` for metadata's, when one cannot be used); the store itself checks
 * their shape only. Every other input goes to `store.put` as it is.
 *
 * Stores never fetch: `store.put` of a URL-only record is `ERR_SAML_IDP_CONFIG` ("entityId" is
 * required). This function is the step above them.
 *
 * @example
 * ```ts
 * import { putIdpRecord } from 'passport-saml-multi-idp'
 * const record = await putIdpRecord(store, {
 *   id: 'acme',
 *   metadataUrl: 'https://acme.okta.com/app/exk1/sso/saml/metadata',
 *   emailDomains: ['acme.com'],
 *   attributeMap: 'okta',
 * })
 * record.entityId // read from the fetched metadata
 * ```
 */
export async function putIdpRecord(
  store: IdpStore,
  input: IdpRecordInput,
  options: PutIdpRecordOptions = {},
): Promise<IdpRecord> {
  const schedule = resolveFetchSchedule(options)
  if (!isPlainObject(input) || typeof input.id !== 'string') return store.put(input)
  const { id } = input
  const entityId = typeof input.entityId === 'string' ? input.entityId.trim() : undefined
  if (given(input.metadataXml)) {
    if (typeof input.metadataXml === 'string') {
      // Pinned signers: the signature before the dates are read (store.put checks it again).
      if (given(input.metadataSigningCerts)) {
        const pinned = pinnedCertificates(input.metadataSigningCerts)
        if (pinned === undefined) return store.put(input) // it says what is wrong with them
        verifyFetchedSignature(id, undefined, input.metadataXml, pinned)
      }
      let validUntil: string | undefined
      try {
        validUntil = parseIdpMetadata(input.metadataXml, entityId ? { entityId } : {}).validUntil
      } catch {
        // Not usable metadata: store.put says why, naming the field.
      }
      checkNotExpired(
        id,
        undefined,
        validUntil === undefined ? undefined : Date.parse(validUntil),
        schedule.clock(),
        'pasted metadata',
      )
    }
    return putChecked(store, input)
  }
  if (typeof input.metadataUrl !== 'string') return putChecked(store, input)
  const url = input.metadataUrl.trim()
  let fetched: FetchedIdpMetadata
  try {
    fetched = await fetchIdpMetadataDocument(url, { ...schedule.fetch, ...(entityId && { entityId }) })
  } catch (err) {
    throw err instanceof SamlError ? withIdp(err, id) : err
  }
  if (fetched.notModified)
    throw new SamlError(`IdP "${id}": HTTP 304 to an unconditional request`, 'ERR_SAML_METADATA_FETCH', {
      idp: id,
    })
  // Pinned signers: the document's signature first, before its dates or anything else are used.
  const pinned = pinnedCertificates(input.metadataSigningCerts)
  if (pinned !== undefined) verifyFetchedSignature(id, url, fetched.xml, pinned)
  const hints = hintsOf(fetched.metadata)
  const now = schedule.clock()
  checkNotExpired(id, url, hints.validUntil, now)
  const record = await putChecked(store, { ...input, metadataXml: fetched.xml })
  if (hasMetadataStatus(store) && record.metadataUrl !== undefined) {
    await store.saveMetadataStatus(
      record.id,
      successStatus(record.metadataUrl, now, hints, fetched, record.version, schedule),
    )
  }
  return record
}

import { SamlError } from '../errors/saml-error.js'
import type { MetadataValidators } from '../metadata/fetch-idp-metadata.js'
import { parseIdpMetadata } from '../metadata/parse-idp-metadata.js'
import type { IdpRecord } from '../record/record-fields.js'
import type { IdpMetadataStatus } from '../store/metadata-status.js'
import { nextRefreshAt } from './next-refresh.js'
import type { ResolvedFetchSchedule } from './refresh-options.js'
import { verifyIdpMetadataSignature } from '../xmldsig/verify-metadata-signature.js'

/** The refresh hints of one metadata document, as epoch ms. */
export interface MetadataHints {
  readonly validUntil?: number | undefined
  readonly cacheDurationMs?: number | undefined
}

const iso = (ms: number) => new Date(ms).toISOString()

/** The hints of parsed metadata. */
export function hintsOf(meta: { validUntil?: string; cacheDurationMs?: number }): MetadataHints {
  return {
    validUntil: meta.validUntil === undefined ? undefined : Date.parse(meta.validUntil),
    cacheDurationMs: meta.cacheDurationMs,
  }
}

/** The hints of the metadata a record holds (none for a record without metadata XML). */
export function heldHints(record: IdpRecord): MetadataHints {
  if (record.metadataXml === undefined) return {}
  try {
    return hintsOf(parseIdpMetadata(record.metadataXml, { entityId: record.entityId }))
  } catch {
    return {}
  }
}

/** Refuses metadata whose `validUntil` has passed: it is never adopted. */
export function checkNotExpired(
  idp: string,
  url: string | undefined,
  validUntil: number | undefined,
  now: number,
  what = 'metadata',
): void {
  if (validUntil === undefined || validUntil > now) return
  const from = url === undefined ? '' : ` from ${safeOrigin(url)}`
  throw new SamlError(
    `IdP "${idp}": the ${what}${from} expired at ${iso(validUntil)} (validUntil) and is not used; the IdP must publish current metadata`,
    'ERR_SAML_METADATA_EXPIRED',
    { idp },
  )
}

/**
 * Verifies a fetched document's signature with the pinned metadata signing certificates, naming the
 * IdP and where the document came from: run before anything of the document is used.
 */
export function verifyFetchedSignature(
  idp: string,
  url: string | undefined,
  xml: string,
  certs: readonly string[],
): void {
  try {
    verifyIdpMetadataSignature(xml, certs)
  } catch (err) {
    if (err instanceof SamlError)
      throw new SamlError(
        `IdP "${idp}": the ${url === undefined ? 'pasted metadata' : `metadata from ${safeOrigin(url)}`}: ${err.message}`,
        err.code,
        {
          cause: err,
          idp,
        },
      )
    throw err
  }
}

function safeOrigin(url: string): string {
  try {
    const u = new URL(url)
    return `${u.origin}${u.pathname.slice(0, 120)}`
  } catch {
    return 'its URL'
  }
}

/** The status after a good fetch (a document adopted or kept, or a 304) that ended at `now`. */
export function successStatus(
  url: string,
  now: number,
  hints: MetadataHints,
  validators: MetadataValidators,
  recordVersion: number,
  schedule: ResolvedFetchSchedule,
): IdpMetadataStatus {
  const next = nextRefreshAt({ ...schedule, ...hints, now, consecutiveFailures: 0 })
  return {
    url,
    nextRefreshAt: iso(next),
    consecutiveFailures: 0,
    lastFetchAt: iso(now),
    lastSuccessAt: iso(now),
    ...(validators.etag !== undefined && { etag: validators.etag }),
    ...(validators.lastModified !== undefined && { lastModified: validators.lastModified }),
    ...(hints.validUntil !== undefined && { validUntil: iso(hints.validUntil) }),
    ...(hints.cacheDurationMs !== undefined && { cacheDurationMs: hints.cacheDurationMs }),
    recordVersion,
  }
}

/**
 * The status after a failed fetch that ended at `now`: one more failure in a row, the backoff the
 * rule gives (bounded by the held document's `validUntil`), and everything known about the held
 * document kept.
 */
export function failureStatus(
  url: string,
  now: number,
  previous: IdpMetadataStatus | undefined,
  held: MetadataHints,
  error: unknown,
  schedule: ResolvedFetchSchedule,
): IdpMetadataStatus {
  const consecutiveFailures = (previous?.consecutiveFailures ?? 0) + 1
  const next = nextRefreshAt({ ...schedule, validUntil: held.validUntil, now, consecutiveFailures })
  const { lastError: _gone, ...kept } = previous ?? { url }
  return {
    ...kept,
    url,
    nextRefreshAt: iso(next),
    consecutiveFailures,
    lastFetchAt: iso(now),
    lastError: {
      code: error instanceof SamlError ? error.code : 'ERR_SAML_METADATA_FETCH',
      message: (error instanceof Error ? error.message : String(error)).slice(0, 1000),
    },
  }
}

import { normalizeCertificate } from '../metadata/certificate.js'
import type { FetchIdpMetadataOptions } from '../metadata/fetch-idp-metadata.js'
import { normalizeIdpRecord } from '../record/normalize-idp-record.js'
import type { IdpRecordFieldValues, IdpRecordInput } from '../record/record-fields.js'
import { compileTrustedKeys, type TrustedKeys } from '../xmldsig/trusted-keys.js'

/** Which entities of an aggregate become records. Every filter given must match. */
export interface FederationFilters {
  /** Only IdPs (an IDPSSODescriptor). Default true: SPs cannot log anyone in. */
  idpsOnly?: boolean
  /** Only these entityIDs. */
  entityIds?: readonly string[]
  /** Only entities registered by one of these (`mdrpi:RegistrationInfo/@registrationAuthority`). */
  registrationAuthorities?: readonly string[]
  /**
   * Only entities declaring one of these as an entity category, entity category support or
   * assurance certification (`mdattr:EntityAttributes`), e.g. {@link REFEDS_RESEARCH_AND_SCHOLARSHIP}
   * or {@link SIRTFI}.
   */
  entityCategories?: readonly string[]
}

/** REFEDS Research and Scholarship (an IdP declares it as entity category support). */
export const REFEDS_RESEARCH_AND_SCHOLARSHIP = 'http://refeds.org/category/research-and-scholarship'
/** Sirtfi (an assurance certification). */
export const SIRTFI = 'https://refeds.org/sirtfi'

/** Record fields an import sets from each entity; `recordDefaults` cannot give them. */
export type FederationOwnedField =
  | 'id'
  | 'metadataXml'
  | 'metadataUrl'
  | 'metadataSigningCerts'
  | 'entityId'
  | 'federation'
  | 'displayName'
  | 'logoUrl'
  | 'scopes'
  | 'registrationAuthority'
  | 'emailDomains'
  | 'ssoUrl'

// A record keyed by the union, so the type checker keeps the runtime list and the type equal.
const OWNED: Readonly<Record<FederationOwnedField, true>> = {
  id: true,
  metadataXml: true,
  metadataUrl: true,
  metadataSigningCerts: true,
  entityId: true,
  federation: true,
  displayName: true,
  logoUrl: true,
  scopes: true,
  registrationAuthority: true,
  emailDomains: true,
  ssoUrl: true,
}

/** Fields every record of a federation gets besides its metadata (attribute map, policy flags…). */
export type FederationRecordDefaults = Partial<Omit<IdpRecordFieldValues, FederationOwnedField>>

/** A federation's signed metadata aggregate and what to take from it. */
export interface FederationSource {
  /**
   * Names the source (1–64 of `A–Z a–z 0–9 . _ -`): written as the `federation` field of every record
   * it creates, so its imports touch only those.
   */
  id: string
  /** The aggregate's URL (an `md:EntitiesDescriptor`). */
  url: string
  /** The federation's metadata signing certificates (PEM or base64), obtained out of band. At least one. */
  signingCerts: readonly string[]
  filters?: FederationFilters
  recordDefaults?: FederationRecordDefaults
}

/** Fetch options of a federation source: those of `fetchIdpMetadata`, with larger defaults. */
export type FederationFetchOptions = Omit<FetchIdpMetadataOptions, 'entityId'>

/** Default fetch limits for aggregates: eduGAIN's is ~100 MB. */
export const FEDERATION_FETCH_DEFAULTS = Object.freeze({ timeoutMs: 120_000, maxBytes: 256 * 1024 * 1024 })

/** A {@link FederationSource} checked once, with its keys compiled and its defaults normalized. */
export interface ResolvedFederationSource {
  readonly id: string
  readonly url: string
  readonly trust: TrustedKeys
  readonly filters: {
    readonly idpsOnly: boolean
    readonly entityIds?: ReadonlySet<string>
    readonly registrationAuthorities?: ReadonlySet<string>
    readonly entityCategories?: ReadonlySet<string>
  }
  /** `recordDefaults` as given, and as a store keeps them (to compare with stored records). */
  readonly recordDefaults: Readonly<Partial<IdpRecordInput>>
  readonly storedDefaults: Readonly<Record<string, unknown>>
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

function fail(option: string, message: string): never {
  throw new TypeError(`"source.${option}" ${message}`)
}

function stringSet(name: string, value: unknown): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === ''))
    fail(name, 'must be an array of non-empty strings')
  return new Set((value as string[]).map((v) => v.trim()))
}

/** Checks a source up front: a TypeError naming what to change. */
export function resolveFederationSource(source: FederationSource): ResolvedFederationSource {
  if (source === null || typeof source !== 'object') throw new TypeError('"source" must be an object')
  if (typeof source.id !== 'string' || !ID.test(source.id))
    fail('id', 'must be 1–64 characters of A–Z a–z 0–9 . _ - starting with a letter or digit')
  if (typeof source.url !== 'string' || !/^https?:\/\//i.test(source.url))
    fail('url', 'must be the http(s) URL of the aggregate')
  if (!Array.isArray(source.signingCerts) || source.signingCerts.length === 0)
    fail('signingCerts', "must hold at least one certificate: the federation's metadata signer")
  let trust: TrustedKeys
  try {
    trust = compileTrustedKeys(source.signingCerts.map(normalizeCertificate), source.id)
  } catch (err) {
    fail('signingCerts', `must be X.509 certificates (PEM or base64): ${(err as Error).message}`)
  }
  const filters = source.filters ?? {}
  if (filters === null || typeof filters !== 'object') fail('filters', 'must be an object')
  if (filters.idpsOnly !== undefined && typeof filters.idpsOnly !== 'boolean')
    fail('filters.idpsOnly', 'must be true or false')
  const entityIds = stringSet('filters.entityIds', filters.entityIds)
  const registrationAuthorities = stringSet(
    'filters.registrationAuthorities',
    filters.registrationAuthorities,
  )
  const entityCategories = stringSet('filters.entityCategories', filters.entityCategories)
  const recordDefaults = source.recordDefaults ?? {}
  if (recordDefaults === null || typeof recordDefaults !== 'object')
    fail('recordDefaults', 'must be an object')
  for (const key of Object.keys(recordDefaults)) {
    if (Object.hasOwn(OWNED, key))
      fail(`recordDefaults.${key}`, 'is set by the import from each entity; leave it out')
  }
  // Normalized once beside a placeholder IdP: what a store keeps of them, and a TypeError now rather
  // than one refusal per entity.
  let stored: Record<string, unknown>
  try {
    stored = normalizeIdpRecord({
      ...recordDefaults,
      id: 'placeholder',
      entityId: 'urn:placeholder',
      ssoUrl: 'https://placeholder.invalid/sso',
      signingCerts: [source.signingCerts[0]!],
    }) as unknown as Record<string, unknown>
  } catch (err) {
    fail('recordDefaults', `is not valid for a record: ${(err as Error).message}`)
  }
  const storedDefaults = Object.fromEntries(Object.keys(recordDefaults).map((k) => [k, stored[k]]))
  return Object.freeze({
    id: source.id,
    url: source.url,
    trust,
    filters: Object.freeze({
      idpsOnly: filters.idpsOnly ?? true,
      ...(entityIds && { entityIds }),
      ...(registrationAuthorities && { registrationAuthorities }),
      ...(entityCategories && { entityCategories }),
    }),
    recordDefaults: Object.freeze({ ...recordDefaults }),
    storedDefaults: Object.freeze(storedDefaults),
  })
}

import { SamlError } from '../errors/saml-error.js'
import { normalizeEmailDomain } from '../record/email-domain.js'
import type { IdpRecord, IdpRecordInput } from '../record/record-fields.js'
import type { IdpStore, PutManyOutcome } from '../store/idp-store.js'
import { putIdpRecords } from '../store/put-idp-records.js'
import type { AggregateEntity } from './aggregate-entity.js'
import { fetchSignedAggregate } from './fetch-aggregate.js'
import { federationRecordId } from './federation-record-id.js'
import {
  resolveFederationSource,
  type FederationFetchOptions,
  type FederationSource,
  type ResolvedFederationSource,
} from './federation-source.js'
import type { SignedAggregate, SkippedEntity } from './read-signed-aggregate.js'
import { forgetIdpSearchIndex } from './search-idps.js'

/** Options for {@link importFederation}. */
export interface ImportFederationOptions {
  /** Fetch limits and checks; defaults `timeoutMs` 120000, `maxBytes` 256 MiB, https only, no private addresses. */
  fetch?: FederationFetchOptions
  /** The `ETag` of the aggregate last imported: sent as `If-None-Match`. */
  etag?: string
  /** The `Last-Modified` of the aggregate last imported: sent as `If-Modified-Since`. */
  lastModified?: string
  /**
   * Records written at once when the store has no `putMany` (one `put` each). Default 8. A store
   * with `putMany` (every store of this package but `FileIdpStore`) gets the writes in batches of
   * 100, two batches in flight.
   */
  concurrency?: number
  /** Current time in epoch ms (checks the aggregate's `validUntil`). Default `Date.now`. */
  clock?: () => number
}

/** What an import did. Record ids are sorted. */
export interface FederationImportResult {
  /** The source's id. */
  readonly source: string
  /** `not-modified`: the server answered 304 to the validators given; nothing was read or written. */
  readonly outcome: 'imported' | 'not-modified'
  /** The aggregate's validators, for the next conditional import. */
  readonly etag?: string
  readonly lastModified?: string
  /** The aggregate's `validUntil` (epoch ms) and `cacheDuration` (ms). */
  readonly validUntil?: number
  readonly cacheDurationMs?: number
  /** EntityDescriptors in the aggregate. */
  readonly entities: number
  /** Entities the filters kept. */
  readonly selected: number
  readonly created: readonly string[]
  readonly updated: readonly string[]
  /** Records that already held the entity as it is now: not written. */
  readonly unchanged: number
  /** Records of this source whose entity left the aggregate (or the filters). */
  readonly removed: readonly string[]
  /** Entities that could not become records, each with why; their previous record, if any, is kept. */
  readonly skipped: readonly SkippedEntity[]
}

const LIST_PAGE = 1000
/** Records written per `putMany` call: bounded, as a larger batch costs memory (peak RSS) and gains little. */
const WRITE_BATCH = 100
const MAX_DISPLAY_NAME = 256
const MAX_URL = 4096

/**
 * Imports a federation's signed metadata aggregate (InCommon, eduGAIN, a national federation) into
 * `store`: fetches it (streamed, tens of MB), verifies its signature with the source's pinned
 * certificates while reading, and only then writes one record per entity the filters keep (id from
 * {@link federationRecordId}, `metadataXml` the entity alone, discovery fields from mdui, shibmd and
 * mdrpi). A record is written only when its entity changed; records this source made whose entity
 * left are deleted. A bad entity is skipped and reported, never the whole import.
 *
 * Throws `ERR_SAML_METADATA_FETCH`, `ERR_SAML_METADATA_SIGNATURE`, `ERR_SAML_METADATA_INVALID` or
 * `ERR_SAML_METADATA_EXPIRED` with nothing written; a TypeError for a bad source or option.
 *
 * @example
 * ```ts
 * import { importFederation, REFEDS_RESEARCH_AND_SCHOLARSHIP } from 'passport-saml-multi-idp'
 * const result = await importFederation(store, {
 *   id: 'incommon',
 *   url: 'https://md.incommon.org/InCommon/InCommon-metadata-idp-only.xml',
 *   signingCerts: [federationSigningCertPem],
 *   filters: { entityCategories: [REFEDS_RESEARCH_AND_SCHOLARSHIP] },
 *   recordDefaults: { attributeMap: 'shibboleth' },
 * })
 * console.log(`${result.created.length} new, ${result.updated.length} changed, ${result.removed.length} gone`)
 * ```
 */
export async function importFederation(
  store: IdpStore,
  source: FederationSource,
  options: ImportFederationOptions = {},
): Promise<FederationImportResult> {
  const resolved = resolveFederationSource(source)
  const { concurrency = 8, clock = Date.now } = options
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new TypeError('"options.concurrency" must be an integer from 1 to 64')
  const fetched = await fetchSignedAggregate(resolved, options)
  if (fetched.notModified)
    return Object.freeze({
      source: resolved.id,
      outcome: 'not-modified',
      ...fetched.validators,
      entities: 0,
      selected: 0,
      created: [],
      updated: [],
      unchanged: 0,
      removed: [],
      skipped: [],
    })
  const { aggregate } = fetched
  if (aggregate.validUntil !== undefined && aggregate.validUntil <= clock())
    throw new SamlError(
      `federation metadata of "${resolved.id}" expired at ${new Date(aggregate.validUntil).toISOString()} (validUntil); the federation publishes a fresh one daily: check ${resolved.url} and its signing`,
      'ERR_SAML_METADATA_EXPIRED',
    )
  const result = await applyAggregate(store, resolved, aggregate, concurrency)
  return Object.freeze({ ...result, ...fetched.validators })
}

function selected(entity: AggregateEntity, source: ResolvedFederationSource): boolean {
  const { idpsOnly, entityIds, registrationAuthorities, entityCategories } = source.filters
  if (idpsOnly && !entity.isIdp) return false
  if (entityIds && !entityIds.has(entity.entityId)) return false
  if (
    registrationAuthorities &&
    !(entity.registrationAuthority && registrationAuthorities.has(entity.registrationAuthority))
  )
    return false
  if (entityCategories && !entity.entityCategories.some((c) => entityCategories.has(c))) return false
  return true
}

/** The record an entity becomes: the entity's own fields, valid or left out. */
function recordInput(entity: AggregateEntity, source: ResolvedFederationSource): IdpRecordInput {
  const scopes = [...new Set(entity.scopes.map(normalizeEmailDomain).filter((d) => d !== undefined))]
  const logo = entity.logoUrl !== undefined && entity.logoUrl.length <= MAX_URL ? entity.logoUrl : undefined
  return {
    ...source.recordDefaults,
    id: federationRecordId(entity.entityId),
    metadataXml: entity.xml,
    federation: source.id,
    ...(entity.displayName !== undefined && { displayName: entity.displayName.slice(0, MAX_DISPLAY_NAME) }),
    ...(logo !== undefined && URL.canParse(logo) && { logoUrl: logo }),
    ...(scopes.length > 0 && { scopes }),
    ...(entity.registrationAuthority !== undefined &&
      entity.registrationAuthority.length <= 1024 && { registrationAuthority: entity.registrationAuthority }),
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** True when `record` already holds what `input` would write: the entity's bytes and every field. */
function unchanged(record: IdpRecord, input: IdpRecordInput, source: ResolvedFederationSource): boolean {
  return (
    record.metadataXml === input.metadataXml &&
    record.displayName === input.displayName &&
    record.logoUrl === input.logoUrl &&
    same(record.scopes, input.scopes) &&
    record.registrationAuthority === input.registrationAuthority &&
    Object.entries(source.storedDefaults).every(([k, v]) => same(record[k as keyof IdpRecord], v))
  )
}

/** Every record of the store, this source's by id, and the ids of all others. */
async function listRecords(store: IdpStore, sourceId: string) {
  const mine = new Map<string, IdpRecord>()
  const others = new Set<string>()
  for (let after: string | undefined; ;) {
    const page = await store.list({ limit: LIST_PAGE, ...(after !== undefined && { after }) })
    for (const record of page) {
      if (record.federation === sourceId) mine.set(record.id, record)
      else others.add(record.id)
    }
    if (page.length < LIST_PAGE) return { mine, others }
    after = page[page.length - 1]!.id
  }
}

async function applyAggregate(
  store: IdpStore,
  source: ResolvedFederationSource,
  aggregate: SignedAggregate,
  concurrency: number,
): Promise<Omit<FederationImportResult, 'etag' | 'lastModified'>> {
  const { mine, others } = await listRecords(store, source.id)
  const skipped: SkippedEntity[] = [...aggregate.skipped]
  const present = new Set<string>()
  const writes: { input: IdpRecordInput; entityId: string; created: boolean }[] = []
  let kept = 0
  let unchangedCount = 0
  for (const entity of aggregate.entities) {
    if (!selected(entity, source)) continue
    kept++
    const input = recordInput(entity, source)
    present.add(input.id)
    if (others.has(input.id)) {
      skipped.push({
        entityId: entity.entityId,
        code: 'ERR_SAML_IDP_CONFLICT',
        reason: `record "${input.id}" exists and was not created by federation source "${source.id}"; it is left alone`,
      })
      continue
    }
    const existing = mine.get(input.id)
    if (existing && unchanged(existing, input, source)) unchangedCount++
    else writes.push({ input, entityId: entity.entityId, created: !existing })
  }
  const created: string[] = []
  const updated: string[] = []
  const settle = (batch: typeof writes, outcomes: PutManyOutcome[]) =>
    outcomes.forEach((outcome, i) => {
      const write = batch[i]!
      if (outcome.record) (write.created ? created : updated).push(write.input.id)
      else skipped.push({ entityId: write.entityId, code: outcome.error.code, reason: outcome.error.message })
    })
  // A bounded batch per call: all-or-nothing each, and the process never holds every serialized
  // record at once. Should the store fail midway, the batches before stay (and perhaps the one
  // after, already in flight) and the next import writes the rest (they are not unchanged). With `putMany`, two batches are in flight: the next
  // one is validated here while the database writes the previous one. Batches never share an id
  // or an entityID (the reader drops duplicate entityIDs), so their order changes nothing stored.
  const inFlight: { batch: typeof writes; outcomes: Promise<PutManyOutcome[]> }[] = []
  const depth = typeof store.putMany === 'function' ? 2 : 1
  try {
    for (let start = 0; start < writes.length; start += WRITE_BATCH) {
      const batch = writes.slice(start, start + WRITE_BATCH)
      const outcomes = putIdpRecords(
        store,
        batch.map((w) => w.input),
        { concurrency },
      )
      // Awaited below, in order; until then a failure must not count as unhandled.
      outcomes.catch(() => {})
      inFlight.push({ batch, outcomes })
      if (inFlight.length === depth) {
        const oldest = inFlight.shift()!
        settle(oldest.batch, await oldest.outcomes)
      }
    }
    for (const { batch, outcomes } of inFlight.splice(0)) settle(batch, await outcomes)
  } finally {
    // A failed batch leaves the one after it running: let it end before reporting the failure.
    await Promise.allSettled(inFlight.map((w) => w.outcomes))
  }
  const removed: string[] = []
  for (const id of mine.keys()) {
    if (!present.has(id) && (await store.delete(id))) removed.push(id)
  }
  forgetIdpSearchIndex(store)
  return {
    source: source.id,
    outcome: 'imported',
    ...(aggregate.validUntil !== undefined && { validUntil: aggregate.validUntil }),
    ...(aggregate.cacheDurationMs !== undefined && { cacheDurationMs: aggregate.cacheDurationMs }),
    entities: aggregate.entities.length + aggregate.skipped.length,
    selected: kept,
    created: Object.freeze(created.sort()),
    updated: Object.freeze(updated.sort()),
    unchanged: unchangedCount,
    removed: Object.freeze(removed.sort()),
    skipped: Object.freeze(skipped),
  }
}

import type { SamlError } from '../errors/saml-error.js'
import type { IdpRecord, IdpRecordInput } from '../record/record-fields.js'
import type { IdpMetadataStatus } from './metadata-status.js'

/** Options for {@link IdpStore.list}. */
export interface ListIdpsOptions {
  /** At most this many records (default: all). */
  limit?: number
  /** Only ids sorting after this one (keyset paging). */
  after?: string
}

/** What {@link IdpStore.putMany} did with one input: the stored record, or why it was refused. */
export type PutManyOutcome =
  | { readonly record: IdpRecord; readonly error?: undefined }
  | { readonly record?: undefined; readonly error: SamlError }

/**
 * Checks {@link ListIdpsOptions} as every adapter must (a TypeError for misuse). `after` may not hold
 * NUL: no valid id does, and PostgreSQL text cannot.
 */
export function checkListOptions(options: ListIdpsOptions): ListIdpsOptions {
  const { limit, after } = options
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new TypeError('"options.limit" must be a non-negative integer')
  }
  if (after !== undefined && (typeof after !== 'string' || after.includes('\0'))) {
    throw new TypeError('"options.after" must be a string without NUL characters')
  }
  return options
}

/**
 * Where IdP records live. Every adapter validates records on write with `normalizeIdpRecord`, so a
 * record read back is always well formed; an adapter that cannot reach its backend throws
 * `SamlError` `ERR_SAML_STORE_UNAVAILABLE`.
 *
 * Invariants every adapter keeps (the conformance suite of `passport-saml-multi-idp/testing` checks them):
 * - `put` assigns `version` (previous + 1, or 1) and `updatedAt`;
 * - an entityID belongs to one record, an email domain to one record (`ERR_SAML_IDP_CONFLICT` otherwise);
 * - `list` is ordered by id.
 */
export interface IdpStore {
  get(id: string): Promise<IdpRecord | undefined>
  findByEntityId(entityId: string): Promise<IdpRecord | undefined>
  /** `domain` is matched case-insensitively. */
  findByEmailDomain(domain: string): Promise<IdpRecord | undefined>
  list(options?: ListIdpsOptions): Promise<IdpRecord[]>
  /** Validates, normalizes and stores; returns the stored record. */
  put(input: IdpRecordInput): Promise<IdpRecord>
  /** True when a record was deleted. */
  delete(id: string): Promise<boolean>
  /**
   * Optional: many `put`s in one go (a federation import writes thousands). The outcome is that of
   * `put` on each input in order: an input that does not validate, or whose entityID or email
   * domain belongs to another record (or to an earlier input), gets its `error` and is not written;
   * the others are stored, all or none (a store failure throws `ERR_SAML_STORE_UNAVAILABLE` and
   * writes nothing). Each input is validated once. Without it, callers fall back to `put`. Calls
   * may overlap: the federation import keeps two in flight, whose inputs share no id or entityID.
   */
  putMany?(inputs: readonly IdpRecordInput[]): Promise<PutManyOutcome[]>
  close?(): Promise<void>

  // The metadata-refresh capability (optional: all three methods or none). It keeps, beside each
  // record, where its metadata fetches stand, and lets instances sharing the store agree on which
  // of them fetches an IdP's metadata next. Times are given by the caller (epoch ms), so the rule is
  // the same in every adapter and testable without waiting.

  /** The metadata status of IdP `id`, or undefined (none saved, or no such IdP). */
  getMetadataStatus?(id: string): Promise<IdpMetadataStatus | undefined>
  /**
   * Claims the next metadata refresh of IdP `id` for `holder` until `now + leaseMs`. True only when
   * the IdP exists, its refresh is due (no status, or `nextRefreshAt <= now`) and no other holder's
   * claim runs past `now`; a holder may claim again what it holds. Atomic across every process
   * sharing the backend: of concurrent claims at most one is true.
   */
  claimMetadataRefresh?(id: string, holder: string, now: number, leaseMs: number): Promise<boolean>
  /**
   * Saves the metadata status of IdP `id`, replacing the previous one, and ends `holder`'s claim
   * when it holds one (the saved `nextRefreshAt` then decides the next claim). False, and nothing
   * saved, when there is no such IdP. Deleting the record deletes its status.
   */
  saveMetadataStatus?(id: string, status: IdpMetadataStatus, holder?: string): Promise<boolean>

  // The federation-refresh capability (optional: all three methods or none): the same status and
  // claim, kept per federation source id (`startFederationRefresh`), with no record behind it. With
  // it, instances sharing the store import each federation once per interval between them.

  /** The refresh status of federation source `source`, or undefined (none saved). */
  getFederationStatus?(source: string): Promise<IdpMetadataStatus | undefined>
  /**
   * Claims the next import of federation source `source` for `holder` until `now + leaseMs`, by the
   * rule of `claimMetadataRefresh` (due, and no other holder's claim running past `now`). Atomic
   * across every process sharing the backend.
   */
  claimFederationRefresh?(source: string, holder: string, now: number, leaseMs: number): Promise<boolean>
  /** Saves the status of federation source `source` and ends `holder`'s claim when it holds one. */
  saveFederationStatus?(source: string, status: IdpMetadataStatus, holder?: string): Promise<void>
}

/** An {@link IdpStore} with the metadata-refresh capability. */
export type MetadataStatusStore = IdpStore &
  Required<Pick<IdpStore, 'getMetadataStatus' | 'claimMetadataRefresh' | 'saveMetadataStatus'>>

/** An {@link IdpStore} with the federation-refresh capability. */
export type FederationStatusStore = IdpStore &
  Required<Pick<IdpStore, 'getFederationStatus' | 'claimFederationRefresh' | 'saveFederationStatus'>>

/** True when `store` has the federation-refresh capability (all three methods). */
export function hasFederationStatus(store: IdpStore): store is FederationStatusStore {
  return (
    typeof store.getFederationStatus === 'function' &&
    typeof store.claimFederationRefresh === 'function' &&
    typeof store.saveFederationStatus === 'function'
  )
}

/** True when `store` has the metadata-refresh capability (all three methods). */
export function hasMetadataStatus(store: IdpStore): store is MetadataStatusStore {
  return (
    typeof store.getMetadataStatus === 'function' &&
    typeof store.claimMetadataRefresh === 'function' &&
    typeof store.saveMetadataStatus === 'function'
  )
}

import type { IdpRecord, IdpRecordInput } from '../record/record-fields.js'

/** Options for {@link IdpStore.list}. */
export interface ListIdpsOptions {
  /** At most this many records (default: all). */
  limit?: number
  /** Only ids sorting after this one (keyset paging). */
  after?: string
}

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
  close?(): Promise<void>
}

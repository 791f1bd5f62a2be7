/**
 * The one place where admin input (JSON from `PUT /admin/idps/:id` or the admin page's form) becomes
 * an IdP record: field whitelist, metadata by URL, then `store.put`, which validates.
 *
 * @module
 */
import {
  fetchIdpMetadata,
  parseIdpMetadata,
  type IdpRecord,
  type IdpRecordInput,
  type IdpStore,
} from '../lib/index.js'
import { IDP_RECORD_FIELDS } from '../lib/entries/core.js'

/** An HTTP error the demo answers as `{ "error": { "code", "message" } }`. */
export class DemoHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'DemoHttpError'
  }
}

/** Fields an admin may send: every `IdpRecordInput` field except `id` (taken from the URL). */
const FIELDS: ReadonlySet<string> = new Set<string>(
  Object.keys(IDP_RECORD_FIELDS).filter((field) => field !== 'id'),
)

/** How metadata URLs are fetched. */
export interface MetadataFetchPolicy {
  /** The demo's own origin: its embedded IdP may be fetched over http and from a private address. */
  ownOrigin: string
  /** For every other URL. Default false (https only). */
  allowHttp?: boolean
  /** For every other URL. Default false (no private, loopback or link-local addresses). */
  allowPrivateNetwork?: boolean
  timeoutMs?: number
}

/**
 * Fetches IdP metadata XML; every failure is a `SamlError` (`ERR_SAML_METADATA_FETCH` or
 * `ERR_SAML_METADATA_INVALID`).
 */
export async function fetchMetadataXml(
  url: string,
  policy: MetadataFetchPolicy,
  entityId?: string,
): Promise<string> {
  let own = false
  try {
    own = new URL(url).origin === new URL(policy.ownOrigin).origin
  } catch {
    // fetchIdpMetadata reports the bad URL
  }
  return fetchIdpMetadata(url, {
    allowHttp: own || policy.allowHttp === true,
    allowPrivateNetwork: own || policy.allowPrivateNetwork === true,
    timeoutMs: policy.timeoutMs ?? 10_000,
    ...(typeof entityId === 'string' && { entityId }),
  })
}

/**
 * Metadata past its `validUntil` is never adopted (as `putIdpRecord` refuses it): registered, the IdP's
 * logins would fail at once with ERR_SAML_METADATA_EXPIRED. Answered as invalid metadata, one of the
 * contract's three codes. Malformed metadata is left to `store.put`, which says what is wrong.
 */
function refuseExpiredMetadata(input: Record<string, unknown>): void {
  if (typeof input.metadataXml !== 'string') return
  let validUntil: string | undefined
  try {
    const entityId = typeof input.entityId === 'string' ? input.entityId : undefined
    validUntil = parseIdpMetadata(input.metadataXml, entityId ? { entityId } : {}).validUntil
  } catch {
    return
  }
  if (validUntil !== undefined && Date.parse(validUntil) <= Date.now()) {
    throw new DemoHttpError(
      400,
      'ERR_SAML_METADATA_INVALID',
      `the metadata expired at ${validUntil} (validUntil); ask the IdP for current metadata`,
    )
  }
}

/**
 * Validates the shape of the admin's input, fetches `metadataUrl` when no `metadataXml` is given,
 * and writes the record (a full replacement). Throws {@link DemoHttpError} for a malformed body and
 * the store's `SamlError` for a record it refuses.
 */
export async function registerIdp(
  store: IdpStore,
  id: string,
  body: unknown,
  policy: MetadataFetchPolicy,
): Promise<{ record: IdpRecord; created: boolean }> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new DemoHttpError(400, 'ERR_BAD_REQUEST', 'the body must be a JSON object of IdP record fields')
  }
  const input: Record<string, unknown> = { id }
  for (const [key, value] of Object.entries(body)) {
    if (!FIELDS.has(key)) {
      throw new DemoHttpError(400, 'ERR_BAD_REQUEST', `unknown field "${key.slice(0, 60)}"`)
    }
    if (value !== undefined && value !== null) input[key] = value
  }
  if (input.metadataUrl !== undefined && typeof input.metadataUrl !== 'string') {
    throw new DemoHttpError(400, 'ERR_BAD_REQUEST', '"metadataUrl" must be a string')
  }
  if (input.metadataXml === undefined && typeof input.metadataUrl === 'string') {
    input.metadataXml = await fetchMetadataXml(
      input.metadataUrl,
      policy,
      input.entityId as string | undefined,
    )
  }
  refuseExpiredMetadata(input)
  const existed = (await store.get(id)) !== undefined
  const record = await store.put(input as unknown as IdpRecordInput)
  return { record, created: !existed }
}

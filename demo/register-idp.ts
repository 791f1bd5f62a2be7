/**
 * The one place where admin input (JSON from `PUT /admin/idps/:id` or the admin page's form) becomes
 * an IdP record: field whitelist, then the library's `putIdpRecord` (metadata by URL, expired or
 * unsigned-but-pinned metadata refused), which ends in `store.put`, which validates.
 *
 * @module
 */
import {
  isSamlError,
  putIdpRecord,
  type FetchIdpMetadataOptions,
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
 * How to fetch metadata from the demo's own origin (`own`: its embedded IdP, over http on a private
 * address) or from anywhere else (as the policy allows).
 */
export function metadataFetchOptions(policy: MetadataFetchPolicy, own: boolean): FetchIdpMetadataOptions {
  return {
    allowHttp: own || policy.allowHttp === true,
    allowPrivateNetwork: own || policy.allowPrivateNetwork === true,
    timeoutMs: policy.timeoutMs ?? 10_000,
  }
}

/** True when `url` is a URL of `ownOrigin` (the embedded IdP's), whose fetches the policy exempts. */
export function isOwnMetadataUrl(url: unknown, ownOrigin: string): boolean {
  try {
    return typeof url === 'string' && new URL(url.trim()).origin === new URL(ownOrigin).origin
  } catch {
    return false // a bad URL is reported by the fetch
  }
}

/**
 * Validates the shape of the admin's input and writes the record (a full replacement) with
 * `putIdpRecord`, which fetches `metadataUrl` when no `metadataXml` is given. Throws
 * {@link DemoHttpError} for a malformed body or expired metadata, and the library's `SamlError` for
 * metadata it cannot fetch or a record the store refuses.
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
  const existed = (await store.get(id)) !== undefined
  let record: IdpRecord
  try {
    // The library's admin write: fetches a URL-only record's metadata (and saves its fetch status
    // for the refresher), refuses expired metadata and unsigned metadata a record pins a signer for.
    record = await putIdpRecord(store, input as unknown as IdpRecordInput, {
      fetch: metadataFetchOptions(policy, isOwnMetadataUrl(input.metadataUrl, policy.ownOrigin)),
    })
  } catch (err) {
    // Registered, expired metadata would fail every login at once: the contract (docs/demo.md)
    // answers it as invalid metadata, one of its three codes for a refused record.
    if (isSamlError(err) && err.code === 'ERR_SAML_METADATA_EXPIRED')
      throw new DemoHttpError(400, 'ERR_SAML_METADATA_INVALID', err.message)
    throw err
  }
  return { record, created: !existed }
}

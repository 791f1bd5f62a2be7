import { SamlError } from '../errors/saml-error.js'
import { openMetadataResponse, type MetadataValidators } from '../metadata/fetch-idp-metadata.js'
import { readCappedBody } from '../metadata/read-capped-body.js'
import {
  FEDERATION_FETCH_DEFAULTS,
  type FederationFetchOptions,
  type ResolvedFederationSource,
} from './federation-source.js'
import { readSignedAggregate, type SignedAggregate } from './read-signed-aggregate.js'

/** A 304, or the aggregate read and verified, with the response's validators. */
export type FetchedAggregate =
  | { readonly notModified: true; readonly validators: MetadataValidators }
  | {
      readonly notModified: false
      readonly validators: MetadataValidators
      readonly aggregate: SignedAggregate
    }

function fetchError(url: URL, message: string, cause?: unknown): SamlError {
  return new SamlError(
    `cannot fetch federation metadata from ${url.origin}${url.pathname.slice(0, 120)}: ${message}`,
    'ERR_SAML_METADATA_FETCH',
    cause === undefined ? undefined : { cause },
  )
}

/**
 * Fetches a source's aggregate with the SSRF guard, redirects and conditional request of metadata
 * fetches, streaming the body into {@link readSignedAggregate} under the size and time caps.
 */
export async function fetchSignedAggregate(
  source: ResolvedFederationSource,
  options: { fetch?: FederationFetchOptions; etag?: string; lastModified?: string },
): Promise<FetchedAggregate> {
  const fetch = { ...FEDERATION_FETCH_DEFAULTS, ...options.fetch }
  if (!Number.isInteger(fetch.maxBytes) || fetch.maxBytes < 1)
    throw new TypeError('"options.fetch.maxBytes" must be a positive integer')
  const opened = await openMetadataResponse(source.url, {
    ...fetch,
    ...(options.etag !== undefined && { etag: options.etag }),
    ...(options.lastModified !== undefined && { lastModified: options.lastModified }),
  })
  if (opened.notModified) return { notModified: true, validators: opened.validators }
  const aggregate = await readSignedAggregate(
    readCappedBody(
      opened.response,
      fetch.maxBytes,
      (message, cause) => fetchError(opened.url, message, cause),
      { maxBytes: 'fetch.maxBytes', timeoutMs: 'fetch.timeoutMs' },
    ),
    source.trust,
  )
  return { notModified: false, validators: opened.validators, aggregate }
}

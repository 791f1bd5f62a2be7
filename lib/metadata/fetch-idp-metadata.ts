import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { SamlError } from '../errors/saml-error.js'
import { METADATA_XML_LIMITS } from '../xml/parse-xml.js'
import { parseIdpMetadata, type ParsedIdpMetadata } from './parse-idp-metadata.js'
import { readCappedBody } from './read-capped-body.js'

/** Options for {@link fetchIdpMetadata}. */
export interface FetchIdpMetadataOptions {
  /** Give up after this long, in ms, for the whole fetch including redirects. Default 10000. */
  timeoutMs?: number
  /** Refuse larger documents. Default the metadata parser's cap (8 MiB). */
  maxBytes?: number
  /** Accept `http:` URLs. Default false: metadata carries the keys you will trust, so https only. */
  allowHttp?: boolean
  /**
   * Allow addresses in private, loopback and link-local ranges. Default false: an admin-supplied URL
   * must not let anyone make the server fetch from its own network (SSRF). Turn on for an IdP on
   * your intranet, or for tests.
   */
  allowPrivateNetwork?: boolean
  /** How many redirects to follow (each one checked like the first URL). Default 3. */
  maxRedirects?: number
  /** The entityID to check the metadata against (required when it is an EntitiesDescriptor). */
  entityId?: string
}

const PRIVATE_RANGES = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE_RANGES.addSubnet(net, prefix, 'ipv4')
}
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
  ['100::', 64], // discard
  ['2002::', 16], // 6to4, which embeds an IPv4 address
  ['64:ff9b:1::', 48], // local-use NAT64
  ['fec0::', 10], // site-local (deprecated)
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE_RANGES.addSubnet(net, prefix, 'ipv6')
}

/** True for addresses an SSRF guard must refuse (private, loopback, link-local, mapped, multicast). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 0) return true
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged by its IPv4 address. (BlockList itself matches
  // IPv4 addresses against mapped rules, so the mapped range cannot simply be listed.)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return PRIVATE_RANGES.check(mapped[1]!, 'ipv4')
  if (/^::ffff:/i.test(address)) return true
  return PRIVATE_RANGES.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

function fetchError(url: URL, message: string, cause?: unknown): SamlError {
  return new SamlError(
    `cannot fetch IdP metadata from ${url.origin}${url.pathname.slice(0, 120)}: ${message}`,
    'ERR_SAML_METADATA_FETCH',
    cause === undefined ? undefined : { cause },
  )
}

/** A DNS lookup that refuses private addresses, checked on the address actually connected to. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0)
    const list = addresses as LookupAddress[]
    const allowed = list.filter((a) => !isPrivateAddress(a.address))
    if (allowed.length === 0) {
      const refused = new Error(`${hostname} resolves only to private or loopback addresses`)
      ;(refused as NodeJS.ErrnoException).code = 'ERR_SAML_PRIVATE_ADDRESS'
      return callback(refused, '', 0)
    }
    if ((options as { all?: boolean }).all) return callback(null, allowed as never)
    return callback(null, allowed[0]!.address, allowed[0]!.family)
  })
}

/** Options for {@link fetchIdpMetadataDocument}: those of {@link fetchIdpMetadata}, and the validators of the copy held. */
export interface FetchIdpMetadataDocumentOptions extends FetchIdpMetadataOptions {
  /** The `ETag` of the copy held: sent as `If-None-Match`. */
  etag?: string
  /** The `Last-Modified` of the copy held: sent as `If-Modified-Since`. */
  lastModified?: string
}

/** HTTP validators of a fetched document, for the next conditional request. */
export interface MetadataValidators {
  /** The response's `ETag`, sent back as `If-None-Match`. */
  readonly etag?: string
  /** The response's `Last-Modified`, sent back as `If-Modified-Since`. */
  readonly lastModified?: string
}

/** What {@link fetchIdpMetadataDocument} got: a new document, or `notModified` (HTTP 304). */
export type FetchedIdpMetadata =
  | (MetadataValidators & {
      readonly notModified: false
      readonly xml: string
      /** The document as {@link parseIdpMetadata} reads it (entityId checked when given). */
      readonly metadata: ParsedIdpMetadata
    })
  | (MetadataValidators & { readonly notModified: true })

/** Longest validator kept (ETags are short; anything longer is not one worth sending back). */
const MAX_VALIDATOR = 1024

/** A response header worth sending back: a string of printable ASCII, not too long. */
function validator(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value.length <= MAX_VALIDATOR && /^[\x20-\x7e]+$/.test(value)
    ? value
    : undefined
}

/**
 * Fetches IdP metadata from a URL the way an admin console should: https only, no private
 * addresses (SSRF), bounded size, time and redirects, and the document must parse as IdP metadata.
 * Returns the XML text, ready for `store.put({ id, metadataXml, metadataUrl })`. Every failure is a
 * `SamlError` `ERR_SAML_METADATA_FETCH` (unreachable, HTTP error, too large, refused address) or
 * `ERR_SAML_METADATA_INVALID` (fetched, but not usable metadata).
 *
 * @example
 * ```ts
 * import { fetchIdpMetadata } from 'passport-saml-multi-idp'
 * const url = 'https://login.microsoftonline.com/<tenant>/federationmetadata/2007-06/federationmetadata.xml'
 * const metadataXml = await fetchIdpMetadata(url)
 * await store.put({ id: 'contoso', metadataXml, metadataUrl: url, attributeMap: 'entra' })
 * ```
 */
export async function fetchIdpMetadata(url: string, options: FetchIdpMetadataOptions = {}): Promise<string> {
  // The options are FetchIdpMetadataOptions: no validators, so no 304 is asked for.
  const fetched = await fetchIdpMetadataDocument(url, options)
  // Without validators a server has nothing to answer 304 to; one that does anyway is broken.
  if (fetched.notModified) throw fetchError(new URL(url), 'HTTP 304 to an unconditional request')
  return fetched.xml
}

/**
 * {@link fetchIdpMetadata} with HTTP caching: sends `If-None-Match` / `If-Modified-Since` for the
 * copy held, and returns `{ notModified: true }` on a 304, or the new document with its parsed
 * metadata and its `ETag` / `Last-Modified` for the next request. The metadata refresher uses it.
 *
 * @example
 * ```ts
 * import { fetchIdpMetadataDocument } from 'passport-saml-multi-idp'
 * const first = await fetchIdpMetadataDocument(url)
 * const again = await fetchIdpMetadataDocument(url, { etag: first.etag, lastModified: first.lastModified })
 * if (!again.notModified) console.log('changed; valid until', again.metadata.validUntil)
 * ```
 */
export async function fetchIdpMetadataDocument(
  url: string,
  options: FetchIdpMetadataDocumentOptions = {},
): Promise<FetchedIdpMetadata> {
  const maxBytes = options.maxBytes ?? METADATA_XML_LIMITS.maxBytes
  if (!Number.isInteger(maxBytes) || maxBytes < 1)
    throw new TypeError('"options.maxBytes" must be a positive integer')
  const opened = await openMetadataResponse(url, options)
  if (opened.notModified) return Object.freeze({ notModified: true, ...opened.validators })
  const xml = await readBody(opened.response, maxBytes, opened.url)
  const metadata = parseIdpMetadata(xml, options.entityId === undefined ? {} : { entityId: options.entityId })
  return Object.freeze({ notModified: false, xml, metadata, ...opened.validators })
}

/** An answer of {@link openMetadataResponse}: a 304, or a 200 whose body is still to be read. */
export type OpenedMetadataResponse =
  | { readonly notModified: true; readonly validators: MetadataValidators }
  | {
      readonly notModified: false
      readonly validators: MetadataValidators
      /** The body, to be read within the fetch's time limit (it aborts the stream). */
      readonly response: IncomingMessage
      /** The URL that answered, after redirects. */
      readonly url: URL
    }

/**
 * The request half of {@link fetchIdpMetadataDocument}, for callers that stream the body (a
 * federation aggregate of tens of MB): the same URL checks, SSRF guard, redirects, time limit and
 * conditional request, and the response once it is a 200 or a 304.
 */
export async function openMetadataResponse(
  url: string,
  options: Omit<FetchIdpMetadataDocumentOptions, 'maxBytes' | 'entityId'> = {},
): Promise<OpenedMetadataResponse> {
  const {
    timeoutMs = 10_000,
    allowHttp = false,
    allowPrivateNetwork = false,
    maxRedirects = 3,
    etag,
    lastModified,
  } = options
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new TypeError('"options.timeoutMs" must be a positive integer')
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0)
    throw new TypeError('"options.maxRedirects" must be a non-negative integer')
  for (const [name, value] of [
    ['etag', etag],
    ['lastModified', lastModified],
  ] as const) {
    if (value !== undefined && validator(value) === undefined)
      throw new TypeError(`"options.${name}" must be a header value of printable ASCII`)
  }
  const conditional: Record<string, string> = {}
  if (etag !== undefined) conditional['if-none-match'] = etag
  if (lastModified !== undefined) conditional['if-modified-since'] = lastModified

  let current: URL
  try {
    current = new URL(url)
  } catch (cause) {
    throw new SamlError(`"${String(url).slice(0, 200)}" is not a URL`, 'ERR_SAML_METADATA_FETCH', { cause })
  }
  const deadline = AbortSignal.timeout(timeoutMs)
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'https:' && !(allowHttp && current.protocol === 'http:')) {
      throw fetchError(
        current,
        allowHttp ? 'only http and https URLs are fetched' : 'only https URLs are fetched (allowHttp)',
      )
    }
    if (current.username || current.password) throw fetchError(current, 'URLs with credentials are refused')
    const literal = current.hostname.replace(/^\[|\]$/g, '')
    if (!allowPrivateNetwork && isIP(literal) !== 0 && isPrivateAddress(literal)) {
      throw fetchError(current, 'private and loopback addresses are refused (allowPrivateNetwork)')
    }
    const response = await get(current, { deadline, allowPrivateNetwork, headers: conditional })
    const status = response.statusCode ?? 0
    const validators = (): MetadataValidators => {
      const out: { etag?: string; lastModified?: string } = {}
      const e = validator(response.headers.etag)
      const m = validator(response.headers['last-modified'])
      if (e !== undefined) out.etag = e
      if (m !== undefined) out.lastModified = m
      return out
    }
    if (status === 304 && Object.keys(conditional).length > 0) {
      response.resume()
      return { notModified: true, validators: validators() }
    }
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume()
      if (hop >= maxRedirects) throw fetchError(current, `more than ${maxRedirects} redirects`)
      try {
        current = new URL(response.headers.location, current)
      } catch (cause) {
        throw fetchError(current, 'the redirect points to no valid URL', cause)
      }
      continue
    }
    if (status !== 200) {
      response.resume()
      throw fetchError(current, `HTTP ${status}`)
    }
    return { notModified: false, validators: validators(), response, url: current }
  }
}

function get(
  url: URL,
  {
    deadline,
    allowPrivateNetwork,
    headers,
  }: { deadline: AbortSignal; allowPrivateNetwork: boolean; headers: Record<string, string> },
): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        headers: {
          accept: 'application/samlmetadata+xml, application/xml, text/xml;q=0.9, */*;q=0.1',
          ...headers,
        },
        signal: deadline,
        // A connection of its own, closed after the answer: fetches are minutes apart, and a pooled
        // keep-alive socket the server has since closed would fail the next one (ECONNRESET).
        agent: false,
        ...(!allowPrivateNetwork && { lookup: publicOnlyLookup }),
      },
      resolve,
    )
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ERR_SAML_PRIVATE_ADDRESS')
        return reject(
          fetchError(url, 'private and loopback addresses are refused (allowPrivateNetwork)', err),
        )
      if (deadline.aborted) return reject(fetchError(url, 'timed out', err))
      reject(fetchError(url, err.code ?? err.message, err))
    })
    req.end()
  })
}

/** The whole body as text, within the size cap (see {@link readCappedBody}). */
async function readBody(response: IncomingMessage, maxBytes: number, url: URL): Promise<string> {
  const fail = (message: string, cause?: unknown) => fetchError(url, message, cause)
  const chunks: Buffer[] = []
  for await (const chunk of readCappedBody(response, maxBytes, fail)) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { SamlError } from '../errors/saml-error.js'
import { resolveSigningKey, type SigningHash } from '../xmldsig/signing-key.js'
import { SIGNATURE_ALGORITHMS } from '../xmldsig/algorithms.js'
import { verifiedByTrustedKey, type SignaturePolicy } from '../xmldsig/verify-signature.js'
import { decodeBase64Strict } from '../xml/base64.js'

/** A SAML message received with the HTTP-Redirect binding, with the raw query kept for its signature. */
export interface RedirectMessage {
  readonly type: 'SAMLRequest' | 'SAMLResponse'
  /** The DEFLATE-compressed, base64 message as sent. */
  readonly message: string
  readonly relayState?: string
  readonly sigAlg?: string
  readonly signature?: string
  /** `SAMLRequest=…&RelayState=…&SigAlg=…` exactly as received: what the signature covers. */
  readonly signedOctets: string
}

/** SAML bindings allow 80 bytes; real IdPs send more, but nothing near this. */
export const MAX_RELAY_STATE = 1024

const PARAMS = new Set(['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg', 'Signature'])

function bad(message: string): SamlError {
  return new SamlError(message, 'ERR_SAML_BAD_REQUEST')
}

function decodeComponent(value: string, name: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    throw bad(`the ${name} parameter is not URL-encoded correctly`)
  }
}

/**
 * Reads an HTTP-Redirect binding message from the raw query string. The signature covers the
 * parameters as the sender encoded them (SAML bindings 3.4.4.1), so they are taken from the raw
 * query, never re-encoded; a parameter given twice is refused rather than guessed at.
 */
export function parseRedirectQuery(rawQuery: string): RedirectMessage {
  const raw = new Map<string, string>()
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const key = eq === -1 ? pair : pair.slice(0, eq)
    if (!PARAMS.has(key)) continue
    if (raw.has(key)) throw bad(`the ${key} parameter appears more than once`)
    raw.set(key, eq === -1 ? '' : pair.slice(eq + 1))
  }
  const type = raw.has('SAMLRequest') ? 'SAMLRequest' : raw.has('SAMLResponse') ? 'SAMLResponse' : undefined
  if (!type) throw bad('no SAMLRequest or SAMLResponse parameter')
  if (raw.has('SAMLRequest') && raw.has('SAMLResponse'))
    throw bad('both SAMLRequest and SAMLResponse were sent')
  const signedOctets = [type, 'RelayState', 'SigAlg']
    .filter((key) => raw.has(key))
    .map((key) => `${key}=${raw.get(key)}`)
    .join('&')
  const relayState = raw.has('RelayState') ? decodeComponent(raw.get('RelayState')!, 'RelayState') : undefined
  if (relayState !== undefined && relayState.length > MAX_RELAY_STATE) {
    throw bad(`RelayState is longer than ${MAX_RELAY_STATE} characters`)
  }
  const sigAlg = raw.has('SigAlg') ? decodeComponent(raw.get('SigAlg')!, 'SigAlg') : undefined
  const signature = raw.has('Signature') ? decodeComponent(raw.get('Signature')!, 'Signature') : undefined
  return {
    type,
    message: decodeComponent(raw.get(type)!, type),
    ...(relayState !== undefined && { relayState }),
    ...(sigAlg !== undefined && { sigAlg }),
    ...(signature !== undefined && { signature }),
    signedOctets,
  }
}

/**
 * Verifies the query-string signature of a Redirect-binding message with the IdP's keys, judging
 * certificate expiry at `now` as for responses. Unsigned messages are refused: a logout message
 * changes state, so it must come from the IdP.
 */
export function verifyRedirectSignature(
  message: RedirectMessage,
  policy: SignaturePolicy,
  now: number,
): void {
  if (message.signature === undefined || message.sigAlg === undefined) {
    throw new SamlError(
      'the logout message is not signed (Signature and SigAlg are required)',
      'ERR_SAML_SIGNATURE_MISSING',
    )
  }
  const algorithm = SIGNATURE_ALGORITHMS.get(message.sigAlg)
  if (!algorithm || (algorithm.hash === 'sha1' && !policy.allowSha1)) {
    throw new SamlError(
      `signature algorithm ${JSON.stringify(message.sigAlg.slice(0, 100))} is not accepted`,
      'ERR_SAML_SIGNATURE_ALGORITHM',
    )
  }
  const signature = decodeBase64Strict(message.signature)
  if (!signature) throw new SamlError('the Signature parameter is not base64', 'ERR_SAML_SIGNATURE_INVALID')
  const data = Buffer.from(message.signedOctets, 'utf8')
  // ECDSA query signatures come as r‖s (XMLDSig's encoding, what Santuario-based IdPs send) or
  // as DER; both are tried. Replays are caught by message ID, so the two forms give nothing extra.
  const verified = verifiedByTrustedKey(policy, now, `the ${message.type} query`, (trusted) => {
    if (trusted.keyType !== algorithm.keyType) return false
    if (trusted.keyType === 'rsa') return cryptoVerify(algorithm.hash, data, trusted.key, signature)
    return (['ieee-p1363', 'der'] as const).some((dsaEncoding) =>
      cryptoVerify(algorithm.hash, data, { key: trusted.key, dsaEncoding }, signature),
    )
  })
  if (!verified) {
    throw new SamlError(
      "the logout message's signature does not verify with the IdP's certificates",
      'ERR_SAML_SIGNATURE_INVALID',
    )
  }
}

/** Inflates a Redirect-binding message, never past `maxBytes` (a deflate bomb stops there). */
export function inflateRedirectMessage(message: string, maxBytes: number): string {
  const compressed = decodeBase64Strict(message)
  if (!compressed) throw new SamlError('the SAML message is not base64', 'ERR_SAML_MALFORMED')
  try {
    return inflateRawSync(compressed, { maxOutputLength: maxBytes }).toString('utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new SamlError(`the SAML message inflates to more than ${maxBytes} bytes`, 'ERR_SAML_TOO_LARGE')
    }
    throw new SamlError('the SAML message is not DEFLATE-compressed', 'ERR_SAML_MALFORMED', { cause: err })
  }
}

/**
 * RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - . _ ~`, as OneLogin and SimpleSAMLphp
 * write it. `encodeURIComponent` leaves `!'()*`, which peers that rebuild the signed octets by
 * re-encoding rather than from the raw query (pysaml2 does) would encode, and so not verify.
 */
function encodeParam(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

/** A message to send with the HTTP-Redirect binding. */
export interface RedirectEncodeOptions {
  readonly type: 'SAMLRequest' | 'SAMLResponse'
  /** The unsigned message XML (a Redirect message carries no enveloped signature). */
  readonly xml: string
  /** Sent percent-encoded; the IdP returns it unchanged. */
  readonly relayState?: string
  /** Signs the query (SAML bindings 3.4.4.1): rsa-sha256/512 or ecdsa-sha256/512 by key type. */
  readonly signing?: { readonly privateKey: KeyObject; readonly algorithm: SigningHash }
}

/**
 * The URL that sends `xml` to `endpoint` with the HTTP-Redirect binding: the message DEFLATEd (raw)
 * and base64-encoded, then `RelayState`, and when signing, `SigAlg` and a `Signature` over exactly
 * `SAMLRequest=…&RelayState=…&SigAlg=…` as written into the URL (ECDSA as r‖s, as XML-DSig
 * defines it); every value percent-encoded per RFC 3986. Appended with `?`, or `&` when `endpoint`
 * already has a query; an endpoint with a fragment is a `TypeError`, since the query would land
 * inside it.
 *
 * node-saml 5 signs `querystring.stringify` output but sends `URLSearchParams` output, which
 * differ for a RelayState holding a space or `!'()~`, so the IdP sees a bad signature; here the
 * signed octets are the sent ones.
 *
 * @example
 * const url = encodeRedirect('https://idp.example.com/sso', {
 *   type: 'SAMLRequest',
 *   xml: buildAuthnRequest({ ... }),
 *   relayState: '/reports?tab=2',
 *   signing: { privateKey: spKeyObject, algorithm: 'sha256' },
 * })
 */
export function encodeRedirect(endpoint: string, options: RedirectEncodeOptions): string {
  if (endpoint.includes('#')) throw new TypeError('the Redirect endpoint must not have a #fragment')
  if (options.type !== 'SAMLRequest' && options.type !== 'SAMLResponse') {
    throw new TypeError('type must be SAMLRequest or SAMLResponse')
  }
  const message = deflateRawSync(Buffer.from(options.xml, 'utf8')).toString('base64')
  let query = `${options.type}=${encodeParam(message)}`
  if (options.relayState !== undefined) query += `&RelayState=${encodeParam(options.relayState)}`
  if (options.signing) {
    const signing = resolveSigningKey(
      options.signing.privateKey,
      options.signing.algorithm,
      'signing.privateKey',
    )
    query += `&SigAlg=${encodeParam(signing.signatureMethod)}`
    const signature = cryptoSign(
      signing.hash,
      Buffer.from(query, 'utf8'),
      signing.keyType === 'ec' ? { key: signing.key, dsaEncoding: 'ieee-p1363' } : signing.key,
    )
    query += `&Signature=${encodeParam(signature.toString('base64'))}`
  }
  const separator = !endpoint.includes('?') ? '?' : /[?&]$/.test(endpoint) ? '' : '&'
  return `${endpoint}${separator}${query}`
}

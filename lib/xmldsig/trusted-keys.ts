import { createHash, X509Certificate, type KeyObject } from 'node:crypto'
import { SamlError } from '../errors/saml-error.js'

/** One IdP certificate, decoded once: the public key to verify with and the DER fingerprint. */
export interface TrustedKey {
  readonly key: KeyObject
  readonly keyType: 'rsa' | 'ec'
  /** Hex SHA-256 of the certificate's DER. */
  readonly fingerprint: string
  /** The certificate's notAfter, epoch ms. */
  readonly notAfter: number
}

/**
 * How many characters of a certificate's base64 the KeyInfo hint compares: the last 64, which
 * encode the end of the certificate's own signature (in practice unique to it). Comparing those
 * instead of the whole certificate (1–2 KB) saves hashing it on every message. The hint only
 * orders the attempts: a tail shared by chance, or copied by an attacker, costs one more verify
 * and never accepts anything the trusted keys do not verify.
 */
export const CERTIFICATE_TAIL_LENGTH = 64

/** An IdP's signing certificates, ready to verify with. Built once per IdP record version. */
export interface TrustedKeys {
  readonly keys: readonly TrustedKey[]
  /**
   * By the last {@link CERTIFICATE_TAIL_LENGTH} characters of the certificate's DER in base64, as a
   * KeyInfo carries it (whitespace removed): a hint at which key to try first, never trusted itself.
   */
  readonly byCertificateTail: ReadonlyMap<string, TrustedKey>
}

/**
 * One signing certificate decoded by OpenSSL, with its raw DER; or, when it cannot sign for an IdP,
 * why (OpenSSL's words, or the key type).
 */
function decodeSigningCertificate(
  pem: string,
):
  | { readonly trusted: TrustedKey; readonly raw: Buffer }
  | { readonly unusable: string; readonly cause?: unknown } {
  let cert: X509Certificate
  let key: KeyObject
  try {
    cert = new X509Certificate(pem)
    // OpenSSL reads a certificate whose key bits are corrupt and fails only when the key is read.
    key = cert.publicKey
  } catch (err) {
    return { unusable: `OpenSSL cannot decode it (${(err as Error).message})`, cause: err }
  }
  const type = key.asymmetricKeyType
  if (type !== 'rsa' && type !== 'ec')
    return { unusable: `its key is ${String(type)}; only RSA and EC can sign` }
  const notAfter = Date.parse(cert.validTo)
  // OpenSSL reads any bytes as a time and says "Bad time value" only when asked; records refuse
  // such certificates (certificate-der.ts), one stored before that must not reach the expiry rule.
  if (Number.isNaN(notAfter)) return { unusable: 'its validity dates cannot be read' }
  return { trusted: { key, keyType: type, fingerprint: fingerprintDer(cert.raw), notAfter }, raw: cert.raw }
}

/** Why `pem` cannot verify an IdP's signatures (OpenSSL's words, or its key type), or undefined when it can. */
export function unusableSigningCertificate(pem: string): string | undefined {
  const decoded = decodeSigningCertificate(pem)
  return 'unusable' in decoded ? decoded.unusable : undefined
}

/**
 * Decodes PEM certificates into `KeyObject`s once, so verification never touches PEM (decoding a
 * PEM costs ~0.5 ms, eight times an RSA-2048 verify). One that cannot sign is `ERR_SAML_IDP_UNUSABLE`.
 */
export function compileTrustedKeys(certs: readonly string[], idp: string): TrustedKeys {
  const keys: TrustedKey[] = []
  const seen = new Set<string>()
  const byCertificateTail = new Map<string, TrustedKey>()
  for (const pem of certs) {
    const decoded = decodeSigningCertificate(pem)
    if ('unusable' in decoded) {
      throw new SamlError(
        `IdP "${idp}" has a signing certificate that cannot be used: ${decoded.unusable}`,
        'ERR_SAML_IDP_UNUSABLE',
        { cause: decoded.cause, idp },
      )
    }
    const base64 = decoded.raw.toString('base64')
    if (seen.has(base64)) continue
    seen.add(base64)
    keys.push(decoded.trusted)
    const tail = base64.slice(-CERTIFICATE_TAIL_LENGTH)
    if (!byCertificateTail.has(tail)) byCertificateTail.set(tail, decoded.trusted)
  }
  return { keys, byCertificateTail }
}

export function fingerprintDer(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex')
}

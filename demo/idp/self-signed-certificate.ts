/**
 * A self-signed X.509 certificate from node:crypto alone. Node can make key pairs but has no
 * certificate builder, and the demo must start offline on any machine (no `openssl` binary, no
 * extra dependency), so this writes the few DER structures an RSA certificate needs.
 *
 * @module
 */
import { generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto'

/** A PEM private key (PKCS#8) and its self-signed PEM certificate. */
export interface PemKeyPair {
  key: string
  cert: string
}

/** Options of {@link createSelfSignedCertificate}. */
export interface SelfSignedCertificateOptions {
  /** Subject and issuer common name. */
  commonName: string
  /** Validity in days from now. Default 3650. */
  days?: number
  /** RSA modulus length. Default 2048. */
  modulusLength?: number
}

// --- DER ------------------------------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(body.length), body])
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items))
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items))
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 + n, inner)
const nullValue = (): Buffer => Buffer.from([0x05, 0x00])
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'))
const octets = (body: Buffer): Buffer => tlv(0x04, body)
const bitString = (body: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), body]))
const boolean = (value: boolean): Buffer => Buffer.from([0x01, 0x01, value ? 0xff : 0x00])

function integer(bytes: Buffer): Buffer {
  let body = bytes
  while (body.length > 1 && body[0] === 0 && body[1]! < 0x80) body = body.subarray(1)
  if (body[0]! >= 0x80) body = Buffer.concat([Buffer.from([0]), body])
  return tlv(0x02, body)
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number)
  const bytes = [parts[0]! * 40 + parts[1]!]
  for (const part of parts.slice(2)) {
    const chunk = [part & 0x7f]
    for (let v = part >> 7; v > 0; v >>= 7) chunk.unshift(0x80 | (v & 0x7f))
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

/** UTCTime before 2050, GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(iso, 'ascii'))
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), nullValue())

function name(commonName: string): Buffer {
  return sequence(set(sequence(oid('2.5.4.3'), utf8(commonName))))
}

function extensions(): Buffer {
  // basicConstraints (critical): not a CA. keyUsage (critical): digitalSignature, keyEncipherment.
  const basicConstraints = sequence(oid('2.5.29.19'), boolean(true), octets(sequence()))
  const keyUsage = sequence(oid('2.5.29.15'), boolean(true), octets(tlv(0x03, Buffer.from([0x05, 0xa0]))))
  return explicit(3, sequence(basicConstraints, keyUsage))
}

function pem(label: string, der: Buffer): string {
  const body = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`
}

/** DER certificate over `publicKey`, signed by `privateKey` (self-signed when they are a pair). */
function buildCertificate(
  publicKey: KeyObject,
  privateKey: KeyObject,
  commonName: string,
  days: number,
  now: Date,
): Buffer {
  const notBefore = new Date(now.getTime() - 60_000)
  const notAfter = new Date(now.getTime() + days * 86_400_000)
  const serial = randomBytes(16)
  serial[0]! &= 0x7f
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    SHA256_WITH_RSA,
    name(commonName),
    sequence(time(notBefore), time(notAfter)),
    name(commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions(),
  )
  const signature = sign('sha256', tbs, privateKey)
  return sequence(tbs, SHA256_WITH_RSA, bitString(signature))
}

/**
 * Generates an RSA key pair and a self-signed SHA-256 certificate for it.
 *
 * @example
 * ```ts
 * const { key, cert } = createSelfSignedCertificate({ commonName: 'idp.acme.test' })
 * ```
 */
export function createSelfSignedCertificate(options: SelfSignedCertificateOptions): PemKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: options.modulusLength ?? 2048,
  })
  const der = buildCertificate(publicKey, privateKey, options.commonName, options.days ?? 3650, new Date())
  const cert = pem('CERTIFICATE', der)
  // Fail here, not at the first login, if the encoding were ever wrong.
  if (!new X509Certificate(cert).verify(publicKey)) throw new Error('self-signed certificate does not verify')
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert }
}

// Not OpenSSL: `new X509Certificate(der)` costs ~125 µs on Node 20 / OpenSSL 3, most of it decoding
// the public key; the key is decoded at first use instead, by compileTrustedKeys (lib/xmldsig/trusted-keys.ts).

const SEQUENCE = 0x30
const INTEGER = 0x02
const BIT_STRING = 0x03
const UTC_TIME = 0x17
const GENERALIZED_TIME = 0x18
const VERSION = 0xa0
/** After subjectPublicKeyInfo, in this order, each at most once: issuerUniqueID [1], subjectUniqueID [2], extensions [3]. */
const TBS_TAIL = [[0x81, 0xa1], [0x82, 0xa2], [0xa3]] as const

/** Thrown when a whole Certificate is followed by more bytes (another certificate, say). */
export class TrailingBytesError extends Error {}

interface Tlv {
  readonly tag: number
  /** Offset of the first content byte. */
  readonly body: number
  /** Offset just past the last content byte. */
  readonly end: number
}

const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0')}`

/**
 * Reads the TLV at `pos`, which must end by `limit` (its parent's end). `minimalLength` asks for DER's
 * shortest length form: OpenSSL re-encodes the parts outside tbsCertificate (so a longer form there made
 * `X509Certificate#raw` differ from the input) but keeps tbsCertificate's bytes as they are.
 */
function readTlv(der: Uint8Array, pos: number, limit: number, what: string, minimalLength: boolean): Tlv {
  if (limit - pos < 2) throw new Error(`${what} is missing or truncated`)
  const tag = der[pos]!
  const first = der[pos + 1]!
  let body = pos + 2
  let length = first
  if (first === 0x80) throw new Error(`${what} has an indefinite length`)
  if (first > 0x80) {
    const count = first & 0x7f
    if (count > 4) throw new Error(`${what} has a ${count}-byte length`)
    if (limit - body < count) throw new Error(`${what} length is truncated`)
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + der[body + i]!
    if (minimalLength && (der[body] === 0 || length < 0x80)) {
      throw new Error(`${what} length is not in its shortest form`)
    }
    body += count
  }
  if (length > limit - body) throw new Error(`${what} runs past its parent`)
  return { tag, body, end: body + length }
}

function expectTlv(
  der: Uint8Array,
  pos: number,
  limit: number,
  tags: readonly number[],
  what: string,
  minimalLength = false,
): Tlv {
  const tlv = readTlv(der, pos, limit, what, minimalLength)
  if (!tags.includes(tlv.tag)) {
    throw new Error(`${what} has tag ${hex(tlv.tag)}, expected ${tags.map(hex).join(' or ')}`)
  }
  return tlv
}

function expectBitString(der: Uint8Array, tlv: Tlv, what: string): void {
  // The first content byte counts the unused bits of the last byte: 0–7, and 0 when there is none.
  const length = tlv.end - tlv.body
  const unused = length === 0 ? 8 : der[tlv.body]!
  if (unused > 7 || (unused > 0 && length === 1)) {
    throw new Error(`${what} is not a valid BIT STRING`)
  }
  // DER sets the unused bits to zero (X.690 §11.2.1); OpenSSL would read such a certificate back
  // with other bytes, so its fingerprint would not be the one stored.
  if (unused > 0 && (der[tlv.end - 1]! & ((1 << unused) - 1)) !== 0) {
    throw new Error(`${what} has unused bits that are not zero`)
  }
}

/** Two ASCII digits at `at` as a number, or NaN. */
function digits2(der: Uint8Array, at: number): number {
  const a = der[at]! - 0x30
  const b = der[at + 1]! - 0x30
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN
}

/**
 * A validity time as RFC 5280 §4.1.2.5 has CAs write it: UTCTime `YYMMDDHHMMSSZ` or GeneralizedTime
 * `YYYYMMDDHHMMSSZ`, a real date and time. OpenSSL parses any content there and reports "Bad time
 * value" only when asked for the date, which health and the expiry policy do.
 */
function expectTime(der: Uint8Array, tlv: Tlv, what: string): void {
  const utc = tlv.tag === UTC_TIME
  const length = tlv.end - tlv.body
  if (length !== (utc ? 13 : 15) || der[tlv.end - 1] !== 0x5a /* Z */) {
    throw new Error(`${what} is not ${utc ? 'YYMMDDHHMMSSZ' : 'YYYYMMDDHHMMSSZ'}`)
  }
  let at = tlv.body
  const year = utc ? digits2(der, at) : digits2(der, at) * 100 + digits2(der, at + 2)
  at += utc ? 2 : 4
  const [month, day, hour, minute, second] = [0, 2, 4, 6, 8].map((i) => digits2(der, at + i)) as [
    number,
    number,
    number,
    number,
    number,
  ]
  const fullYear = utc ? (year < 50 ? 2000 + year : 1900 + year) : year
  const date = new Date(Date.UTC(fullYear, month - 1, day))
  if (
    !(hour <= 23 && minute <= 59 && second <= 59) ||
    Number.isNaN(date.getTime()) ||
    date.getUTCFullYear() !== fullYear ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    throw new Error(`${what} is not a valid date and time`)
  }
}

function expectFilled(end: number, parent: Tlv, what: string): void {
  if (end !== parent.end) throw new Error(`${what} has ${parent.end - end} bytes after its last field`)
}

/**
 * Checks that `der` is exactly one DER-encoded X.509 `Certificate` by its ASN.1 shape (RFC 5280 §4.1):
 * every TLV of the fixed shape has the expected tag and a definite length that its parent holds,
 * each SEQUENCE is filled exactly by its fields, BIT STRINGs have zero unused bits, the validity
 * times are real dates in RFC 5280's forms, and nothing follows the certificate. Names, algorithm
 * parameters, the key and the extensions are not decoded. Throws an `Error` with a short
 * reason (a `TrailingBytesError` when only the bytes after the Certificate are wrong); the caller wraps it.
 */
export function assertX509CertificateDer(der: Uint8Array): void {
  const cert = expectTlv(der, 0, der.length, [SEQUENCE], 'Certificate', true)
  if (cert.end !== der.length)
    throw new TrailingBytesError(`${der.length - cert.end} bytes follow the Certificate`)

  const tbs = expectTlv(der, cert.body, cert.end, [SEQUENCE], 'tbsCertificate')
  const signatureAlgorithm = expectTlv(der, tbs.end, cert.end, [SEQUENCE], 'signatureAlgorithm', true)
  const signatureValue = expectTlv(
    der,
    signatureAlgorithm.end,
    cert.end,
    [BIT_STRING],
    'signatureValue',
    true,
  )
  expectBitString(der, signatureValue, 'signatureValue')
  expectFilled(signatureValue.end, cert, 'Certificate')

  let pos = tbs.body
  if (pos < tbs.end && der[pos] === VERSION) {
    const version = expectTlv(der, pos, tbs.end, [VERSION], 'version')
    const number = expectTlv(der, version.body, version.end, [INTEGER], 'version number')
    expectFilled(number.end, version, 'version')
    pos = version.end
  }
  const serial = expectTlv(der, pos, tbs.end, [INTEGER], 'serialNumber')
  if (serial.body === serial.end) throw new Error('serialNumber is empty')
  const signature = expectTlv(der, serial.end, tbs.end, [SEQUENCE], 'signature')
  const issuer = expectTlv(der, signature.end, tbs.end, [SEQUENCE], 'issuer')
  const validity = expectTlv(der, issuer.end, tbs.end, [SEQUENCE], 'validity')
  const notBefore = expectTlv(der, validity.body, validity.end, [UTC_TIME, GENERALIZED_TIME], 'notBefore')
  expectTime(der, notBefore, 'notBefore')
  const notAfter = expectTlv(der, notBefore.end, validity.end, [UTC_TIME, GENERALIZED_TIME], 'notAfter')
  expectTime(der, notAfter, 'notAfter')
  expectFilled(notAfter.end, validity, 'validity')
  const subject = expectTlv(der, validity.end, tbs.end, [SEQUENCE], 'subject')
  const spki = expectTlv(der, subject.end, tbs.end, [SEQUENCE], 'subjectPublicKeyInfo')
  const keyAlgorithm = expectTlv(der, spki.body, spki.end, [SEQUENCE], 'subjectPublicKeyInfo algorithm')
  const key = expectTlv(der, keyAlgorithm.end, spki.end, [BIT_STRING], 'subjectPublicKey')
  expectBitString(der, key, 'subjectPublicKey')
  expectFilled(key.end, spki, 'subjectPublicKeyInfo')

  pos = spki.end
  let next = 0
  while (pos < tbs.end) {
    const tag = der[pos]!
    const at = TBS_TAIL.findIndex((tags, i) => i >= next && (tags as readonly number[]).includes(tag))
    if (at < 0) throw new Error(`tbsCertificate has tag ${hex(tag)} after subjectPublicKeyInfo`)
    pos = expectTlv(der, pos, tbs.end, TBS_TAIL[at]!, 'tbsCertificate field').end
    next = at + 1
  }
}

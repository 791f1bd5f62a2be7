import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { SamlError } from '../../lib/errors/saml-error.js'
import { normalizeCertificate } from '../../lib/metadata/certificate.js'
import { compileTrustedKeys } from '../../lib/xmldsig/trusted-keys.js'
import { Rng } from '../support/rng.js'

const KEYS = new URL('../fixtures/keys/', import.meta.url)
const fixtureCerts = readdirSync(KEYS)
  .filter((name) => name.endsWith('.cert.pem'))
  .map((name) => ({ name, pem: readFileSync(new URL(name, KEYS), 'utf8') }))

const derOf = (pem: string) => new X509Certificate(pem).raw
const base64Of = (der: Uint8Array) => Buffer.from(der).toString('base64')

function assertInvalid(der: Uint8Array, what: string): void {
  assert.throws(
    () => normalizeCertificate(base64Of(der)),
    (err) => err instanceof SamlError && err.code === 'ERR_SAML_CERTIFICATE_INVALID',
    what,
  )
}

/** A DER length: short form below 128, else the shortest long form. */
function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length])
  const bytes: number[] = []
  for (let n = length; n > 0; n >>>= 8) bytes.unshift(n & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}
const tlv = (tag: number, ...content: Uint8Array[]) => {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body])
}
const bytes = (...values: number[]) => Buffer.from(values)
const ascii = (text: string) => Buffer.from(text, 'latin1')

/** The parts of a certificate, each a whole TLV, to assemble well-formed or broken on purpose. */
function certificateParts() {
  const rsaWithSha256 = tlv(
    0x30,
    tlv(0x06, bytes(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b)),
    tlv(0x05),
  )
  const name = tlv(0x30, tlv(0x31, tlv(0x30, tlv(0x06, bytes(0x55, 0x04, 0x03)), tlv(0x0c, ascii('idp')))))
  const spki = createPublicKey(fixtureCerts.find((c) => c.name === 'idp-acme.cert.pem')!.pem).export({
    type: 'spki',
    format: 'der',
  })
  return {
    version: tlv(0xa0, tlv(0x02, bytes(2))),
    serial: tlv(0x02, bytes(0x01)),
    algorithm: rsaWithSha256,
    name,
    notBefore: tlv(0x17, ascii('200101000000Z')),
    notAfter: tlv(0x18, ascii('20510101000000Z')),
    spki,
    signatureValue: tlv(0x03, bytes(0), Buffer.alloc(256, 0x5a)),
  }
}
type Parts = ReturnType<typeof certificateParts>

function assemble(
  parts: Parts,
  options: { validity?: Buffer; spki?: Uint8Array; tail?: Buffer[]; noVersion?: boolean } = {},
) {
  const validity = options.validity ?? tlv(0x30, parts.notBefore, parts.notAfter)
  const tbs = tlv(
    0x30,
    ...(options.noVersion ? [] : [parts.version]),
    parts.serial,
    parts.algorithm,
    parts.name,
    validity,
    parts.name,
    options.spki ?? parts.spki,
    ...(options.tail ?? []),
  )
  return tlv(0x30, tbs, parts.algorithm, parts.signatureValue)
}

describe('normalizeCertificate: the DER shape check', () => {
  let dir: string
  const generated: { name: string; pem: string }[] = []
  let csrDer: Buffer

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'certificate-der-'))
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
    const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
    // notAfter past 2049 is a GeneralizedTime.
    openssl(
      'req',
      '-x509',
      ...ecKey,
      '-keyout',
      'ec.key',
      '-days',
      '15000',
      '-subj',
      '/CN=late',
      '-out',
      'late.pem',
    )
    openssl('req', '-new', '-key', 'ec.key', '-subj', '/CN=csr', '-outform', 'DER', '-out', 'req.der')
    // x509 -req without extensions makes a version 1 certificate: no [0] version field.
    openssl('req', '-new', '-key', 'ec.key', '-subj', '/CN=v1', '-out', 'req.pem')
    openssl('x509', '-req', '-in', 'req.pem', '-signkey', 'ec.key', '-days', '1', '-out', 'v1.pem')
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ed25519',
      '-nodes',
      '-keyout',
      'ed.key',
      '-subj',
      '/CN=ed',
      '-out',
      'ed.pem',
    )
    assert.match(openssl('x509', '-in', 'v1.pem', '-noout', '-text').toString(), /Version: 1 \(0x0\)/)
    for (const name of ['late.pem', 'v1.pem', 'ed.pem'])
      generated.push({ name, pem: readFileSync(join(dir, name), 'utf8') })
    csrDer = readFileSync(join(dir, 'req.der'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('accepts every fixture certificate (RSA, EC) and normalizes it to the same PEM as before', () => {
    assert.ok(fixtureCerts.length >= 7)
    for (const { name, pem } of fixtureCerts) {
      const der = derOf(pem)
      const expected = `-----BEGIN CERTIFICATE-----\n${base64Of(der)
        .match(/.{1,64}/g)!
        .join('\n')}\n-----END CERTIFICATE-----\n`
      assert.equal(normalizeCertificate(pem), expected, name)
      assert.equal(normalizeCertificate(base64Of(der)), expected, name)
      assert.ok(derOf(normalizeCertificate(pem)).equals(der), name)
    }
  })

  it('accepts a version 1 certificate, a GeneralizedTime notAfter and an Ed25519 key', () => {
    for (const { name, pem } of generated) {
      assert.ok(derOf(normalizeCertificate(pem)).equals(derOf(pem)), name)
    }
  })

  it('accepts a certificate assembled field by field, as OpenSSL does, with and without its optional fields', () => {
    const parts = certificateParts()
    const ext = tlv(0xa3, tlv(0x30))
    for (const der of [
      assemble(parts),
      assemble(parts, { noVersion: true }),
      assemble(parts, { tail: [tlv(0x81, bytes(0, 1)), tlv(0x82, bytes(0, 1)), ext] }),
      assemble(parts, { tail: [ext] }),
    ]) {
      assert.ok(new X509Certificate(der).raw.equals(der), 'OpenSSL reads it')
      assert.ok(derOf(normalizeCertificate(base64Of(der))).equals(der))
    }
  })

  it('refuses a PKCS#8 private key, an SPKI public key and a CSR, each as base64 DER', () => {
    const keyPem = readFileSync(new URL('idp-acme.key.pem', KEYS), 'utf8')
    const ecKeyPem = readFileSync(new URL('idp-ec.key.pem', KEYS), 'utf8')
    for (const pem of [keyPem, ecKeyPem]) {
      assertInvalid(createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }), 'PKCS#8')
      assertInvalid(createPublicKey(pem).export({ type: 'spki', format: 'der' }), 'SPKI')
    }
    assertInvalid(csrDer, 'CSR')
  })

  it('refuses a truncated certificate, trailing bytes, two certificates and an indefinite length', () => {
    for (const { name, pem } of fixtureCerts) {
      const der = derOf(pem)
      for (const cut of [1, 2, 3, 4, 10, 100, der.length >> 1, der.length - 40, der.length - 1])
        assertInvalid(der.subarray(0, cut), `${name} cut at ${cut}`)
      assertInvalid(Buffer.concat([der, bytes(0)]), `${name} and one byte`)
      assertInvalid(Buffer.concat([der, der]), `${name} twice`)
      // 30 82 LL LL → 30 80 … 00 00: BER's indefinite length, never DER.
      assertInvalid(Buffer.concat([bytes(0x30, 0x80), der.subarray(4), bytes(0, 0)]), `${name} indefinite`)
    }
  })

  it('refuses lengths past the parent, SEQUENCEs not filled by their fields and wrong tags', () => {
    const parts = certificateParts()
    const validity = (...content: Buffer[]) => assemble(parts, { validity: tlv(0x30, ...content) })
    // The key's BIT STRING claims one byte more than its SubjectPublicKeyInfo holds.
    const spki = Buffer.from(parts.spki)
    const keyHeader = spki.indexOf(bytes(0x03, 0x82)) // RSA-2048: 03 82 01 0f, after the algorithm
    spki.writeUInt16BE(spki.readUInt16BE(keyHeader + 2) + 1, keyHeader + 2)
    const keyPastParent = assemble(parts, { spki: Buffer.concat([spki, bytes(0)]) })
    const outer = assemble(parts)
    // tbsCertificate's 30 82 LL LL as 30 85 00 00 00 LL LL (its value right, the outer length grown by 3).
    const fiveByteTbsLength = Buffer.concat([
      outer.subarray(0, 4),
      bytes(0x30, 0x85, 0, 0, 0),
      outer.subarray(6),
    ])
    fiveByteTbsLength.writeUInt16BE(outer.readUInt16BE(2) + 3, 2)
    const nameAt = (der: Buffer) => tbsFieldOffsets(der)[3]!
    const outerPastInput = Buffer.from(outer)
    outerPastInput.writeUInt16BE(outer.readUInt16BE(2) + 1, 2)
    const cases: [string, Buffer][] = [
      ['a length past its parent', keyPastParent],
      ['the outer length past the input', outerPastInput],
      ['validity with a non-time tag', validity(tlv(0x04, ascii('200101000000Z')), parts.notAfter)],
      ['validity with one time', validity(parts.notBefore)],
      ['validity not filled by its times', validity(parts.notBefore, parts.notAfter, bytes(0))],
      ['validity with a third time', validity(parts.notBefore, parts.notAfter, parts.notAfter)],
      [
        'SubjectPublicKeyInfo not filled',
        assemble(parts, { spki: tlv(0x30, parts.spki.subarray(4), bytes(0x05, 0x00)) }),
      ],
      [
        'extensions before issuerUniqueID',
        assemble(parts, { tail: [tlv(0xa3, tlv(0x30)), tlv(0x81, bytes(0))] }),
      ],
      ['extensions twice', assemble(parts, { tail: [tlv(0xa3, tlv(0x30)), tlv(0xa3, tlv(0x30))] })],
      // OpenSSL reads this one as it is; DER (X.690 §8.9.1) and RFC 5280 do not.
      [
        'an issuer tagged 0x10, a SEQUENCE without its constructed bit',
        Buffer.from(outer).fill(0x10, nameAt(outer), nameAt(outer) + 1),
      ],
      ['an empty serialNumber', assemble({ ...parts, serial: tlv(0x02) })],
      ['an unknown field after the key', assemble(parts, { tail: [tlv(0xa4, tlv(0x30))] })],
      ['a 5-byte length', fiveByteTbsLength],
      // OpenSSL re-encodes the outer SEQUENCE, so before it was "extra bytes after the X.509 DER".
      ['an outer length longer than DER', Buffer.concat([bytes(0x30, 0x83, 0), outer.subarray(2)])],
      [
        'a signature BIT STRING with 8 unused bits',
        Buffer.concat([outer.subarray(0, -257), bytes(8), outer.subarray(-256)]),
      ],
      // OpenSSL reads these as they are and has no date to give for them (validFrom "Bad time value"),
      // which crashed the health report and the expired-certificate message.
      ['a notBefore that is no time', validity(tlv(0x17, ascii('ZZZZZZZZZZZZZ')), parts.notAfter)],
      ['an empty UTCTime', validity(tlv(0x17), parts.notAfter)],
      ['month 13', validity(tlv(0x17, ascii('201301000000Z')), parts.notAfter)],
      ['30 February', validity(tlv(0x17, ascii('200230000000Z')), parts.notAfter)],
      ['hour 24', validity(tlv(0x17, ascii('200101240000Z')), parts.notAfter)],
      ['a UTCTime without seconds', validity(tlv(0x17, ascii('2001010000Z')), parts.notAfter)],
      ['a UTCTime with an offset', validity(tlv(0x17, ascii('200101000000+0100')), parts.notAfter)],
      [
        'a GeneralizedTime with fractional seconds',
        validity(parts.notBefore, tlv(0x18, ascii('20510101000000.5Z'))),
      ],
      // DER's unused bits are zero (X.690 §11.2.1); OpenSSL reads it back with other bytes.
      [
        'a signature BIT STRING whose unused bits are not zero',
        assemble({ ...parts, signatureValue: tlv(0x03, bytes(4), Buffer.alloc(256, 0x5a)) }),
      ],
    ]
    for (const [what, der] of cases) assertInvalid(der, what)
  })
})

/** The TLV at `pos` (its tag, where its body starts and ends), or undefined past `end` or malformed. */
function readHeader(der: Uint8Array, pos: number, end: number) {
  if (pos + 2 > end) return undefined
  const first = der[pos + 1]!
  const count = first > 0x80 ? first & 0x7f : 0
  const body = pos + 2 + count
  let length = first < 0x80 ? first : 0
  for (let i = 0; i < count; i++) length = length * 256 + der[pos + 2 + i]!
  if (first === 0x80 || count > 4 || body + length > end) return undefined
  return { tag: der[pos]!, body, end: body + length }
}

/** The offsets of every TLV header byte (tag and length) in `der`, constructed tags walked into. */
function headerOffsets(der: Uint8Array, start = 0, end = der.length, out: number[] = []): number[] {
  let pos = start
  for (let tlv = readHeader(der, pos, end); tlv; pos = tlv.end, tlv = readHeader(der, pos, end)) {
    for (let i = pos; i < tlv.body; i++) out.push(i)
    if (tlv.tag & 0x20) headerOffsets(der, tlv.body, tlv.end, out)
  }
  return out
}

/** The offsets of the fields of tbsCertificate. */
function tbsFieldOffsets(der: Uint8Array): number[] {
  const tbsAt = readHeader(der, 0, der.length)!.body
  const tbs = readHeader(der, tbsAt, der.length)!
  const offsets: number[] = []
  for (let at = tbs.body; at < tbs.end; at = readHeader(der, at, tbs.end)!.end) offsets.push(at)
  return offsets
}

describe('compileTrustedKeys on a certificate OpenSSL parses but whose key it cannot read', () => {
  it('is ERR_SAML_IDP_UNUSABLE, not the raw OpenSSL error (the key is read lazily, after the parse)', () => {
    const der = Buffer.from(derOf(fixtureCerts.find((c) => c.name === 'idp-acme.cert.pem')!.pem))
    der[der.indexOf(Buffer.from('0382010f003082010a', 'hex')) + 5] = 0x31 // RSAPublicKey tagged as a SET
    const pem = normalizeCertificate(base64Of(der))
    assert.doesNotThrow(() => new X509Certificate(pem), 'OpenSSL parses the certificate itself')
    assert.throws(
      () => compileTrustedKeys([pem], 'acme'),
      (err) => err instanceof SamlError && err.code === 'ERR_SAML_IDP_UNUSABLE',
    )
  })
})

describe('normalizeCertificate against OpenSSL on mutated certificates (seeded)', () => {
  it('accepts every mutation OpenSSL reads back byte for byte, but for non-DER Name tags, times that are no date and non-zero unused bits; what only it accepts fails at login as ERR_SAML_IDP_UNUSABLE', () => {
    const rng = new Rng(0x11_de4)
    const counts = {
      bothAccept: 0,
      bothRefuse: 0,
      oursOnly: 0,
      openSslReencodes: 0,
      primitiveName: 0,
      badTime: 0,
      unusedBits: 0,
    }
    for (const { name, pem } of fixtureCerts) {
      const der = derOf(pem)
      const headers = headerOffsets(der)
      const fields = tbsFieldOffsets(der)
      assert.equal(der[fields[0]!], 0xa0, `${name} is version 3`)
      const nameTags = [fields[3]!, fields[5]!] // issuer, subject
      for (let round = 0; round < 500; round++) {
        let mutant: Buffer
        let mutatedAt = -1
        if (round % 10 === 9) {
          mutant = der.subarray(0, rng.int(der.length))
        } else {
          // Half on the TLV headers, where the shape lives; half anywhere. A random byte or one bit flipped.
          mutatedAt = round % 2 === 0 ? rng.pick(headers) : rng.int(der.length)
          const byte = round % 4 < 2 ? rng.int(256) : der[mutatedAt]! ^ (1 << rng.int(8))
          if (byte === der[mutatedAt]) continue
          mutant = Buffer.from(der)
          mutant[mutatedAt] = byte
        }
        let openSsl: 'same' | 'reencoded' | 'refused'
        try {
          openSsl = new X509Certificate(mutant).raw.equals(mutant) ? 'same' : 'reencoded'
        } catch {
          openSsl = 'refused'
        }
        let ours: string | undefined
        let why = ''
        try {
          ours = normalizeCertificate(base64Of(mutant))
        } catch (err) {
          assert.ok(err instanceof SamlError && err.code === 'ERR_SAML_CERTIFICATE_INVALID', String(err))
          why = String((err as Error).cause ?? err.message)
        }
        if (openSsl === 'same' && ours === undefined) {
          // What OpenSSL reads as it is and we refuse, each a DER or RFC 5280 rule no encoder breaks:
          // a Name whose SEQUENCE tag lacks its constructed bit (X.690 §8.9.1); a validity time that
          // is no date (OpenSSL then has no date to give either); unused bits of a BIT STRING that
          // are not zero (X.690 §11.2.1). Nothing else may be refused.
          const cert = new X509Certificate(mutant)
          const unreadableDate = [cert.validFrom, cert.validTo].some((d) => Number.isNaN(Date.parse(d)))
          if (nameTags.includes(mutatedAt) && mutant[mutatedAt] === 0x10) counts.primitiveName++
          else if (/not a valid date and time|is not Y+MMDDHHMMSSZ/.test(why) && unreadableDate)
            counts.badTime++
          else if (/unused bits that are not zero/.test(why)) counts.unusedBits++
          else assert.fail(`OpenSSL reads ${base64Of(mutant)} as it is, we refuse it: ${why}`)
        } else if (openSsl === 'same') {
          counts.bothAccept++
        } else if (openSsl === 'reencoded') {
          // Refused before as "extra bytes after the X.509 DER"; counted, the key is the same either way.
          if (ours !== undefined) counts.openSslReencodes++
          else counts.bothRefuse++
        } else if (ours === undefined) {
          counts.bothRefuse++
        } else {
          counts.oursOnly++
          const accepted = ours
          assert.throws(
            () => compileTrustedKeys([accepted], 'x'),
            (err) => err instanceof SamlError && err.code === 'ERR_SAML_IDP_UNUSABLE',
          )
        }
      }
    }
    console.log('certificate-der differential:', JSON.stringify(counts))
    assert.ok(counts.bothAccept > 500 && counts.bothRefuse > 500 && counts.oursOnly > 100)
  })
})

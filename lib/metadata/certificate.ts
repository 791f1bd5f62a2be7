import { SamlError } from '../errors/saml-error.js'
import { assertX509CertificateDer, TrailingBytesError } from './certificate-der.js'

/** Longest certificate text accepted (a 16k-bit RSA certificate is well under 8 KiB of base64). */
const MAX_CERTIFICATE_CHARS = 64 * 1024

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/**
 * Turns an X.509 certificate given as PEM or as bare (possibly line-wrapped) base64 DER, as IdP
 * metadata and admin consoles show it, into canonical PEM: one `CERTIFICATE` block, 64-character
 * lines, trailing newline. Two spellings of the same certificate normalize to the same string, so
 * the result can be compared and de-duplicated. Validity dates are not checked: IdPs routinely
 * sign with expired self-signed certificates, and what matters is the key.
 *
 * Throws `SamlError` `ERR_SAML_CERTIFICATE_INVALID` when the text is not exactly one X.509 certificate
 * (a private key, a certificate request, two certificates, bad base64 or bad DER). The DER is checked
 * by its ASN.1 shape only; the public key is decoded when a login first uses the certificate, and a
 * key that does not decode makes the IdP `ERR_SAML_IDP_UNUSABLE` then.
 *
 * @example
 * ```ts
 * import { normalizeCertificate } from 'passport-saml-multi-idp'
 * const pem = normalizeCertificate('MIIDETCCAfmgAwIBAgIU…') // '-----BEGIN CERTIFICATE-----\nMIIDETCC…\n-----END CERTIFICATE-----\n'
 * ```
 */
export function normalizeCertificate(certPemOrBase64: string): string {
  if (typeof certPemOrBase64 !== 'string') {
    throw new SamlError(
      `certificate must be a string, got ${typeof certPemOrBase64}`,
      'ERR_SAML_CERTIFICATE_INVALID',
    )
  }
  if (certPemOrBase64.length > MAX_CERTIFICATE_CHARS) {
    throw new SamlError(
      `certificate is ${certPemOrBase64.length} characters; the limit is ${MAX_CERTIFICATE_CHARS}`,
      'ERR_SAML_CERTIFICATE_INVALID',
    )
  }
  let body = certPemOrBase64.trim()
  if (body.includes('-----')) {
    const blocks = [...body.matchAll(PEM_BLOCK)]
    const labels = blocks.map((m) => m[1])
    if (labels.some((label) => label?.includes('PRIVATE KEY'))) {
      // Never echo any of it: this is a secret pasted in the wrong place.
      throw new SamlError(
        'expected an X.509 certificate but got a PRIVATE KEY; paste the IdP certificate (never a private key)',
        'ERR_SAML_CERTIFICATE_INVALID',
      )
    }
    if (blocks.length !== 1 || labels[0] !== 'CERTIFICATE') {
      const found = blocks.length === 0 ? 'no complete PEM block' : labels.map((l) => `"${l}"`).join(', ')
      throw new SamlError(
        `expected exactly one "-----BEGIN CERTIFICATE-----" PEM block, found ${found}`,
        'ERR_SAML_CERTIFICATE_INVALID',
      )
    }
    const outside = body.replace(PEM_BLOCK, '').trim()
    if (outside !== '') {
      throw new SamlError(
        'certificate PEM has text outside its BEGIN/END lines',
        'ERR_SAML_CERTIFICATE_INVALID',
      )
    }
    body = blocks[0]![2]!
  }
  const base64 = body.replace(/\s+/g, '')
  if (base64 === '' || !BASE64.test(base64)) {
    throw new SamlError(
      'certificate is neither PEM nor base64 (expected "-----BEGIN CERTIFICATE-----" or the base64 DER as metadata shows it)',
      'ERR_SAML_CERTIFICATE_INVALID',
    )
  }
  const der = Buffer.from(base64, 'base64')
  try {
    assertX509CertificateDer(der)
  } catch (err) {
    throw new SamlError(
      err instanceof TrailingBytesError
        ? 'certificate has extra bytes after the X.509 DER'
        : 'certificate base64 does not decode to an X.509 certificate',
      'ERR_SAML_CERTIFICATE_INVALID',
      { cause: err },
    )
  }
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}

// Steps of migrateTenant for the SP's keys and signatures. The SP has one set of them for every
// IdP, so each tenant's part is only read here; merge-tenants.ts and decryption-keys.ts check that
// the tenants agree.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { normalizeCertificate } from '../metadata/certificate.js'
import { privateKeyPem } from './sp-keys.js'
import type { TenantRecord, TenantSp } from './tenant-parts.js'
import { describe, type TenantOptions } from './tenant-options.js'

/**
 * `privateKey` and `publicCert`: the SP's signing key, with the certificate the SP metadata
 * publishes (so both are needed, and must belong together).
 */
export function readSigningKey(t: TenantOptions, record: TenantRecord, sp: TenantSp): void {
  const o = t.options
  if (o.privateKey !== undefined) {
    if (typeof o.privateKey !== 'string' && !(o.privateKey instanceof Uint8Array))
      t.refuse('privateKey', 'invalid', `must be a PEM private key, got ${describe(o.privateKey)}`)
    else {
      const keyPem = privateKeyPem(o.privateKey)
      let key: KeyObject | undefined
      try {
        key = createPrivateKey(keyPem)
      } catch {
        t.refuse(
          'privateKey',
          'invalid',
          'is not a private key (PEM, or base64 PKCS#8; an encrypted key must be decrypted first)',
        )
      }
      let certPem: string | undefined
      let cert: X509Certificate | undefined
      if (o.publicCert === undefined)
        t.refuse(
          'privateKey',
          'missing',
          'is set without publicCert: this library publishes the certificate of its signing key in the SP metadata; give publicCert (the certificate the IdP already has for this app)',
        )
      else {
        try {
          certPem = normalizeCertificate(o.publicCert)
          // normalizeCertificate checks the DER's shape only; OpenSSL decodes the key here.
          cert = new X509Certificate(certPem)
        } catch {
          t.refuse('publicCert', 'invalid', 'is not an X.509 certificate (PEM or base64)')
        }
      }
      if (key && certPem && cert) {
        if (!cert.checkPrivateKey(key))
          t.refuse('publicCert', 'invalid', 'is not the certificate of privateKey')
        else sp.signing = { key, keyPem, certPem }
      }
      record.signAuthnRequests = true // passport-saml signs every AuthnRequest when it has a key
    }
  } else if (o.publicCert !== undefined) {
    t.note(
      'publicCert',
      'is set without privateKey: passport-saml only published it; nothing is signed, so it is left out',
    )
  }
}

/** `decryptionPvk`: a key for encrypted assertions. Its certificate is settled across tenants. */
export function readDecryptionKey(t: TenantOptions, sp: TenantSp): void {
  const o = t.options
  if (o.decryptionPvk !== undefined) {
    if (typeof o.decryptionPvk !== 'string' && !(o.decryptionPvk instanceof Uint8Array))
      t.refuse('decryptionPvk', 'invalid', `must be a PEM private key, got ${describe(o.decryptionPvk)}`)
    else {
      const pem = privateKeyPem(o.decryptionPvk)
      try {
        sp.decryption = { key: createPrivateKey(pem), pem }
      } catch {
        t.refuse(
          'decryptionPvk',
          'invalid',
          'is not a private key (PEM, or base64 PKCS#8; an encrypted key must be decrypted first)',
        )
      }
    }
  }
}

/**
 * `signatureAlgorithm`, `digestAlgorithm`, `xmlSignatureTransforms`: this library never signs
 * with SHA-1 and derives the digest and transforms itself, so only what it would do anyway passes.
 */
export function readSignatureAlgorithms(t: TenantOptions, sp: TenantSp): void {
  const o = t.options
  const signatureAlgorithm = o.signatureAlgorithm
  if (signatureAlgorithm === 'sha256' || signatureAlgorithm === 'sha512')
    sp.signatureAlgorithm = signatureAlgorithm
  else if (signatureAlgorithm === 'sha1')
    t.refuse(
      'signatureAlgorithm',
      'not-supported',
      'is "sha1": this library never signs with SHA-1. Set "sha256": IdPs that check signed requests accept it (the IdP keeps your certificate)',
    )
  else if (signatureAlgorithm !== undefined)
    t.refuse(
      'signatureAlgorithm',
      'invalid',
      `must be "sha256" or "sha512", got ${JSON.stringify(signatureAlgorithm)}`,
    )
  else if (o.privateKey !== undefined)
    t.note(
      'signatureAlgorithm',
      'is not set: passport-saml then signed with RSA-SHA1; this library signs with RSA-SHA256 (IdPs that check signed requests accept it)',
    )
  const digestAlgorithm = o.digestAlgorithm
  if (digestAlgorithm !== undefined && digestAlgorithm !== (sp.signatureAlgorithm ?? 'sha256'))
    t.refuse(
      'digestAlgorithm',
      'not-supported',
      `is ${JSON.stringify(digestAlgorithm)}: this library digests with the hash of signatureAlgorithm (${sp.signatureAlgorithm ?? 'sha256'}). Remove it`,
    )
  const transforms = o.xmlSignatureTransforms
  if (transforms !== undefined && (!Array.isArray(transforms) || transforms.length > 0))
    t.refuse(
      'xmlSignatureTransforms',
      'not-supported',
      'is set: enveloped signatures here always use the enveloped-signature and exclusive c14n transforms, which IdPs expect. Remove it',
    )
}

// Across tenants: the SP's decryption keys. Unlike the signing key, tenants may differ here: every
// tenant's key is accepted, and the first is the current one, whose certificate the SP metadata
// publishes for encryption. Which key is first, and whether its certificate is known, is settled
// here from `decryptionCert` or the signing key.
import { X509Certificate, type KeyObject } from 'node:crypto'
import { normalizeCertificate } from '../metadata/certificate.js'
import type { Findings } from './findings.js'
import type { PassportSamlMigrationInput } from './migration-types.js'
import { keyId } from './sp-keys.js'
import type { TenantSp } from './tenant-parts.js'

type DecryptionKey = { key: KeyObject; pem: string }

/** Every tenant's decryption key, each once, the current one first; and its certificate if known. */
export function mergeDecryptionKeys(
  f: Findings,
  parts: ReadonlyMap<string, TenantSp>,
  signing: TenantSp['signing'],
  input: Pick<PassportSamlMigrationInput, 'decryptionCert'>,
): { decryption: DecryptionKey[]; decryptionCert: string | undefined } {
  // Decryption keys: every tenant's, all accepted (the first is current).
  const decryption: DecryptionKey[] = []
  for (const part of parts.values()) {
    const d = part.decryption
    if (d && !decryption.some((e) => keyId(e.key) === keyId(d.key))) decryption.push(d)
  }
  let decryptionCert: string | undefined
  if (input.decryptionCert !== undefined) {
    let cert: X509Certificate | undefined
    try {
      decryptionCert = normalizeCertificate(input.decryptionCert)
      // normalizeCertificate checks the DER's shape only; OpenSSL decodes the key here.
      cert = new X509Certificate(decryptionCert)
    } catch {
      decryptionCert = undefined
      f.refuse(undefined, 'decryptionCert', 'invalid', 'is not an X.509 certificate (PEM or base64)')
    }
    if (cert && !decryption.some((d) => cert.checkPrivateKey(d.key))) {
      f.refuse(undefined, 'decryptionCert', 'invalid', "is not the certificate of any tenant's decryptionPvk")
      decryptionCert = undefined
    }
    // The key of the published certificate is the current one.
    if (cert)
      decryption.sort((a, b) => Number(cert.checkPrivateKey(b.key)) - Number(cert.checkPrivateKey(a.key)))
  } else if (decryption.length > 0) {
    // Without decryptionCert, the SP metadata can only publish the signing certificate: right when
    // the signing key is one of the decryption keys (then it is the current one), wrong otherwise.
    const signingIsDecryption = signing && decryption.some((d) => keyId(d.key) === keyId(signing.key))
    const using = [...parts].filter(([, p]) => p.decryption).map(([id]) => id)
    if (signing && !signingIsDecryption)
      for (const id of using)
        f.refuse(
          id,
          'decryptionPvk',
          'missing',
          "is not privateKey, and its certificate is not known: pass it as decryptionCert (what you gave generateServiceProviderMetadata), or the SP metadata would list privateKey's certificate for encryption",
        )
    else if (!signing)
      for (const id of using)
        f.note(
          id,
          'decryptionPvk',
          'has no certificate here: the SP metadata lists no encryption certificate unless you pass decryptionCert',
        )
    if (signing && signingIsDecryption)
      decryption.sort(
        (a, b) => Number(keyId(b.key) === keyId(signing.key)) - Number(keyId(a.key) === keyId(signing.key)),
      )
  }
  if (decryption.length > 1)
    f.note(
      undefined,
      'decryptionPvk',
      `tenants use ${decryption.length} decryption keys: all are accepted, and the SP metadata lists the certificate of the first`,
    )
  return { decryption, decryptionCert }
}

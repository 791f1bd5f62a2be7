// The SP's private keys as passport-saml took them, and how two of them are compared.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto'

/** node-saml's keyInfoToPem for private keys: bare base64 becomes a PKCS#8 PEM block. */
export function privateKeyPem(value: string | Uint8Array): string {
  const text = (typeof value === 'string' ? value : Buffer.from(value).toString('utf8')).trim()
  if (text.includes('-----BEGIN')) return `${text}\n`
  const body = text.replace(/\s+/g, '')
  return `-----BEGIN PRIVATE KEY-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PRIVATE KEY-----\n`
}

/** A key's identity: the SHA-256 of its public key, so two spellings of one key compare equal. */
export function keyId(key: KeyObject): string {
  return createHash('sha256')
    .update(createPublicKey(key).export({ type: 'spki', format: 'der' }))
    .digest('base64url')
}

import { createPrivateKey, type KeyObject } from 'node:crypto'
import { DIGEST_ALGORITHMS, SIGNATURE_ALGORITHMS } from './algorithms.js'

/** The hashes this library signs with. SHA-1 is never used to sign. */
export type SigningHash = 'sha256' | 'sha512'

/** A private key with the XML-DSig algorithm URIs that go with it. */
export interface SigningKey {
  readonly key: KeyObject
  readonly keyType: 'rsa' | 'ec'
  readonly hash: SigningHash
  /** `SignatureMethod` / `SigAlg`, e.g. `…xmldsig-more#rsa-sha256`. */
  readonly signatureMethod: string
  /** `DigestMethod`, e.g. `…xmlenc#sha256`. */
  readonly digestMethod: string
}

/** The URI whose entry satisfies `match`, from the validator's own tables (one table, two directions). */
function uriOf<T>(table: ReadonlyMap<string, T>, match: (value: T) => boolean): string {
  for (const [uri, value] of table) if (match(value)) return uri
  throw new Error('unreachable: lib/validate/algorithms.ts lists every signing algorithm used here')
}

/**
 * Reads a PEM private key (or takes a `KeyObject`) and picks its algorithms: rsa-sha256/512 for an RSA
 * key, ecdsa-sha256/512 for an EC key. Other key types (RSA-PSS, Ed25519, …) are a `TypeError`: SAML
 * peers do not verify them. Pass a `KeyObject` on hot paths; parsing PEM costs more than signing.
 *
 * @example
 * const signing = resolveSigningKey(pem, 'sha256')
 * signing.signatureMethod // 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'
 */
export function resolveSigningKey(
  privateKey: string | KeyObject,
  hash: SigningHash,
  name = 'privateKey',
): SigningKey {
  if (hash !== 'sha256' && hash !== 'sha512') {
    throw new TypeError(`the signing algorithm must be 'sha256' or 'sha512', not ${JSON.stringify(hash)}`)
  }
  let key: KeyObject
  if (typeof privateKey === 'string') {
    try {
      key = createPrivateKey(privateKey)
    } catch (err) {
      throw new TypeError(`${name} is not a PEM private key`, { cause: err })
    }
  } else if (privateKey?.type === 'private') {
    key = privateKey
  } else {
    throw new TypeError(`${name} must be a PEM private key or a private KeyObject`)
  }
  const keyType = key.asymmetricKeyType
  if (keyType !== 'rsa' && keyType !== 'ec') {
    throw new TypeError(`${name} is a ${String(keyType)} key; SAML messages are signed with RSA or EC keys`)
  }
  return {
    key,
    keyType,
    hash,
    signatureMethod: uriOf(SIGNATURE_ALGORITHMS, (a) => a.keyType === keyType && a.hash === hash),
    digestMethod: uriOf(DIGEST_ALGORITHMS, (h) => h === hash),
  }
}

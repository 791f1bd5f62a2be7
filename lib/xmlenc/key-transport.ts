import { SamlError } from '../errors/saml-error.js'
import {
  KEY_TRANSPORT_ALGORITHMS,
  MGF_ALGORITHMS,
  OAEP_DIGEST_ALGORITHMS,
  RSA_OAEP_MGF1P,
  type OaepHash,
} from './algorithms.js'
import type { EncryptedKeyParts } from './read-encrypted-element.js'

/** How one EncryptedKey was wrapped: RSA-OAEP with these hashes, MGF1 hashes in the order to try. */
export interface KeyTransport {
  readonly oaepHash: OaepHash
  readonly mgfHashes: readonly OaepHash[]
  readonly label?: Buffer
}

function refused(message: string): SamlError {
  return new SamlError(message, 'ERR_SAML_ENCRYPTION_ALGORITHM')
}

/**
 * Judges an EncryptedKey's algorithm before any decryption: RSA-OAEP only, with an accepted digest
 * (SHA-1 by default) and MGF1 hash. `rsa-oaep-mgf1p` fixes MGF1-SHA-1; with another digest,
 * xml-encryption 3 (node-saml's and Auth0's encryptor) used MGF1 with that digest instead, so that
 * reading is tried second.
 */
export function readKeyTransport(key: EncryptedKeyParts): KeyTransport {
  if (!KEY_TRANSPORT_ALGORITHMS.has(key.algorithm))
    throw refused(`key transport ${key.algorithm} is not accepted; use RSA-OAEP`)
  const oaepHash =
    key.digestAlgorithm === undefined ? 'sha1' : OAEP_DIGEST_ALGORITHMS.get(key.digestAlgorithm)
  if (!oaepHash) throw refused(`the RSA-OAEP digest ${key.digestAlgorithm} is not accepted`)
  let mgfHashes: OaepHash[]
  if (key.algorithm === RSA_OAEP_MGF1P) {
    if (key.mgfAlgorithm !== undefined)
      throw refused(
        'rsa-oaep-mgf1p fixes MGF1 with SHA-1; an MGF element contradicts it (use xmlenc11#rsa-oaep)',
      )
    mgfHashes = oaepHash === 'sha1' ? ['sha1'] : ['sha1', oaepHash]
  } else {
    const mgfHash = key.mgfAlgorithm === undefined ? 'sha1' : MGF_ALGORITHMS.get(key.mgfAlgorithm)
    if (!mgfHash) throw refused(`the RSA-OAEP mask generation function ${key.mgfAlgorithm} is not accepted`)
    mgfHashes = [mgfHash]
  }
  return { oaepHash, mgfHashes, ...(key.oaepParams && { label: key.oaepParams }) }
}

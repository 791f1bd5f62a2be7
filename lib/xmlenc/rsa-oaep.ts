import { constants, createHash, privateDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto'
import type { OaepHash } from './algorithms.js'

const HASH_LENGTH: Readonly<Record<OaepHash, number>> = {
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
}

function mgf1(seed: Buffer, length: number, hash: OaepHash): Buffer {
  const out = Buffer.alloc(length)
  const counter = Buffer.alloc(4)
  for (let offset = 0, i = 0; offset < length; i++) {
    counter.writeUInt32BE(i)
    offset += createHash(hash).update(seed).update(counter).digest().copy(out, offset)
  }
  return out
}

/**
 * EME-OAEP decoding (RFC 8017, 7.1.2 step 3) of a raw RSA result `em` for a `k`-byte modulus. Every
 * check runs whatever the earlier ones found, and one `undefined` stands for all failures.
 */
function decodeOaep(
  em: Buffer,
  k: number,
  hash: OaepHash,
  mgfHash: OaepHash,
  label: Buffer,
): Buffer | undefined {
  const hLen = HASH_LENGTH[hash]
  if (em.length !== k || k < 2 * hLen + 2) return undefined
  const maskedSeed = em.subarray(1, 1 + hLen)
  const maskedDb = em.subarray(1 + hLen)
  const seed = mgf1(maskedDb, hLen, mgfHash).map((b, i) => b ^ maskedSeed[i]!)
  const db = mgf1(Buffer.from(seed), k - hLen - 1, mgfHash).map((b, i) => b ^ maskedDb[i]!)
  let bad = em[0]! | (timingSafeEqual(db.subarray(0, hLen), createHash(hash).update(label).digest()) ? 0 : 1)
  // PS is zero bytes up to the 0x01 separator; find it without stopping early.
  let separator = -1
  for (let i = hLen; i < db.length; i++) {
    const first = separator < 0
    if (first && db[i] === 1) separator = i
    else if (first && db[i] !== 0) bad |= 1
  }
  if (separator < 0) bad |= 1
  return bad === 0 ? Buffer.from(db.subarray(separator + 1)) : undefined
}

/**
 * RSA-OAEP decryption with any OAEP digest and MGF1 hash. node:crypto (OpenSSL) does it natively when
 * the two hashes are the same, as in nearly every message; XML Encryption also allows them apart
 * (`rsa-oaep-mgf1p` with a SHA-256 digest keeps MGF1-SHA-1; `xenc11#rsa-oaep` names both), which
 * node:crypto cannot express, so that case decodes the raw RSA result here. No maintained npm
 * library does this without pulling in a whole second crypto stack (node-forge); RFC 8017's decoding
 * is short and exactly specified. Returns undefined on any failure.
 */
export function rsaOaepDecrypt(
  key: KeyObject,
  ciphertext: Buffer,
  hash: OaepHash,
  mgfHash: OaepHash,
  label: Buffer | undefined,
): Buffer | undefined {
  try {
    // RFC 8017 7.1.2 step 1: the ciphertext is exactly k octets. OpenSSL would left-pad a shorter
    // one, so a ciphertext with its leading zero byte dropped would still decrypt on one path only.
    const k = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8)
    if (ciphertext.length !== k) return undefined
    if (hash === mgfHash) {
      return privateDecrypt(
        {
          key,
          padding: constants.RSA_PKCS1_OAEP_PADDING,
          oaepHash: hash,
          ...(label && { oaepLabel: label }),
        },
        ciphertext,
      )
    }
    const raw = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext)
    const em = raw.length === k ? raw : Buffer.concat([Buffer.alloc(k - raw.length), raw])
    return decodeOaep(em, k, hash, mgfHash, label ?? Buffer.alloc(0))
  } catch {
    return undefined
  }
}

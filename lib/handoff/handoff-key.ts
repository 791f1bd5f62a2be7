import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto'

/** The JWS algorithms a hand-off token may be signed with (`alg`). */
export const HANDOFF_ALGORITHMS = Object.freeze([
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const)

/** One of {@link HANDOFF_ALGORITHMS}. */
export type HandoffAlgorithm = (typeof HANDOFF_ALGORITHMS)[number]

/**
 * Key material: for `HS*` the shared secret (a string, taken as UTF-8, or bytes); for the others a
 * PEM key (PKCS#8, PKCS#1 or SEC1; a public key, SPKI or a certificate where only verifying) or a
 * Node `KeyObject`.
 */
export type HandoffKey = string | Uint8Array | KeyObject

const CURVES: Readonly<Record<string, string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
}

export function isHandoffAlgorithm(value: unknown): value is HandoffAlgorithm {
  return typeof value === 'string' && (HANDOFF_ALGORITHMS as readonly string[]).includes(value)
}

function isKeyObject(value: unknown): value is KeyObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as KeyObject).type === 'string' &&
    typeof (value as KeyObject).export === 'function'
  )
}

/** Whether an asymmetric key fits the algorithm: RSA (2048 bits at least), the curve, Ed25519/Ed448. */
function fits(alg: HandoffAlgorithm, key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    if (type !== 'rsa' && !(alg.startsWith('PS') && type === 'rsa-pss'))
      return `${alg} needs an RSA key, not ${type}`
    if ((details?.modulusLength ?? 0) < 2048) return `${alg} needs an RSA key of 2048 bits or more`
    return undefined
  }
  if (alg.startsWith('ES')) {
    if (type !== 'ec' || details?.namedCurve !== CURVES[alg])
      return `${alg} needs an EC key on curve ${CURVES[alg]}, not ${type === 'ec' ? (details?.namedCurve ?? '?') : type}`
    return undefined
  }
  if (type !== 'ed25519' && type !== 'ed448') return `EdDSA needs an Ed25519 or Ed448 key, not ${type}`
  return undefined
}

function secretFor(alg: HandoffAlgorithm, key: HandoffKey, option: string): KeyObject {
  const secret = isKeyObject(key)
    ? key
    : typeof key === 'string'
      ? createSecretKey(Buffer.from(key, 'utf8'))
      : key instanceof Uint8Array
        ? createSecretKey(Buffer.from(key))
        : undefined
  if (secret === undefined || secret.type !== 'secret')
    throw new TypeError(`"${option}" must be a secret (a string or bytes) for ${alg}`)
  const min = Number(alg.slice(2)) / 8
  if ((secret.symmetricKeySize ?? 0) < min)
    throw new TypeError(
      `"${option}" must be at least ${min} bytes for ${alg} (a random secret, not a password)`,
    )
  return secret
}

/**
 * The key to sign with, checked against the algorithm: a TypeError naming `option` when it cannot
 * sign `alg` tokens (wrong type or curve, RSA under 2048 bits, an HMAC secret shorter than its hash).
 */
export function signingKeyFor(
  alg: HandoffAlgorithm,
  key: HandoffKey,
  option: string,
  passphrase?: string,
): KeyObject {
  if (alg.startsWith('HS')) return secretFor(alg, key, option)
  let parsed: KeyObject
  try {
    parsed = isKeyObject(key)
      ? key
      : createPrivateKey(
          typeof key === 'string'
            ? { key, ...(passphrase !== undefined && { passphrase }) }
            : { key: Buffer.from(key) },
        )
  } catch (err) {
    throw new TypeError(
      `"${option}" must be a PEM private key for ${alg}${passphrase === undefined ? ' (an encrypted key needs its passphrase)' : ''}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
  }
  if (parsed.type !== 'private')
    throw new TypeError(`"${option}" must be a private key: ${alg} tokens are signed with one`)
  const problem = fits(alg, parsed)
  if (problem) throw new TypeError(`"${option}": ${problem}`)
  return parsed
}

/** The key to verify with: the secret for `HS*`, else the public key (a private key or certificate gives it). */
export function verifyingKeyFor(alg: HandoffAlgorithm, key: HandoffKey, option: string): KeyObject {
  if (alg.startsWith('HS')) return secretFor(alg, key, option)
  let parsed: KeyObject
  try {
    parsed = isKeyObject(key)
      ? key.type === 'private'
        ? createPublicKey(key)
        : key
      : createPublicKey(
          typeof key === 'string' ? key : { key: Buffer.from(key), format: 'der', type: 'spki' },
        )
  } catch (err) {
    throw new TypeError(
      `"${option}" must be a PEM public key, certificate or private key for ${alg}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
  }
  if (parsed.type !== 'public') throw new TypeError(`"${option}" must be a public key for ${alg}`)
  const problem = fits(alg, parsed)
  if (problem) throw new TypeError(`"${option}": ${problem}`)
  return parsed
}

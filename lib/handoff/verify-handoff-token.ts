import type { KeyObject } from 'node:crypto'
import { SamlError } from '../errors/saml-error.js'
import { isHandoffAlgorithm, verifyingKeyFor, type HandoffAlgorithm, type HandoffKey } from './handoff-key.js'
import { loadJose } from './load-jose.js'

// An API checks a token on every request with the same PEM: parsing it each time costs more than the
// verification itself, so keys given as text are kept, once checked, keyed by algorithms and text.
const importedKeys = new Map<string, KeyObject>()
const IMPORTED_KEYS_MAX = 32

function importVerifyingKey(algorithms: readonly HandoffAlgorithm[], given: HandoffKey): KeyObject {
  const cacheKey = typeof given === 'string' ? `${algorithms.join(',')}\n${given}` : undefined
  const cached = cacheKey === undefined ? undefined : importedKeys.get(cacheKey)
  if (cached) return cached
  // The key must suit every accepted algorithm (an HS512 secret length, an ES384 curve), not just one.
  const key = algorithms.map((a) => verifyingKeyFor(a, given, 'options.key'))[0]!
  if (cacheKey !== undefined) {
    if (importedKeys.size >= IMPORTED_KEYS_MAX) importedKeys.delete(importedKeys.keys().next().value!)
    importedKeys.set(cacheKey, key)
  }
  return key
}

/** Options of {@link verifyHandoffToken}. */
export interface VerifyHandoffTokenOptions {
  /** The HMAC secret (`HS*`), or the public key: PEM (SPKI or a certificate), a private key or a `KeyObject`. */
  key: HandoffKey
  /** The algorithms accepted, usually the one the hand-off signs with. Required: never taken from the token. */
  algorithms: readonly HandoffAlgorithm[]
  /** The `iss` the token must have (the hand-off's `issuer`). */
  issuer?: string
  /** The `aud` the token must name (one of the hand-off's `audience`). */
  audience?: string | readonly string[]
  /** Clock difference allowed on `exp` and `iat`, in seconds. Default 0. */
  clockToleranceSeconds?: number
  /** The time to check at; for tests. Default now. */
  currentDate?: Date
}

/** The claims of a verified hand-off token. */
export interface HandoffTokenClaims {
  /** The NameID, unless the hand-off's `claims` hook chose another subject. */
  readonly sub: string
  /** Unique per token: remember the ones already exchanged to make each usable once. */
  readonly jti: string
  readonly iat: number
  readonly exp: number
  readonly [claim: string]: unknown
}

/**
 * Checks a hand-off token on the API side (django-saml2-auth's `JWT_PUBLIC_KEY` and
 * `CUSTOM_DECODE_JWT`): the signature with the given key and algorithms, `exp` and `iat`, and the
 * issuer and audience when given. Resolves to the claims; rejects with `SamlError`
 * `ERR_SAML_TOKEN_EXPIRED` (expired) or `ERR_SAML_TOKEN_INVALID` (forged, malformed, another
 * algorithm, issuer or audience), both 401, and with a TypeError for bad options.
 *
 * @example
 * ```ts
 * import { verifyHandoffToken } from 'passport-saml-multi-idp'
 *
 * app.post('/api/session', express.json(), async (req, res) => {
 *   const claims = await verifyHandoffToken(req.body.token, {
 *     key: process.env.HANDOFF_PUBLIC_KEY!,
 *     algorithms: ['ES256'],
 *     issuer: 'https://api.example.com',
 *     audience: 'app.example.com',
 *   })
 *   res.json({ user: claims.sub, idp: claims.idp })
 * })
 * ```
 */
export async function verifyHandoffToken(
  token: string,
  options: VerifyHandoffTokenOptions,
): Promise<HandoffTokenClaims> {
  if (!options || typeof options !== 'object')
    throw new TypeError('options are required: { key, algorithms }')
  const { algorithms, issuer, audience, clockToleranceSeconds = 0, currentDate } = options
  if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(isHandoffAlgorithm))
    throw new TypeError(
      '"options.algorithms" must be a non-empty array of hand-off algorithms (e.g. ["ES256"])',
    )
  const kinds = new Set(algorithms.map((a) => a.slice(0, 2)))
  if (kinds.size > 1)
    throw new TypeError(
      '"options.algorithms" must be of one family for one key (all HS*, all RS*, …): mixing them invites algorithm confusion',
    )
  const key = importVerifyingKey(algorithms, options.key)
  if (!Number.isInteger(clockToleranceSeconds) || clockToleranceSeconds < 0 || clockToleranceSeconds > 600)
    throw new TypeError('"options.clockToleranceSeconds" must be an integer from 0 to 600')
  if (currentDate !== undefined && !(currentDate instanceof Date))
    throw new TypeError('"options.currentDate" must be a Date')
  if (typeof token !== 'string' || token === '')
    throw new SamlError('no hand-off token was given', 'ERR_SAML_TOKEN_INVALID')
  const { jwtVerify } = await loadJose()
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [...algorithms],
      ...(issuer !== undefined && { issuer }),
      ...(audience !== undefined && { audience: typeof audience === 'string' ? audience : [...audience] }),
      clockTolerance: clockToleranceSeconds,
      ...(currentDate !== undefined && { currentDate }),
      requiredClaims: ['sub', 'jti', 'iat', 'exp'],
    })
    return payload as HandoffTokenClaims
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (code === 'ERR_JWT_EXPIRED')
      throw new SamlError('the hand-off token has expired: sign in again', 'ERR_SAML_TOKEN_EXPIRED', {
        cause: err,
      })
    throw new SamlError(
      `the hand-off token is not valid: ${err instanceof Error ? err.message : String(err)}`,
      'ERR_SAML_TOKEN_INVALID',
      { cause: err },
    )
  }
}

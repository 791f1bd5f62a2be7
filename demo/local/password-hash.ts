/**
 * Password hashes for the demo's local accounts: scrypt from `node:crypto` (memory-hard, no
 * dependency), stored as `scrypt$N$r$p$salt$hash` (base64url) so the cost can be raised later
 * without breaking stored hashes.
 *
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/** scrypt's cost: N = 2^15 (32 MiB with r = 8), as OWASP's password storage cheat sheet suggests at least. */
const COST = { N: 32768, r: 8, p: 1 } as const
const KEY_LENGTH = 32

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128 × N × r bytes, above Node's 32 MiB default at N = 2^15.
    scrypt(password, salt, KEY_LENGTH, { ...options, maxmem: 256 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    )
  })
}

/**
 * Hashes `password` with a new random salt.
 *
 * @example
 * ```ts
 * const stored = await hashPassword('erin-demo') // 'scrypt$32768$8$1$…$…'
 * ```
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, COST)
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/**
 * True when `password` matches `stored` (a {@link hashPassword} result); false for a wrong
 * password or a malformed hash. Compares in constant time.
 *
 * @example
 * ```ts
 * await verifyPassword('erin-demo', stored) // true
 * ```
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored)
  if (!match) return false
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const expected = Buffer.from(match[5]!, 'base64url')
  if (N > 2 ** 20 || r > 32 || p > 16 || expected.length !== KEY_LENGTH) return false
  const key = await derive(password, Buffer.from(match[4]!, 'base64url'), { N, r, p })
  return timingSafeEqual(key, expected)
}

// The namespace import reads `hash` where it exists: a named import of it would fail to link on
// Node 20 before 20.12, which package.json's engines allow.
import * as nodeCrypto from 'node:crypto'
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { parseCookie, stringifySetCookie } from 'cookie'

/** How the binding cookie is written; fixed by the options once. */
export interface BindingCookieSettings {
  readonly name: string
  readonly domain: string | undefined
  /** The SP's origin is https: the cookie is Secure and SameSite=None, so it rides the IdP's cross-site POST. */
  readonly https: boolean
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/
const MAX_AGE_S = 30 * 24 * 3600

/** The binding token the browser sent back, when it is well formed. */
export function readBindingToken(
  cookieHeader: string | undefined,
  settings: BindingCookieSettings,
): string | undefined {
  if (!cookieHeader) return undefined
  const token = parseCookie(cookieHeader)[settings.name]
  return token !== undefined && TOKEN.test(token) ? token : undefined
}

/**
 * The token a login binds its request to: the browser's own, or a new one with the `Set-Cookie`
 * value that gives it to the browser. HttpOnly; SameSite=None on https so it comes back on the
 * IdP's cross-site POST (on plain http browsers require Lax, which does not: see the
 * missing-cookie message at the ACS).
 */
export function bindingTokenForLogin(
  cookieHeader: string | undefined,
  settings: BindingCookieSettings,
): { token: string; setCookie?: string } {
  const existing = readBindingToken(cookieHeader, settings)
  if (existing) return { token: existing }
  const token = randomBytes(32).toString('base64url')
  const setCookie = stringifySetCookie(settings.name, token, {
    httpOnly: true,
    secure: settings.https,
    sameSite: settings.https ? 'none' : 'lax',
    path: '/',
    ...(settings.domain !== undefined && { domain: settings.domain }),
    maxAge: MAX_AGE_S,
  })
  return { token, setCookie }
}

/** `crypto.hash` (Node 20.12 and later): one call, no Hash object, half the time of createHash. */
const oneShotHash = (nodeCrypto as { hash?: typeof nodeCrypto.hash }).hash

/** SHA-256 hex: pending requests store the hash, never the token (and replay keys, every login). */
export function hashToken(token: string): string {
  return oneShotHash === undefined
    ? createHash('sha256').update(token).digest('hex')
    : oneShotHash('sha256', token, 'hex')
}

/** Compares two hashes in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

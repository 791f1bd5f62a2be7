import { SamlError } from '../errors/saml-error.js'
import type { SamlCache } from '../cache/saml-cache.js'
import { hashToken } from './browser-binding.js'

/** What a login start remembers until its response arrives (JSON in the cache). */
export interface PendingLogin {
  /** SHA-256 of the browser binding token, or '' when requests are not bound to a browser. */
  readonly browserTokenHash: string
  /** The checked return target. */
  readonly returnTo: string
  /** The AuthnContextClassRefs the response must name one of (an enforced RequestedAuthnContext). */
  readonly authnContextClassRefs?: readonly string[]
}

/** What a logout start remembers until the IdP's LogoutResponse arrives. */
export interface PendingLogout {
  readonly returnTo: string
}

/** Cache keys: partitioned per IdP, never built from unbounded attacker text. */
export function loginKey(idp: string, requestId: string): string {
  return `saml:req:${idp}:${hashToken(requestId)}`
}

export function logoutKey(idp: string, requestId: string): string {
  return `saml:logout:${idp}:${hashToken(requestId)}`
}

export function replayKey(idp: string, issuer: string, messageId: string): string {
  return `saml:replay:${idp}:${hashToken(`${issuer}\u0000${messageId}`)}`
}

/**
 * Runs one cache operation; any failure other than a SamlError is `ERR_SAML_CACHE_UNAVAILABLE`,
 * so logins fail closed while the cache is away.
 */
export async function cacheCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof SamlError) throw err
    throw new SamlError(
      'the request/replay cache is unavailable; logins are refused until it is back',
      'ERR_SAML_CACHE_UNAVAILABLE',
      { cause: err },
    )
  }
}

/** Reads a value this library wrote; anything else (another program's key) reads as absent. */
export function parsePending<T extends object>(stored: string, field: keyof T): T | undefined {
  try {
    const value = JSON.parse(stored) as T
    return value && typeof value === 'object' && typeof value[field] === 'string' ? value : undefined
  } catch {
    return undefined
  }
}

/** Stores a pending login or logout under its key for `ttlMs`. */
export function remember(
  cache: SamlCache,
  key: string,
  value: PendingLogin | PendingLogout,
  ttlMs: number,
): Promise<void> {
  return cacheCall(() => cache.set(key, JSON.stringify(value), ttlMs))
}

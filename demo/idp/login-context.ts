/**
 * The login context: where a login form came from, carried by the form itself (the IdP keeps no
 * state between requests) and checked again when the form is posted.
 *
 * @module
 */
import { IdpError } from './tenant-idp.js'

/** Where a login form came from: an AuthnRequest (SP-initiated) or the portal (IdP-initiated). */
export interface LoginContext {
  /** The AuthnRequest as received, replayed on POST: binding + its parameters. */
  request?: { binding: 'redirect' | 'post'; params: Record<string, string>; octetString?: string }
  relayState?: string
}

/**
 * The login context as the form's hidden `context` field.
 *
 * @example
 * ```ts
 * decodeLoginContext(encodeLoginContext({ relayState: '/deep/link' })) // { relayState: '/deep/link' }
 * ```
 */
export function encodeLoginContext(context: LoginContext): string {
  return Buffer.from(JSON.stringify(context), 'utf8').toString('base64url')
}

/**
 * The login context from the form's `context` field; an {@link IdpError} when it does not decode.
 *
 * @example
 * ```ts
 * const context = decodeLoginContext(String(req.body.context))
 * ```
 */
export function decodeLoginContext(encoded: string): LoginContext {
  try {
    return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as LoginContext
  } catch {
    throw new IdpError('the login form was tampered with')
  }
}

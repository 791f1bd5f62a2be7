import { XMLSerializer } from '@xmldom/xmldom'
import type { SamlErrorCode } from '../errors/saml-error.js'
import { SamlError } from '../errors/saml-error.js'
import type { SamlProfile } from './saml-profile.js'
import type { SamlCheck } from '../validate/check-log.js'

/**
 * What happened to one posted SAMLResponse, for diagnostics ("test connection" pages, audit logs).
 * Passed to the `onAttempt` option once per response. Holds no keys or secrets; the response XML
 * is what the browser posted (encrypted assertions stay encrypted).
 */
export interface SamlAttempt {
  /** The IdP id, when resolution got that far. */
  readonly idp?: string
  readonly at: Date
  readonly ok: boolean
  /**
   * Why it was refused. `ERR_SAML_VERIFY_ERROR` when the error was not a SamlError (thrown by your
   * verify callback, or by the app code Passport runs after it).
   */
  readonly error?: { readonly code: SamlErrorCode; readonly message: string }
  /** The decoded SAMLResponse, when it was base64 of at most the size cap. Decoded when read. */
  readonly responseXml?: string
  /**
   * The verified Assertion as the validator read it (decrypted, when it came encrypted), once the
   * response passed validation. Serialized when read.
   */
  readonly assertionXml?: string
  readonly profile?: SamlProfile
  /** The checks as they ran, in order: all passed, or the last one failed. */
  readonly checks: readonly SamlCheck[]
}

/** What the ACS flow knows of an attempt when it ends. */
export interface AttemptFacts {
  readonly at: number
  readonly idp?: string
  readonly error?: unknown
  readonly samlResponse: unknown
  readonly maxBytes: number
  readonly profile?: SamlProfile
  readonly assertion?: Element
  readonly checks: readonly SamlCheck[]
}

/**
 * The attempt for `onAttempt`. The XML views cost a decode and a serialization, so they are
 * computed only when a reader asks (most attempts are never looked at).
 */
export function describeAttempt(facts: AttemptFacts): SamlAttempt {
  const { error, samlResponse, assertion } = facts
  const encoded =
    typeof samlResponse === 'string' && samlResponse.length <= Math.ceil((facts.maxBytes * 4) / 3) + 4
      ? samlResponse
      : undefined
  const attempt: SamlAttempt = {
    ...(facts.idp !== undefined && { idp: facts.idp }),
    at: new Date(facts.at),
    ok: error === undefined,
    ...(error !== undefined && {
      error: {
        code: error instanceof SamlError ? error.code : 'ERR_SAML_VERIFY_ERROR',
        message: error instanceof Error ? error.message : String(error),
      },
    }),
    ...(facts.profile !== undefined && { profile: facts.profile }),
    checks: facts.checks,
  }
  // Getters defined on the object itself (a spread would run them at once); enumerable, so
  // JSON.stringify and spreads by the reader still see the values.
  if (encoded !== undefined) {
    let xml: string | undefined
    Object.defineProperty(attempt, 'responseXml', {
      enumerable: true,
      get: () => (xml ??= Buffer.from(encoded, 'base64').toString('utf8')),
    })
  }
  if (assertion !== undefined) {
    let xml: string | undefined
    Object.defineProperty(attempt, 'assertionXml', {
      enumerable: true,
      get: () => (xml ??= new XMLSerializer().serializeToString(assertion)),
    })
  }
  return attempt
}

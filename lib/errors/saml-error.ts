/**
 * Every code a {@link SamlError} can carry, each with one meaning. Match on `code`, never on
 * `message`. `docs/errors.md` has one entry per code: what happened and what the admin should
 * change. The HTTP status of a code is the edge's choice (see `samlErrorStatus`), not the error's.
 */
export const SAML_ERROR_CODES = [
  // Routing and IdP records
  'ERR_SAML_UNKNOWN_IDP',
  'ERR_SAML_IDP_CONFIG',
  'ERR_SAML_IDP_CONFLICT',
  'ERR_SAML_IDP_CORRUPT',
  'ERR_SAML_IDP_UNUSABLE',
  'ERR_SAML_STORE_READ_ONLY',
  'ERR_SAML_CERTIFICATE_INVALID',
  'ERR_SAML_METADATA_INVALID',
  'ERR_SAML_METADATA_FETCH',
  'ERR_SAML_METADATA_EXPIRED',
  'ERR_SAML_METADATA_SIGNATURE',
  // Request and XML
  'ERR_SAML_BAD_REQUEST',
  'ERR_SAML_TOO_LARGE',
  'ERR_SAML_XML_DTD',
  'ERR_SAML_XML_LIMITS',
  'ERR_SAML_MALFORMED',
  'ERR_SAML_STRUCTURE',
  // Signatures
  'ERR_SAML_SIGNATURE_MISSING',
  'ERR_SAML_SIGNATURE_INVALID',
  'ERR_SAML_SIGNATURE_ALGORITHM',
  'ERR_SAML_CERTIFICATE_EXPIRED',
  // Encryption
  'ERR_SAML_ENCRYPTION_REQUIRED',
  'ERR_SAML_ENCRYPTION_ALGORITHM',
  'ERR_SAML_DECRYPTION',
  // Issuer, audience and URLs
  'ERR_SAML_ISSUER_MISMATCH',
  'ERR_SAML_AUDIENCE_MISMATCH',
  'ERR_SAML_DESTINATION_MISMATCH',
  'ERR_SAML_RECIPIENT_MISMATCH',
  // Subject and status
  'ERR_SAML_SUBJECT',
  'ERR_SAML_STATUS',
  'ERR_SAML_NO_PASSIVE',
  'ERR_SAML_AUTHN_CONTEXT',
  // Time
  'ERR_SAML_NOT_YET_VALID',
  'ERR_SAML_EXPIRED',
  'ERR_SAML_SESSION_EXPIRED',
  // Request binding and replay
  'ERR_SAML_IN_RESPONSE_TO',
  'ERR_SAML_UNSOLICITED',
  'ERR_SAML_REPLAY',
  // Profile and application
  'ERR_SAML_ATTRIBUTE_MISSING',
  'ERR_SAML_ACCESS_DENIED',
  'ERR_SAML_VERIFY_ERROR',
  'ERR_SAML_USER_HOOK',
  // Token hand-off to front ends
  'ERR_SAML_TOKEN_INVALID',
  'ERR_SAML_TOKEN_EXPIRED',
  // Services and installation
  'ERR_SAML_STORE_UNAVAILABLE',
  'ERR_SAML_CACHE_UNAVAILABLE',
  'ERR_SAML_PEER_MISSING',
] as const

/** One of {@link SAML_ERROR_CODES}. */
export type SamlErrorCode = (typeof SAML_ERROR_CODES)[number]

/** Options of {@link SamlError}. */
export interface SamlErrorOptions {
  /** The underlying error, when there is one. */
  readonly cause?: unknown
  /** The IdP id the error concerns, when it is known. */
  readonly idp?: string
}

/**
 * The one error class for bad SAML data, bad IdP records and unavailable services. It knows
 * nothing of HTTP: an edge picks the status (`samlErrorStatus(err.code)` for the SAML routes).
 *
 * @example
 * ```ts
 * import { SamlError } from 'passport-saml-multi-idp'
 *
 * try {
 *   await store.put({ id: 'acme', entityId: 'https://idp.acme.test' })
 * } catch (err) {
 *   if (err instanceof SamlError && err.code === 'ERR_SAML_IDP_CONFIG') console.warn(err.message)
 * }
 * ```
 */
export class SamlError extends Error {
  override readonly name = 'SamlError'
  /** The IdP id the error concerns, when it is known. */
  readonly idp: string | undefined
  /**
   * The id of the login attempt this error ended (an ACS refusal): the trace id when traces are
   * kept (docs/traces.md), and `SamlAttempt.id` for `onAttempt`. Error pages and JSON errors show it.
   */
  traceId: string | undefined

  constructor(
    message: string,
    readonly code: SamlErrorCode,
    options?: SamlErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.idp = options?.idp
    this.traceId = undefined
  }
}

/**
 * True for a {@link SamlError}, optionally with the given code.
 *
 * @example
 * ```ts
 * import { isSamlError } from 'passport-saml-multi-idp'
 * const unreachable = (err: unknown) => isSamlError(err, 'ERR_SAML_STORE_UNAVAILABLE')
 * ```
 */
export function isSamlError(err: unknown, code?: SamlErrorCode): err is SamlError {
  return err instanceof SamlError && (code === undefined || err.code === code)
}

/** The same error naming `idp`, when it names none yet (so logs and pages say which tenant failed). */
export function withIdp(err: SamlError, idp: string): SamlError {
  if (err.idp !== undefined) return err
  const named = new SamlError(err.message, err.code, { cause: err.cause, idp })
  named.stack = err.stack
  return named
}

/**
 * Every failure the library reports about SAML data, an IdP record or a backing service is a
 * {@link SamlError} with one of these stable codes. Match on `code`, never on `message`.
 * `docs/errors.md` has one entry per code: what happened and what the admin should change.
 */
export type SamlErrorCode =
  | 'ERR_SAML_UNKNOWN_IDP'
  | 'ERR_SAML_IDP_CONFIG'
  | 'ERR_SAML_METADATA_INVALID'
  | 'ERR_SAML_METADATA_FETCH'
  | 'ERR_SAML_BAD_REQUEST'
  | 'ERR_SAML_TOO_LARGE'
  | 'ERR_SAML_XML_DTD'
  | 'ERR_SAML_XML_LIMITS'
  | 'ERR_SAML_MALFORMED'
  | 'ERR_SAML_STRUCTURE'
  | 'ERR_SAML_SIGNATURE_MISSING'
  | 'ERR_SAML_SIGNATURE_INVALID'
  | 'ERR_SAML_SIGNATURE_ALGORITHM'
  | 'ERR_SAML_ENCRYPTION_REQUIRED'
  | 'ERR_SAML_ENCRYPTION_ALGORITHM'
  | 'ERR_SAML_DECRYPTION'
  | 'ERR_SAML_ISSUER_MISMATCH'
  | 'ERR_SAML_AUDIENCE_MISMATCH'
  | 'ERR_SAML_DESTINATION_MISMATCH'
  | 'ERR_SAML_RECIPIENT_MISMATCH'
  | 'ERR_SAML_SUBJECT'
  | 'ERR_SAML_STATUS'
  | 'ERR_SAML_NOT_YET_VALID'
  | 'ERR_SAML_EXPIRED'
  | 'ERR_SAML_SESSION_EXPIRED'
  | 'ERR_SAML_IN_RESPONSE_TO'
  | 'ERR_SAML_UNSOLICITED'
  | 'ERR_SAML_REPLAY'
  | 'ERR_SAML_ATTRIBUTE_MISSING'
  | 'ERR_SAML_ACCESS_DENIED'
  | 'ERR_SAML_STORE_UNAVAILABLE'
  | 'ERR_SAML_CACHE_UNAVAILABLE'

/**
 * HTTP status the Express edge answers with for each code. Bad input is always a 4xx; only a
 * broken stored record (the operator's problem, not the sender's) and outages are 5xx.
 */
export const SAML_ERROR_STATUS: Readonly<Record<SamlErrorCode, number>> = Object.freeze({
  ERR_SAML_UNKNOWN_IDP: 404,
  ERR_SAML_IDP_CONFIG: 500,
  ERR_SAML_METADATA_INVALID: 400,
  ERR_SAML_METADATA_FETCH: 502,
  ERR_SAML_BAD_REQUEST: 400,
  ERR_SAML_TOO_LARGE: 413,
  ERR_SAML_XML_DTD: 400,
  ERR_SAML_XML_LIMITS: 400,
  ERR_SAML_MALFORMED: 400,
  ERR_SAML_STRUCTURE: 400,
  ERR_SAML_SIGNATURE_MISSING: 400,
  ERR_SAML_SIGNATURE_INVALID: 400,
  ERR_SAML_SIGNATURE_ALGORITHM: 400,
  ERR_SAML_ENCRYPTION_REQUIRED: 400,
  ERR_SAML_ENCRYPTION_ALGORITHM: 400,
  ERR_SAML_DECRYPTION: 400,
  ERR_SAML_ISSUER_MISMATCH: 400,
  ERR_SAML_AUDIENCE_MISMATCH: 400,
  ERR_SAML_DESTINATION_MISMATCH: 400,
  ERR_SAML_RECIPIENT_MISMATCH: 400,
  ERR_SAML_SUBJECT: 400,
  ERR_SAML_STATUS: 401,
  ERR_SAML_NOT_YET_VALID: 400,
  ERR_SAML_EXPIRED: 400,
  ERR_SAML_SESSION_EXPIRED: 400,
  ERR_SAML_IN_RESPONSE_TO: 400,
  ERR_SAML_UNSOLICITED: 400,
  ERR_SAML_REPLAY: 400,
  ERR_SAML_ATTRIBUTE_MISSING: 400,
  ERR_SAML_ACCESS_DENIED: 401,
  ERR_SAML_STORE_UNAVAILABLE: 503,
  ERR_SAML_CACHE_UNAVAILABLE: 503,
})

/**
 * The one error class for bad SAML data, bad IdP records and unavailable services.
 *
 * @example
 * ```ts
 * import { SamlError } from 'passport-saml-multi-idp'
 * app.use((err, req, res, next) => {
 *   if (err instanceof SamlError) return res.status(err.status).json({ error: { code: err.code, message: err.message } })
 *   next(err)
 * })
 * ```
 */
export class SamlError extends Error {
  override readonly name = 'SamlError'
  /** The IdP id the error concerns, when it is known. */
  readonly idp: string | undefined

  constructor(
    message: string,
    readonly code: SamlErrorCode,
    options?: { cause?: unknown; idp?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.idp = options?.idp
  }

  /** The HTTP status an edge should answer with. */
  get status(): number {
    return SAML_ERROR_STATUS[this.code]
  }
}

/** True for a {@link SamlError}, optionally with the given code. */
export function isSamlError(err: unknown, code?: SamlErrorCode): err is SamlError {
  return err instanceof SamlError && (code === undefined || err.code === code)
}

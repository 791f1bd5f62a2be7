import type { SamlErrorCode } from '../errors/saml-error.js'

/**
 * The HTTP status the SAML routes (login, ACS, metadata, logout, SLO) answer each code with. Bad
 * input is always a 4xx; an IdP record the operator must fix is 500; an outage is 503. Codes that
 * only admin operations raise (writing a record) have the status an admin API would use; an edge
 * with its own contract may choose differently.
 */
const STATUS: Readonly<Record<SamlErrorCode, number>> = Object.freeze({
  ERR_SAML_UNKNOWN_IDP: 404,
  ERR_SAML_IDP_CONFIG: 400,
  ERR_SAML_IDP_CONFLICT: 409,
  ERR_SAML_IDP_CORRUPT: 500,
  ERR_SAML_IDP_UNUSABLE: 500,
  ERR_SAML_STORE_READ_ONLY: 405,
  ERR_SAML_CERTIFICATE_INVALID: 400,
  ERR_SAML_METADATA_INVALID: 400,
  ERR_SAML_METADATA_FETCH: 502,
  ERR_SAML_METADATA_EXPIRED: 502,
  ERR_SAML_METADATA_SIGNATURE: 400,
  ERR_SAML_BAD_REQUEST: 400,
  ERR_SAML_TOO_LARGE: 413,
  ERR_SAML_XML_DTD: 400,
  ERR_SAML_XML_LIMITS: 400,
  ERR_SAML_MALFORMED: 400,
  ERR_SAML_STRUCTURE: 400,
  ERR_SAML_SIGNATURE_MISSING: 400,
  ERR_SAML_SIGNATURE_INVALID: 400,
  ERR_SAML_SIGNATURE_ALGORITHM: 400,
  ERR_SAML_CERTIFICATE_EXPIRED: 400,
  ERR_SAML_ENCRYPTION_REQUIRED: 400,
  ERR_SAML_ENCRYPTION_ALGORITHM: 400,
  ERR_SAML_DECRYPTION: 400,
  ERR_SAML_ISSUER_MISMATCH: 400,
  ERR_SAML_AUDIENCE_MISMATCH: 400,
  ERR_SAML_DESTINATION_MISMATCH: 400,
  ERR_SAML_RECIPIENT_MISMATCH: 400,
  ERR_SAML_SUBJECT: 400,
  ERR_SAML_STATUS: 401,
  ERR_SAML_NO_PASSIVE: 401,
  ERR_SAML_AUTHN_CONTEXT: 401,
  ERR_SAML_NOT_YET_VALID: 400,
  ERR_SAML_EXPIRED: 400,
  ERR_SAML_SESSION_EXPIRED: 400,
  ERR_SAML_IN_RESPONSE_TO: 400,
  ERR_SAML_UNSOLICITED: 400,
  ERR_SAML_REPLAY: 400,
  ERR_SAML_ATTRIBUTE_MISSING: 400,
  ERR_SAML_ACCESS_DENIED: 401,
  ERR_SAML_VERIFY_ERROR: 500,
  ERR_SAML_USER_HOOK: 500,
  ERR_SAML_TOKEN_INVALID: 401,
  ERR_SAML_TOKEN_EXPIRED: 401,
  ERR_SAML_STORE_UNAVAILABLE: 503,
  ERR_SAML_CACHE_UNAVAILABLE: 503,
  ERR_SAML_PEER_MISSING: 500,
})

/**
 * The HTTP status for a SAML error code on the SAML routes. Edges (the Express router, your
 * NestJS filter or Fastify handler) use it; the error itself knows nothing of HTTP.
 *
 * @example
 * ```ts
 * import { isSamlError, samlErrorStatus } from 'passport-saml-multi-idp'
 * app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
 *   if (!isSamlError(err)) return next(err)
 *   res.status(samlErrorStatus(err.code)).json({ error: { code: err.code, message: err.message } })
 * })
 * ```
 */
export function samlErrorStatus(code: SamlErrorCode): number {
  return STATUS[code] ?? 500
}

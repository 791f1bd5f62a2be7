import type { SamlErrorCode } from '../errors/saml-error.js'
import type { SamlProfile } from '../profile/types.js'

/** One check of the response path and whether it passed. */
export interface SamlAttemptCheck {
  readonly name: string
  readonly ok: boolean
  /** The error code, on the check that failed. */
  readonly code?: SamlErrorCode
}

/**
 * What happened to one posted SAMLResponse, for diagnostics ("test connection" pages, audit logs).
 * Passed to the strategy's `onAttempt` option once per response. Holds no keys or secrets; the
 * response XML is what the browser posted (encrypted assertions stay encrypted).
 */
export interface SamlAttempt {
  /** The IdP id, when resolution got that far. */
  readonly idp?: string
  readonly at: Date
  readonly ok: boolean
  /**
   * Why it was refused: a `SamlErrorCode`, or `'ERR_VERIFY'` when the error was not a SamlError
   * (thrown by your verify callback, or by the app code Passport runs after it).
   */
  readonly error?: { readonly code: SamlErrorCode | 'ERR_VERIFY'; readonly message: string }
  /** The decoded SAMLResponse, when it was base64 of at most the size cap. */
  readonly responseXml?: string
  /**
   * The verified Assertion as the validator read it (decrypted, when it came encrypted), once the
   * response passed validation.
   */
  readonly assertionXml?: string
  readonly profile?: SamlProfile
  /** The checks that ran, in order: all passed, or the last one failed. */
  readonly checks: readonly SamlAttemptCheck[]
}

/**
 * The response path's checks in the order they run, each with the codes it can fail with. The
 * validator interleaves a few of them (the Response signature is verified before decryption, the
 * Assertion signature after it); this order is the one an admin reads them in.
 */
export const ATTEMPT_CHECKS: readonly { readonly name: string; readonly codes: readonly SamlErrorCode[] }[] =
  [
    {
      name: 'message is well-formed, safe XML within limits',
      codes: [
        'ERR_SAML_BAD_REQUEST',
        'ERR_SAML_TOO_LARGE',
        'ERR_SAML_XML_DTD',
        'ERR_SAML_XML_LIMITS',
        'ERR_SAML_MALFORMED',
      ],
    },
    {
      name: 'IdP is registered and its record is usable',
      codes: ['ERR_SAML_UNKNOWN_IDP', 'ERR_SAML_IDP_CONFIG', 'ERR_SAML_STORE_UNAVAILABLE'],
    },
    { name: 'document structure (one assertion, unique IDs, no wrapping)', codes: ['ERR_SAML_STRUCTURE'] },
    { name: 'Issuer is the IdP entityID', codes: ['ERR_SAML_ISSUER_MISMATCH'] },
    { name: 'Status is Success', codes: ['ERR_SAML_STATUS'] },
    { name: 'Destination is this ACS', codes: ['ERR_SAML_DESTINATION_MISMATCH'] },
    {
      name: 'assertion decrypts (when encrypted)',
      codes: ['ERR_SAML_DECRYPTION', 'ERR_SAML_ENCRYPTION_REQUIRED', 'ERR_SAML_ENCRYPTION_ALGORITHM'],
    },
    {
      name: 'signature by a trusted certificate',
      codes: ['ERR_SAML_SIGNATURE_MISSING', 'ERR_SAML_SIGNATURE_INVALID', 'ERR_SAML_SIGNATURE_ALGORITHM'],
    },
    {
      name: 'Subject: bearer confirmation, Recipient is this ACS',
      codes: ['ERR_SAML_SUBJECT', 'ERR_SAML_RECIPIENT_MISMATCH'],
    },
    {
      name: 'validity window (with clock skew)',
      codes: ['ERR_SAML_NOT_YET_VALID', 'ERR_SAML_EXPIRED', 'ERR_SAML_SESSION_EXPIRED'],
    },
    { name: 'Audience is this SP', codes: ['ERR_SAML_AUDIENCE_MISMATCH'] },
    {
      name: 'InResponseTo matches a login this browser started',
      codes: ['ERR_SAML_IN_RESPONSE_TO', 'ERR_SAML_UNSOLICITED'],
    },
    { name: 'assertion not seen before (replay)', codes: ['ERR_SAML_REPLAY', 'ERR_SAML_CACHE_UNAVAILABLE'] },
    { name: 'attribute map (required fields present)', codes: ['ERR_SAML_ATTRIBUTE_MISSING'] },
    { name: 'application accepted the user (verify)', codes: ['ERR_SAML_ACCESS_DENIED'] },
  ]

/**
 * The checks list for an attempt: every check passed on success; on failure the ones before the
 * failing check passed and the failing one carries its code. An error outside the SAML path (a bug
 * in verify, say) marks the last check failed.
 */
export function attemptChecks(code: SamlErrorCode | undefined, failed: boolean): SamlAttemptCheck[] {
  if (!failed) return ATTEMPT_CHECKS.map(({ name }) => ({ name, ok: true }))
  let index = code === undefined ? -1 : ATTEMPT_CHECKS.findIndex((c) => c.codes.includes(code))
  if (index === -1) index = ATTEMPT_CHECKS.length - 1
  return ATTEMPT_CHECKS.slice(0, index + 1).map(({ name }, i) =>
    i < index ? { name, ok: true } : { name, ok: false, ...(code !== undefined && { code }) },
  )
}

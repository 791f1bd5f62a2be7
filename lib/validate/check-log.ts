import { SamlError, type SamlErrorCode } from '../errors/saml-error.js'

/**
 * Stable ids of the checks of an inbound SAML message, in the words an admin reads. Listed in the
 * order they run on the response path: `message` and `idp` before the validator, the validator's
 * own checks (`response-structure` … `attribute-statement`), then `in-response-to`, `replay`,
 * `attributes` and `verify` after it.
 *
 * **Skipped checks are not recorded.** A check of an optional part that the message leaves out and
 * the IdP's policy does not require never runs, so it is not in the log: `response-issuer`
 * (no Response Issuer), `destination` (no Destination), `response-signature` and
 * `signed-destination` (unsigned Response, `wantResponseSigned` off), `decryption` (plain assertion,
 * `requireEncryptedAssertions` off), `assertion-signature` (unsigned Assertion,
 * `wantAssertionsSigned` off) and `response-in-response-to` (no InResponseTo on the Response). Every
 * other check always runs. An entry marked passed therefore always means something was examined
 * and held; "signed by someone" is its own check (`signed`), which always runs.
 *
 * @example
 * ```ts
 * import type { SamlCheckName } from 'passport-saml-multi-idp'
 * const timeChecks: SamlCheckName[] = ['issue-instant', 'subject-confirmation', 'conditions']
 * ```
 */
export type SamlCheckName =
  | 'message'
  | 'idp'
  | 'response-structure'
  | 'document-shape'
  | 'response-issuer'
  | 'status'
  | 'one-assertion'
  | 'destination'
  | 'response-signature'
  | 'signed-destination'
  | 'decryption'
  | 'assertion-structure'
  | 'assertion-signature'
  | 'signed'
  | 'assertion-issuer'
  | 'issue-instant'
  | 'subject'
  | 'subject-confirmation'
  | 'conditions'
  | 'audience'
  | 'response-in-response-to'
  | 'authn-statement'
  | 'attribute-statement'
  | 'in-response-to'
  | 'authn-context'
  | 'replay'
  | 'attributes'
  | 'verify'

/**
 * One check as it ran: passed, or failed (then it is the last entry of its log).
 *
 * @example
 * ```ts
 * import type { SamlCheck } from 'passport-saml-multi-idp'
 * const line = (c: SamlCheck) => `${c.ok ? 'PASS' : 'FAIL'} ${c.title}${c.code ? ` (${c.code})` : ''}`
 * ```
 */
export interface SamlCheck {
  readonly name: SamlCheckName
  /** {@link SAML_CHECK_TITLES}`[name]`. */
  readonly title: string
  readonly ok: boolean
  /** The failing check's `SamlError` code; absent when it passed or failed with another error. */
  readonly code?: SamlErrorCode
}

/**
 * What each check establishes, for diagnostics pages and audit logs. The keys are in run order, so a
 * page can also list the checks that did not run after a failure.
 *
 * @example
 * ```ts
 * import { SAML_CHECK_TITLES } from 'passport-saml-multi-idp/core'
 * console.log(SAML_CHECK_TITLES.audience) // "an AudienceRestriction names this SP; ..."
 * ```
 */
export const SAML_CHECK_TITLES: Readonly<Record<SamlCheckName, string>> = Object.freeze({
  message: 'the SAMLResponse decodes to well-formed, safe XML within the size limits',
  idp: 'the IdP is resolved and its record is usable',
  'response-structure':
    'the Response is SAML 2.0, with an ID, an IssueInstant and only the children SAML allows',
  'document-shape':
    'IDs are unique; one Issuer and one Signature at most; Signatures and the assertion only where SAML puts them (no wrapping)',
  'response-issuer': "the Response's Issuer is the IdP's entityID",
  status: 'the Status is Success',
  'one-assertion': 'the Response holds exactly one assertion',
  destination: "the Response's Destination is this ACS",
  'response-signature':
    "the Response's signature verifies with one of the IdP's certificates (required by wantResponseSigned)",
  'signed-destination': 'the signed Response names its Destination',
  decryption:
    "the assertion decrypts with this SP's key, with accepted algorithms (required by requireEncryptedAssertions)",
  'assertion-structure':
    'the Assertion is SAML 2.0, with an ID, an IssueInstant, its Issuer first, only the children SAML allows, and no wrapping',
  'assertion-signature':
    "the Assertion's signature verifies with one of the IdP's certificates (required by wantAssertionsSigned)",
  signed: 'the Response or the Assertion is signed',
  'assertion-issuer': "the Assertion's Issuer is the IdP's entityID",
  'issue-instant': 'the Assertion was not issued in the future (with clock skew)',
  subject:
    "the Subject has a NameID (an EncryptedID decrypts with this SP's key) and a bearer SubjectConfirmation",
  'subject-confirmation':
    'a bearer SubjectConfirmation names this ACS as Recipient and is within its time window (with clock skew)',
  conditions: 'the assertion has Conditions and is within their time window (with clock skew)',
  audience: 'an AudienceRestriction names this SP; every condition is one this SP understands',
  'response-in-response-to':
    "the Response's InResponseTo agrees with the assertion's, or the Response is signed",
  'authn-statement':
    'exactly one AuthnStatement, with an AuthnInstant; the IdP session (SessionNotOnOrAfter) has not ended',
  'attribute-statement':
    "the AttributeStatements hold only Attributes with a Name and plain values (EncryptedAttributes decrypt with this SP's key)",
  'in-response-to':
    'InResponseTo names a login this browser started at this IdP, or IdP-initiated login is allowed',
  'authn-context':
    'the AuthnContextClassRef is one the login asked for (only when its RequestedAuthnContext is enforced)',
  replay: 'the assertion was not used before (replay cache)',
  attributes: "the attribute map's required fields are present",
  verify: 'the application accepted the user (verify)',
})

// One frozen entry per name, shared by every log: recording a pass allocates nothing.
const PASSED = Object.freeze(
  Object.fromEntries(
    Object.entries(SAML_CHECK_TITLES).map(([name, title]) => [
      name,
      Object.freeze({ name, title, ok: true }),
    ]),
  ),
) as Readonly<Record<SamlCheckName, SamlCheck>>

/**
 * The checks of one inbound message, in the order they ran: all passed, or the last one failed.
 * Pass one to `validateResponse` and record the caller's own steps around it with the same log.
 *
 * @example
 * ```ts
 * // Inside the library (the core's ACS flow does this):
 * import { CheckLog } from './check-log.js'
 * import { decodeSamlResponse, validateResponse } from './validate-response.js'
 * import { MESSAGE_XML_LIMITS } from '../xml/parse-xml.js'
 * const log = new CheckLog()
 * const doc = log.run('message', () => decodeSamlResponse(req.body.SAMLResponse, MESSAGE_XML_LIMITS))
 * let record
 * try {
 *   record = await store.get(idpId) // async: recorded by hand
 *   log.pass('idp')
 * } catch (err) {
 *   log.fail('idp', err)
 *   throw err
 * }
 * const assertion = validateResponse(doc, policyFor(record), Date.now(), log)
 * console.log(log.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.title}`).join('\n'))
 * ```
 */
export class CheckLog {
  readonly checks: SamlCheck[] = []

  /**
   * Runs one check: records it passed, or failed with the SamlError's code (then rethrows).
   * For synchronous checks only: a returned Promise would be recorded as passed before it settles,
   * so record asynchronous steps with {@link CheckLog.pass} and {@link CheckLog.fail}.
   */
  run<T>(name: SamlCheckName, check: () => T): T {
    let value: T
    try {
      value = check()
    } catch (err) {
      this.fail(name, err)
      throw err
    }
    this.checks.push(PASSED[name])
    return value
  }

  /** Records a check that passed without running a function (for async steps in the caller). */
  pass(name: SamlCheckName): void {
    this.checks.push(PASSED[name])
  }

  /** Records a check that failed with `error`: its code when it is a SamlError, else no code. */
  fail(name: SamlCheckName, error: unknown): void {
    const title = SAML_CHECK_TITLES[name]
    this.checks.push(
      Object.freeze(
        error instanceof SamlError
          ? { name, title, ok: false, code: error.code }
          : { name, title, ok: false },
      ),
    )
  }
}

import { attr, isElement } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import { openEncryptedAssertion } from './encrypted-elements.js'
import { readAttributes } from './attributes.js'
import { checkAuthnStatement } from './authn-statement.js'
import type { CheckLog } from './check-log.js'
import { checkAudience, checkConditionsWindow } from './conditions.js'
import { checkDestination, checkSignedDestination } from './destination.js'
import { checkIssuer } from './issuer.js'
import type { ResponsePolicy, ValidatedAssertion } from './response-policy.js'
import {
  checkAssertionRoot,
  checkResponseRoot,
  checkResponseShape,
  onlyAssertion,
} from './response-structure.js'
import { checkAssertionSignature, checkResponseSignature, checkSigned } from './signatures.js'
import { checkStatus } from './status.js'
import { checkResponseInResponseTo, checkSubject, checkSubjectConfirmation } from './subject.js'
import { checkIssueInstant } from './time.js'
import { asSamlError, runStep } from './validation-step.js'
import type { XmlDocument, XmlElement } from '../xml/tree.js'

// The rest of the library imports these from here.
export { decodeSamlResponse, peekIssuer } from './decode-response.js'
export type { ResponsePolicy, ValidatedAssertion } from './response-policy.js'

/**
 * Validates a parsed SAML Response for one IdP, strictly and fail-closed, and returns what it
 * asserts. Synchronous and cache-free: InResponseTo and replay checks are the caller's (they need
 * shared state). Every failure is a `SamlError` with a 4xx code; see docs/security.md for each rule.
 * `doc` is only read, never changed, so one parse can be validated again.
 *
 * With a `log`, every check is recorded as it runs (see `SamlCheckName` for the names, their order
 * and which checks are skipped); on failure the failing check is the last entry, with the code of
 * the error thrown.
 *
 * @example
 * ```ts
 * import { CheckLog } from './check-log.js'
 * import { MESSAGE_XML_LIMITS } from '../xml/parse-xml.js'
 * const doc = decodeSamlResponse(req.body.SAMLResponse, MESSAGE_XML_LIMITS)
 * const log = new CheckLog()
 * const assertion = validateResponse(doc, policy, Date.now(), log) // policy: ResponsePolicy for the IdP
 * console.log(assertion.nameID, assertion.attributes, log.checks)
 * ```
 */
export function validateResponse(
  doc: XmlDocument,
  policy: ResponsePolicy,
  now: number,
  log?: CheckLog,
): ValidatedAssertion {
  try {
    const envelope = checkEnvelope(doc, policy, now, log)
    const opened = openAssertion(envelope, policy, now, log)
    return readStatements(envelope, opened, policy, now, log)
  } catch (err) {
    throw asSamlError(err)
  }
}

/** The Response checked up to (and including) its own signature. */
interface Envelope {
  readonly response: XmlElement
  readonly responseId: string
  /** The one Assertion or EncryptedAssertion. */
  readonly assertion: XmlElement
  readonly responseSigned: boolean
}

/** The assertion decrypted, its signature verified and its Issuer checked. */
interface OpenedAssertion {
  readonly assertion: XmlElement
  readonly assertionId: string
  readonly issuer: string
  readonly assertionSigned: boolean
  readonly encrypted: boolean
}

// The three phases below run the checks in the order the validator always has: many specs pin
// which code a message with several faults gets, so do not reorder them.

function checkEnvelope(
  doc: XmlDocument,
  policy: ResponsePolicy,
  now: number,
  log: CheckLog | undefined,
): Envelope {
  const { response, responseId } = runStep(log, 'response-structure', () => checkResponseRoot(doc.root))
  const parts = runStep(log, 'document-shape', () => checkResponseShape(response))
  const responseIssuer = parts.issuer
  if (responseIssuer)
    runStep(log, 'response-issuer', () => checkIssuer(responseIssuer, policy, 'Response', false))
  runStep(log, 'status', () => checkStatus(response))
  const assertion = runStep(log, 'one-assertion', () => onlyAssertion(parts.assertions))

  const destination = attr(response, 'Destination')
  if (destination !== undefined) runStep(log, 'destination', () => checkDestination(destination, policy))
  // The Response signature is verified before decryption: it covers the EncryptedAssertion.
  let responseSigned = false
  if (parts.signature || policy.wantResponseSigned) {
    responseSigned = runStep(log, 'response-signature', () =>
      checkResponseSignature(parts.signature, response, policy, now),
    )
    runStep(log, 'signed-destination', () => checkSignedDestination(destination))
  }
  return { response, responseId, assertion, responseSigned }
}

function openAssertion(
  envelope: Envelope,
  policy: ResponsePolicy,
  now: number,
  log: CheckLog | undefined,
): OpenedAssertion {
  const encrypted = isElement(envelope.assertion, NS.assertion, 'EncryptedAssertion')
  let assertion = envelope.assertion
  if (encrypted || policy.requireEncryptedAssertions) {
    assertion = runStep(log, 'decryption', () => openEncryptedAssertion(envelope.assertion, policy))
  }
  const parts = runStep(log, 'assertion-structure', () => checkAssertionRoot(assertion, encrypted))
  // The Assertion signature is verified after decryption: it is inside the encrypted content.
  let assertionSigned = false
  if (parts.signature || policy.wantAssertionsSigned) {
    assertionSigned = runStep(log, 'assertion-signature', () =>
      checkAssertionSignature(parts.signature, assertion, policy, now),
    )
  }
  runStep(log, 'signed', () => checkSigned(envelope.responseSigned, assertionSigned))
  const issuer = runStep(log, 'assertion-issuer', () => checkIssuer(parts.issuer, policy, 'Assertion', true)!)
  runStep(log, 'issue-instant', () => checkIssueInstant(parts.issueInstant, now, policy.clockSkewMs))
  return { assertion, assertionId: parts.assertionId, issuer, assertionSigned, encrypted }
}

function readStatements(
  envelope: Envelope,
  opened: OpenedAssertion,
  policy: ResponsePolicy,
  now: number,
  log: CheckLog | undefined,
): ValidatedAssertion {
  const { assertion } = opened
  const subject = runStep(log, 'subject', () => checkSubject(assertion, policy))
  const confirmation = runStep(log, 'subject-confirmation', () =>
    checkSubjectConfirmation(subject.confirmations, policy, now),
  )
  const window = runStep(log, 'conditions', () => checkConditionsWindow(assertion, policy, now))
  runStep(log, 'audience', () => checkAudience(window.conditions, policy))

  // InResponseTo: trust the Response's copy only when the Response itself is signed.
  const fromResponse = attr(envelope.response, 'InResponseTo')
  const inResponseTo =
    fromResponse === undefined
      ? confirmation.inResponseTo
      : runStep(log, 'response-in-response-to', () =>
          checkResponseInResponseTo(fromResponse, confirmation.inResponseTo, envelope.responseSigned),
        )
  const authn = runStep(log, 'authn-statement', () => checkAuthnStatement(assertion, policy, now))
  const attributes = runStep(log, 'attribute-statement', () => readAttributes(assertion, policy))

  return {
    responseId: envelope.responseId,
    assertionId: opened.assertionId,
    issuer: opened.issuer,
    inResponseTo,
    nameID: subject.nameID,
    nameIDFormat: subject.nameIDFormat,
    nameQualifier: subject.nameQualifier,
    spNameQualifier: subject.spNameQualifier,
    sessionIndex: authn.sessionIndex,
    sessionNotOnOrAfter: authn.sessionNotOnOrAfter,
    authnInstant: authn.authnInstant,
    authnContextClassRef: authn.authnContextClassRef,
    attributes,
    expiresAt: Math.min(confirmation.notOnOrAfter, window.notOnOrAfter ?? Infinity) + policy.clockSkewMs,
    responseSigned: envelope.responseSigned,
    assertionSigned: opened.assertionSigned,
    encrypted: opened.encrypted,
    assertionElement: assertion,
  }
}

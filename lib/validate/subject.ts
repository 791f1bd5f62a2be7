import { attr, childrenNamed, optionalChild, trimmedText } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import { decryptSamlElement, ENCRYPTED, type ElementDecryption } from './encrypted-elements.js'
import type { ResponsePolicy } from './response-policy.js'
import { checkWindow, parseTime, requiredTime } from './time.js'
import { fail } from './validation-step.js'
import type { XmlElement } from '../xml/tree.js'

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer'

/** The Subject's NameID and its bearer confirmations, not yet checked. */
export interface SubjectParts {
  readonly nameID: string
  readonly nameIDFormat?: string
  readonly nameQualifier?: string
  readonly spNameQualifier?: string
  readonly confirmations: readonly XmlElement[]
}

/**
 * The Subject's NameID: a plain one, or an EncryptedID decrypted with the SP's keys (its ciphertext
 * was covered by the signature already verified). BaseID names no one we can map and is refused.
 */
export function readNameId(parent: XmlElement, decryption: ElementDecryption, where: string): XmlElement {
  const plain = optionalChild(parent, NS.assertion, 'NameID')
  const encrypted = optionalChild(parent, NS.assertion, 'EncryptedID')
  if (plain && encrypted) fail('ERR_SAML_STRUCTURE', `${where} has both a NameID and an EncryptedID`)
  if (encrypted) return decryptSamlElement(encrypted, ENCRYPTED.nameId, decryption)
  if (!plain) fail('ERR_SAML_SUBJECT', `${where} has no NameID or EncryptedID (BaseID is not supported)`)
  return plain
}

/**
 * `subject`: one Subject with a non-empty NameID (plain or encrypted) and at least one bearer
 * SubjectConfirmation.
 */
export function checkSubject(assertion: XmlElement, decryption: ElementDecryption): SubjectParts {
  const subject = optionalChild(assertion, NS.assertion, 'Subject')
  if (!subject) fail('ERR_SAML_SUBJECT', 'the assertion has no Subject')
  const nameIdEl = readNameId(subject, decryption, 'the Subject')
  const nameID = trimmedText(nameIdEl)
  if (nameID.length === 0) fail('ERR_SAML_SUBJECT', 'the NameID is empty')

  const confirmations = childrenNamed(subject, NS.assertion, 'SubjectConfirmation').filter(
    (c) => attr(c, 'Method') === BEARER,
  )
  if (confirmations.length === 0) fail('ERR_SAML_SUBJECT', 'the Subject has no bearer SubjectConfirmation')
  return {
    nameID,
    nameIDFormat: attr(nameIdEl, 'Format'),
    nameQualifier: attr(nameIdEl, 'NameQualifier'),
    spNameQualifier: attr(nameIdEl, 'SPNameQualifier'),
    confirmations,
  }
}

/** What the accepted bearer confirmation says. */
export interface Confirmation {
  readonly inResponseTo?: string
  readonly notOnOrAfter: number
}

function checkConfirmation(confirmation: XmlElement, policy: ResponsePolicy, now: number): Confirmation {
  const data = optionalChild(confirmation, NS.assertion, 'SubjectConfirmationData')
  if (!data) fail('ERR_SAML_SUBJECT', 'the bearer SubjectConfirmation has no SubjectConfirmationData')
  const recipient = attr(data, 'Recipient')
  if (recipient === undefined || !policy.acsUrls.includes(recipient)) {
    fail(
      'ERR_SAML_RECIPIENT_MISMATCH',
      `SubjectConfirmationData Recipient "${String(recipient).slice(0, 200)}" is not this ACS (${policy.acsUrls[0]})`,
    )
  }
  const notOnOrAfter = requiredTime(data, 'NotOnOrAfter')
  checkWindow(
    now,
    policy.clockSkewMs,
    parseTime(attr(data, 'NotBefore'), 'SubjectConfirmationData@NotBefore'),
    notOnOrAfter,
    'the subject confirmation',
  )
  return { inResponseTo: attr(data, 'InResponseTo'), notOnOrAfter }
}

/**
 * `subject-confirmation`: the first bearer confirmation that names this ACS and is within its
 * window; when none does, the first one's error.
 */
export function checkSubjectConfirmation(
  confirmations: readonly XmlElement[],
  policy: ResponsePolicy,
  now: number,
): Confirmation {
  let firstError: unknown
  for (const confirmation of confirmations) {
    try {
      return checkConfirmation(confirmation, policy, now)
    } catch (err) {
      firstError ??= err
    }
  }
  throw firstError
}

/**
 * `response-in-response-to`: the Response's InResponseTo may not contradict the assertion's, and is
 * trusted alone only when the Response itself is signed. Returns the request ID the message answers.
 */
export function checkResponseInResponseTo(
  fromResponse: string,
  fromAssertion: string | undefined,
  responseSigned: boolean,
): string {
  if (fromAssertion !== undefined && fromResponse !== fromAssertion) {
    fail('ERR_SAML_IN_RESPONSE_TO', 'the Response and its assertion answer different requests')
  }
  if (fromAssertion === undefined && !responseSigned) {
    fail(
      'ERR_SAML_IN_RESPONSE_TO',
      'InResponseTo appears only on the unsigned Response, not in the signed assertion',
    )
  }
  return fromAssertion ?? fromResponse
}

import {
  attr,
  childElements,
  childrenNamed,
  hasChild,
  isElement,
  optionalChild,
} from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import { checkSequence, type Particle } from '../xml/sequence.js'
import { requiredTime } from './time.js'
import { fail } from './validation-step.js'
import type { XmlElement } from '../xml/tree.js'

/**
 * The Response's children in the order of `samlp:StatusResponseType` and `samlp:ResponseType` (SAML
 * core 3.2.2, 3.3.3), each in its own namespace. Status is required by the schema; its absence is
 * reported by the `status` check, with its own message.
 */
const RESPONSE_CHILDREN: readonly Particle[] = [
  { ns: NS.assertion, local: 'Issuer' },
  { ns: NS.dsig, local: 'Signature' },
  { ns: NS.protocol, local: 'Extensions' },
  { ns: NS.protocol, local: 'Status' },
  { ns: NS.assertion, local: ['Assertion', 'EncryptedAssertion'], max: Infinity },
]
/**
 * The Assertion's children in the order of `saml:AssertionType` (SAML core 2.3.3). The Issuer comes
 * first, checked on its own for a clearer message; Advice is refused before this (see below).
 */
const ASSERTION_CHILDREN: readonly Particle[] = [
  { ns: NS.assertion, local: 'Issuer' },
  { ns: NS.dsig, local: 'Signature' },
  { ns: NS.assertion, local: 'Subject' },
  { ns: NS.assertion, local: 'Conditions' },
  {
    ns: NS.assertion,
    local: ['AuthnStatement', 'AttributeStatement', 'AuthzDecisionStatement'],
    max: Infinity,
  },
]

function checkChildren(el: XmlElement, sequence: readonly Particle[]): void {
  if (hasChild(el, NS.assertion, 'Advice')) {
    // Advice may carry whole assertions (signed ones included), the raw material of signature
    // wrapping; no IdP we support needs it for login, so it is refused rather than skipped.
    fail(
      'ERR_SAML_STRUCTURE',
      'the assertion carries <Advice>, which this SP refuses (it can smuggle other assertions); ask the IdP to leave it out',
    )
  }
  checkSequence(el, sequence)
}

/**
 * One walk over the document: IDs must be unique (so a Reference names one element), and signatures
 * and assertions may appear only where SAML puts them (so nothing can be wrapped around them).
 */
function checkDocumentShape(
  root: XmlElement,
  allowedSignatureParents: ReadonlySet<XmlElement>,
  topAssertion: XmlElement | undefined,
): void {
  const ids = new Set<string>()
  const stack: XmlElement[] = [root]
  while (stack.length > 0) {
    const el = stack.pop()!
    const attributes = el.attributes
    for (let i = 0; i < attributes.length; i++) {
      const a = attributes[i]!
      const local = a.localName
      if (local === 'ID' || local === 'Id' || local === 'id' || local === 'AssertionID') {
        if (ids.has(a.value))
          fail('ERR_SAML_STRUCTURE', 'two elements share one ID; the message is refused (signature wrapping)')
        ids.add(a.value)
      }
    }
    // One look at the local name, then the namespace: this runs for every element.
    const local = el.localName
    if (local === 'Signature') {
      if (el.namespaceURI === NS.dsig && !allowedSignatureParents.has(el.parent!))
        fail('ERR_SAML_STRUCTURE', 'a Signature appears where SAML does not put one')
    } else if (local === 'Assertion' || local === 'EncryptedAssertion') {
      if (el.namespaceURI === NS.assertion && el !== topAssertion)
        fail('ERR_SAML_STRUCTURE', 'an assertion appears where SAML does not put one')
    }
    const children = el.children
    for (let i = children.length - 1; i >= 0; i--) {
      const n = children[i]!
      if (n.type === 'element') stack.push(n)
    }
  }
}

/** `response-structure`: the root is a SAML 2.0 Response with an ID, an IssueInstant and allowed children. */
export function checkResponseRoot(root: XmlElement): { response: XmlElement; responseId: string } {
  if (!isElement(root, NS.protocol, 'Response'))
    fail('ERR_SAML_MALFORMED', 'the message is not a SAML 2.0 Response')
  if (attr(root, 'Version') !== '2.0') fail('ERR_SAML_MALFORMED', 'the Response is not SAML version 2.0')
  const responseId = attr(root, 'ID')
  if (!responseId) fail('ERR_SAML_MALFORMED', 'the Response has no ID')
  requiredTime(root, 'IssueInstant')
  checkChildren(root, RESPONSE_CHILDREN)
  return { response: root, responseId }
}

/** The Response's optional parts, found once its shape is known to be safe. */
export interface ResponseParts {
  readonly signature: XmlElement | undefined
  readonly issuer: XmlElement | undefined
  readonly assertions: readonly XmlElement[]
}

/** `document-shape`: unique IDs, and no Signature or assertion outside the places SAML puts them. */
export function checkResponseShape(response: XmlElement): ResponseParts {
  const signature = optionalChild(response, NS.dsig, 'Signature')
  const assertions = childrenNamed(response, NS.assertion, 'Assertion')
  const encrypted = childrenNamed(response, NS.assertion, 'EncryptedAssertion')
  for (let i = 0; i < encrypted.length; i++) assertions.push(encrypted[i]!)
  const signatureParents = new Set<XmlElement>(assertions)
  signatureParents.add(response)
  checkDocumentShape(response, signatureParents, assertions.length === 1 ? assertions[0] : undefined)
  return { signature, issuer: optionalChild(response, NS.assertion, 'Issuer'), assertions }
}

/** `one-assertion`: the Response carries exactly one Assertion or EncryptedAssertion. */
export function onlyAssertion(assertions: readonly XmlElement[]): XmlElement {
  if (assertions.length !== 1)
    fail('ERR_SAML_STRUCTURE', `the Response holds ${assertions.length} assertions; exactly one is accepted`)
  return assertions[0]!
}

/** The Assertion's parts the later checks read. */
export interface AssertionParts {
  readonly assertionId: string
  readonly issueInstant: number
  readonly issuer: XmlElement
  readonly signature: XmlElement | undefined
}

/**
 * `assertion-structure`: a SAML 2.0 Assertion with an ID, an IssueInstant, its Issuer first and
 * allowed children; a decrypted one (a new document) gets the wrapping walk the Response got.
 */
export function checkAssertionRoot(assertion: XmlElement, decrypted: boolean): AssertionParts {
  if (decrypted) checkDocumentShape(assertion, new Set([assertion]), assertion)
  if (attr(assertion, 'Version') !== '2.0')
    fail('ERR_SAML_MALFORMED', 'the Assertion is not SAML version 2.0')
  const assertionId = attr(assertion, 'ID')
  if (!assertionId) fail('ERR_SAML_MALFORMED', 'the Assertion has no ID')
  const issueInstant = requiredTime(assertion, 'IssueInstant')
  checkChildren(assertion, ASSERTION_CHILDREN)
  const issuer = childElements(assertion)[0]
  if (!isElement(issuer, NS.assertion, 'Issuer'))
    fail('ERR_SAML_MALFORMED', 'the Assertion must start with its Issuer')
  return { assertionId, issueInstant, issuer, signature: optionalChild(assertion, NS.dsig, 'Signature') }
}

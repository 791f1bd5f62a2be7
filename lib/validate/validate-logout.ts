import { SamlError, type SamlErrorCode } from '../errors/saml-error.js'
import { verifyEnvelopedSignature, type SignaturePolicy } from '../xmldsig/verify-signature.js'
import { decodeBase64Strict } from '../xml/base64.js'
import {
  attr,
  childElements,
  childrenNamed,
  isElement,
  leafText,
  optionalChild,
  trimmedText,
} from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import { parseXml } from '../xml/parse-xml.js'
import { readSequence } from '../xml/sequence.js'
import {
  inflateRedirectMessage,
  MAX_RELAY_STATE,
  parseRedirectQuery,
  verifyRedirectSignature,
} from '../bindings/redirect-binding.js'
import type { ElementDecryption } from './encrypted-elements.js'
import { readNameId } from './subject.js'
import type { XmlElement } from '../xml/tree.js'

/**
 * What logout validation checks a message against: one IdP's keys, this SP's SLO URL, and the SP's
 * keys for an EncryptedID.
 */
export interface LogoutPolicy extends SignaturePolicy, ElementDecryption {
  readonly idp: string
  readonly entityId: string
  readonly sloUrl: string
  readonly clockSkewMs: number
  /** How old (IssueInstant) a logout message may be, besides the skew. */
  readonly maxAgeMs: number
}

/** The children of a LogoutRequest and a LogoutResponse, in schema order (SAML core 3.2.1, 3.2.2, 3.7.1). */
const MESSAGE_HEAD = [
  { ns: NS.assertion, local: 'Issuer' },
  { ns: NS.dsig, local: 'Signature' },
  { ns: NS.protocol, local: 'Extensions' },
] as const
const LOGOUT_REQUEST_CHILDREN = [
  ...MESSAGE_HEAD,
  { ns: NS.assertion, local: ['BaseID', 'NameID', 'EncryptedID'] },
  { ns: NS.protocol, local: 'SessionIndex', max: Infinity },
]
const LOGOUT_RESPONSE_CHILDREN = [...MESSAGE_HEAD, { ns: NS.protocol, local: 'Status' }]

/** A logout message as the browser brought it: the raw query (Redirect) or the form body (POST). */
export type LogoutInput =
  | { readonly binding: 'redirect'; readonly rawQuery: string }
  | { readonly binding: 'post'; readonly body: Readonly<Record<string, unknown>> }

/** A verified LogoutRequest from the IdP. */
export interface ValidatedLogoutRequest {
  readonly kind: 'request'
  readonly id: string
  readonly issuer: string
  readonly nameID: string
  readonly nameIDFormat?: string
  /** The IdP sessions to end; empty means every session of `nameID`. */
  readonly sessionIndexes: readonly string[]
  /** When the request stops being valid (ms), for the replay cache. */
  readonly expiresAt: number
  readonly relayState?: string
}

/** A verified LogoutResponse from the IdP. */
export interface ValidatedLogoutResponse {
  readonly kind: 'response'
  readonly id: string
  readonly issuer: string
  readonly inResponseTo: string
  /** The top-level StatusCode was Success. */
  readonly success: boolean
  readonly statusCode: string
  readonly relayState?: string
}

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success'

function fail(code: SamlErrorCode, message: string, idp: string): never {
  throw new SamlError(message, code, { idp })
}

function time(el: XmlElement, name: string, idp: string): number | undefined {
  const value = attr(el, name)
  if (value === undefined) return undefined
  const ms = Date.parse(value)
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms))
    fail('ERR_SAML_MALFORMED', `${name} is not a time`, idp)
  return ms
}

/**
 * Verifies and reads a LogoutRequest or LogoutResponse sent by an IdP, with either binding:
 * signature required (query signature for Redirect, enveloped signature on the root for POST) and
 * checked only with the IdP's certificates; then the root's type, Issuer (this IdP's entityID),
 * Destination (this SP's SLO URL, when given), IssueInstant within `maxAgeMs` and the skew, and the
 * fields logout needs. Data is read only from the signed root.
 */
export function validateLogoutMessage(
  input: LogoutInput,
  policy: LogoutPolicy,
  now: number,
): ValidatedLogoutRequest | ValidatedLogoutResponse {
  const { idp } = policy
  let type: 'SAMLRequest' | 'SAMLResponse'
  let xml: string
  let relayState: string | undefined
  let verifyRoot: ((root: XmlElement) => void) | undefined
  if (input.binding === 'redirect') {
    const message = parseRedirectQuery(input.rawQuery)
    verifyRedirectSignature(message, policy, now)
    type = message.type
    relayState = message.relayState
    xml = inflateRedirectMessage(message.message, policy.limits.maxBytes)
  } else {
    const { SAMLRequest, SAMLResponse, RelayState } = input.body
    if ((SAMLRequest === undefined) === (SAMLResponse === undefined))
      fail('ERR_SAML_BAD_REQUEST', 'post exactly one of SAMLRequest and SAMLResponse', idp)
    type = SAMLRequest !== undefined ? 'SAMLRequest' : 'SAMLResponse'
    const value = input.body[type]
    if (typeof value !== 'string' || value.length > Math.ceil((policy.limits.maxBytes * 4) / 3) + 4)
      fail('ERR_SAML_TOO_LARGE', `${type} is not a string within the size limit`, idp)
    const decoded = decodeBase64Strict(value as string)
    if (!decoded) fail('ERR_SAML_MALFORMED', `${type} is not base64`, idp)
    xml = decoded!.toString('utf8')
    relayState = typeof RelayState === 'string' ? RelayState : undefined
    if (relayState !== undefined && relayState.length > MAX_RELAY_STATE)
      fail('ERR_SAML_BAD_REQUEST', `RelayState is longer than ${MAX_RELAY_STATE} characters`, idp)
    verifyRoot = (root) => {
      const signature = optionalChild(root, NS.dsig, 'Signature')
      if (!signature) fail('ERR_SAML_SIGNATURE_MISSING', 'the logout message is not signed', idp)
      verifyEnvelopedSignature(signature!, root, policy, now)
    }
  }

  const { root } = parseXml(xml, policy.limits)
  const expected = type === 'SAMLRequest' ? 'LogoutRequest' : 'LogoutResponse'
  if (!isElement(root, NS.protocol, expected))
    fail('ERR_SAML_MALFORMED', `${type} does not hold a SAML 2.0 ${expected}`, idp)
  verifyRoot?.(root)
  readSequence(root, expected === 'LogoutRequest' ? LOGOUT_REQUEST_CHILDREN : LOGOUT_RESPONSE_CHILDREN)
  if (attr(root, 'Version') !== '2.0')
    fail('ERR_SAML_MALFORMED', `the ${expected} is not SAML version 2.0`, idp)
  const id = attr(root, 'ID')
  if (!id) fail('ERR_SAML_MALFORMED', `the ${expected} has no ID`, idp)
  const issueInstant = time(root, 'IssueInstant', idp)
  if (issueInstant === undefined) fail('ERR_SAML_MALFORMED', `the ${expected} has no IssueInstant`, idp)
  if (issueInstant! > now + policy.clockSkewMs)
    fail(
      'ERR_SAML_NOT_YET_VALID',
      `the ${expected} was issued in the future; check the clocks (clockSkewMs)`,
      idp,
    )
  if (issueInstant! < now - policy.clockSkewMs - policy.maxAgeMs)
    fail('ERR_SAML_EXPIRED', `the ${expected} was issued too long ago`, idp)

  const issuerEl = childElements(root)[0]
  if (!isElement(issuerEl, NS.assertion, 'Issuer'))
    fail('ERR_SAML_ISSUER_MISMATCH', `the ${expected} has no Issuer`, idp)
  const issuer = leafText(issuerEl as XmlElement).trim()
  if (issuer !== policy.entityId)
    fail('ERR_SAML_ISSUER_MISMATCH', `the ${expected} was issued by another entity, not IdP "${idp}"`, idp)
  // Signed messages must say where they go (SAML bindings 3.4.5.2, 3.5.5.2), so one sent to another
  // SP cannot be replayed here.
  const destination = attr(root, 'Destination')
  if (destination === undefined)
    fail('ERR_SAML_DESTINATION_MISMATCH', `the signed ${expected} has no Destination`, idp)
  if (destination !== policy.sloUrl)
    fail(
      'ERR_SAML_DESTINATION_MISMATCH',
      `the ${expected} is addressed to another URL, not ${policy.sloUrl}`,
      idp,
    )

  if (expected === 'LogoutRequest') {
    const notOnOrAfter = time(root, 'NotOnOrAfter', idp)
    if (notOnOrAfter !== undefined && now - policy.clockSkewMs >= notOnOrAfter)
      fail('ERR_SAML_EXPIRED', 'the LogoutRequest has expired (NotOnOrAfter)', idp)
    const nameIdEl = readNameId(root, policy, 'the LogoutRequest')
    // Trimmed as at login, or a pretty-printed NameID would never match the session it names.
    const nameID = trimmedText(nameIdEl!)
    if (nameID === '') fail('ERR_SAML_SUBJECT', 'the LogoutRequest names an empty NameID', idp)
    const nameIDFormat = attr(nameIdEl!, 'Format')
    return {
      kind: 'request',
      id: id!,
      issuer,
      nameID,
      ...(nameIDFormat !== undefined && { nameIDFormat }),
      sessionIndexes: childrenNamed(root, NS.protocol, 'SessionIndex').map((el) => leafText(el).trim()),
      expiresAt: Math.min(notOnOrAfter ?? Infinity, issueInstant! + policy.maxAgeMs) + policy.clockSkewMs,
      ...(relayState !== undefined && { relayState }),
    }
  }

  const inResponseTo = attr(root, 'InResponseTo')
  if (!inResponseTo)
    fail('ERR_SAML_IN_RESPONSE_TO', 'the LogoutResponse answers no request (InResponseTo)', idp)
  const status = optionalChild(root, NS.protocol, 'Status')
  const statusCode = status && optionalChild(status, NS.protocol, 'StatusCode')
  const value = statusCode && attr(statusCode, 'Value')
  if (!value) fail('ERR_SAML_MALFORMED', 'the LogoutResponse has no StatusCode', idp)
  return {
    kind: 'response',
    id: id!,
    issuer,
    inResponseTo: inResponseTo!,
    success: value === SUCCESS,
    statusCode: value!,
    ...(relayState !== undefined && { relayState }),
  }
}

import type { KeyObject } from 'node:crypto'
import { SamlError, type SamlErrorCode } from '../errors/saml-error.js'
import type { SamlAttribute } from '../profile/types.js'
import { decodeBase64Strict } from '../xml/base64.js'
import {
  attr,
  childElements,
  childrenNamed,
  isElement,
  optionalChild,
  requiredChild,
  trimmedText,
} from '../xml/dom.js'
import { NS } from '../xml/namespaces.js'
import { parseXml, type XmlLimits } from '../xml/parse-xml.js'
import { decryptAssertion } from './decrypt-assertion.js'
import type { TrustedKeys } from './trusted-keys.js'
import { verifyEnvelopedSignature } from './verify-signature.js'

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success'
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer'
const ENTITY_FORMAT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity'
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/** Everything the validator needs to know about one IdP, compiled once per record version. */
export interface ResponsePolicy {
  readonly idp: string
  readonly entityId: string
  readonly spEntityId: string
  /** ACS URLs a Destination / Recipient may name (this IdP's ACS and the shared ACS). */
  readonly acsUrls: readonly string[]
  readonly trust: TrustedKeys
  readonly decryptionKeys: readonly KeyObject[]
  readonly wantAssertionsSigned: boolean
  readonly wantResponseSigned: boolean
  readonly allowSha1: boolean
  readonly requireEncryptedAssertions: boolean
  readonly requireAesGcm: boolean
  readonly clockSkewMs: number
  readonly limits: XmlLimits
}

/** The verified content of a response: all of it read from signed elements. */
export interface ValidatedAssertion {
  readonly responseId: string
  readonly assertionId: string
  readonly issuer: string
  readonly inResponseTo?: string
  readonly nameID: string
  readonly nameIDFormat?: string
  readonly nameQualifier?: string
  readonly spNameQualifier?: string
  readonly sessionIndex?: string
  readonly sessionNotOnOrAfter?: string
  readonly authnInstant?: string
  readonly authnContextClassRef?: string
  readonly attributes: readonly SamlAttribute[]
  /** Epoch ms after which the assertion can no longer be accepted (replay entries live this long). */
  readonly expiresAt: number
  readonly responseSigned: boolean
  readonly assertionSigned: boolean
  readonly encrypted: boolean
  /** The verified Assertion element (decrypted when it was encrypted), for diagnostics only. */
  readonly assertionElement: Element
}

/**
 * Decodes the posted `SAMLResponse` (strict base64) and parses it under the message limits: no DTD,
 * no processing instructions, element count and depth capped before any DOM exists.
 *
 * @throws SamlError `ERR_SAML_BAD_REQUEST`, `ERR_SAML_TOO_LARGE`, `ERR_SAML_MALFORMED`,
 *   `ERR_SAML_XML_DTD` or `ERR_SAML_XML_LIMITS`; never an untyped error.
 * @example
 * ```ts
 * import { decodeSamlResponse, MESSAGE_XML_LIMITS } from 'passport-saml-multi-idp'
 * const doc = decodeSamlResponse(req.body.SAMLResponse, MESSAGE_XML_LIMITS)
 * ```
 */
export function decodeSamlResponse(samlResponse: unknown, limits: XmlLimits): Document {
  if (typeof samlResponse !== 'string' || samlResponse.length === 0) {
    throw new SamlError('SAMLResponse must be a non-empty string', 'ERR_SAML_BAD_REQUEST')
  }
  // base64 is 4/3 of the XML: refuse oversized input before decoding it.
  if (samlResponse.length > Math.ceil((limits.maxBytes * 4) / 3) + 4096) {
    throw new SamlError(
      `SAMLResponse is ${samlResponse.length} characters; the limit is about ${limits.maxBytes} bytes of XML`,
      'ERR_SAML_TOO_LARGE',
    )
  }
  const bytes = decodeBase64Strict(samlResponse)
  if (!bytes) throw new SamlError('SAMLResponse is not base64', 'ERR_SAML_MALFORMED')
  try {
    return parseXml(bytes.toString('utf8'), limits)
  } catch (err) {
    throw asSamlError(err)
  }
}

/**
 * The Response's Issuer, read WITHOUT verification. Use it only to choose which IdP's keys to check
 * the response with; the verified assertion's Issuer must then equal that IdP's entityID.
 *
 * @example
 * ```ts
 * import { decodeSamlResponse, MESSAGE_XML_LIMITS, peekIssuer } from 'passport-saml-multi-idp'
 * const entityId = peekIssuer(decodeSamlResponse(req.body.SAMLResponse, MESSAGE_XML_LIMITS))
 * const record = entityId ? await store.findByEntityId(entityId) : undefined
 * ```
 */
export function peekIssuer(doc: Document): string | undefined {
  const root = doc.documentElement
  if (!isElement(root, NS.protocol, 'Response')) return undefined
  const issuer = childElements(root).find((e) => isElement(e, NS.assertion, 'Issuer'))
  if (issuer) return issuer.textContent?.trim() || undefined
  // Some IdPs omit the Response Issuer; fall back to the (still unverified) assertion's.
  const assertion = childElements(root).find((e) => isElement(e, NS.assertion, 'Assertion'))
  const inner = assertion && childElements(assertion).find((e) => isElement(e, NS.assertion, 'Issuer'))
  return inner?.textContent?.trim() || undefined
}

function fail(code: SamlErrorCode, message: string): never {
  throw new SamlError(message, code)
}

function parseTime(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined
  const ms = DATE_TIME.test(value) ? Date.parse(value) : NaN
  if (Number.isNaN(ms)) fail('ERR_SAML_MALFORMED', `${what} is not an xs:dateTime: "${value.slice(0, 40)}"`)
  return ms
}

function requiredTime(el: Element, name: string): number {
  const ms = parseTime(attr(el, name), `${el.localName}@${name}`)
  if (ms === undefined) fail('ERR_SAML_MALFORMED', `<${el.localName}> has no ${name}`)
  return ms
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`
}

/** Window checks with skew, with messages that say by how much and what to change. */
function checkWindow(
  now: number,
  skew: number,
  notBefore: number | undefined,
  notOnOrAfter: number | undefined,
  what: string,
): void {
  if (notBefore !== undefined && now + skew < notBefore) {
    fail(
      'ERR_SAML_NOT_YET_VALID',
      `${what} is not yet valid: NotBefore is ${seconds(notBefore - now)} in the future; the IdP's clock or yours is off (see clockSkewMs, now ${seconds(skew)})`,
    )
  }
  if (notOnOrAfter !== undefined && now - skew >= notOnOrAfter) {
    fail(
      'ERR_SAML_EXPIRED',
      `${what} expired ${seconds(now - notOnOrAfter)} ago (NotOnOrAfter); if clocks are off, see clockSkewMs (now ${seconds(skew)})`,
    )
  }
}

/**
 * One walk over the document: IDs must be unique (so a Reference names one element), and signatures
 * and assertions may appear only where SAML puts them (so nothing can be wrapped around them).
 */
function checkDocumentShape(
  root: Element,
  allowedSignatureParents: ReadonlySet<Element>,
  topAssertion: Element | undefined,
): void {
  const ids = new Set<string>()
  const stack: Element[] = [root]
  while (stack.length > 0) {
    const el = stack.pop()!
    const attrs = el.attributes
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i]!
      const local = a.localName ?? a.name
      if (local === 'ID' || local === 'Id' || local === 'id' || local === 'AssertionID') {
        if (ids.has(a.value))
          fail('ERR_SAML_STRUCTURE', 'two elements share one ID; the message is refused (signature wrapping)')
        ids.add(a.value)
      }
    }
    if (isElement(el, NS.dsig, 'Signature') && !allowedSignatureParents.has(el.parentNode as Element)) {
      fail('ERR_SAML_STRUCTURE', 'a Signature appears where SAML does not put one')
    }
    if (
      (isElement(el, NS.assertion, 'Assertion') || isElement(el, NS.assertion, 'EncryptedAssertion')) &&
      el !== topAssertion
    ) {
      fail('ERR_SAML_STRUCTURE', 'an assertion appears where SAML does not put one')
    }
    for (let n = el.lastChild; n !== null; n = n.previousSibling) {
      if (n.nodeType === 1) stack.push(n as Element)
    }
  }
}

function checkIssuer(
  issuerEl: Element | undefined,
  policy: ResponsePolicy,
  where: string,
  required: boolean,
): string | undefined {
  if (!issuerEl) {
    if (required) fail('ERR_SAML_MALFORMED', `the ${where} has no Issuer`)
    return undefined
  }
  const format = attr(issuerEl, 'Format')
  if (format !== undefined && format !== ENTITY_FORMAT)
    fail('ERR_SAML_ISSUER_MISMATCH', `the ${where} Issuer has Format ${format}`)
  const issuer = trimmedText(issuerEl)
  if (issuer !== policy.entityId) {
    fail(
      'ERR_SAML_ISSUER_MISMATCH',
      `the ${where} was issued by "${issuer.slice(0, 200)}", not by IdP "${policy.idp}" (${policy.entityId})`,
    )
  }
  return issuer
}

function checkStatus(response: Element): void {
  const status = requiredChild(response, NS.protocol, 'Status')
  const code = requiredChild(status, NS.protocol, 'StatusCode')
  const value = attr(code, 'Value')
  if (value === SUCCESS) return
  const sub = optionalChild(code, NS.protocol, 'StatusCode')
  const message = optionalChild(status, NS.protocol, 'StatusMessage')
  const detail = [value, sub && attr(sub, 'Value')].filter(Boolean).join(' / ')
  const text = message ? `: ${trimmedText(message).slice(0, 200)}` : ''
  fail('ERR_SAML_STATUS', `the IdP did not authenticate the user (${detail || 'no status code'})${text}`)
}

const RESPONSE_CHILDREN = new Set([
  'Issuer',
  'Signature',
  'Extensions',
  'Status',
  'Assertion',
  'EncryptedAssertion',
])
const ASSERTION_CHILDREN = new Set([
  'Issuer',
  'Signature',
  'Subject',
  'Conditions',
  'AuthnStatement',
  'AttributeStatement',
  'AuthzDecisionStatement',
])

function checkChildren(el: Element, allowed: ReadonlySet<string>): void {
  for (const child of childElements(el)) {
    if (child.localName === 'Advice' && child.namespaceURI === NS.assertion) {
      // Advice may carry whole assertions (signed ones included), the raw material of signature
      // wrapping; no IdP we support needs it for login, so it is refused rather than skipped.
      fail(
        'ERR_SAML_STRUCTURE',
        'the assertion carries <Advice>, which this SP refuses (it can smuggle other assertions); ask the IdP to leave it out',
      )
    }
    const known =
      child.namespaceURI === NS.protocol ||
      child.namespaceURI === NS.assertion ||
      child.namespaceURI === NS.dsig
    if (!known || !allowed.has(child.localName)) {
      fail('ERR_SAML_STRUCTURE', `<${el.localName}> may not contain <${child.localName}>`)
    }
  }
}

interface SubjectResult {
  nameID: string
  nameIDFormat?: string
  nameQualifier?: string
  spNameQualifier?: string
  inResponseTo?: string
  notOnOrAfter: number
}

function checkSubject(assertion: Element, policy: ResponsePolicy, now: number): SubjectResult {
  const subject = optionalChild(assertion, NS.assertion, 'Subject')
  if (!subject) fail('ERR_SAML_SUBJECT', 'the assertion has no Subject')
  const nameIdEl = optionalChild(subject, NS.assertion, 'NameID')
  if (!nameIdEl)
    fail('ERR_SAML_SUBJECT', 'the Subject has no NameID (EncryptedID and BaseID are not supported)')
  const nameID = trimmedText(nameIdEl)
  if (nameID.length === 0) fail('ERR_SAML_SUBJECT', 'the NameID is empty')

  const confirmations = childrenNamed(subject, NS.assertion, 'SubjectConfirmation').filter(
    (c) => attr(c, 'Method') === BEARER,
  )
  if (confirmations.length === 0) fail('ERR_SAML_SUBJECT', 'the Subject has no bearer SubjectConfirmation')
  let firstError: unknown
  for (const confirmation of confirmations) {
    try {
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
      return {
        nameID,
        nameIDFormat: attr(nameIdEl, 'Format'),
        nameQualifier: attr(nameIdEl, 'NameQualifier'),
        spNameQualifier: attr(nameIdEl, 'SPNameQualifier'),
        inResponseTo: attr(data, 'InResponseTo'),
        notOnOrAfter,
      }
    } catch (err) {
      firstError ??= err
    }
  }
  throw firstError
}

function checkConditions(assertion: Element, policy: ResponsePolicy, now: number): number | undefined {
  const conditions = optionalChild(assertion, NS.assertion, 'Conditions')
  if (!conditions)
    fail(
      'ERR_SAML_AUDIENCE_MISMATCH',
      'the assertion has no Conditions, so no AudienceRestriction names this SP',
    )
  const notOnOrAfter = parseTime(attr(conditions, 'NotOnOrAfter'), 'Conditions@NotOnOrAfter')
  checkWindow(
    now,
    policy.clockSkewMs,
    parseTime(attr(conditions, 'NotBefore'), 'Conditions@NotBefore'),
    notOnOrAfter,
    'the assertion',
  )
  let restrictions = 0
  for (const condition of childElements(conditions)) {
    if (isElement(condition, NS.assertion, 'AudienceRestriction')) {
      restrictions++
      const audiences = childrenNamed(condition, NS.assertion, 'Audience').map(trimmedText)
      if (!audiences.includes(policy.spEntityId)) {
        fail(
          'ERR_SAML_AUDIENCE_MISMATCH',
          `the assertion is for audience ${audiences.map((a) => `"${a.slice(0, 200)}"`).join(', ') || '(none)'}, not this SP (${policy.spEntityId})`,
        )
      }
    } else if (
      !isElement(condition, NS.assertion, 'OneTimeUse') &&
      !isElement(condition, NS.assertion, 'ProxyRestriction')
    ) {
      // SAML core 2.5.1.5: an unknown condition makes the assertion invalid.
      fail(
        'ERR_SAML_STRUCTURE',
        `the assertion has a condition this SP does not understand (<${(condition as Element).localName}>)`,
      )
    }
  }
  if (restrictions === 0)
    fail('ERR_SAML_AUDIENCE_MISMATCH', 'the assertion has no AudienceRestriction naming this SP')
  return notOnOrAfter
}

function readAttributeValue(value: Element): string | undefined {
  if (value.getAttributeNS(NS.xsi, 'nil') === 'true') return undefined
  const kids = childElements(value)
  // eduPersonTargetedID carries a NameID inside the value.
  if (kids.length === 1 && isElement(kids[0], NS.assertion, 'NameID')) return trimmedText(kids[0])
  return trimmedText(value)
}

function readAttributes(assertion: Element): SamlAttribute[] {
  const out: SamlAttribute[] = []
  for (const statement of childrenNamed(assertion, NS.assertion, 'AttributeStatement')) {
    for (const el of childElements(statement)) {
      if (!isElement(el, NS.assertion, 'Attribute'))
        fail(
          'ERR_SAML_STRUCTURE',
          `AttributeStatement may not contain <${(el as Element).localName}> (EncryptedAttribute is not supported)`,
        )
      const name = attr(el, 'Name')
      if (!name) fail('ERR_SAML_MALFORMED', 'an Attribute has no Name')
      const values: string[] = []
      for (const v of childElements(el)) {
        if (!isElement(v, NS.assertion, 'AttributeValue'))
          fail('ERR_SAML_STRUCTURE', `Attribute may not contain <${(v as Element).localName}>`)
        const text = readAttributeValue(v)
        if (text !== undefined) values.push(text)
      }
      const friendlyName = attr(el, 'FriendlyName')
      const nameFormat = attr(el, 'NameFormat')
      out.push({
        name,
        ...(friendlyName !== undefined ? { friendlyName } : {}),
        ...(nameFormat !== undefined ? { nameFormat } : {}),
        values,
      })
    }
  }
  return out
}

/**
 * Validates a parsed SAML Response for one IdP, strictly and fail-closed, and returns what it
 * asserts. Synchronous and cache-free: InResponseTo and replay checks are the caller's (they need
 * shared state). Every failure is a `SamlError` with a 4xx code; see docs/security.md for each rule.
 * The signatures it verifies are removed from `doc` (the enveloped transform), so parse anew to
 * validate the same message twice.
 *
 * @example
 * ```ts
 * import { decodeSamlResponse, MESSAGE_XML_LIMITS, validateResponse } from 'passport-saml-multi-idp'
 * const doc = decodeSamlResponse(req.body.SAMLResponse, MESSAGE_XML_LIMITS)
 * const assertion = validateResponse(doc, policy, Date.now()) // policy: ResponsePolicy for the IdP
 * console.log(assertion.nameID, assertion.attributes)
 * ```
 */
export function validateResponse(doc: Document, policy: ResponsePolicy, now: number): ValidatedAssertion {
  try {
    return validateParsedResponse(doc, policy, now)
  } catch (err) {
    throw asSamlError(err)
  }
}

/**
 * Fail-closed backstop: every check above throws a typed `SamlError`; anything else (a DOM or
 * canonicalization library surprised by hostile input) becomes `ERR_SAML_MALFORMED` with the
 * original as `cause`, so a caller never sees an untyped error for bad input.
 */
function asSamlError(err: unknown): SamlError {
  if (err instanceof SamlError) return err
  return new SamlError('the response could not be processed', 'ERR_SAML_MALFORMED', { cause: err })
}

function validateParsedResponse(doc: Document, policy: ResponsePolicy, now: number): ValidatedAssertion {
  const response = doc.documentElement
  if (!isElement(response, NS.protocol, 'Response'))
    fail('ERR_SAML_MALFORMED', 'the message is not a SAML 2.0 Response')
  if (attr(response, 'Version') !== '2.0') fail('ERR_SAML_MALFORMED', 'the Response is not SAML version 2.0')
  const responseId = attr(response, 'ID')
  if (!responseId) fail('ERR_SAML_MALFORMED', 'the Response has no ID')
  requiredTime(response, 'IssueInstant')
  checkChildren(response, RESPONSE_CHILDREN)

  const responseSignature = optionalChild(response, NS.dsig, 'Signature')
  const assertions = [
    ...childrenNamed(response, NS.assertion, 'Assertion'),
    ...childrenNamed(response, NS.assertion, 'EncryptedAssertion'),
  ]
  checkDocumentShape(
    response,
    new Set([response, ...assertions]),
    assertions.length === 1 ? assertions[0] : undefined,
  )

  checkIssuer(optionalChild(response, NS.assertion, 'Issuer'), policy, 'Response', false)
  checkStatus(response)
  if (assertions.length !== 1)
    fail('ERR_SAML_STRUCTURE', `the Response holds ${assertions.length} assertions; exactly one is accepted`)

  const destination = attr(response, 'Destination')
  if (destination !== undefined && !policy.acsUrls.includes(destination)) {
    fail(
      'ERR_SAML_DESTINATION_MISMATCH',
      `the Response is addressed to "${destination.slice(0, 200)}", not this ACS (${policy.acsUrls[0]})`,
    )
  }

  let responseSigned = false
  if (responseSignature) {
    verifyEnvelopedSignature(responseSignature, response, policy)
    responseSigned = true
    // SAML bindings 3.5.5.2: a signed Response must say where it is going.
    if (destination === undefined)
      fail('ERR_SAML_DESTINATION_MISMATCH', 'the signed Response has no Destination')
  } else if (policy.wantResponseSigned) {
    fail(
      'ERR_SAML_SIGNATURE_MISSING',
      `IdP "${policy.idp}" must sign the Response (wantResponseSigned) and this one is unsigned`,
    )
  }

  let assertion = assertions[0]!
  const encrypted = isElement(assertion, NS.assertion, 'EncryptedAssertion')
  if (encrypted) {
    if (policy.decryptionKeys.length === 0) {
      fail(
        'ERR_SAML_DECRYPTION',
        'the assertion is encrypted but the SP has no decryption key (sp.decryptionKey)',
      )
    }
    assertion = decryptAssertion(assertion, {
      keys: policy.decryptionKeys,
      requireAesGcm: policy.requireAesGcm,
      limits: policy.limits,
    })
    checkDocumentShape(assertion, new Set([assertion]), assertion)
  } else if (policy.requireEncryptedAssertions) {
    fail(
      'ERR_SAML_ENCRYPTION_REQUIRED',
      `IdP "${policy.idp}" must encrypt assertions (requireEncryptedAssertions) and this one is plain`,
    )
  }

  if (attr(assertion, 'Version') !== '2.0')
    fail('ERR_SAML_MALFORMED', 'the Assertion is not SAML version 2.0')
  const assertionId = attr(assertion, 'ID')
  if (!assertionId) fail('ERR_SAML_MALFORMED', 'the Assertion has no ID')
  const issueInstant = requiredTime(assertion, 'IssueInstant')
  checkChildren(assertion, ASSERTION_CHILDREN)
  const assertionIssuerEl = childElements(assertion)[0]
  if (!isElement(assertionIssuerEl, NS.assertion, 'Issuer'))
    fail('ERR_SAML_MALFORMED', 'the Assertion must start with its Issuer')

  const assertionSignature = optionalChild(assertion, NS.dsig, 'Signature')
  let assertionSigned = false
  if (assertionSignature) {
    verifyEnvelopedSignature(assertionSignature, assertion, policy)
    assertionSigned = true
  } else if (policy.wantAssertionsSigned) {
    fail(
      'ERR_SAML_SIGNATURE_MISSING',
      `IdP "${policy.idp}" must sign the Assertion (wantAssertionsSigned) and this one is unsigned`,
    )
  }
  if (!assertionSigned && !responseSigned)
    fail('ERR_SAML_SIGNATURE_MISSING', 'neither the Response nor the Assertion is signed')

  const issuer = checkIssuer(assertionIssuerEl, policy, 'Assertion', true)!
  if (issueInstant > now + policy.clockSkewMs) {
    fail(
      'ERR_SAML_NOT_YET_VALID',
      `the assertion was issued ${seconds(issueInstant - now)} in the future; the IdP's clock or yours is off (see clockSkewMs)`,
    )
  }

  const subject = checkSubject(assertion, policy, now)
  const conditionsEnd = checkConditions(assertion, policy, now)

  // InResponseTo: trust the Response's copy only when the Response itself is signed.
  const responseInResponseTo = attr(response, 'InResponseTo')
  if (
    responseInResponseTo !== undefined &&
    subject.inResponseTo !== undefined &&
    responseInResponseTo !== subject.inResponseTo
  ) {
    fail('ERR_SAML_IN_RESPONSE_TO', 'the Response and its assertion answer different requests')
  }
  if (responseInResponseTo !== undefined && subject.inResponseTo === undefined && !responseSigned) {
    fail(
      'ERR_SAML_IN_RESPONSE_TO',
      'InResponseTo appears only on the unsigned Response, not in the signed assertion',
    )
  }
  const inResponseTo = subject.inResponseTo ?? responseInResponseTo

  const authn = childrenNamed(assertion, NS.assertion, 'AuthnStatement')
  if (authn.length !== 1)
    fail('ERR_SAML_MALFORMED', `the assertion has ${authn.length} AuthnStatements; exactly one is expected`)
  const authnStatement = authn[0]!
  const authnInstant = attr(authnStatement, 'AuthnInstant')
  requiredTime(authnStatement, 'AuthnInstant')
  const sessionNotOnOrAfterRaw = attr(authnStatement, 'SessionNotOnOrAfter')
  const sessionNotOnOrAfter = parseTime(sessionNotOnOrAfterRaw, 'SessionNotOnOrAfter')
  if (sessionNotOnOrAfter !== undefined && now - policy.clockSkewMs >= sessionNotOnOrAfter) {
    fail(
      'ERR_SAML_SESSION_EXPIRED',
      `the IdP session ended ${seconds(now - sessionNotOnOrAfter)} ago (SessionNotOnOrAfter)`,
    )
  }
  const context = optionalChild(authnStatement, NS.assertion, 'AuthnContext')
  const classRef = context && optionalChild(context, NS.assertion, 'AuthnContextClassRef')

  const expiresAt = Math.min(subject.notOnOrAfter, conditionsEnd ?? Infinity) + policy.clockSkewMs
  return {
    responseId,
    assertionId,
    issuer,
    inResponseTo,
    nameID: subject.nameID,
    nameIDFormat: subject.nameIDFormat,
    nameQualifier: subject.nameQualifier,
    spNameQualifier: subject.spNameQualifier,
    sessionIndex: attr(authnStatement, 'SessionIndex'),
    sessionNotOnOrAfter: sessionNotOnOrAfterRaw,
    authnInstant,
    authnContextClassRef: classRef ? trimmedText(classRef) : undefined,
    attributes: readAttributes(assertion),
    expiresAt,
    responseSigned,
    assertionSigned,
    encrypted,
    assertionElement: assertion,
  }
}

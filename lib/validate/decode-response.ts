import { SamlError } from '../errors/saml-error.js'
import { decodeBase64Strict } from '../xml/base64.js'
import { childElements, isElement, textContent } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import { parseXml, type XmlLimits } from '../xml/parse-xml.js'
import { asSamlError } from './validation-step.js'
import type { XmlDocument } from '../xml/tree.js'

/**
 * Decodes the posted `SAMLResponse` (strict base64) and parses it under the message limits: no DTD,
 * no processing instructions, element count and depth capped before any DOM exists.
 *
 * @throws SamlError `ERR_SAML_BAD_REQUEST`, `ERR_SAML_TOO_LARGE`, `ERR_SAML_MALFORMED`,
 *   `ERR_SAML_XML_DTD` or `ERR_SAML_XML_LIMITS`; never an untyped error.
 * @example
 * ```ts
 * import { MESSAGE_XML_LIMITS } from '../xml/parse-xml.js'
 * const doc = decodeSamlResponse(req.body.SAMLResponse, MESSAGE_XML_LIMITS)
 * ```
 */
export function decodeSamlResponse(samlResponse: unknown, limits: XmlLimits): XmlDocument {
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
 * import { MESSAGE_XML_LIMITS } from '../xml/parse-xml.js'
 * const entityId = peekIssuer(decodeSamlResponse(req.body.SAMLResponse, MESSAGE_XML_LIMITS))
 * const record = entityId ? await store.findByEntityId(entityId) : undefined
 * ```
 */
export function peekIssuer(doc: XmlDocument): string | undefined {
  const root = doc.root
  if (!isElement(root, NS.protocol, 'Response')) return undefined
  const issuer = childElements(root).find((e) => isElement(e, NS.assertion, 'Issuer'))
  if (issuer) return textContent(issuer).trim() || undefined
  // Some IdPs omit the Response Issuer; fall back to the (still unverified) assertion's.
  const assertion = childElements(root).find((e) => isElement(e, NS.assertion, 'Assertion'))
  const inner = assertion && childElements(assertion).find((e) => isElement(e, NS.assertion, 'Issuer'))
  return (inner && textContent(inner).trim()) || undefined
}

import { XMLSerializer } from '@xmldom/xmldom'
import { MESSAGE_XML_LIMITS, parseXml } from '../xml/parse-xml.js'
import { REDACTED } from './saml-trace.js'

// Matched by local name in any namespace: redacting one element too many is harmless, one too few
// is a leak, so a namespace trick must not get a value past the list.
/** Key material and signature values: never kept. */
const CRYPTO_VALUES: ReadonlySet<string> = new Set([
  'SignatureValue',
  'DigestValue',
  'X509Certificate',
  'CipherValue',
  'Modulus',
  'Exponent',
  'PublicKey',
])
/** Elements whose content identifies the user: kept only when the app opts in. */
const PERSONAL_ELEMENTS: ReadonlySet<string> = new Set(['NameID', 'AttributeValue', 'BaseID'])
/** Attributes that identify the user or their session. */
const PERSONAL_ATTRIBUTES: readonly string[] = ['Address', 'DNSName', 'SessionIndex']

/** A redacted response, and the IdP's IssueInstant it carried (epoch ms), when readable. */
export interface RedactedResponse {
  readonly xml: string
  readonly issueInstant?: number
}

/**
 * The response with signature values, digests, certificates, keys and cipher values replaced by
 * {@link REDACTED}, comments dropped and, unless `includePersonalData`, NameIDs, attribute values and
 * addresses replaced too. Undefined when it does not parse as safe XML: nothing is kept then.
 */
export function redactResponse(xml: string, includePersonalData: boolean): RedactedResponse | undefined {
  let doc: Document
  try {
    doc = parseXml(xml, MESSAGE_XML_LIMITS)
  } catch {
    return undefined
  }
  const root = doc.documentElement
  redactElement(root, includePersonalData)
  const assertion = root.getElementsByTagNameNS('*', 'Assertion')[0]
  const issueInstant = Date.parse((assertion ?? root).getAttribute('IssueInstant') ?? '')
  return {
    xml: new XMLSerializer().serializeToString(doc),
    ...(Number.isFinite(issueInstant) && { issueInstant }),
  }
}

function redactElement(el: Element, includePersonalData: boolean): void {
  const name = el.localName ?? el.nodeName
  if (CRYPTO_VALUES.has(name) || (!includePersonalData && PERSONAL_ELEMENTS.has(name))) {
    while (el.firstChild) el.removeChild(el.firstChild)
    el.appendChild(el.ownerDocument.createTextNode(REDACTED))
    return
  }
  if (!includePersonalData) {
    for (const attribute of PERSONAL_ATTRIBUTES) {
      if (el.hasAttribute(attribute)) el.setAttribute(attribute, REDACTED)
    }
  }
  for (let child = el.firstChild; child;) {
    const next = child.nextSibling
    if (child.nodeType === 1) redactElement(child as Element, includePersonalData)
    else if (child.nodeType !== 3) el.removeChild(child) // comments, processing instructions
    child = next
  }
}

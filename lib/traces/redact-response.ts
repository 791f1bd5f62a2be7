import { escapeXmlAttribute, escapeXmlText } from '../xml/escape-xml.js'
import { MESSAGE_XML_LIMITS, parseXml } from '../xml/parse-xml.js'
import { attr } from '../xml/read-element.js'
import type { XmlElement } from '../xml/tree.js'
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
 * Written from the parsed tree (the same reader the validator uses), so what is kept is what was read.
 */
export function redactResponse(xml: string, includePersonalData: boolean): RedactedResponse | undefined {
  let root: XmlElement
  try {
    root = parseXml(xml, MESSAGE_XML_LIMITS).root
  } catch {
    return undefined
  }
  const assertion = findAssertion(root)
  const issueInstant = Date.parse(attr(assertion ?? root, 'IssueInstant') ?? '')
  return {
    xml: writeRedacted(root, includePersonalData),
    ...(Number.isFinite(issueInstant) && { issueInstant }),
  }
}

/** The first element named Assertion (any namespace) in document order. */
function findAssertion(el: XmlElement): XmlElement | undefined {
  for (const child of el.children) {
    if (child.type !== 'element') continue
    if (child.localName === 'Assertion') return child
    const found = findAssertion(child)
    if (found) return found
  }
  return undefined
}

/** The element as XML, with its namespace declarations and attributes as written, redacted. */
function writeRedacted(el: XmlElement, includePersonalData: boolean): string {
  let out = `<${el.name}`
  for (const ns of el.namespaces) {
    out += ` ${ns.prefix === '' ? 'xmlns' : `xmlns:${ns.prefix}`}="${escapeXmlAttribute(ns.uri)}"`
  }
  for (const a of el.attributes) {
    const value = !includePersonalData && PERSONAL_ATTRIBUTES.includes(a.localName) ? REDACTED : a.value
    out += ` ${a.name}="${escapeXmlAttribute(value)}"`
  }
  out += '>'
  if (CRYPTO_VALUES.has(el.localName) || (!includePersonalData && PERSONAL_ELEMENTS.has(el.localName))) {
    out += REDACTED
  } else {
    for (const child of el.children) {
      if (child.type === 'element') out += writeRedacted(child, includePersonalData)
      else if (child.type === 'text') out += escapeXmlText(child.text)
      // comments are dropped
    }
  }
  return `${out}</${el.name}>`
}

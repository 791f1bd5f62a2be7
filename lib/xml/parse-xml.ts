import { parseXml as parseWellFormed } from '@rgrove/parse-xml'
import { SamlError } from '../errors/saml-error.js'
import { resolveNamespaces } from './resolve-namespaces.js'
import type { XmlDocument, XmlElement } from './tree.js'

/** The code a malformed document gets: a protocol message's, or metadata's. */
export type XmlErrorCode = 'ERR_SAML_MALFORMED' | 'ERR_SAML_METADATA_INVALID'

/** Caps enforced before and during parsing, so hostile input costs little. */
export interface XmlLimits {
  /** Maximum size of the XML text, in UTF-16 code units (≈ bytes for SAML's ASCII). */
  readonly maxBytes: number
  /** Maximum number of elements. */
  readonly maxElements: number
  /** Maximum element nesting depth. */
  readonly maxDepth: number
}

/** Limits for SAML protocol messages: a 150-group Entra response has ~400 elements at depth 7. */
export const MESSAGE_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 256 * 1024,
  maxElements: 4000,
  maxDepth: 24,
})

/** Limits for IdP metadata, which can list many entities and certificates. */
export const METADATA_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 8 * 1024 * 1024,
  maxElements: 200_000,
  maxDepth: 32,
})

const LT = 0x3c // <
const GT = 0x3e // >
const SLASH = 0x2f
const BANG = 0x21
const QUESTION = 0x3f
const DQUOTE = 0x22
const SQUOTE = 0x27

/** True for the XML whitespace characters (space, tab, CR, LF). */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
}

/**
 * A start tag from its `<`: a name, then (after a space or `/`) anything but `<`, `>` and quotes,
 * and quoted values (which may hold `>`). Each part must be followed by a character the part
 * before cannot hold, so a failed match backtracks in constant time per character: linear, even on
 * a 256 KB name with no end.
 */
const START_TAG = /<([^\s/>"'<]+)(?:[\s/][^<>"']*)?(?:(?:"[^"]*"|'[^']*')[^<>"']*)*>/y

/** The index of the `>` ending the end tag at `i` when it closes `expected` (`</name` + spaces), else -1. */
function endOfEndTag(xml: string, i: number, expected: string): number {
  if (!xml.startsWith(expected, i + 2)) return -1
  let k = i + 2 + expected.length
  while (k < xml.length && isSpace(xml.charCodeAt(k))) k++
  return xml.charCodeAt(k) === GT ? k : -1
}

/** Why the end tag at `i` does not close `expected` (only called on failure). */
function endTagMismatch(xml: string, i: number, expected: string | undefined): string {
  const end = xml.indexOf('>', i + 2)
  if (end === -1) return 'an unterminated end tag'
  let nameEnd = end
  while (nameEnd > i + 2 && isSpace(xml.charCodeAt(nameEnd - 1))) nameEnd--
  const name = xml.slice(i + 2, nameEnd)
  return expected === undefined
    ? `an end tag </${name.slice(0, 40)}> with no open element`
    : `</${name.slice(0, 40)}> closes <${expected.slice(0, 40)}>`
}

/** Why the start tag at `i` did not match {@link START_TAG} (only called on failure). */
function startTagFault(xml: string, i: number): string {
  let quote = 0
  for (let j = i + 1; j < xml.length; j++) {
    const c = xml.charCodeAt(j)
    if (quote !== 0) {
      if (c === quote) quote = 0
    } else if (c === DQUOTE || c === SQUOTE) {
      quote = c
    } else if (c === GT) {
      return 'a start tag without a name'
    } else if (c === LT) {
      return '"<" inside a tag'
    }
  }
  return 'an unterminated start tag'
}

/**
 * One linear pass over the text, before any DOM exists: rejects DTDs (and so every entity trick),
 * processing instructions other than the XML declaration, and documents over the element or depth
 * caps. Start and end tags are matched by name on a stack of at most `maxDepth` names, so the depth
 * cap cannot be dodged with stray end tags (which lenient parsers tolerate) and content after the root
 * element is refused. A 20k-element response is refused here in well under a millisecond.
 */
export function scanXml(xml: string, limits: XmlLimits, errorCode: XmlErrorCode): void {
  if (xml.length > limits.maxBytes) {
    throw new SamlError(`XML is ${xml.length} bytes; the limit is ${limits.maxBytes}`, 'ERR_SAML_TOO_LARGE')
  }
  const malformed = (message: string): never => {
    throw new SamlError(`XML is not well formed: ${message}`, errorCode)
  }
  const open: string[] = []
  let elements = 0
  let rootClosed = false
  let i = xml.indexOf('<')
  const n = xml.length
  while (i !== -1 && i < n) {
    const next = xml.charCodeAt(i + 1)
    if (next === BANG) {
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4)
        if (end === -1) malformed('an unterminated comment')
        i = xml.indexOf('<', end + 3)
        continue
      }
      if (xml.startsWith('<![CDATA[', i)) {
        if (open.length === 0) malformed('a CDATA section outside the root element')
        const end = xml.indexOf(']]>', i + 9)
        if (end === -1) malformed('an unterminated CDATA section')
        i = xml.indexOf('<', end + 3)
        continue
      }
      throw new SamlError(
        'XML must not contain a DOCTYPE or any other declaration (<!…>)',
        'ERR_SAML_XML_DTD',
      )
    }
    if (next === QUESTION) {
      const end = xml.indexOf('?>', i + 2)
      if (end === -1) malformed('an unterminated processing instruction')
      const target = /^<\?([^\s?]*)/.exec(xml.slice(i, Math.min(end, i + 16)))?.[1] ?? ''
      if (target.toLowerCase() !== 'xml' || i !== xml.indexOf('<')) {
        throw new SamlError('XML must not contain processing instructions', errorCode)
      }
      i = xml.indexOf('<', end + 2)
      continue
    }
    if (next === SLASH) {
      const expected = open.pop()
      const end = expected === undefined ? -1 : endOfEndTag(xml, i, expected)
      if (end === -1) malformed(endTagMismatch(xml, i, expected))
      if (open.length === 0) rootClosed = true
      i = xml.indexOf('<', end + 1)
      continue
    }
    // A start tag: find its end, skipping quoted attribute values (which may contain '>').
    if (rootClosed) malformed('content after the root element')
    elements++
    if (elements > limits.maxElements) {
      throw new SamlError(`XML has more than ${limits.maxElements} elements`, 'ERR_SAML_XML_LIMITS')
    }
    START_TAG.lastIndex = i
    const tag = START_TAG.exec(xml) ?? malformed(startTagFault(xml, i))
    const j = START_TAG.lastIndex - 1 // the closing '>'
    if (xml.charCodeAt(j - 1) === SLASH) {
      if (open.length === 0) rootClosed = true
    } else {
      if (open.length >= limits.maxDepth) {
        throw new SamlError(`XML nests deeper than ${limits.maxDepth} elements`, 'ERR_SAML_XML_LIMITS')
      }
      open.push(tag[1]!)
    }
    i = xml.indexOf('<', j + 1)
  }
  if (open.length > 0) malformed(`<${open[open.length - 1]!.slice(0, 40)}> is never closed`)
  if (elements === 0) malformed('no root element')
}

/**
 * Parses untrusted XML into the one tree the library reads ({@link XmlDocument}): {@link scanXml}
 * first, then `@rgrove/parse-xml` (a conformant XML 1.0 parser: it refuses `<` in attribute values,
 * `]]>` in text, undefined entities and characters XML cannot carry, which xmldom 0.8 let through),
 * then our namespace pass ({@link resolveNamespaces}). U+0085 and U+2028 are kept as they are (XML
 * 1.0 does not treat them as line ends). Throws `SamlError` (`errorCode` for malformed input, or the
 * limit and DTD codes).
 *
 * @example
 * ```ts
 * const { root } = parseXml('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>', MESSAGE_XML_LIMITS)
 * root.namespaceURI // 'urn:oasis:names:tc:SAML:2.0:protocol'
 * ```
 */
export function parseXml(
  xml: string,
  limits: XmlLimits,
  errorCode: XmlErrorCode = 'ERR_SAML_MALFORMED',
): XmlDocument {
  return { root: parseRoot(xml, limits, errorCode, null) }
}

/**
 * Parses an element that sits inside `context` (a decrypted element, which XML Encryption 4.3 has
 * the decryptor parse where its EncryptedData was): `context`'s namespace bindings are in scope
 * and it is the returned element's parent, so prefix lookups and inclusive c14n see its ancestors.
 */
export function parseXmlInContext(
  xml: string,
  limits: XmlLimits,
  errorCode: XmlErrorCode,
  context: XmlElement,
): XmlElement {
  return parseRoot(xml, limits, errorCode, context)
}

function parseRoot(
  xml: string,
  limits: XmlLimits,
  errorCode: XmlErrorCode,
  context: XmlElement | null,
): XmlElement {
  scanXml(xml, limits, errorCode)
  let root
  try {
    // Line ends are normalized before parsing, as XML 1.0 (2.11) says: parse-xml normalizes each
    // text node with a loop that is quadratic in the number of CRs.
    root = parseWellFormed(xml.includes('\r') ? xml.replace(/\r\n?/g, '\n') : xml, {
      preserveComments: true,
    }).root
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : 'parse error'
    throw new SamlError(`XML is not well formed: ${message}`, errorCode, { cause: err })
  }
  if (!root) throw new SamlError('XML has no root element', errorCode)
  return resolveNamespaces(root, errorCode, context)
}

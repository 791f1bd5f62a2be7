import { DOMParser } from '@xmldom/xmldom'
import { SamlError } from '../errors/saml-error.js'

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

/**
 * One linear pass over the text, before any DOM exists: rejects DTDs (and so every entity trick),
 * processing instructions other than the XML declaration, and documents over the element or depth
 * caps. A 20k-element response is refused here in well under a millisecond.
 */
export function scanXml(
  xml: string,
  limits: XmlLimits,
  errorCode: 'ERR_SAML_MALFORMED' | 'ERR_SAML_METADATA_INVALID',
): void {
  if (xml.length > limits.maxBytes) {
    throw new SamlError(`XML is ${xml.length} bytes; the limit is ${limits.maxBytes}`, 'ERR_SAML_TOO_LARGE')
  }
  let elements = 0
  let depth = 0
  let i = xml.indexOf('<')
  const n = xml.length
  while (i !== -1 && i < n) {
    const next = xml.charCodeAt(i + 1)
    if (next === BANG) {
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4)
        if (end === -1) throw new SamlError('XML has an unterminated comment', errorCode)
        i = xml.indexOf('<', end + 3)
        continue
      }
      if (xml.startsWith('<![CDATA[', i)) {
        const end = xml.indexOf(']]>', i + 9)
        if (end === -1) throw new SamlError('XML has an unterminated CDATA section', errorCode)
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
      if (end === -1) throw new SamlError('XML has an unterminated processing instruction', errorCode)
      const target = /^<\?([^\s?]*)/.exec(xml.slice(i, Math.min(end, i + 16)))?.[1] ?? ''
      if (target.toLowerCase() !== 'xml' || i !== xml.indexOf('<')) {
        throw new SamlError('XML must not contain processing instructions', errorCode)
      }
      i = xml.indexOf('<', end + 2)
      continue
    }
    if (next === SLASH) {
      depth--
      const end = xml.indexOf('>', i + 2)
      if (end === -1) throw new SamlError('XML has an unterminated end tag', errorCode)
      i = xml.indexOf('<', end + 1)
      continue
    }
    // A start tag: find its end, skipping quoted attribute values (which may contain '>').
    elements++
    if (elements > limits.maxElements) {
      throw new SamlError(`XML has more than ${limits.maxElements} elements`, 'ERR_SAML_XML_LIMITS')
    }
    let j = i + 1
    let quote = 0
    for (; j < n; j++) {
      const c = xml.charCodeAt(j)
      if (quote !== 0) {
        if (c === quote) quote = 0
      } else if (c === DQUOTE || c === SQUOTE) {
        quote = c
      } else if (c === GT) {
        break
      } else if (c === LT) {
        throw new SamlError('XML has "<" inside a tag', errorCode)
      }
    }
    if (j >= n) throw new SamlError('XML has an unterminated start tag', errorCode)
    if (xml.charCodeAt(j - 1) !== SLASH) {
      depth++
      if (depth > limits.maxDepth) {
        throw new SamlError(`XML nests deeper than ${limits.maxDepth} elements`, 'ERR_SAML_XML_LIMITS')
      }
    }
    i = xml.indexOf('<', j + 1)
  }
}

/**
 * Parses untrusted XML: {@link scanXml} first, then xmldom with every warning and error fatal.
 * Throws `SamlError` (`errorCode` for malformed input, or the limit and DTD codes).
 */
export function parseXml(
  xml: string,
  limits: XmlLimits,
  errorCode: 'ERR_SAML_MALFORMED' | 'ERR_SAML_METADATA_INVALID' = 'ERR_SAML_MALFORMED',
): Document {
  scanXml(xml, limits, errorCode)
  const fail = (msg: string): never => {
    throw new SamlError(`XML is not well formed: ${String(msg).split('\n')[0]}`, errorCode)
  }
  let doc: Document
  try {
    doc = new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail } }).parseFromString(
      xml,
      'text/xml',
    ) as unknown as Document
  } catch (err) {
    if (err instanceof SamlError) throw err
    throw new SamlError('XML is not well formed', errorCode, { cause: err })
  }
  if (!doc || !doc.documentElement) throw new SamlError('XML has no root element', errorCode)
  return doc
}

/**
 * Escaping for the XML this library writes. The five markup characters are escaped; line ends and
 * whitespace a parser would otherwise normalize (CR, NEL and LS in text; TAB and LF too in
 * attributes) become character references, so they round-trip. A character XML 1.0 cannot carry
 * at all is a `TypeError`, never stripped or replaced, so what is signed is what the caller gave.
 * The references used (`&quot;`, `&#39;`, numeric ones) mean the same in HTML, so the POST
 * binding's form reuses these.
 *
 * @module
 */

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. With the
// `u` flag a lone surrogate is its own code point, outside every range, so it is caught too.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u
// U+0085 and U+2028 too: @xmldom/xmldom (node-saml, samlify) reads them as line ends, as XML
// 1.1 does, and would hand back LF or a space; a character reference reaches every parser intact.
const TEXT_SPECIAL = /[&<>"'\r\u0085\u2028]/
const ATTRIBUTE_SPECIAL = /[&<>"'\t\n\r\u0085\u2028]/
const TEXT_SPECIAL_ALL = /[&<>"'\r\u0085\u2028]/g
const ATTRIBUTE_SPECIAL_ALL = /[&<>"'\t\n\r\u0085\u2028]/g

const REFERENCES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\u0085': '&#133;',
  '\u2028': '&#8232;',
}

function refuseNonXml(value: string, name: string): void {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`)
  const match = NOT_XML_CHAR.exec(value)
  if (match) {
    const code = match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
    throw new TypeError(
      `${name} contains U+${code} at index ${match.index}, which XML 1.0 cannot carry; remove it before sending`,
    )
  }
}

/**
 * Escapes `value` for element content. Throws a `TypeError` naming `name` when `value` holds a
 * character XML 1.0 cannot carry (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, lone surrogates,
 * U+FFFE, U+FFFF).
 *
 * @example
 * escapeXmlText('Tom & Jerry <tj@example.com>') // 'Tom &amp; Jerry &lt;tj@example.com&gt;'
 */
export function escapeXmlText(value: string, name = 'value'): string {
  refuseNonXml(value, name)
  return TEXT_SPECIAL.test(value) ? value.replace(TEXT_SPECIAL_ALL, (c) => REFERENCES[c]!) : value
}

/**
 * Escapes `value` for a double- or single-quoted attribute value, including TAB, LF, CR, NEL and
 * LS, which attribute-value normalization would otherwise turn into spaces. Throws a `TypeError`
 * like {@link escapeXmlText}.
 *
 * @example
 * `<saml:Issuer Format="${escapeXmlAttribute(format)}">` // a `"` in format becomes &quot;
 */
export function escapeXmlAttribute(value: string, name = 'value'): string {
  refuseNonXml(value, name)
  return ATTRIBUTE_SPECIAL.test(value) ? value.replace(ATTRIBUTE_SPECIAL_ALL, (c) => REFERENCES[c]!) : value
}

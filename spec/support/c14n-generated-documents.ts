// Seeded random documents for the c14n comparisons: namespace declarations, redeclarations and
// `xmlns=""` undeclarations at every level, prefixes and URIs chosen so that code-point order, UTF-16
// order and localeCompare disagree, attributes that sort by (namespace URI, local name) differently
// from their concatenation, character references in text and attribute values, CDATA, CR/LF/TAB,
// `xml:*` attributes on ancestors, comments and whitespace-only text. Always namespace-well-formed.

import { Rng } from './rng.js'

/**
 * `a` < `B` under localeCompare, `B` < `a` by code point; U+FFFD < U+10000 by code point, not by
 * UTF-16 unit.
 */
export const PREFIXES = ['a', 'B', 'b', 'n1', 'n10', 'n2', '_p', 'é', '\uFFFD', '\u{10000}'] as const
/**
 * `urn:a` + `z` sorts after `urn:ab` + `a` when concatenated, before it as (URI, local name).
 * ASCII only: libxml2's c14n refuses a namespace name that is not a URI. No `&`: libxml2 writes it
 * unescaped in a namespace declaration, where the recommendation escapes it as in any attribute
 * (see the edge cases in spec/xmldsig/c14n-libxml2.spec.ts).
 */
const URIS = ['urn:a', 'urn:ab', 'urn:b', 'urn:B', 'http://example.org/B', 'urn:x:%C3%A9', 'urn:q?a=1;b=2']
const LOCAL_NAMES = ['a', 'z', 'B', 'attr', 'attr2', '_', 'é', '\uFFFDx', '\u{10000}x']
const VALUES = [
  '',
  'plain',
  'a &amp; b',
  '&lt;x&gt; >',
  '&quot;q&quot;',
  "it's",
  '&#9;tab&#10;lf&#13;cr&#xD;&#xA;',
  'literal\ttab\nand\r\nnewlines',
  '  spaced   out  ',
  '\u00e9\u{10000}\uFFFD',
]
const TEXTS = [
  '\n  ',
  'x &amp; y',
  '&lt;tag&gt; and > alone',
  ']]&gt;',
  'cr&#13;lf&#10;tab&#9;',
  'crlf\r\nlf\ncr\r.',
  '"quoted" \'single\'',
  '<![CDATA[a<b&c>d]]>',
  '\u00e9\u{10000}',
  '<!-- a comment -->',
]

export interface GeneratedDocument {
  xml: string
  /** The element carrying `ID="target"` (deepest first choice), as `namespaceURI:localName` or `localName`. */
  target: string
}

export interface GenerateOptions {
  /** No comments (xmllint writes them). */
  comments?: boolean
  /** Put this text as the first child of the target element (a Signature template). */
  insideTarget?: string
}

/** A random namespace-well-formed document, the same for the same seed. */
export function generateDocument(seed: number, options: GenerateOptions = {}): GeneratedDocument {
  const rng = new Rng(seed)
  const texts = options.comments === false ? TEXTS.filter((t) => !t.startsWith('<!--')) : TEXTS
  const maxDepth = 2 + rng.int(3)
  const targetDepth = 1 + rng.int(maxDepth)
  let target = ''

  function element(depth: number, scope: ReadonlyMap<string, string>): string {
    const inScope = new Map(scope)
    const parts: string[] = []
    const declared = new Set<string>()
    for (let n = rng.int(3); n > 0; n--) {
      const prefix = rng.pick(PREFIXES)
      if (declared.has(prefix)) continue
      declared.add(prefix)
      // Sometimes a redundant redeclaration, which c14n must not write again.
      const uri = rng.next() < 0.3 && scope.has(prefix) ? scope.get(prefix)! : rng.pick(URIS)
      parts.push(` xmlns:${prefix}="${uri}"`)
      inScope.set(prefix, uri)
    }
    const defaultRoll = rng.next()
    if (defaultRoll < 0.25) {
      const uri = rng.pick(URIS)
      parts.push(` xmlns="${uri}"`)
      inScope.set('', uri)
    } else if (defaultRoll < 0.35) {
      parts.push(' xmlns=""')
      inScope.set('', '')
    }
    const prefixes = [...inScope.keys()].filter((p) => p !== '')
    const prefix = prefixes.length > 0 && rng.next() < 0.6 ? rng.pick(prefixes) : ''
    const isTarget = depth === targetDepth && target === ''
    const localName = isTarget ? 'Target' : rng.pick(['e', 'doc', 'Item', 'x'])
    const name = prefix ? `${prefix}:${localName}` : localName
    if (isTarget) {
      const ns = inScope.get(prefix) ?? ''
      target = ns ? `${ns}:Target` : 'Target'
    }

    // Attributes unique by expanded name (namespace URI + local name).
    const seen = new Set<string>()
    if (isTarget) parts.push(' ID="target"')
    for (let n = rng.int(5); n > 0; n--) {
      const attrPrefix = prefixes.length > 0 && rng.next() < 0.5 ? rng.pick(prefixes) : ''
      const local = rng.pick(LOCAL_NAMES)
      const key = `${attrPrefix ? inScope.get(attrPrefix) : ''}|${local}`
      if (seen.has(key)) continue
      seen.add(key)
      const quote = rng.next() < 0.5 ? '"' : "'"
      const value = rng.pick(VALUES).replace(quote === '"' ? /"/g : /'/g, quote === '"' ? '&quot;' : '&apos;')
      parts.push(` ${attrPrefix ? `${attrPrefix}:` : ''}${local}=${quote}${value}${quote}`)
    }
    if (rng.next() < 0.3) parts.push(` xml:lang="${rng.pick(['en', 'fr', ''])}"`)
    if (rng.next() < 0.15) parts.push(` xml:space="${rng.pick(['default', 'preserve'])}"`)

    // Declarations and attributes interleaved in a random order, as a parser must accept them.
    for (let i = parts.length - 1; i > 0; i--) {
      const j = rng.int(i + 1)
      ;[parts[i], parts[j]] = [parts[j]!, parts[i]!]
    }
    let content = isTarget && options.insideTarget ? options.insideTarget : ''
    let childCount = depth < maxDepth ? rng.int(4) : 0
    // The path to the target's depth always exists.
    if (target === '' && depth < targetDepth) childCount = Math.max(childCount, 1)
    for (let i = 0; i < childCount; i++) {
      if (rng.next() < 0.5) content += rng.pick(texts)
      content += element(depth + 1, inScope)
    }
    if (rng.next() < 0.5) content += rng.pick(texts)
    if (content === '' && !isTarget && rng.next() < 0.5) return `<${name}${parts.join('')}/>`
    return `<${name}${parts.join('')}>${content}</${name}>`
  }

  const xml = element(0, new Map())
  return { xml, target }
}

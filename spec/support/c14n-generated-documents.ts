// Seeded random documents for the c14n comparisons: namespace declarations, redeclarations and
// `xmlns=""` undeclarations at every level, prefixes and URIs chosen so that code-point order, UTF-16
// order and localeCompare disagree, attributes that sort by (namespace URI, local name) differently
// from their concatenation, character references in text and attribute values, CDATA, CR/LF/TAB,
// `xml:*` attributes on ancestors, comments and whitespace-only text. Always namespace-well-formed.

/** A small seeded PRNG (mulberry32): the same seed gives the same document on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

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
  const rnd = random(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!
  const texts = options.comments === false ? TEXTS.filter((t) => !t.startsWith('<!--')) : TEXTS
  const maxDepth = 2 + Math.floor(rnd() * 3)
  const targetDepth = 1 + Math.floor(rnd() * maxDepth)
  let target = ''

  function element(depth: number, scope: ReadonlyMap<string, string>): string {
    const inScope = new Map(scope)
    const parts: string[] = []
    const declared = new Set<string>()
    for (let n = Math.floor(rnd() * 3); n > 0; n--) {
      const prefix = pick(PREFIXES)
      if (declared.has(prefix)) continue
      declared.add(prefix)
      // Sometimes a redundant redeclaration, which c14n must not write again.
      const uri = rnd() < 0.3 && scope.has(prefix) ? scope.get(prefix)! : pick(URIS)
      parts.push(` xmlns:${prefix}="${uri}"`)
      inScope.set(prefix, uri)
    }
    const defaultRoll = rnd()
    if (defaultRoll < 0.25) {
      const uri = pick(URIS)
      parts.push(` xmlns="${uri}"`)
      inScope.set('', uri)
    } else if (defaultRoll < 0.35) {
      parts.push(' xmlns=""')
      inScope.set('', '')
    }
    const prefixes = [...inScope.keys()].filter((p) => p !== '')
    const prefix = prefixes.length > 0 && rnd() < 0.6 ? pick(prefixes) : ''
    const isTarget = depth === targetDepth && target === ''
    const localName = isTarget ? 'Target' : pick(['e', 'doc', 'Item', 'x'])
    const name = prefix ? `${prefix}:${localName}` : localName
    if (isTarget) {
      const ns = inScope.get(prefix) ?? ''
      target = ns ? `${ns}:Target` : 'Target'
    }

    // Attributes unique by expanded name (namespace URI + local name).
    const seen = new Set<string>()
    if (isTarget) parts.push(' ID="target"')
    for (let n = Math.floor(rnd() * 5); n > 0; n--) {
      const attrPrefix = prefixes.length > 0 && rnd() < 0.5 ? pick(prefixes) : ''
      const local = pick(LOCAL_NAMES)
      const key = `${attrPrefix ? inScope.get(attrPrefix) : ''}|${local}`
      if (seen.has(key)) continue
      seen.add(key)
      const quote = rnd() < 0.5 ? '"' : "'"
      const value = pick(VALUES).replace(quote === '"' ? /"/g : /'/g, quote === '"' ? '&quot;' : '&apos;')
      parts.push(` ${attrPrefix ? `${attrPrefix}:` : ''}${local}=${quote}${value}${quote}`)
    }
    if (rnd() < 0.3) parts.push(` xml:lang="${pick(['en', 'fr', ''])}"`)
    if (rnd() < 0.15) parts.push(` xml:space="${pick(['default', 'preserve'])}"`)

    // Declarations and attributes interleaved in a random order, as a parser must accept them.
    for (let i = parts.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1))
      ;[parts[i], parts[j]] = [parts[j]!, parts[i]!]
    }
    let content = isTarget && options.insideTarget ? options.insideTarget : ''
    let childCount = depth < maxDepth ? Math.floor(rnd() * 4) : 0
    // The path to the target's depth always exists.
    if (target === '' && depth < targetDepth) childCount = Math.max(childCount, 1)
    for (let i = 0; i < childCount; i++) {
      if (rnd() < 0.5) content += pick(texts)
      content += element(depth + 1, inScope)
    }
    if (rnd() < 0.5) content += pick(texts)
    if (content === '' && !isTarget && rnd() < 0.5) return `<${name}${parts.join('')}/>`
    return `<${name}${parts.join('')}>${content}</${name}>`
  }

  const xml = element(0, new Map())
  return { xml, target }
}

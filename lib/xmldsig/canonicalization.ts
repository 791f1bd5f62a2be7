import { SamlError } from '../errors/saml-error.js'
import { NS } from '../xml/namespaces.js'
import { attr, childElements, isElement } from '../xml/read-element.js'
import type { XmlAttribute, XmlElement, XmlNamespaceDeclaration, XmlNode } from '../xml/tree.js'
import { C14N, EXC_C14N } from './algorithms.js'

/**
 * The canonicalizations a signature may use, for SignedInfo and as the Reference's last transform:
 * exclusive c14n (what SAML IdPs use, optionally with `InclusiveNamespaces`) and inclusive c14n 1.0
 * (legal in XML-DSig, and what some older and in-house IdPs sign with). The `#WithComments`
 * variants are refused: comments inside signed content are how NameID-truncation attacks begin,
 * and no SAML IdP needs them.
 */
export interface Canonicalization {
  readonly algorithm: typeof EXC_C14N | typeof C14N
  /** Exclusive c14n only: prefixes treated inclusively (`InclusiveNamespaces PrefixList`, `#default` included). */
  readonly prefixList: readonly string[]
}

/** What XML-DSig applies when a Reference's transforms end without one: inclusive c14n 1.0. */
export const IMPLICIT_CANONICALIZATION: Canonicalization = Object.freeze({ algorithm: C14N, prefixList: [] })

const XML_NS = 'http://www.w3.org/XML/1998/namespace'

function structure(message: string): SamlError {
  return new SamlError(`signature is not in the accepted form: ${message}`, 'ERR_SAML_STRUCTURE')
}

/** True for the two accepted canonicalization algorithm URIs. */
export function isCanonicalizationAlgorithm(algorithm: string | null | undefined): boolean {
  return algorithm === EXC_C14N || algorithm === C14N
}

/**
 * Reads a `CanonicalizationMethod` or a canonicalizing `Transform`. Exclusive c14n may carry one
 * `InclusiveNamespaces`; inclusive c14n takes no parameters. The caller has checked the algorithm.
 */
export function readCanonicalization(method: XmlElement): Canonicalization {
  const algorithm = attr(method, 'Algorithm') === C14N ? C14N : EXC_C14N
  const kids = childElements(method)
  if (kids.length === 0) return { algorithm, prefixList: [] }
  if (algorithm === C14N) throw structure('inclusive c14n takes no parameters')
  if (kids.length !== 1 || !isElement(kids[0], NS.excC14n, 'InclusiveNamespaces')) {
    throw structure('a canonicalization method may only carry InclusiveNamespaces')
  }
  // PrefixList is xs:NMTOKENS: separated by XML whitespace only (not U+00A0, U+2028, …).
  const prefixList = (attr(kids[0], 'PrefixList') ?? '').split(/[ \t\r\n]+/).filter((p) => p !== '')
  return { algorithm, prefixList }
}

/**
 * Orders by Unicode code point, as both recommendations require. UTF-16 order (`<`) differs only
 * where a surrogate (a code point above U+FFFF) meets U+E000–U+FFFF; `localeCompare` differs far more.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800 && y >= 0xd800) {
      x = x < 0xe000 ? x + 0x2000 : x - 0x800
      y = y < 0xe000 ? y + 0x2000 : y - 0x800
    }
    return x - y
  }
  return a.length - b.length
}

/** Attributes by namespace URI, then local name (unqualified ones first: their URI is empty). */
function compareAttributes(a: XmlAttribute, b: XmlAttribute): number {
  return compareCodePoints(a.namespaceURI, b.namespaceURI) || compareCodePoints(a.localName, b.localName)
}

/** True when `attributes` are already in canonical order (most are): no copy and sort needed. */
function inOrder(attributes: readonly XmlAttribute[]): boolean {
  for (let i = 1; i < attributes.length; i++) {
    if (compareAttributes(attributes[i - 1]!, attributes[i]!) > 0) return false
  }
  return true
}

function compareDeclarations(a: XmlNamespaceDeclaration, b: XmlNamespaceDeclaration): number {
  return compareCodePoints(a.prefix, b.prefix)
}

/** The references c14n §2.3 writes for the characters below `>`, by code: one table per context. */
function referenceTable(refs: Record<string, string>): ReadonlyArray<string | undefined> {
  const table: Array<string | undefined> = new Array(0x3f).fill(undefined)
  for (const [char, ref] of Object.entries(refs)) table[char.charCodeAt(0)] = ref
  return table
}

/** Text: `&`, `<`, `>` and CR (a CR left in text survived line-end normalization as `&#13;`). */
const TEXT_REFS = referenceTable({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' })
/** Attribute and namespace values: `&`, `<`, `"` and the three whitespace characters. */
const ATTRIBUTE_REFS = referenceTable({
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
})

/**
 * Finds the first character needing a reference with one native scan (most values have none), then
 * copies the slices between the characters that do.
 */
function escape(s: string, refs: ReadonlyArray<string | undefined>, special: RegExp): string {
  let i = s.search(special)
  if (i < 0) return s
  let out = ''
  let from = 0
  for (; i < s.length; i++) {
    const code = s.charCodeAt(i)
    const ref = code < 0x3f ? refs[code] : undefined
    if (ref === undefined) continue
    out += s.slice(from, i) + ref
    from = i + 1
  }
  return out + s.slice(from)
}

const TEXT_SPECIAL = /[&<>\r]/
const ATTRIBUTE_SPECIAL = /[&<"\t\n\r]/
/** Character data as c14n writes it (§2.3). */
export const escapeText = (s: string) => escape(s, TEXT_REFS, TEXT_SPECIAL)
/** An attribute or namespace value as c14n writes it (§2.3). */
export const escapeAttribute = (s: string) => escape(s, ATTRIBUTE_REFS, ATTRIBUTE_SPECIAL)

/**
 * One pass over the subtree. `scope` holds the bindings in scope at the element being written
 * (the apex's ancestors' included), `rendered` (exclusive only) those the output ancestors wrote;
 * both are changed in place and put back from one undo log on the way out, so an element without
 * declarations costs no allocation.
 */
class C14nWriter {
  out = ''
  private readonly scope = new Map<string, string>()
  private readonly rendered = new Map<string, string>()
  private readonly undoMaps: Array<Map<string, string>> = []
  private readonly undoKeys: string[] = []
  private readonly undoValues: Array<string | undefined> = []

  constructor(
    private readonly exclusive: boolean,
    /** Exclusive: `InclusiveNamespaces` prefixes, `''` for `#default`. */
    private readonly inclusivePrefixes: readonly string[],
    private readonly omit: XmlElement | undefined,
  ) {}

  private set(map: Map<string, string>, key: string, value: string): void {
    this.undoMaps.push(map)
    this.undoKeys.push(key)
    this.undoValues.push(map.get(key))
    map.set(key, value)
  }

  private undoTo(mark: number): void {
    while (this.undoMaps.length > mark) {
      const map = this.undoMaps.pop()!
      const key = this.undoKeys.pop()!
      const value = this.undoValues.pop()
      if (value === undefined) map.delete(key)
      else map.set(key, value)
    }
  }

  /** The apex's context: the nearest binding of each prefix among its ancestors. */
  enterAncestors(apex: XmlElement): void {
    for (let el = apex.parent; el !== null; el = el.parent) {
      for (const d of el.namespaces) if (!this.scope.has(d.prefix)) this.scope.set(d.prefix, d.uri)
    }
  }

  /**
   * Exclusive c14n §3: the namespaces the element visibly utilizes (its own prefix, the default one
   * when it has none, its attributes' prefixes) and the `InclusiveNamespaces` ones in scope, each
   * unless an output ancestor already wrote the same binding. An absent or undeclared default
   * namespace counts as `''`, so `xmlns=""` is written exactly when an output ancestor wrote a
   * non-empty default.
   */
  private exclusiveDeclarations(el: XmlElement): XmlNamespaceDeclaration[] | undefined {
    let out = this.renderIfChanged(el.prefix, undefined)
    const attributes = el.attributes
    for (let i = 0; i < attributes.length; i++) {
      const prefix = attributes[i]!.prefix
      if (prefix !== '') out = this.renderIfChanged(prefix, out)
    }
    const inclusive = this.inclusivePrefixes
    for (let i = 0; i < inclusive.length; i++) {
      const p = inclusive[i]!
      if (p === '' || this.scope.has(p)) out = this.renderIfChanged(p, out)
    }
    return out
  }

  /**
   * Adds `prefix`'s binding to `out` (allocated on first use) unless it is what the output already
   * has. The `xml` prefix is bound by definition and never written.
   */
  private renderIfChanged(
    prefix: string,
    out: XmlNamespaceDeclaration[] | undefined,
  ): XmlNamespaceDeclaration[] | undefined {
    if (prefix === 'xml') return out
    const uri = this.scope.get(prefix) ?? ''
    if (uri === '' && prefix !== '') {
      throw new SamlError(`prefix ${prefix} is used but not declared`, 'ERR_SAML_MALFORMED')
    }
    if ((this.rendered.get(prefix) ?? '') === uri) return out
    this.set(this.rendered, prefix, uri)
    out ??= []
    out.push({ prefix, uri })
    return out
  }

  /** Inclusive c14n §2.3: the apex writes every binding in scope (an undeclared default is none). */
  private inclusiveApexDeclarations(): XmlNamespaceDeclaration[] {
    const out: XmlNamespaceDeclaration[] = []
    for (const [prefix, uri] of this.scope) {
      if (prefix !== 'xml' && (prefix !== '' || uri !== '')) out.push({ prefix, uri })
    }
    return out
  }

  // Indexed loops throughout: this runs once per element of every signed element, and a `for…of`
  // allocates an iterator per loop until V8 has optimized it.
  element(el: XmlElement, apex: boolean): void {
    const mark = this.undoMaps.length
    const namespaces = el.namespaces
    let declarations: XmlNamespaceDeclaration[] | undefined
    if (this.exclusive || apex) {
      for (let i = 0; i < namespaces.length; i++) {
        const d = namespaces[i]!
        this.set(this.scope, d.prefix, d.uri)
      }
      declarations = this.exclusive ? this.exclusiveDeclarations(el) : this.inclusiveApexDeclarations()
    } else {
      // A descendant writes the declarations that change its parent's scope (c14n §2.3, §4.7):
      // `xmlns=""` only to undo a non-empty default, a redundant one not at all.
      for (let i = 0; i < namespaces.length; i++) {
        const d = namespaces[i]!
        if (d.prefix !== 'xml' && (this.scope.get(d.prefix) ?? '') !== d.uri) (declarations ??= []).push(d)
        this.set(this.scope, d.prefix, d.uri)
      }
    }

    this.out += '<' + el.name
    if (declarations !== undefined) {
      if (declarations.length > 1) declarations.sort(compareDeclarations)
      for (let i = 0; i < declarations.length; i++) {
        const d = declarations[i]!
        this.out +=
          (d.prefix === '' ? ' xmlns="' : ' xmlns:' + d.prefix + '="') + escapeAttribute(d.uri) + '"'
      }
    }
    let attributes = el.attributes
    if (apex && !this.exclusive && el.parent !== null) attributes = withInheritedXmlAttributes(el)
    if (!inOrder(attributes)) attributes = [...attributes].sort(compareAttributes)
    for (let i = 0; i < attributes.length; i++) {
      const a = attributes[i]!
      this.out += ' ' + a.name + '="' + escapeAttribute(a.value) + '"'
    }
    this.out += '>'

    this.children(el.children)
    this.out += '</' + el.name + '>'
    this.undoTo(mark)
  }

  private children(children: readonly XmlNode[]): void {
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!
      if (child.type === 'text') this.out += escapeText(child.text)
      else if (child.type === 'element' && child !== this.omit) this.element(child, false)
    }
  }
}

/**
 * Inclusive c14n 1.0 §2.4: the apex carries its ancestors' `xml:*` attributes (`xml:lang`,
 * `xml:space`, …), the nearest one of each name, unless it has its own.
 */
function withInheritedXmlAttributes(apex: XmlElement): readonly XmlAttribute[] {
  let attributes: XmlAttribute[] | undefined
  const has = (localName: string) =>
    (attributes ?? apex.attributes).some((a) => a.namespaceURI === XML_NS && a.localName === localName)
  for (let el = apex.parent; el !== null; el = el.parent) {
    for (const a of el.attributes) {
      if (a.namespaceURI !== XML_NS || has(a.localName)) continue
      attributes ??= [...apex.attributes]
      attributes.push(a)
    }
  }
  return attributes ?? apex.attributes
}

/**
 * The canonical form of the subtree at `el`, as a document subset of its document that leaves out
 * `omit` (the enveloped Signature) when it is inside. Exclusive c14n writes the namespaces the
 * subtree uses (plus the `InclusiveNamespaces` prefixes); inclusive c14n writes every binding in
 * scope and the ancestors' `xml:*` attributes, so a change to an ancestor breaks the digest.
 * Comments are never written.
 *
 * @example
 * canonicalize(assertion, { algorithm: EXC_C14N, prefixList: [] }, signature)
 */
export function canonicalize(el: XmlElement, method: Canonicalization, omit?: XmlElement): string {
  const exclusive = method.algorithm === EXC_C14N
  const prefixes = exclusive ? method.prefixList.map((p) => (p === '#default' ? '' : p)) : []
  const writer = new C14nWriter(exclusive, prefixes, omit)
  writer.enterAncestors(el)
  writer.element(el, true)
  return writer.out
}

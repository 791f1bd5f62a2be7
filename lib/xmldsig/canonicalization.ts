import { DOMParser } from '@xmldom/xmldom'
import { C14nCanonicalization, ExclusiveCanonicalization } from 'xml-crypto'
import { SamlError } from '../errors/saml-error.js'
import { attr, childElements, isElement } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import type { XmlElement } from '../xml/tree.js'
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
  /** Exclusive c14n only: prefixes treated inclusively (`InclusiveNamespaces PrefixList`). */
  readonly prefixList: readonly string[]
}

/** What XML-DSig applies when a Reference's transforms end without one: inclusive c14n 1.0. */
export const IMPLICIT_CANONICALIZATION: Canonicalization = Object.freeze({ algorithm: C14N, prefixList: [] })

const exclusive = new ExclusiveCanonicalization()
const inclusive = new C14nCanonicalization()

function structure(message: string): SamlError {
  return new SamlError(`signature is not in the accepted form: ${message}`, 'ERR_SAML_STRUCTURE')
}

/** True for the two accepted canonicalization algorithm URIs. */
export function isCanonicalizationAlgorithm(algorithm: string | undefined): boolean {
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
  const prefixList = (attr(kids[0], 'PrefixList') ?? '').split(/\s+/).filter((p) => p.length > 0)
  return { algorithm, prefixList }
}

interface NamespaceBinding {
  prefix: string
  namespaceURI: string
}

/**
 * The namespace bindings in scope at `el` from its ancestors, nearest first; `only` limits them to
 * those prefixes (exclusive c14n's `InclusiveNamespaces`). Undeclarations (`xmlns=""`) shadow outer
 * bindings but are no binding themselves. The inherited default namespace (`''`) is included for a
 * prefixed `el` only: an unprefixed one is in that namespace, and xml-crypto renders it from there
 * (given twice, it would be written twice).
 */
function ancestorBindings(el: Element, only?: ReadonlySet<string>): NamespaceBinding[] {
  const seen = new Set<string>(el.prefix ? [] : [''])
  const found: NamespaceBinding[] = []
  for (let node = el.parentNode; node && node.nodeType === 1; node = node.parentNode) {
    const attrs = (node as Element).attributes
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i]!
      let prefix: string
      if (a.prefix === 'xmlns') prefix = a.localName!
      else if (a.name === 'xmlns') prefix = ''
      else continue
      if (seen.has(prefix) || (only && !only.has(prefix))) continue
      seen.add(prefix)
      if (a.value !== '') found.push({ prefix, namespaceURI: a.value })
    }
  }
  return found
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace'

/**
 * Inclusive c14n 1.0 writes the ancestors' `xml:*` attributes (`xml:lang`, `xml:space`, …) on the
 * apex unless it has its own (§2.4); xml-crypto does not, so they are put on `el` for the call and
 * taken off again.
 */
function withInheritedXmlAttributes(el: Element, run: () => string): string {
  const added: string[] = []
  for (let node = el.parentNode; node && node.nodeType === 1; node = node.parentNode) {
    const attrs = (node as Element).attributes
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i]!
      if (a.namespaceURI !== XML_NS || el.hasAttributeNS(XML_NS, a.localName!)) continue
      el.setAttributeNS(XML_NS, `xml:${a.localName!}`, a.value)
      added.push(a.localName!)
    }
  }
  try {
    return run()
  } finally {
    for (const localName of added) el.removeAttributeNS(XML_NS, localName)
  }
}

function canonicalizeDom(el: Element, method: Canonicalization): string {
  if (method.algorithm === C14N) {
    return withInheritedXmlAttributes(el, () =>
      inclusive.process(el, { ancestorNamespaces: ancestorBindings(el) }),
    )
  }
  if (method.prefixList.length === 0) return exclusive.process(el, {})
  return exclusive.process(el, {
    inclusiveNamespacesPrefixList: [...method.prefixList],
    ancestorNamespaces: ancestorBindings(el, new Set(method.prefixList)),
  })
}

// TEMPORARY BRIDGE until the spec-exact c14n over the tree replaces this file: the subtree is
// written out (its ancestors as empty elements carrying their namespace declarations and xml:*
// attributes, which is all c14n reads of them), parsed by xmldom and canonicalized by xml-crypto.
const TEXT_REFS: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' }
const ATTR_REFS: Readonly<Record<string, string>> = { ...TEXT_REFS, '"': '&quot;', '\t': '&#9;', '\n': '&#10;' }
const escapeText = (text: string): string =>
  text.replace(/[&<>\r\u0085\u2028]/g, (c) => TEXT_REFS[c] ?? `&#${c.charCodeAt(0)};`)
const escapeAttr = (text: string): string =>
  text.replace(/[&<>"\t\n\r\u0085\u2028]/g, (c) => ATTR_REFS[c] ?? `&#${c.charCodeAt(0)};`)

function startTag(el: XmlElement, xmlOnly: boolean): string {
  let out = `<${el.name}`
  for (const ns of el.namespaces)
    out += ` ${ns.prefix ? `xmlns:${ns.prefix}` : 'xmlns'}="${escapeAttr(ns.uri)}"`
  for (const a of el.attributes)
    if (!xmlOnly || a.prefix === 'xml') out += ` ${a.name}="${escapeAttr(a.value)}"`
  return `${out}>`
}

function writeSubtree(el: XmlElement, omit: XmlElement | undefined): string {
  let out = startTag(el, false)
  for (const n of el.children) {
    if (n.type === 'element') out += n === omit ? '' : writeSubtree(n, omit)
    else if (n.type === 'text') out += escapeText(n.text)
    else out += `<!--${n.text}-->`
  }
  return `${out}</${el.name}>`
}

/**
 * The canonical form of `el` as a subtree of its document, `omit` (the enveloped Signature) left
 * out: exclusive c14n renders the namespaces the subtree uses (plus the listed inclusive
 * prefixes); inclusive c14n renders every binding in scope, the ancestors' included, so a change to
 * an ancestor's declarations breaks the digest.
 */
export function canonicalize(el: XmlElement, method: Canonicalization, omit?: XmlElement): string {
  const ancestors: XmlElement[] = []
  for (let a = el.parent; a !== null; a = a.parent) ancestors.unshift(a)
  const xml =
    ancestors.map((a) => startTag(a, true)).join('') +
    writeSubtree(el, omit) +
    ancestors
      .reverse()
      .map((a) => `</${a.name}>`)
      .join('')
  let node = new DOMParser().parseFromString(xml, 'text/xml').documentElement as unknown as Element
  for (let depth = 0; depth < ancestors.length; depth++) node = node.firstChild as Element
  return canonicalizeDom(node, method)
}

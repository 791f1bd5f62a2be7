/**
 * The two XML readers the parser differential compares, each reduced to one comparable projection:
 *
 * - OLD: the reader the library used up to issue #13, `scanXml` then @xmldom/xmldom 0.8's DOMParser
 *   with every warning and error fatal (kept here, spec-side, as the reference);
 * - NEW: the library's `parseXml`.
 *
 * The projection keeps what a validator can read: element qualified names and namespace URIs, the
 * namespace declarations of each element, attributes (qualified name, namespace URI, value) in
 * document order, character data (text and CDATA merged, as XML defines it) and comments.
 */
import { spawnSync } from 'node:child_process'
import { DOMParser } from '@xmldom/xmldom'
import { SamlError } from '../../lib/errors/saml-error.js'
import {
  MESSAGE_XML_LIMITS,
  parseXml,
  scanXml,
  type XmlErrorCode as XmlCode,
  type XmlLimits,
} from '../../lib/xml/parse-xml.js'
import type { XmlElement } from '../../lib/xml/tree.js'

export type { XmlErrorCode as XmlCode } from '../../lib/xml/parse-xml.js'

export interface ProjectedElement {
  readonly name: string
  readonly ns: string
  /** `[prefix, uri]`, `''` for the default namespace. */
  readonly namespaces: ReadonlyArray<readonly [string, string]>
  /** `[qualified name, namespace URI, value]`. */
  readonly attributes: ReadonlyArray<readonly [string, string, string]>
  readonly children: readonly Projected[]
}
export type Projected = ProjectedElement | { readonly text: string } | { readonly comment: string }

/** A reader's verdict: the projected root element, or the SamlError code it refused with. */
export type Reading =
  { readonly ok: true; readonly root: ProjectedElement } | { readonly ok: false; readonly code: string }

const XMLNS_URI = 'http://www.w3.org/2000/xmlns/'

function refused(err: unknown): Reading {
  if (err instanceof SamlError) return { ok: false, code: err.code }
  throw err // anything but a SamlError is a bug in the reader: let the spec fail on it
}

/** Appends character data to the last child when that is text too (CDATA and text merge). */
function pushText(children: Projected[], text: string): void {
  const last = children[children.length - 1]
  if (last && 'text' in last) children[children.length - 1] = { text: last.text + text }
  else children.push({ text })
}

function projectDom(el: Element): ProjectedElement {
  const namespaces: Array<[string, string]> = []
  const attributes: Array<[string, string, string]> = []
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes[i]!
    if (a.namespaceURI === XMLNS_URI || a.name === 'xmlns' || a.name.startsWith('xmlns:')) {
      namespaces.push([a.name === 'xmlns' ? '' : a.name.slice('xmlns:'.length), a.value])
    } else {
      attributes.push([a.name, a.namespaceURI ?? '', a.value])
    }
  }
  const children: Projected[] = []
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) children.push(projectDom(n as Element))
    else if (n.nodeType === 3 || n.nodeType === 4) pushText(children, (n as CharacterData).data)
    else if (n.nodeType === 8) children.push({ comment: (n as Comment).data })
    else throw new Error(`xmldom gave a node of type ${n.nodeType}`)
  }
  return { name: el.tagName, ns: el.namespaceURI ?? '', namespaces, attributes, children }
}

function projectTree(el: XmlElement): ProjectedElement {
  const children: Projected[] = []
  for (const n of el.children) {
    if (n.type === 'element') children.push(projectTree(n))
    else if (n.type === 'text') pushText(children, n.text)
    else children.push({ comment: n.text })
  }
  return {
    name: el.name,
    ns: el.namespaceURI,
    namespaces: el.namespaces.map((d) => [d.prefix, d.uri] as const),
    attributes: el.attributes.map((a) => [a.name, a.namespaceURI, a.value] as const),
    children,
  }
}

/** The OLD reader: the pre-scan, then xmldom 0.8 with every warning and error fatal. */
export function readOld(
  xml: string,
  limits: XmlLimits = MESSAGE_XML_LIMITS,
  code: XmlCode = 'ERR_SAML_MALFORMED',
): Reading {
  try {
    scanXml(xml, limits, code)
    const fail = (msg: string): never => {
      throw new SamlError(`XML is not well formed: ${String(msg).split('\n')[0]}`, code)
    }
    let doc: Document
    try {
      doc = new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail } }).parseFromString(
        xml,
        'text/xml',
      ) as unknown as Document
    } catch (err) {
      if (err instanceof SamlError) throw err
      throw new SamlError('XML is not well formed', code, { cause: err })
    }
    if (!doc?.documentElement) throw new SamlError('XML has no root element', code)
    return { ok: true, root: projectDom(doc.documentElement) }
  } catch (err) {
    return refused(err)
  }
}

/** The NEW reader: the library's `parseXml`. */
export function readNew(
  xml: string,
  limits: XmlLimits = MESSAGE_XML_LIMITS,
  code: XmlCode = 'ERR_SAML_MALFORMED',
): Reading {
  try {
    return { ok: true, root: projectTree(parseXml(xml, limits, code).root) }
  } catch (err) {
    return refused(err)
  }
}

/**
 * libxml2's verdict (`xmllint --noout`, Debian libxml2-utils) on a document, namespace errors
 * included: the referee when the two readers disagree on an input no table names (fuzz mutants).
 */
export function xmllintError(xml: string): string | undefined {
  const run = spawnSync('xmllint', ['--noout', '--nonet', '-'], { input: Buffer.from(xml, 'utf8') })
  if (run.error) throw run.error
  const stderr = run.stderr.toString('utf8')
  if (run.status !== 0 || /error/i.test(stderr)) return stderr.split('\n')[0] || `exit ${run.status}`
  return undefined
}

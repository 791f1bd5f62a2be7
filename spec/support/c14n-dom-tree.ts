// Builds the library's XmlElement tree from @xmldom/xmldom's DOM, so the c14n specs can run before
// (and independently of) the library's own parser: a plain translation, namespace declarations
// split from attributes, adjacent text and CDATA merged, parents linked.
import { DOMParser } from '@xmldom/xmldom'
import type {
  XmlAttribute,
  XmlDocument,
  XmlElement,
  XmlNamespaceDeclaration,
  XmlNode,
} from '../../lib/xml/tree.js'

type Building = XmlElement & { children: XmlNode[] }

function fromDom(dom: Element, parent: XmlElement | null): XmlElement {
  const attributes: XmlAttribute[] = []
  const namespaces: XmlNamespaceDeclaration[] = []
  for (let i = 0; i < dom.attributes.length; i++) {
    const a = dom.attributes[i]!
    if (a.prefix === 'xmlns') namespaces.push({ prefix: a.localName!, uri: a.value })
    else if (a.name === 'xmlns') namespaces.push({ prefix: '', uri: a.value })
    else {
      attributes.push({
        name: a.name,
        prefix: a.prefix ?? '',
        localName: a.localName ?? a.name,
        namespaceURI: a.namespaceURI ?? '',
        value: a.value,
      })
    }
  }
  const el: Building = {
    type: 'element',
    name: dom.tagName,
    prefix: dom.prefix ?? '',
    localName: dom.localName ?? dom.tagName,
    namespaceURI: dom.namespaceURI ?? '',
    attributes,
    namespaces,
    children: [],
    parent,
  }
  for (let n = dom.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === 1) el.children.push(fromDom(n as Element, el))
    else if (n.nodeType === 8) el.children.push({ type: 'comment', text: n.nodeValue ?? '' })
    else if (n.nodeType === 3 || n.nodeType === 4) {
      const last = el.children.at(-1)
      const text = (last?.type === 'text' ? last.text : '') + (n.nodeValue ?? '')
      if (last?.type === 'text') el.children[el.children.length - 1] = { type: 'text', text }
      else el.children.push({ type: 'text', text })
    }
  }
  return el
}

/** Parses `xml` (well-formed, namespace-valid) into the library's tree; throws on any parse error. */
export function treeFromXml(xml: string): XmlDocument {
  const fail = (message: string) => {
    throw new Error(`not well-formed: ${message}`)
  }
  const doc = new DOMParser({
    errorHandler: { warning: fail, error: fail, fatalError: fail },
  }).parseFromString(xml, 'text/xml') as unknown as Document
  return { root: fromDom(doc.documentElement!, null) }
}

/** Every element of the tree, in document order. */
export function* elementsOf(el: XmlElement): Generator<XmlElement> {
  yield el
  for (const child of el.children) if (child.type === 'element') yield* elementsOf(child)
}

/** The first element named `name` (qualified, as written) in document order. */
export function findElement(root: XmlElement, name: string): XmlElement {
  for (const el of elementsOf(root)) if (el.name === name) return el
  throw new Error(`no <${name}> in the document`)
}

/** The first element whose local name is `localName` and namespace `namespaceURI`. */
export function findElementNS(root: XmlElement, namespaceURI: string, localName: string): XmlElement {
  for (const el of elementsOf(root)) {
    if (el.localName === localName && el.namespaceURI === namespaceURI) return el
  }
  throw new Error(`no {${namespaceURI}}${localName} in the document`)
}

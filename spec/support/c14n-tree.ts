// The c14n specs read documents with the library's own parser (lib/xml/parse-xml.ts), as the
// validator does, and find elements in the tree it builds.
import { MESSAGE_XML_LIMITS, parseXml } from '../../lib/xml/parse-xml.js'
import type { XmlDocument, XmlElement } from '../../lib/xml/tree.js'

/** Parses `xml` (well-formed, namespace-valid) with the library's parser; throws on any error. */
export function treeFromXml(xml: string): XmlDocument {
  return parseXml(xml, MESSAGE_XML_LIMITS)
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

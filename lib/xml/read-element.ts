import { SamlError } from '../errors/saml-error.js'
import type { XmlElement, XmlNode } from './tree.js'

// Indexed loops: these helpers run for nearly every element of every response, and a `for…of`
// allocates an iterator per call until V8 has optimized the caller.

/** The element children of `el`, in document order. */
export function childElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = []
  const children = el.children
  for (let i = 0; i < children.length; i++) {
    const n = children[i]!
    if (n.type === 'element') out.push(n)
  }
  return out
}

/** True when `node` is the element `{ns}local`. */
export function isElement(node: XmlNode | null | undefined, ns: string, local: string): node is XmlElement {
  return !!node && node.type === 'element' && node.localName === local && node.namespaceURI === ns
}

/** Element children of `el` named `{ns}local`. */
export function childrenNamed(el: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = []
  const children = el.children
  for (let i = 0; i < children.length; i++) {
    const n = children[i]!
    if (isElement(n, ns, local)) out.push(n)
  }
  return out
}

/** True when `el` has a child `{ns}local`. */
export function hasChild(el: XmlElement, ns: string, local: string): boolean {
  const children = el.children
  for (let i = 0; i < children.length; i++) if (isElement(children[i], ns, local)) return true
  return false
}

/** The element child of `el` when it has exactly one, else undefined (without collecting them). */
export function onlyChildElement(el: XmlElement): XmlElement | undefined {
  let only: XmlElement | undefined
  const children = el.children
  for (let i = 0; i < children.length; i++) {
    const n = children[i]!
    if (n.type !== 'element') continue
    if (only !== undefined) return undefined
    only = n
  }
  return only
}

/** The single child `{ns}local` of `el`, or undefined; more than one is a structural error. */
export function optionalChild(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  let found: XmlElement | undefined
  let count = 0
  const children = el.children
  for (let i = 0; i < children.length; i++) {
    const n = children[i]!
    if (!isElement(n, ns, local)) continue
    count++
    found ??= n
  }
  if (count > 1) {
    throw new SamlError(
      `<${el.localName}> has ${count} <${local}> children; at most one is allowed`,
      'ERR_SAML_STRUCTURE',
    )
  }
  return found
}

/** The single child `{ns}local` of `el`; missing is `ERR_SAML_MALFORMED`, repeated `ERR_SAML_STRUCTURE`. */
export function requiredChild(el: XmlElement, ns: string, local: string): XmlElement {
  const found = optionalChild(el, ns, local)
  if (!found) throw new SamlError(`<${el.localName}> has no <${local}>`, 'ERR_SAML_MALFORMED')
  return found
}

/**
 * Text of a leaf element. Only text (CDATA included) is allowed: a comment or child element
 * inside a value is how NameID-truncation attacks split what was signed from what is read, so it
 * is refused rather than skipped.
 */
export function leafText(el: XmlElement): string {
  const { children } = el
  if (children.length === 1 && children[0]!.type === 'text') return children[0]!.text
  let text = ''
  for (const n of children) {
    if (n.type === 'text') text += n.text
    else throw new SamlError(`<${el.localName}> must contain only text`, 'ERR_SAML_MALFORMED')
  }
  return text
}

/** Trimmed {@link leafText}. */
export function trimmedText(el: XmlElement): string {
  return leafText(el).trim()
}

/** All the text under `el`, at any depth, comments excluded (the DOM's `textContent`). */
export function textContent(el: XmlElement): string {
  let text = ''
  for (const n of el.children) {
    if (n.type === 'text') text += n.text
    else if (n.type === 'element') text += textContent(n)
  }
  return text
}

/** The value of the attribute written `name` (an empty attribute counts as present), or undefined. */
export function attr(el: XmlElement, name: string): string | undefined {
  const attributes = el.attributes
  for (let i = 0; i < attributes.length; i++) if (attributes[i]!.name === name) return attributes[i]!.value
  return undefined
}

/** The value of the attribute `{ns}local`, or undefined. */
export function attrNS(el: XmlElement, ns: string, local: string): string | undefined {
  const attributes = el.attributes
  for (let i = 0; i < attributes.length; i++) {
    const a = attributes[i]!
    if (a.localName === local && a.namespaceURI === ns) return a.value
  }
  return undefined
}

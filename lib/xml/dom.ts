import { SamlError } from '../errors/saml-error.js'

const ELEMENT_NODE = 1
const TEXT_NODE = 3
const CDATA_SECTION_NODE = 4

/** The element children of `el`, in document order. */
export function childElements(el: Element): Element[] {
  const out: Element[] = []
  for (let n = el.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) out.push(n as Element)
  }
  return out
}

/** True when `el` is `{ns}local`. */
export function isElement(el: Node | null | undefined, ns: string, local: string): el is Element {
  return (
    !!el &&
    el.nodeType === ELEMENT_NODE &&
    (el as Element).localName === local &&
    (el as Element).namespaceURI === ns
  )
}

/** Element children of `el` named `{ns}local`. */
export function childrenNamed(el: Element, ns: string, local: string): Element[] {
  const out: Element[] = []
  for (let n = el.firstChild; n !== null; n = n.nextSibling) {
    if (isElement(n, ns, local)) out.push(n)
  }
  return out
}

/** The single child `{ns}local` of `el`, or undefined; more than one is a structural error. */
export function optionalChild(el: Element, ns: string, local: string): Element | undefined {
  const found = childrenNamed(el, ns, local)
  if (found.length > 1) {
    throw new SamlError(
      `<${el.localName}> has ${found.length} <${local}> children; at most one is allowed`,
      'ERR_SAML_STRUCTURE',
    )
  }
  return found[0]
}

/** The single child `{ns}local` of `el`; missing or repeated is an error with `code`. */
export function requiredChild(el: Element, ns: string, local: string): Element {
  const found = optionalChild(el, ns, local)
  if (!found) throw new SamlError(`<${el.localName}> has no <${local}>`, 'ERR_SAML_MALFORMED')
  return found
}

/**
 * Text of a leaf element. Only text and CDATA children are allowed: a comment or child element
 * inside a value is how NameID-truncation attacks split what was signed from what is read, so it
 * is refused rather than skipped.
 */
export function leafText(el: Element): string {
  let text = ''
  for (let n = el.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) text += (n as CharacterData).data
    else throw new SamlError(`<${el.localName}> must contain only text`, 'ERR_SAML_MALFORMED')
  }
  return text
}

/** Trimmed {@link leafText}. */
export function trimmedText(el: Element): string {
  return leafText(el).trim()
}

/** Attribute value or undefined (an empty attribute counts as present). */
export function attr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? el.getAttribute(name)! : undefined
}

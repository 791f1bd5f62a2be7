import type { XmlElement as ParsedElement } from '@rgrove/parse-xml'
import { SamlError } from '../errors/saml-error.js'
import type { XmlAttribute, XmlElement, XmlNamespaceDeclaration, XmlNode } from './tree.js'

const XML_URI = 'http://www.w3.org/XML/1998/namespace'
const XMLNS_URI = 'http://www.w3.org/2000/xmlns/'

/** Prefix → namespace URI in scope; `''` is the default namespace (`''` as a value: none). */
type Scope = ReadonlyMap<string, string>

const DOCUMENT_SCOPE: Scope = new Map([['xml', XML_URI]])

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** A qualified name split at its colon; anything but `NCName` or `NCName:NCName` is refused. */
function splitName(name: string, fail: (message: string) => never): [prefix: string, local: string] {
  const colon = name.indexOf(':')
  if (colon === -1) return ['', name]
  if (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) !== -1) {
    fail(`"${name.slice(0, 60)}" is not a qualified name`)
  }
  return [name.slice(0, colon), name.slice(colon + 1)]
}

/**
 * The bindings in scope at `context` (nearest declaration wins): where a decrypted element sat.
 * Its own `xml` binding comes first and cannot be overridden (declarations never rebind it).
 */
export function scopeAt(context: XmlElement | null): Scope {
  const scope = new Map(DOCUMENT_SCOPE)
  const seen = new Set<string>()
  for (let el = context; el !== null; el = el.parent) {
    for (const { prefix, uri } of el.namespaces) {
      if (seen.has(prefix)) continue
      seen.add(prefix)
      scope.set(prefix, uri)
    }
  }
  return scope
}

/**
 * Builds the namespace-resolved tree from parse-xml's element tree, in one walk, applying
 * Namespaces in XML 1.0 (third edition): every element and attribute prefix must be declared in
 * scope; `xml` may only be bound to its URI and `xmlns` never declared; neither URI may be bound to
 * another prefix (nor be the default namespace); `xmlns:p=""` is refused (XML 1.0 namespaces cannot
 * undeclare a prefix); two attributes with one expanded name are refused. A violation is a
 * `SamlError` with `errorCode`. Comments are kept (so a comment inside a value can be refused),
 * whitespace and comments outside the root are not. `context` is the element the root sits in
 * (a decrypted element's wrapper): its bindings are in scope and it becomes the root's parent.
 */
export function resolveNamespaces(
  parsed: ParsedElement,
  errorCode: 'ERR_SAML_MALFORMED' | 'ERR_SAML_METADATA_INVALID',
  context: XmlElement | null = null,
): XmlElement {
  const fail = (message: string): never => {
    throw new SamlError(`XML is not namespace-well-formed: ${message}`, errorCode)
  }

  const build = (source: ParsedElement, parent: XmlElement | null, outer: Scope): XmlElement => {
    const namespaces: XmlNamespaceDeclaration[] = []
    const plain: [name: string, value: string][] = []
    const written = source.attributes
    for (const name in written) {
      const value = written[name]!
      if (name === 'xmlns') {
        if (value === XML_URI || value === XMLNS_URI) fail(`the default namespace may not be ${value}`)
        namespaces.push({ prefix: '', uri: value })
      } else if (name.startsWith('xmlns:')) {
        const prefix = splitName(name, fail)[1]
        if (prefix === 'xmlns') fail('the xmlns prefix may not be declared')
        if ((prefix === 'xml') !== (value === XML_URI)) fail(`the xml prefix is bound to ${XML_URI} only`)
        if (value === XMLNS_URI) fail(`${XMLNS_URI} may not be bound to a prefix`)
        if (value === '') fail(`xmlns:${prefix}="" cannot undeclare a prefix in XML 1.0`)
        // Declaring xml to its own URI changes nothing: it is not a binding to render or inherit.
        if (prefix !== 'xml') namespaces.push({ prefix, uri: value })
      } else {
        plain.push([name, value])
      }
    }

    let scope = outer
    if (namespaces.length > 0) {
      const inner = new Map(outer)
      for (const { prefix, uri } of namespaces) inner.set(prefix, uri)
      scope = inner
    }
    const uriOf = (prefix: string, what: string): string => {
      const uri = scope.get(prefix)
      if (uri === undefined || uri === '') fail(`the prefix "${prefix}" of ${what} is not declared`)
      return uri!
    }

    const [prefix, localName] = splitName(source.name, fail)
    if (prefix === 'xmlns') fail(`the element <${source.name}> may not use the xmlns prefix`)
    const namespaceURI = prefix === '' ? (scope.get('') ?? '') : uriOf(prefix, `<${source.name}>`)

    const attributes: XmlAttribute[] = []
    let prefixed = 0
    for (const [name, value] of plain) {
      const [attrPrefix, attrLocal] = splitName(name, fail)
      if (attrPrefix === '') {
        attributes.push({ name, prefix: '', localName: attrLocal, namespaceURI: '', value })
        continue
      }
      const attrUri = uriOf(attrPrefix, `the attribute ${name}`)
      // Unprefixed attributes are in no namespace, so only prefixed ones can share an expanded name.
      for (let i = 0; i < attributes.length && prefixed > 0; i++) {
        const other = attributes[i]!
        if (other.namespaceURI === attrUri && other.localName === attrLocal) {
          fail(`<${source.name}> has two attributes named {${attrUri}}${attrLocal}`)
        }
      }
      prefixed++
      attributes.push({ name, prefix: attrPrefix, localName: attrLocal, namespaceURI: attrUri, value })
    }

    const children: XmlNode[] = []
    const element: Mutable<XmlElement> = {
      type: 'element',
      name: source.name,
      prefix,
      localName,
      namespaceURI,
      attributes,
      namespaces,
      children,
      parent,
    }
    for (const child of source.children) {
      switch (child.type) {
        case 'element':
          children.push(build(child as ParsedElement, element, scope))
          break
        case 'text':
        case 'cdata': {
          // parse-xml merges adjacent text, but a CDATA section next to text stays apart.
          const text = (child as { text: string }).text
          const last = children[children.length - 1]
          if (last?.type === 'text') children[children.length - 1] = { type: 'text', text: last.text + text }
          else children.push({ type: 'text', text })
          break
        }
        case 'comment':
          children.push({ type: 'comment', text: (child as { content: string }).content })
          break
        default:
          // The pre-scan refuses processing instructions and DTDs before parse-xml sees them.
          fail(`unexpected ${child.type} node`)
      }
    }
    return element
  }

  return build(parsed, context, context === null ? DOCUMENT_SCOPE : scopeAt(context))
}

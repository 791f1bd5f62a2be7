import type { XmlElement as ParsedElement } from '@rgrove/parse-xml'
import { SamlError } from '../errors/saml-error.js'
import type { XmlAttribute, XmlElement, XmlNamespaceDeclaration, XmlNode } from './tree.js'

const XML_URI = 'http://www.w3.org/XML/1998/namespace'
const XMLNS_URI = 'http://www.w3.org/2000/xmlns/'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

type NamespaceErrorCode = 'ERR_SAML_MALFORMED' | 'ERR_SAML_METADATA_INVALID'

// Shared by every element without declarations or attributes (the tree is never mutated).
const NO_DECLARATIONS = Object.freeze([]) as unknown as XmlNamespaceDeclaration[]
const NO_ATTRIBUTES = Object.freeze([]) as unknown as XmlAttribute[]

/**
 * The bindings in scope where the walk is. With a few declarations in scope (every real message) a
 * prefix is found by walking the element's own declarations and then its ancestors', nearest
 * first, which costs less than keeping a Map. Past {@link WALK_LIMIT} declarations a Map is built
 * from that chain and kept in step (changed in place on the way into a declaring element, put back
 * on the way out) until the walk leaves the element that built it, so a hostile document with
 * thousands of declarations pays one Map read per lookup and nothing is copied per element
 * (copying a Map at each declaring element let 3,990 of them under 9,000 declarations take 21 s).
 * `xml` is bound by definition and never rebound.
 */
class Scope {
  /** Declarations in scope, the context's included. */
  private count = 0
  private bindings: Map<string, string> | undefined
  private readonly undoPrefixes: string[] = []
  private readonly undoUris: Array<string | undefined> = []

  /** The scope at `context` (a decrypted element's wrapper): its bindings and its ancestors'. */
  constructor(context: XmlElement | null) {
    for (let el = context; el !== null; el = el.parent) this.count += el.namespaces.length
    if (this.count > WALK_LIMIT) this.bindings = bindingsAt(NO_DECLARATIONS, context)
  }

  /**
   * Enters an element declaring `own` under `parent`; pass what it returns to {@link leave}:
   * `NOTHING_TO_UNDO` (walking), `DROP_BINDINGS` (this element built the Map) or an undo mark.
   */
  enter(own: readonly XmlNamespaceDeclaration[], parent: XmlElement | null): number {
    this.count += own.length
    if (this.bindings !== undefined) {
      const mark = this.undoPrefixes.length
      for (let i = 0; i < own.length; i++) {
        const { prefix, uri } = own[i]!
        this.undoPrefixes.push(prefix)
        this.undoUris.push(this.bindings.get(prefix))
        this.bindings.set(prefix, uri)
      }
      return mark
    }
    if (this.count <= WALK_LIMIT) return NOTHING_TO_UNDO
    this.bindings = bindingsAt(own, parent)
    return DROP_BINDINGS
  }

  leave(own: readonly XmlNamespaceDeclaration[], entered: number): void {
    this.count -= own.length
    if (entered === DROP_BINDINGS) {
      this.bindings = undefined
    } else if (entered !== NOTHING_TO_UNDO) {
      const bindings = this.bindings!
      while (this.undoPrefixes.length > entered) {
        const prefix = this.undoPrefixes.pop()!
        const uri = this.undoUris.pop()
        if (uri === undefined) bindings.delete(prefix)
        else bindings.set(prefix, uri)
      }
    }
  }

  /** The URI bound to `prefix` at the element entered last (declaring `own`, under `parent`). */
  get(
    prefix: string,
    own: readonly XmlNamespaceDeclaration[],
    parent: XmlElement | null,
  ): string | undefined {
    if (this.bindings !== undefined) return this.bindings.get(prefix)
    if (prefix === 'xml') return XML_URI
    for (let i = 0; i < own.length; i++) if (own[i]!.prefix === prefix) return own[i]!.uri
    for (let el = parent; el !== null; el = el.parent) {
      const declared = el.namespaces
      for (let i = 0; i < declared.length; i++) if (declared[i]!.prefix === prefix) return declared[i]!.uri
    }
    return undefined
  }
}

const NOTHING_TO_UNDO = -1
const DROP_BINDINGS = -2

/** Every binding in scope at an element declaring `own` under `parent`, nearest winning. */
function bindingsAt(own: readonly XmlNamespaceDeclaration[], parent: XmlElement | null): Map<string, string> {
  const chain: (readonly XmlNamespaceDeclaration[])[] = [own]
  for (let el = parent; el !== null; el = el.parent) chain.push(el.namespaces)
  const bindings = new Map<string, string>([['xml', XML_URI]])
  for (let i = chain.length - 1; i >= 0; i--) {
    const declared = chain[i]!
    for (let k = 0; k < declared.length; k++) bindings.set(declared[k]!.prefix, declared[k]!.uri)
  }
  return bindings
}

/** Declarations in scope up to which a lookup walks them rather than reading the Map. */
const WALK_LIMIT = 32

/** Prefixed attributes an element may have before duplicates are found with a Set, not pairwise. */
const PAIRWISE_ATTRIBUTES = 8

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
  errorCode: NamespaceErrorCode,
  context: XmlElement | null = null,
): XmlElement {
  return build(parsed, context, new Scope(context), errorCode)
}

/** The namespace URI bound to `prefix` in `scope`; an undeclared prefix is refused. */
function uriOf(
  scope: Scope,
  prefix: string,
  own: readonly XmlNamespaceDeclaration[],
  parent: XmlElement | null,
  what: string,
  errorCode: NamespaceErrorCode,
): string {
  const uri = scope.get(prefix, own, parent)
  if (uri === undefined || uri === '') fail(`the prefix "${prefix}" of ${what} is not declared`, errorCode)
  return uri
}

/** The position of a qualified name's colon (-1 for none); anything but `NCName` or `NCName:NCName` is refused. */
function colonOf(name: string, errorCode: NamespaceErrorCode): number {
  const colon = name.indexOf(':')
  if (colon !== -1 && (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) !== -1)) {
    fail(`"${name.slice(0, 60)}" is not a qualified name`, errorCode)
  }
  return colon
}

// Plain functions, no closures: this walk runs once per element of every response.
function build(
  source: ParsedElement,
  parent: XmlElement | null,
  scope: Scope,
  errorCode: NamespaceErrorCode,
): XmlElement {
  const written = source.attributes
  let namespaces: XmlNamespaceDeclaration[] = NO_DECLARATIONS
  let plainCount = 0
  const names = Object.keys(written)
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    if (name === 'xmlns') {
      const value = written[name]!
      if (value === XML_URI || value === XMLNS_URI)
        fail(`the default namespace may not be ${value}`, errorCode)
      if (namespaces === NO_DECLARATIONS) namespaces = []
      namespaces.push({ prefix: '', uri: value })
    } else if (name.startsWith('xmlns:')) {
      const value = written[name]!
      const prefix = name.slice(colonOf(name, errorCode) + 1)
      if (prefix === 'xmlns') fail('the xmlns prefix may not be declared', errorCode)
      if ((prefix === 'xml') !== (value === XML_URI))
        fail(`the xml prefix is bound to ${XML_URI} only`, errorCode)
      if (value === XMLNS_URI) fail(`${XMLNS_URI} may not be bound to a prefix`, errorCode)
      if (value === '') fail(`xmlns:${prefix}="" cannot undeclare a prefix in XML 1.0`, errorCode)
      // Declaring xml to its own URI changes nothing: it is not a binding to render or inherit.
      if (prefix !== 'xml') {
        if (namespaces === NO_DECLARATIONS) namespaces = []
        namespaces.push({ prefix, uri: value })
      }
    } else {
      plainCount++
    }
  }

  const entered = scope.enter(namespaces, parent)

  const name = source.name
  const colon = colonOf(name, errorCode)
  let prefix = ''
  let localName = name
  let namespaceURI: string
  if (colon === -1) {
    namespaceURI = scope.get('', namespaces, parent) ?? ''
  } else {
    prefix = name.slice(0, colon)
    localName = name.slice(colon + 1)
    if (prefix === 'xmlns') fail(`the element <${name}> may not use the xmlns prefix`, errorCode)
    namespaceURI = uriOf(scope, prefix, namespaces, parent, `<${name}>`, errorCode)
  }

  const attributes: XmlAttribute[] = plainCount === 0 ? NO_ATTRIBUTES : []
  if (plainCount > 0) {
    let prefixed = 0
    // `{uri}local` of the prefixed attributes so far, once there are PAIRWISE_ATTRIBUTES of them.
    let expandedNames: Set<string> | undefined
    for (let a = 0; a < names.length; a++) {
      const attrName = names[a]!
      if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) continue
      const value = written[attrName]!
      const attrColon = colonOf(attrName, errorCode)
      if (attrColon === -1) {
        attributes.push({ name: attrName, prefix: '', localName: attrName, namespaceURI: '', value })
        continue
      }
      const attrPrefix = attrName.slice(0, attrColon)
      const attrLocal = attrName.slice(attrColon + 1)
      const attrUri = uriOf(scope, attrPrefix, namespaces, parent, `the attribute ${attrName}`, errorCode)
      // Unprefixed attributes are in no namespace, so only prefixed ones can share an expanded name.
      // Pairwise for the few most elements have; a Set past that, or 25,000 of them cost seconds.
      if (expandedNames !== undefined) {
        const key = expandedName(attrUri, attrLocal)
        if (expandedNames.has(key)) duplicateAttribute(name, attrUri, attrLocal, errorCode)
        expandedNames.add(key)
      } else {
        for (let i = 0; i < attributes.length && prefixed > 0; i++) {
          const other = attributes[i]!
          if (other.namespaceURI === attrUri && other.localName === attrLocal)
            duplicateAttribute(name, attrUri, attrLocal, errorCode)
        }
        if (prefixed + 1 === PAIRWISE_ATTRIBUTES) {
          expandedNames = new Set([expandedName(attrUri, attrLocal)])
          for (let i = 0; i < attributes.length; i++) {
            const other = attributes[i]!
            if (other.prefix !== '') expandedNames.add(expandedName(other.namespaceURI, other.localName))
          }
        }
      }
      prefixed++
      attributes.push({
        name: attrName,
        prefix: attrPrefix,
        localName: attrLocal,
        namespaceURI: attrUri,
        value,
      })
    }
  }

  const children: XmlNode[] = []
  const element: Mutable<XmlElement> = {
    type: 'element',
    name,
    prefix,
    localName,
    namespaceURI,
    attributes,
    namespaces,
    children,
    parent,
  }
  const sourceChildren = source.children
  for (let i = 0; i < sourceChildren.length; i++) {
    const child = sourceChildren[i]!
    switch (child.type) {
      case 'element':
        children.push(build(child as ParsedElement, element, scope, errorCode))
        break
      case 'text':
      case 'cdata': {
        // parse-xml merges adjacent text, but a CDATA section next to text stays apart.
        const text = (child as { text: string }).text
        const last = children.length === 0 ? undefined : children[children.length - 1]!
        if (last !== undefined && last.type === 'text') {
          children[children.length - 1] = { type: 'text', text: last.text + text }
        } else {
          children.push({ type: 'text', text })
        }
        break
      }
      case 'comment':
        children.push({ type: 'comment', text: (child as { content: string }).content })
        break
      default:
        // The pre-scan refuses processing instructions and DTDs before parse-xml sees them.
        fail(`unexpected ${child.type} node`, errorCode)
    }
  }
  scope.leave(namespaces, entered)
  return element
}

/** `{uri}local` as one Set key (U+0000 cannot occur in XML, so no two names share a key). */
function expandedName(uri: string, local: string): string {
  return uri + '\u0000' + local
}

function duplicateAttribute(
  element: string,
  uri: string,
  local: string,
  errorCode: NamespaceErrorCode,
): never {
  fail(`<${element}> has two attributes named {${uri}}${local}`, errorCode)
}

function fail(message: string, errorCode: NamespaceErrorCode): never {
  throw new SamlError(`XML is not namespace-well-formed: ${message}`, errorCode)
}

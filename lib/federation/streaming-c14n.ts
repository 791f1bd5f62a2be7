// Canonical XML written from parser events, one element at a time, so a document of tens of MB is
// digested (or cut into entities) without ever building its tree. Ordering and escaping are the
// tree c14n's own, so both write the same bytes.
import { compareCodePoints, escapeAttribute, escapeText } from '../xmldsig/canonicalization.js'

/** An attribute (not a namespace declaration) as a namespace-aware parser reports it. */
export interface C14nAttribute {
  readonly prefix: string
  readonly local: string
  readonly uri: string
  readonly value: string
}

/** An element's start tag as a namespace-aware parser reports it. */
export interface C14nElement {
  readonly prefix: string
  readonly local: string
  readonly uri: string
  readonly attributes: readonly C14nAttribute[]
  /** The namespace declarations on this element, by prefix (`''` for the default namespace). */
  readonly declared: Readonly<Record<string, string>>
}

/** The namespaces in scope at an element, for `InclusiveNamespaces` and a subtree's apex. */
export interface NamespaceScope {
  resolve(prefix: string): string | undefined
  /** Every binding in scope, innermost winning (`xml` excluded). */
  all(): ReadonlyMap<string, string>
}

/**
 * `exclusive`: exclusive c14n (declarations where visibly utilized or in `inclusivePrefixes`);
 * `in-scope`: every binding in scope at the apex, then each change (a subtree as its own document).
 */
export type NamespaceRendering = 'exclusive' | 'in-scope'

const qualified = (prefix: string, local: string) => (prefix === '' ? local : `${prefix}:${local}`)

/**
 * Writes the canonical form (XML-C14N 1.0 without comments: attributes sorted by namespace URI then
 * local name, text and attribute values escaped as the specification says, empty elements as
 * start-end pairs, no comments) of the elements given to it, each `open` matched by a `close`.
 */
export class StreamingC14nWriter {
  /** Prefix → namespace URI as rendered on the output ancestors of the current element. */
  private readonly rendered = new Map<string, string>()
  /** Per open element, what to restore in `rendered` when it closes. */
  private readonly undo: (readonly [string, string | undefined])[][] = []

  constructor(
    private readonly out: (chunk: string) => void,
    private readonly rendering: NamespaceRendering = 'exclusive',
    private readonly inclusivePrefixes: ReadonlySet<string> = new Set(),
  ) {}

  open(element: C14nElement, scope: NamespaceScope): void {
    const candidates = new Map<string, string>()
    if (this.rendering === 'in-scope') {
      const bindings = this.undo.length === 0 ? scope.all() : Object.entries(element.declared)
      for (const [prefix, uri] of bindings) candidates.set(prefix, uri)
    } else {
      candidates.set(element.prefix, element.uri)
      for (const a of element.attributes) {
        if (a.prefix !== '' && a.prefix !== 'xml') candidates.set(a.prefix, a.uri)
      }
      for (const listed of this.inclusivePrefixes) {
        const prefix = listed === '#default' ? '' : listed
        const uri = scope.resolve(prefix) ?? (prefix === '' ? '' : undefined)
        if (uri !== undefined && !candidates.has(prefix)) candidates.set(prefix, uri)
      }
    }
    const changes: (readonly [string, string | undefined])[] = []
    const declarations: [string, string][] = []
    for (const [prefix, uri] of candidates) {
      if (prefix === 'xml') continue
      const current = this.rendered.get(prefix) ?? (prefix === '' ? '' : undefined)
      if (current === uri) continue
      // xmlns:p="" cannot be written in XML 1.0; an unbound prefix is never utilized anyway.
      if (prefix !== '' && uri === '') continue
      changes.push([prefix, this.rendered.get(prefix)])
      this.rendered.set(prefix, uri)
      declarations.push([prefix, uri])
    }
    this.undo.push(changes)
    declarations.sort((a, b) => compareCodePoints(a[0], b[0]))
    let tag = `<${qualified(element.prefix, element.local)}`
    for (const [prefix, uri] of declarations)
      tag += `${prefix === '' ? ' xmlns' : ` xmlns:${prefix}`}="${escapeAttribute(uri)}"`
    const attributes =
      element.attributes.length < 2
        ? element.attributes
        : [...element.attributes].sort(
            (a, b) => compareCodePoints(a.uri, b.uri) || compareCodePoints(a.local, b.local),
          )
    for (const a of attributes) tag += ` ${qualified(a.prefix, a.local)}="${escapeAttribute(a.value)}"`
    this.out(`${tag}>`)
  }

  close(element: Pick<C14nElement, 'prefix' | 'local'>): void {
    for (const [prefix, previous] of this.undo.pop() ?? []) {
      if (previous === undefined) this.rendered.delete(prefix)
      else this.rendered.set(prefix, previous)
    }
    this.out(`</${qualified(element.prefix, element.local)}>`)
  }

  text(text: string): void {
    if (text !== '') this.out(escapeText(text))
  }

  processingInstruction(target: string, body: string): void {
    this.out(body === '' ? `<?${target}?>` : `<?${target} ${body}?>`)
  }
}

/** A {@link NamespaceScope} over a stack of per-element declarations, innermost last. */
export class ScopeStack implements NamespaceScope {
  private readonly frames: Readonly<Record<string, string>>[] = []

  constructor(base?: ReadonlyMap<string, string>) {
    if (base) this.frames.push(Object.fromEntries(base))
  }

  push(declared: Readonly<Record<string, string>>): void {
    this.frames.push(declared)
  }

  pop(): void {
    this.frames.pop()
  }

  resolve(prefix: string): string | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const frame = this.frames[i]!
      if (Object.hasOwn(frame, prefix)) return frame[prefix]
    }
    return undefined
  }

  all(): ReadonlyMap<string, string> {
    const out = new Map<string, string>()
    for (const frame of this.frames) for (const [prefix, uri] of Object.entries(frame)) out.set(prefix, uri)
    out.delete('xml')
    if (out.get('') === '') out.delete('')
    return out
  }
}

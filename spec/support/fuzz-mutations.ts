/**
 * The fuzzer's mutation operators: each takes a signed SAML response (XML text) and returns a changed
 * copy, or `undefined` when it does not apply. They change the XML's structure (elements moved,
 * duplicated, wrapped; a second Assertion; the Signature moved), its lexical form (comments, CDATA,
 * character references, prefixes, whitespace, attribute order) or break it (truncation, DTDs,
 * duplicate attributes, huge depth). Every choice comes from the seeded {@link Rng}, so a seed gives
 * the same mutations on every run. Structural edits go through @xmldom/xmldom (spec-side only).
 */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom'
import type { Rng } from './rng.js'

export interface Mutation {
  readonly name: string
  readonly apply: (xml: string, rng: Rng) => string | undefined
}

const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  xml: 'http://www.w3.org/XML/1998/namespace',
}

// ----- helpers ---------------------------------------------------------------------------------------

function parse(xml: string): Document | undefined {
  let broken = false
  const onError = () => {
    broken = true
  }
  try {
    const doc = new DOMParser({
      errorHandler: { warning: () => {}, error: onError, fatalError: onError },
    }).parseFromString(xml, 'text/xml') as unknown as Document
    return broken || !doc?.documentElement ? undefined : doc
  } catch {
    return undefined // an earlier operator broke the document beyond xmldom: skip DOM operators
  }
}

function serialize(doc: Document): string {
  return new XMLSerializer().serializeToString(doc as never)
}

/** Parses, lets `edit` change the DOM (returning false when it cannot), serializes. */
function onDom(xml: string, edit: (doc: Document) => boolean): string | undefined {
  const doc = parse(xml)
  if (!doc) return undefined
  try {
    return edit(doc) ? serialize(doc) : undefined
  } catch {
    return undefined // the DOM refused the edit (e.g. a second root element): the operator does not apply
  }
}

/** Every element of `doc`, or below `root`, in document order. */
function elements(root: Document | Element): Element[] {
  return Array.from(root.getElementsByTagName('*') as unknown as ArrayLike<Element>)
}

/** Every element but the root. */
function innerElements(doc: Document): Element[] {
  return elements(doc).slice(1)
}

function byLocalName(doc: Document, local: string): Element[] {
  return elements(doc).filter((e) => e.localName === local)
}

function contains(ancestor: Node, node: Node): boolean {
  for (let n: Node | null = node; n; n = n.parentNode) if (n === ancestor) return true
  return false
}

/** Moves `node` to a random position among `parent`'s children. */
function insertAnywhere(parent: Element, node: Node, rng: Rng): void {
  const kids = Array.from(parent.childNodes as unknown as ArrayLike<Node>).filter((k) => k !== node)
  parent.insertBefore(node, rng.pick([...kids, null]) ?? null)
}

/** Text nodes with something besides whitespace: NameID, AttributeValue, Audience, digests... */
function textNodes(doc: Document): Text[] {
  const out: Text[] = []
  const walk = (n: Node) => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 3 && (c as Text).data.trim() !== '') out.push(c as Text)
      else if (c.nodeType === 1) walk(c)
    }
  }
  walk(doc.documentElement!)
  return out
}

/** Index ranges `[start, end)` of every start tag's attribute area in the text. */
function startTags(xml: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = []
  const re = /<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/g
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    out.push({ start: m.index + 1 + m[1]!.length, end: m.index + 1 + m[1]!.length + m[2]!.length })
  }
  return out
}

/** Index ranges `[start, end)` of every non-empty attribute value in the text. */
function attributeValues(xml: string): Array<{ start: number; end: number }> {
  return [...xml.matchAll(/=\s*"([^"<]+)"/g)].map((m) => {
    const start = m.index + m[0].length - 1 - m[1]!.length
    return { start, end: start + m[1]!.length }
  })
}

/** Offsets of the character data between `>` and `<` that has non-space content. */
function textRuns(xml: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = []
  const re = />([^<]*[^<\s][^<]*)</g
  for (let m = re.exec(xml); m; m = re.exec(xml))
    out.push({ start: m.index + 1, end: m.index + 1 + m[1]!.length })
  return out
}

function splice(xml: string, at: number, remove: number, insert: string): string {
  return xml.slice(0, at) + insert + xml.slice(at + remove)
}

/**
 * A copy of the (first) Assertion saying the user is mallory, its Signature kept or dropped; in an
 * encrypted response, an unsigned plaintext Assertion for mallory.
 */
function forgedAssertion(doc: Document, rng: Rng): Element | undefined {
  const original = byLocalName(doc, 'Assertion')[0]
  if (!original) {
    const evil = doc.createElementNS(NS.assertion, 'saml:Assertion')
    evil.setAttribute('ID', '_evil')
    evil.setAttribute('Version', '2.0')
    evil.setAttribute('IssueInstant', '2026-03-02T10:00:00.000Z')
    const subject = doc.createElementNS(NS.assertion, 'saml:Subject')
    const nameId = doc.createElementNS(NS.assertion, 'saml:NameID')
    nameId.textContent = 'mallory@evil.test'
    subject.appendChild(nameId)
    evil.appendChild(subject)
    return evil
  }
  const evil = original.cloneNode(true) as Element
  const nameId = Array.from(evil.getElementsByTagNameNS(NS.assertion, 'NameID') as unknown as Element[])[0]
  if (nameId) nameId.textContent = 'mallory@evil.test'
  if (rng.next() < 0.5) {
    const sig = Array.from(evil.childNodes as unknown as Node[]).find(
      (n) => n.nodeType === 1 && (n as Element).localName === 'Signature',
    )
    if (sig) evil.removeChild(sig)
  }
  if (rng.next() < 0.5) evil.setAttribute('ID', '_evil')
  return evil
}

const WRAPPERS: ReadonlyArray<[string, string]> = [
  [NS.protocol, 'samlp:Extensions'],
  [NS.assertion, 'saml:Advice'],
  [NS.dsig, 'ds:Object'],
  ['urn:x-junk', 'j:wrap'],
  [NS.assertion, 'saml:Assertion'],
]

// ----- the operators ---------------------------------------------------------------------------------

export const MUTATIONS: readonly Mutation[] = [
  // Element duplicated in place: two Assertions, two Signatures, two NameIDs, two Conditions...
  {
    name: 'duplicate element',
    apply: (xml, rng) =>
      onDom(xml, (doc) => {
        const el = rng.pick(innerElements(doc))
        el.parentNode!.insertBefore(el.cloneNode(true), rng.next() < 0.5 ? el : el.nextSibling)
        return true
      }),
  },
  // Element moved under another element (not its own descendant): signature wrapping's basic move.
  {
    name: 'move element',
    apply: (xml, rng) =>
      onDom(xml, (doc) => {
        const el = rng.pick(innerElements(doc))
        const targets = elements(doc).filter((t) => !contains(el, t))
        const target = rng.pick(targets)
        insertAnywhere(target, el, rng)
        return true
      }),
  },
  // Element wrapped in Extensions, Advice, ds:Object, a foreign element or a look-alike Assertion.
  {
    name: 'wrap element',
    apply: (xml, rng) =>
      onDom(xml, (doc) => {
        const el = rng.pick(innerElements(doc))
        const [ns, qname] = rng.pick(WRAPPERS)
        const wrapper = doc.createElementNS(ns, qname)
        el.parentNode!.replaceChild(wrapper, el)
        wrapper.appendChild(el)
        return true
      }),
  },
  // A ds:Signature moved elsewhere: into Extensions, into the other signed element, to the end.
  {
    name: 'move Signature',
    apply: (xml, rng) =>
      onDom(xml, (doc) => {
        const signatures = byLocalName(doc, 'Signature')
        if (signatures.length === 0) return false
        const sig = rng.pick(signatures)
        const targets = elements(doc).filter((t) => !contains(sig, t))
        const target = rng.pick(targets)
        insertAnywhere(target, sig, rng)
        return true
      }),
  },
  // A second, forged Assertion (NameID mallory, signature kept or not, same or new ID; a plaintext
  // one beside an EncryptedAssertion) added before or after the real one, or the real one moved
  // inside it.
  {
    name: 'second Assertion',
    apply: (xml, rng) =>
      onDom(xml, (doc) => {
        const original = byLocalName(doc, 'Assertion')[0] ?? byLocalName(doc, 'EncryptedAssertion')[0]
        const evil = original && forgedAssertion(doc, rng)
        if (!original?.parentNode || !evil) return false
        const where = rng.int(3)
        if (where === 0) original.parentNode!.insertBefore(evil, original)
        else if (where === 1) original.parentNode!.insertBefore(evil, original.nextSibling)
        else {
          original.parentNode!.replaceChild(evil, original)
          const holder = rng.pick([evil, ...elements(evil)])
          insertAnywhere(holder, original, rng)
        }
        return true
      }),
  },
  // Character data rewritten: a NameID, AttributeValue, Audience or digest changed after signing.
  {
    name: 'change text',
    apply: (xml, rng) =>
      onDom(xml, (doc) => {
        const texts = textNodes(doc)
        if (texts.length === 0) return false
        const text = rng.pick(texts)
        text.data = rng.pick(['mallory@evil.test', `${text.data}x`, text.data.slice(1), ''])
        return true
      }),
  },
  // Element removed: Signature, Conditions, SubjectConfirmation, Issuer, Status...
  {
    name: 'remove element',
    apply: (xml, rng) =>
      onDom(xml, (doc) => {
        const el = rng.pick(innerElements(doc))
        el.parentNode!.removeChild(el)
        return true
      }),
  },
  // A comment inside character data (the CVE-2017-11428 family: text read on either side of it).
  {
    name: 'comment in value',
    apply: (xml, rng) => {
      const runs = textRuns(xml)
      if (runs.length === 0) return undefined
      const run = rng.pick(runs)
      const at = run.start + rng.int(run.end - run.start + 1)
      return splice(xml, at, 0, rng.pick(['<!---->', '<!--x-->', '<!-- -->']))
    },
  },
  // A processing instruction inside character data or between elements.
  {
    name: 'processing instruction',
    apply: (xml, rng) => {
      const runs = textRuns(xml)
      if (runs.length === 0) return undefined
      const run = rng.pick(runs)
      return splice(
        xml,
        run.start + rng.int(run.end - run.start + 1),
        0,
        rng.pick(['<?x y?>', '<?xml-stylesheet href="a"?>']),
      )
    },
  },
  // Part of character data written as a CDATA section: the same text, another lexical form.
  {
    name: 'CDATA in value',
    apply: (xml, rng) => {
      const runs = textRuns(xml).filter((r) => !xml.slice(r.start, r.end).includes('&'))
      if (runs.length === 0) return undefined
      const run = rng.pick(runs)
      const from = run.start + rng.int(run.end - run.start)
      const to = from + 1 + rng.int(run.end - from)
      return splice(xml, from, to - from, `<![CDATA[${xml.slice(from, to)}]]>`)
    },
  },
  // One character of text or of an attribute value written as a decimal or hex character reference
  // (or a predefined entity): the same document for any conformant parser.
  {
    name: 'character reference',
    apply: (xml, rng) => {
      const runs = [...textRuns(xml), ...attributeValues(xml)]
      if (runs.length === 0) return undefined
      const run = rng.pick(runs)
      const at = run.start + rng.int(run.end - run.start)
      const c = xml.charAt(at)
      if (c === '&' || c === ';') return undefined
      if (xml.lastIndexOf('&', at) > xml.lastIndexOf(';', at)) return undefined
      const code = c.charCodeAt(0)
      const ref = rng.pick([
        `&#${code};`,
        `&#x${code.toString(16)};`,
        `&#X${code.toString(16).toUpperCase()};`,
      ])
      return splice(xml, at, 1, ref)
    },
  },
  // Characters XML 1.0 does not normalize but some parsers rewrite: U+2028, U+0085, a lone CR, TAB.
  {
    name: 'unusual characters',
    apply: (xml, rng) => {
      const runs = textRuns(xml)
      if (runs.length === 0) return undefined
      const run = rng.pick(runs)
      const at = run.start + rng.int(run.end - run.start + 1)
      return splice(xml, at, 0, rng.pick(['\u2028', '\u0085', '\r', '\t', '&#13;', '&#x2028;', '\u00a0']))
    },
  },
  // An element's prefix renamed (declaration included) or rebound to another namespace URI.
  {
    name: 'change prefix',
    apply: (xml, rng) => {
      const prefixes = [...new Set([...xml.matchAll(/xmlns:([\w.-]+)=/g)].map((m) => m[1]!))]
      if (prefixes.length === 0) return undefined
      const p = rng.pick(prefixes)
      const q = rng.pick(['x', 'saml', 'samlp', 'ds', 'saml2', `${p}2`])
      if (q === p) return undefined
      const re = new RegExp(`(</?|xmlns:|\\s)${p.replace(/\./g, '\\.')}:`, 'g')
      return xml.replace(re, `$1${q}:`)
    },
  },
  // A namespace redeclared on an element: the same prefix to another URI, a new default
  // namespace, `xmlns=""`, or a look-alike URI.
  {
    name: 'redeclare namespace',
    apply: (xml, rng) =>
      onDom(xml, (doc) => {
        const el = rng.pick(elements(doc))
        const prefix = rng.pick(['saml', 'samlp', 'ds', 'xs', ''])
        const uri = rng.pick([`${NS.assertion}:`, NS.protocol, NS.assertion, NS.dsig, 'urn:x-evil', ''])
        if (prefix !== '' && uri === '') return false
        el.setAttributeNS(NS.xmlns, prefix ? `xmlns:${prefix}` : 'xmlns', uri)
        return true
      }),
  },
  // An xml:* attribute (lang, space, base, id) added; inclusive c14n carries them down.
  {
    name: 'xml attribute',
    apply: (xml, rng) =>
      onDom(xml, (doc) => {
        const el = rng.pick(elements(doc))
        const [name, value] = rng.pick([
          ['xml:lang', 'de'],
          ['xml:space', 'preserve'],
          ['xml:base', 'https://evil.test/'],
          ['xml:id', '_evil'],
        ] as const)
        el.setAttributeNS(NS.xml, name, value)
        return true
      }),
  },
  // Whitespace added between elements, before a tag's end, or around an attribute's `=`.
  {
    name: 'whitespace',
    apply: (xml, rng) => {
      const ws = rng.pick([' ', '\n', '\t', '\r\n', '  \n  '])
      const kind = rng.int(3)
      if (kind === 0) {
        const gaps = [...xml.matchAll(/></g)].map((m) => m.index + 1)
        return gaps.length ? splice(xml, rng.pick(gaps), 0, ws) : undefined
      }
      if (kind === 1) {
        const ends = [...xml.matchAll(/"(\/?>)/g)].map((m) => m.index + 1)
        return ends.length ? splice(xml, rng.pick(ends), 0, ws) : undefined
      }
      const eqs = [...xml.matchAll(/[\w:]=["']/g)].map((m) => m.index + 1)
      return eqs.length ? splice(xml, rng.pick(eqs), 1, `${ws}=${ws}`) : undefined
    },
  },
  // A start tag's attributes shuffled (c14n sorts them, so the signature still holds).
  {
    name: 'reorder attributes',
    apply: (xml, rng) => {
      const tags = startTags(xml).filter((t) => xml.slice(t.start, t.end).trim().includes(' '))
      if (tags.length === 0) return undefined
      const tag = rng.pick(tags)
      const attrs = xml.slice(tag.start, tag.end).match(/\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*')/g) ?? []
      for (let i = attrs.length - 1; i > 0; i--) {
        const j = rng.int(i + 1)
        ;[attrs[i], attrs[j]] = [attrs[j]!, attrs[i]!]
      }
      return splice(xml, tag.start, tag.end - tag.start, attrs.join(''))
    },
  },
  // An attribute repeated in its tag, same or other value; or the same expanded name under a
  // second prefix bound to the same URI.
  {
    name: 'duplicate attribute',
    apply: (xml, rng) => {
      const tags = startTags(xml).filter((t) => t.end > t.start)
      if (tags.length === 0) return undefined
      const tag = rng.pick(tags)
      const attrs = xml.slice(tag.start, tag.end).match(/\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*')/g) ?? []
      if (attrs.length === 0) return undefined
      const attr = rng.pick(attrs)
      const variant = rng.int(3)
      const added =
        variant === 0
          ? attr
          : variant === 1
            ? attr.replace(/=\s*(["']).*\1$/s, '="_evil"')
            : ` xmlns:dup="${NS.assertion}" xmlns:dup2="${NS.assertion}" dup:a="1" dup2:a="2"`
      return splice(xml, tag.end, 0, added)
    },
  },
  // The document cut short anywhere.
  {
    name: 'truncate',
    apply: (xml, rng) => xml.slice(0, rng.int(xml.length)),
  },
  // A DOCTYPE: empty, with an internal subset, an external identifier or a parameter entity.
  {
    name: 'DOCTYPE',
    apply: (xml, rng) => {
      const doctype = rng.pick([
        '<!DOCTYPE r>',
        '<!DOCTYPE r [<!ELEMENT r ANY>]>',
        '<!DOCTYPE r SYSTEM "http://evil.test/x.dtd">',
        '<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
      ])
      return xml.replace(/^(\uFEFF?<\?xml[^>]*\?>)?/, `$1${doctype}`)
    },
  },
  // Entity expansion: an internal (or nested, billion-laughs style) entity used in a value.
  {
    name: 'entity expansion',
    apply: (xml, rng) => {
      const nested = rng.next() < 0.5
      const decl = nested
        ? `<!ENTITY a "mallory"><!ENTITY b "&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;">`
        : '<!ENTITY c "mallory@evil.test">'
      const runs = textRuns(xml)
      if (runs.length === 0) return undefined
      const run = rng.pick(runs)
      const withRef = splice(xml, run.start, run.end - run.start, '&c;')
      return withRef.replace(/^(\uFEFF?<\?xml[^>]*\?>)?/, `$1<!DOCTYPE r [${decl}]>`)
    },
  },
  // Nesting far deeper than a response needs (around the 24 cap, or thousands).
  {
    name: 'huge depth',
    apply: (xml, rng) => {
      const depth = rng.pick([20, 24, 25, 200, 5000])
      const gaps = [...xml.matchAll(/></g)].map((m) => m.index + 1)
      if (gaps.length === 0) return undefined
      const deep = `${'<j:d xmlns:j="urn:x-junk">'.repeat(depth)}${'</j:d>'.repeat(depth)}`
      return splice(xml, rng.pick(gaps.slice(1)) ?? gaps[0]!, 0, deep)
    },
  },
  // Malformed markup XML 1.0 forbids: `<` in an attribute value, `]]>` in text, an undeclared
  // prefix, a bare `&`, an unescaped `<` in text.
  {
    name: 'not well formed',
    apply: (xml, rng) => {
      const kind = rng.int(5)
      if (kind === 0 || kind === 4) {
        const tags = startTags(xml).filter((t) => /="[^"]/.test(xml.slice(t.start, t.end)))
        if (tags.length === 0) return undefined
        const tag = rng.pick(tags)
        const quote = xml.indexOf('="', tag.start) + 2
        return splice(xml, quote, 0, kind === 0 ? '<' : '&')
      }
      const runs = textRuns(xml)
      if (runs.length === 0) return undefined
      const run = rng.pick(runs)
      if (kind === 1) return splice(xml, run.start, 0, ']]>')
      if (kind === 2) return splice(xml, run.start - 1, 0, '<undeclared:e/>')
      return splice(xml, run.start, 0, '& ')
    },
  },
]

/** Applies 1–3 operators picked by `rng`; returns the result and the operator names, in order. */
export function mutateResponse(xml: string, rng: Rng): { xml: string; mutations: string[] } {
  const count = 1 + rng.int(3)
  const mutations: string[] = []
  let out = xml
  for (let i = 0; i < count * 3 && mutations.length < count; i++) {
    const op = rng.pick(MUTATIONS)
    const next = op.apply(out, rng)
    if (next === undefined || next === out) continue
    out = next
    mutations.push(op.name)
  }
  return { xml: out, mutations }
}

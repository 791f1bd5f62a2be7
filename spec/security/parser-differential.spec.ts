/**
 * Parser differential: every document the specs know — valid responses of every shape, every attack
 * of the differential suite, IdP metadata, an Auth0 `saml` assertion, a corpus of well-formedness and
 * namespace cases, and seeded fuzz mutants — read by the OLD reader (the pre-scan, then xmldom 0.8)
 * and by the NEW one (the library's `parseXml`), through spec/support/xml-readers.ts.
 *
 * For each document: both refuse (with the same code), or both accept with the same projection
 * (names, namespace URIs and declarations, attributes, text, comments), or the new reader is
 * stricter (refuses) or more faithful (keeps characters xmldom rewrites), and the case is in
 * {@link PARSER_STRICTER} with the rule, which docs/security.md ("Parser: stricter than xmldom")
 * shows. Listed cases must still behave so, so the table cannot drift. For fuzz mutants, which have
 * no names, a refusal only the new reader makes must be one libxml2 (`xmllint`) makes too.
 *
 * `PARSER_REPORT=1` prints each corpus case with both verdicts.
 */
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { after, before, describe, it, mock } from 'node:test'
import { METADATA_XML_LIMITS, MESSAGE_XML_LIMITS } from '../../lib/xml/parse-xml.js'
import { attackCases, NOW, validCases } from '../support/differential-cases.js'
import { fuzzInputs } from '../support/fuzz-run.js'
import { makeSeeds } from '../support/fuzz-targets.js'
import { entitiesDescriptor, signMetadata } from '../support/signed-metadata.js'
import { keys, TestIdp } from '../support/test-idp.js'
import { readNew, readOld, xmllintError, type Reading, type XmlCode } from '../support/xml-readers.js'

/** How the new reader departs from xmldom on a named case. */
export interface ParserDeparture {
  readonly case: string
  /**
   * `refuses`: xmldom accepts, we refuse. `keeps`: both accept; xmldom rewrites characters we keep.
   * `drops`: both accept; we do not record a declaration that binds nothing new.
   */
  readonly kind: 'refuses' | 'keeps' | 'drops'
  /** The rule of XML 1.0 (Fifth Edition) or Namespaces in XML 1.0 (Third Edition) that we follow. */
  readonly rule: string
}

interface CorpusCase {
  readonly name: string
  readonly xml: string
  /** What XML 1.0 + Namespaces in XML 1.0 say about the document. */
  readonly conformant: boolean
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace'
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'

/** Well-formedness and namespace cases: what the standards forbid, and what they allow that looks odd. */
export const WELL_FORMEDNESS_CORPUS: readonly CorpusCase[] = [
  // --- forbidden ---
  { name: '< in an attribute value', xml: '<r a="<"/>', conformant: false },
  {
    name: '< in an attribute value of a SAML element',
    xml: '<r ID="_a" Destination="https://sp<x/>"/>',
    conformant: false,
  },
  { name: 'undeclared element prefix', xml: '<x:r/>', conformant: false },
  { name: 'undeclared attribute prefix', xml: '<r x:a="1"/>', conformant: false },
  { name: 'undeclared prefix on a child element', xml: '<r xmlns:a="urn:a"><b:c/></r>', conformant: false },
  { name: ']]> in text', xml: '<r>]]></r>', conformant: false },
  { name: 'bare & in text', xml: '<r>a & b</r>', conformant: false },
  { name: 'bare & in an attribute value', xml: '<r a="&"/>', conformant: false },
  { name: 'undefined entity', xml: '<r>&foo;</r>', conformant: false },
  { name: 'duplicate attribute', xml: '<r a="1" a="2"/>', conformant: false },
  { name: 'duplicate prefixed attribute', xml: '<r xmlns:x="urn:x" x:a="1" x:a="2"/>', conformant: false },
  {
    name: 'duplicate attribute by expanded name (two prefixes, one URI)',
    xml: '<r xmlns:a="urn:u" xmlns:b="urn:u" a:x="1" b:x="2"/>',
    conformant: false,
  },
  { name: 'xml prefix bound to another URI', xml: '<r xmlns:xml="urn:x"/>', conformant: false },
  { name: 'xml namespace URI bound to another prefix', xml: `<r xmlns:x="${XML_NS}"/>`, conformant: false },
  { name: 'xmlns prefix declared', xml: '<r xmlns:xmlns="urn:x"/>', conformant: false },
  { name: 'xmlns namespace URI bound to a prefix', xml: `<r xmlns:x="${XMLNS_NS}"/>`, conformant: false },
  {
    name: 'xmlns namespace URI as the default namespace',
    xml: `<r xmlns="${XMLNS_NS}"/>`,
    conformant: false,
  },
  { name: 'prefix undeclared with xmlns:p=""', xml: '<r xmlns:p=""/>', conformant: false },
  { name: 'element with the xmlns prefix', xml: '<xmlns:r/>', conformant: false },
  { name: 'QName with two colons', xml: '<a:b:c xmlns:a="urn:a"/>', conformant: false },
  { name: 'QName with an empty prefix', xml: '<:r/>', conformant: false },
  { name: 'character reference to U+0000', xml: '<r>&#0;</r>', conformant: false },
  { name: 'character reference to a surrogate', xml: '<r>&#xD800;</r>', conformant: false },
  { name: 'character reference beyond U+10FFFF', xml: '<r>&#x110000;</r>', conformant: false },
  { name: 'control character U+0001 in text', xml: '<r>\u0001</r>', conformant: false },
  { name: 'control character U+0001 in an attribute value', xml: '<r a="\u0001"/>', conformant: false },
  { name: 'noncharacter U+FFFE in text', xml: '<r>\uFFFE</r>', conformant: false },
  { name: '-- inside a comment', xml: '<r><!-- a -- b --></r>', conformant: false },
  { name: 'comment ending in --->', xml: '<r><!-- a ---></r>', conformant: false },
  { name: 'text before the root element', xml: 'x<r/>', conformant: false },
  { name: 'XML declaration after whitespace', xml: ' <?xml version="1.0"?><r/>', conformant: false },
  { name: 'attribute without a value', xml: '<r a/>', conformant: false },
  { name: 'unquoted attribute value', xml: '<r a=1/>', conformant: false },
  { name: 'element name starting with a digit', xml: '<1r/>', conformant: false },
  // --- allowed ---
  { name: 'U+2028 in text', xml: '<r>a\u2028b</r>', conformant: true },
  { name: 'U+0085 in text', xml: '<r>a\u0085b</r>', conformant: true },
  { name: 'U+2028 in an attribute value', xml: '<r a="a\u2028b"/>', conformant: true },
  { name: 'CR LF and CR in text', xml: '<r>a\r\nb\rc</r>', conformant: true },
  {
    name: 'tab, LF and a tab reference in an attribute value',
    xml: '<r a="x&#9;y\tz\nw"/>',
    conformant: true,
  },
  { name: '< as a character reference in an attribute value', xml: '<r a="&#60;"/>', conformant: true },
  { name: '> in an attribute value and ]] in text', xml: '<r a=">">]]&gt;]]</r>', conformant: true },
  {
    name: 'prefix rebound on a child',
    xml: '<p:r xmlns:p="urn:1"><p:c xmlns:p="urn:2"/></p:r>',
    conformant: true,
  },
  {
    name: 'default namespace undeclared on a child',
    xml: '<r xmlns="urn:u"><c xmlns=""/></r>',
    conformant: true,
  },
  { name: 'xml:lang without a declaration', xml: '<r xml:lang="en"/>', conformant: true },
  { name: 'xml prefix declared to its own URI', xml: `<r xmlns:xml="${XML_NS}"/>`, conformant: true },
  {
    name: 'same local attribute name in two namespaces',
    xml: '<r xmlns:a="urn:1" xmlns:b="urn:2" a:x="1" b:x="2"/>',
    conformant: true,
  },
  { name: 'CDATA with markup inside', xml: '<r><![CDATA[<x>&amp;]]></r>', conformant: true },
  {
    name: 'character and predefined entity references',
    xml: '<r>&#x41;&#65;&lt;&gt;&amp;&apos;&quot;</r>',
    conformant: true,
  },
  {
    name: 'a character outside the BMP, literal and by reference',
    xml: '<r>\u{1F600}&#x1F600;</r>',
    conformant: true,
  },
  { name: 'quotes inside the other quotes', xml: `<r a='"' b="'"/>`, conformant: true },
  { name: 'comments and whitespace around the root', xml: '<!-- a -->\n<r/>\n<!-- b -->', conformant: true },
]

/** Where the new reader departs from xmldom on a named case, and the rule it follows there. */
export const PARSER_STRICTER: readonly ParserDeparture[] = [
  {
    case: '< in an attribute value',
    kind: 'refuses',
    rule: 'XML 1.0 [10] AttValue: `<` may not appear in an attribute value',
  },
  { case: '< in an attribute value of a SAML element', kind: 'refuses', rule: 'XML 1.0 [10] AttValue' },
  {
    case: 'undeclared element prefix',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §5 (Namespace constraint: Prefix Declared)',
  },
  {
    case: 'undeclared attribute prefix',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §5 (Prefix Declared)',
  },
  {
    case: 'undeclared prefix on a child element',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §5 (Prefix Declared)',
  },
  {
    case: ']]> in text',
    kind: 'refuses',
    rule: 'XML 1.0 [14] CharData: the literal `]]>` may not appear in content',
  },
  {
    case: 'bare & in text',
    kind: 'refuses',
    rule: 'XML 1.0 [14] CharData / [67] Reference: `&` starts a reference',
  },
  { case: 'bare & in an attribute value', kind: 'refuses', rule: 'XML 1.0 [10] AttValue' },
  {
    case: 'duplicate attribute by expanded name (two prefixes, one URI)',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §6.3: no two attributes with the same local name and namespace URI',
  },
  {
    case: 'xml prefix bound to another URI',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §3: `xml` is bound to its URI only',
  },
  {
    case: 'xml namespace URI bound to another prefix',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §3: the xml URI takes no other prefix',
  },
  {
    case: 'xmlns prefix declared',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §3: `xmlns` must not be declared',
  },
  {
    case: 'xmlns namespace URI bound to a prefix',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §3: the xmlns URI is bound to no prefix',
  },
  { case: 'xmlns namespace URI as the default namespace', kind: 'refuses', rule: 'Namespaces in XML 1.0 §3' },
  {
    case: 'prefix undeclared with xmlns:p=""',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §3: an empty value only for the default namespace',
  },
  {
    case: 'element with the xmlns prefix',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §3: element names must not have the prefix `xmlns`',
  },
  { case: 'character reference to U+0000', kind: 'refuses', rule: 'XML 1.0 [66] WFC Legal Character' },
  { case: 'character reference to a surrogate', kind: 'refuses', rule: 'XML 1.0 [66] WFC Legal Character' },
  { case: 'character reference beyond U+10FFFF', kind: 'refuses', rule: 'XML 1.0 [66] WFC Legal Character' },
  { case: 'control character U+0001 in text', kind: 'refuses', rule: 'XML 1.0 [2] Char' },
  { case: 'control character U+0001 in an attribute value', kind: 'refuses', rule: 'XML 1.0 [2] Char' },
  { case: 'noncharacter U+FFFE in text', kind: 'refuses', rule: 'XML 1.0 [2] Char' },
  { case: '-- inside a comment', kind: 'refuses', rule: 'XML 1.0 [15] Comment: `--` may not occur inside' },
  { case: 'comment ending in --->', kind: 'refuses', rule: 'XML 1.0 [15] Comment' },
  {
    case: 'text before the root element',
    kind: 'refuses',
    rule: 'XML 1.0 [1] document: only Misc before the root',
  },
  {
    case: 'XML declaration after whitespace',
    kind: 'refuses',
    rule: 'XML 1.0 [22] prolog: the declaration comes first',
  },
  {
    case: 'U+2028 in text',
    kind: 'keeps',
    rule: 'XML 1.0 §2.11 normalizes only CR and CR LF; U+2028 is data',
  },
  { case: 'U+0085 in text', kind: 'keeps', rule: 'XML 1.0 §2.11 (U+0085 is normalized only in XML 1.1)' },
  {
    case: 'U+2028 in an attribute value',
    kind: 'keeps',
    rule: 'XML 1.0 §3.3.3 normalizes only #x20, #xD, #xA and #x9',
  },
  // The differential suite's XML attacks (spec/support/differential-cases.ts): the same rules in a
  // signed response's Extensions.
  { case: 'XML: "<" in an attribute value', kind: 'refuses', rule: 'XML 1.0 [10] AttValue' },
  { case: 'XML: "]]>" in text', kind: 'refuses', rule: 'XML 1.0 [14] CharData' },
  {
    case: 'XML: an undeclared element prefix',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §5 (Prefix Declared)',
  },
  {
    case: 'XML: an undeclared attribute prefix',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §5 (Prefix Declared)',
  },
  {
    case: 'XML: the xml prefix rebound',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §3: `xml` is bound to its URI only',
  },
  {
    case: 'XML: two attributes with one expanded name',
    kind: 'refuses',
    rule: 'Namespaces in XML 1.0 §6.3: no two attributes with the same local name and namespace URI',
  },
  {
    case: 'xml prefix declared to its own URI',
    kind: 'drops',
    rule: 'Namespaces in XML 1.0 §3: `xml` is bound by definition, so declaring it binds nothing (and c14n never renders it)',
  },
]

/** Characters xmldom rewrites and we keep (the `keeps` rules), for the nameless fuzz mutants. */
const KEPT_CHARACTERS = /[\u2028\u0085]/

interface Named {
  readonly name: string
  readonly xml: string
  readonly limits: typeof MESSAGE_XML_LIMITS
  readonly code: XmlCode
}

type Verdict = 'same' | 'both refuse' | 'new refuses' | 'old refuses' | 'codes differ' | 'projections differ'

/** The verdict each kind of listed departure must give. */
const DEPARTS_AS: Record<ParserDeparture['kind'], Verdict> = {
  refuses: 'new refuses',
  keeps: 'projections differ',
  drops: 'projections differ',
}

function compare(old: Reading, fresh: Reading): Verdict {
  if (!old.ok && !fresh.ok) return old.code === fresh.code ? 'both refuse' : 'codes differ'
  if (old.ok && !fresh.ok) return 'new refuses'
  if (!old.ok || !fresh.ok) return 'old refuses'
  if (JSON.stringify(old.root) === JSON.stringify(fresh.root)) return 'same'
  return 'projections differ'
}

const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8')

function saml20Assertion(): string {
  const require = createRequire(import.meta.url)
  const saml = require('saml') as {
    Saml20: { create(options: Record<string, unknown>): string }
  }
  return saml.Saml20.create({
    cert: Buffer.from(keys.idpGlobex.cert),
    key: Buffer.from(keys.idpGlobex.key),
    issuer: 'https://idp.globex.test/saml',
    lifetimeInSeconds: 300,
    audiences: 'https://sp.example.test/saml/globex/metadata',
    nameIdentifier: 'alice@globex.test',
    attributes: { 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': 'alice@globex.test' },
    signatureAlgorithm: 'rsa-sha256',
    digestAlgorithm: 'sha256',
  })
}

describe('parser differential: xmldom 0.8 (old) against parseXml (new)', () => {
  const named: Named[] = []
  const observed = new Map<string, Verdict>()
  let mutants: Array<{ index: number; mutations: readonly string[]; xml: string }> = []

  const message = (name: string, xml: string): Named => ({
    name,
    xml,
    limits: MESSAGE_XML_LIMITS,
    code: 'ERR_SAML_MALFORMED',
  })
  const metadata = (name: string, xml: string): Named => ({
    name,
    xml,
    limits: METADATA_XML_LIMITS,
    code: 'ERR_SAML_METADATA_INVALID',
  })

  before(async () => {
    mock.timers.enable({ apis: ['Date'], now: NOW })
    for (const c of [...validCases, ...attackCases]) named.push(message(c.name, decode(await c.make())))
    const seeds = await makeSeeds()
    for (const s of seeds) named.push(message(`fuzz seed: ${s.name}`, s.xml))
    mutants = [...fuzzInputs(seeds, 4242, 250)]
    const idp = new TestIdp({
      entityId: 'https://idp.meta.test/saml',
      ssoUrl: 'https://idp.meta.test/sso',
      signing: keys.idpAcme,
    })
    const entity = idp.metadataXml()
    named.push(metadata('metadata: samlify EntityDescriptor', entity))
    named.push(metadata('metadata: EntityDescriptor signed by xmlsec1', signMetadata(entity, keys.idpAcme)))
    named.push(
      metadata(
        'metadata: federation aggregate',
        entitiesDescriptor(entity, entity.replace(/idp\.meta\.test/g, 'idp.other.test')),
      ),
    )
    named.push(message('Auth0 saml: signed SAML 2.0 assertion', saml20Assertion()))
    for (const c of WELL_FORMEDNESS_CORPUS) named.push(message(c.name, c.xml))
    const names = new Set<string>()
    for (const n of named) {
      assert.ok(!names.has(n.name), `duplicate case name ${n.name}`)
      names.add(n.name)
    }
  })
  after(() => {
    mock.timers.reset()
    if (process.env.PARSER_REPORT) {
      for (const c of WELL_FORMEDNESS_CORPUS) {
        const old = readOld(c.xml)
        const fresh = readNew(c.xml)
        const verdict = (r: Reading) => (r.ok ? 'accepts' : `refuses (${r.code})`)
        console.log(
          `${c.name}: standard ${c.conformant ? 'allows' : 'forbids'}; xmldom ${verdict(old)}; new ${verdict(fresh)}`,
        )
      }
    }
  })

  it('every named document: the same reading, both refuse alike, or a listed departure', () => {
    const departures = new Map(PARSER_STRICTER.map((d) => [d.case, d.kind]))
    const failures: string[] = []
    for (const n of named) {
      const old = readOld(n.xml, n.limits, n.code)
      const fresh = readNew(n.xml, n.limits, n.code)
      const verdict = compare(old, fresh)
      observed.set(n.name, verdict)
      const listed = departures.get(n.name)
      const ok =
        listed === undefined
          ? verdict === 'same' || verdict === 'both refuse'
          : verdict === DEPARTS_AS[listed]
      if (!ok) failures.push(`${n.name}: ${verdict}${listed ? ` (listed as ${listed})` : ''}`)
    }
    assert.deepEqual(failures, [])
  })

  it('the corpus: the new reader refuses exactly what XML 1.0 and Namespaces in XML forbid', () => {
    const wrong = WELL_FORMEDNESS_CORPUS.filter((c) => readNew(c.xml).ok !== c.conformant).map(
      (c) => `${c.name}: the standard ${c.conformant ? 'allows' : 'forbids'} it`,
    )
    assert.deepEqual(wrong, [])
  })

  it('the kept characters are kept as written', () => {
    const fresh = readNew('<r a="a\u2028b">a\u2028b\u0085c</r>')
    assert.ok(fresh.ok)
    assert.deepEqual(fresh.root.attributes, [['a', '', 'a\u2028b']])
    assert.deepEqual(fresh.root.children, [{ text: 'a\u2028b\u0085c' }])
  })

  it(`fuzz mutants: the same reading, both refuse alike, or a refusal libxml2 makes too`, () => {
    const failures: string[] = []
    let newOnly = 0
    for (const m of mutants) {
      const verdict = compare(readOld(m.xml), readNew(m.xml))
      if (verdict === 'same' || verdict === 'both refuse') continue
      if (verdict === 'projections differ' && KEPT_CHARACTERS.test(m.xml)) continue
      if (verdict === 'new refuses') {
        newOnly++
        const libxml2 = xmllintError(m.xml)
        if (libxml2 !== undefined) continue
      }
      failures.push(`mutant #${m.index} (${m.mutations.join(', ')}): ${verdict}`)
    }
    assert.deepEqual(failures, [], `${newOnly} of ${mutants.length} refused by the new reader only`)
    assert.ok(newOnly > 0, 'no mutant told the readers apart: the mutations no longer reach the parser')
  })

  it('the table names real cases and docs/security.md shows every one with its rule', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8')
    const section = doc.slice(doc.indexOf('### Parser: stricter than xmldom'))
    assert.ok(section.length > 0 && doc.includes('### Parser: stricter than xmldom'), 'section missing')
    for (const d of PARSER_STRICTER) {
      assert.ok(observed.has(d.case), `"${d.case}" is listed but no document has that name`)
      assert.ok(section.includes(`\`${d.case}\``), `docs/security.md does not show "${d.case}"`)
      assert.ok(section.includes(d.rule), `docs/security.md does not give the rule for "${d.case}"`)
    }
  })
})

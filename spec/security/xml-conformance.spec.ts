// The XML reader refuses what XML 1.0 and Namespaces in XML forbid. Every document below was
// accepted by the reader the library used before (xmldom 0.8 with every warning fatal, behind the
// same pre-scan): each one is checked against that reader too, so the list shows exactly where the
// library became stricter (docs/security.md, "Stricter than node-saml").
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MESSAGE_XML_LIMITS, METADATA_XML_LIMITS, parseXml } from '../../lib/xml/parse-xml.js'
import { readNew, readOld, type Reading } from '../support/xml-readers.js'

/** What a reader of spec/support/xml-readers.ts made of `xml`: 'accepted', or the code it refused with. */
const outcome = (reading: Reading) => (reading.ok ? 'accepted' : reading.code)

const NOT_WELL_FORMED: ReadonlyArray<[rule: string, xml: string]> = [
  ['"<" in an attribute value (XML 1.0 AttValue)', '<r a="<evil/>"/>'],
  ['"]]>" in text (XML 1.0 CharData)', '<r>a]]>b</r>'],
]

const NOT_NAMESPACE_WELL_FORMED: ReadonlyArray<[rule: string, xml: string]> = [
  ['an undeclared element prefix', '<saml:Assertion/>'],
  ['an undeclared element prefix below the root', '<r><x:e/></r>'],
  ['an undeclared attribute prefix', '<r x:a="1"/>'],
  ['the xml prefix bound to another URI', '<r xmlns:xml="urn:not-xml"/>'],
  ['another prefix bound to the xml URI', '<r xmlns:x="http://www.w3.org/XML/1998/namespace"/>'],
  ['the xmlns prefix declared', '<r xmlns:xmlns="urn:x"/>'],
  ['a prefix bound to the xmlns URI', '<r xmlns:x="http://www.w3.org/2000/xmlns/"/>'],
  ['the default namespace set to the xmlns URI', '<r xmlns="http://www.w3.org/2000/xmlns/"/>'],
  ['a prefix undeclared (xmlns:p="", XML 1.1 only)', '<r xmlns:p="urn:p"><e xmlns:p=""/></r>'],
  [
    'two attributes with one expanded name',
    '<r xmlns:a="urn:same" xmlns:b="urn:same" a:n="signed" b:n="read"/>',
  ],
  ['an element with the xmlns prefix', '<xmlns:r/>'],
]

describe('XML conformance: what the reader refuses', () => {
  for (const [rule, xml] of [...NOT_WELL_FORMED, ...NOT_NAMESPACE_WELL_FORMED]) {
    it(`refuses ${rule}, which the previous reader accepted`, () => {
      assert.equal(outcome(readOld(xml)), 'accepted', 'the previous reader accepted it')
      assert.equal(outcome(readNew(xml)), 'ERR_SAML_MALFORMED')
      assert.equal(
        outcome(readNew(xml, METADATA_XML_LIMITS, 'ERR_SAML_METADATA_INVALID')),
        'ERR_SAML_METADATA_INVALID',
      )
    })
  }

  it('refuses, as the previous reader did, undefined entities, odd names and characters XML cannot carry', () => {
    for (const xml of [
      '<r>&evil;</r>',
      '<a:b:c xmlns:a="urn:a"/>',
      '<r>\u0001</r>',
      '<r>&#0;</r>',
      '<r a="&#xFFFE;"/>',
      '<r>\uFFFF</r>',
    ]) {
      assert.equal(outcome(readNew(xml)), 'ERR_SAML_MALFORMED', JSON.stringify(xml))
    }
  })
})

describe('XML conformance: what the reader keeps', () => {
  it('keeps U+0085 and U+2028, which XML 1.0 does not treat as line ends', () => {
    const { root } = parseXml('<r a="x\u2028y\u0085z">p\u2028q\u0085r</r>', MESSAGE_XML_LIMITS)
    assert.equal(root.attributes[0]!.value, 'x\u2028y\u0085z')
    assert.deepEqual(root.children, [{ type: 'text', text: 'p\u2028q\u0085r' }])
  })

  it('normalizes line ends in text and attributes as XML 1.0 says; references keep their character', () => {
    const { root } = parseXml('<r a="1\r\n2\r3\t4" b="&#13;&#10;&#9;">a\r\nb\rc&#13;</r>', MESSAGE_XML_LIMITS)
    assert.equal(root.attributes[0]!.value, '1 2 3 4')
    assert.equal(root.attributes[1]!.value, '\r\n\t')
    assert.deepEqual(root.children, [{ type: 'text', text: 'a\nb\nc\r' }])
  })

  it('reads a text of 200 000 carriage returns (one linear pass, not one per CR)', () => {
    const { root } = parseXml(`<r>${'\r'.repeat(200_000)}</r>`, MESSAGE_XML_LIMITS)
    assert.deepEqual(root.children, [{ type: 'text', text: '\n'.repeat(200_000) }])
  })

  it('accepts what Namespaces in XML allows: xml declared to its own URI, a default undeclared', () => {
    const { root } = parseXml(
      '<r xmlns="urn:d" xmlns:xml="http://www.w3.org/XML/1998/namespace" xml:lang="en"><e xmlns=""/></r>',
      MESSAGE_XML_LIMITS,
    )
    assert.equal(root.namespaceURI, 'urn:d')
    assert.equal(root.attributes[0]!.namespaceURI, 'http://www.w3.org/XML/1998/namespace')
    const e = root.children[0]
    assert.ok(e?.type === 'element')
    assert.equal(e.namespaceURI, '')
  })
})

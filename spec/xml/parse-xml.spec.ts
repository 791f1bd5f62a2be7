// parseXml builds the one namespace-resolved tree the library reads: names split and resolved by
// scope, declarations apart from attributes, parents set, comments kept, CDATA merged into text.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SamlError } from '../../lib/errors/saml-error.js'
import { MESSAGE_XML_LIMITS, parseXml, parseXmlInContext } from '../../lib/xml/parse-xml.js'
import { childElements } from '../../lib/xml/read-element.js'
import type { XmlElement } from '../../lib/xml/tree.js'

const only = (el: XmlElement): XmlElement => {
  const kids = childElements(el)
  assert.equal(kids.length, 1)
  return kids[0]!
}

describe('parseXml', () => {
  it('resolves element and attribute names by scope, nearest declaration first', () => {
    const { root } = parseXml(
      '<p:r xmlns:p="urn:outer" xmlns="urn:default" a="1" p:b="2"><p:e xmlns:p="urn:inner"><d/></p:e></p:r>',
      MESSAGE_XML_LIMITS,
    )
    assert.deepEqual(
      [root.name, root.prefix, root.localName, root.namespaceURI, root.parent],
      ['p:r', 'p', 'r', 'urn:outer', null],
    )
    assert.deepEqual(root.namespaces, [
      { prefix: 'p', uri: 'urn:outer' },
      { prefix: '', uri: 'urn:default' },
    ])
    assert.deepEqual(root.attributes, [
      { name: 'a', prefix: '', localName: 'a', namespaceURI: '', value: '1' },
      { name: 'p:b', prefix: 'p', localName: 'b', namespaceURI: 'urn:outer', value: '2' },
    ])
    const e = only(root)
    assert.equal(e.namespaceURI, 'urn:inner')
    assert.equal(e.parent, root)
    const d = only(e)
    assert.equal(d.namespaceURI, 'urn:default', 'the default namespace is inherited')
    assert.equal(d.parent, e)
  })

  it('keeps comments, merges CDATA with the text around it, drops what is outside the root', () => {
    const { root } = parseXml('<!-- a --><r>x<![CDATA[<y>]]>z<!--c-->w</r><!-- b -->', MESSAGE_XML_LIMITS)
    assert.deepEqual(root.children, [
      { type: 'text', text: 'x<y>z' },
      { type: 'comment', text: 'c' },
      { type: 'text', text: 'w' },
    ])
  })

  it('parses a decrypted element in the namespace context it sat in, with that context as parent', () => {
    const { root } = parseXml(
      '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:EncryptedAssertion/></samlp:Response>',
      MESSAGE_XML_LIMITS,
    )
    const wrapper = only(root)
    const assertion = parseXmlInContext(
      '<saml:Assertion ID="_a"><saml:Issuer>idp</saml:Issuer></saml:Assertion>',
      MESSAGE_XML_LIMITS,
      'ERR_SAML_MALFORMED',
      wrapper,
    )
    assert.equal(assertion.namespaceURI, 'urn:oasis:names:tc:SAML:2.0:assertion')
    assert.equal(assertion.parent, wrapper)
    assert.equal(only(assertion).namespaceURI, 'urn:oasis:names:tc:SAML:2.0:assertion')
    assert.throws(
      () => parseXmlInContext('<x:Assertion/>', MESSAGE_XML_LIMITS, 'ERR_SAML_MALFORMED', wrapper),
      (err: unknown) => err instanceof SamlError && err.code === 'ERR_SAML_MALFORMED',
    )
  })

  it('keeps the pre-scan in front: DTDs and limits have their own codes', () => {
    const code = (xml: string) => {
      try {
        parseXml(xml, { ...MESSAGE_XML_LIMITS, maxDepth: 3 })
        return 'accepted'
      } catch (err) {
        return (err as SamlError).code
      }
    }
    assert.equal(code('<!DOCTYPE r><r/>'), 'ERR_SAML_XML_DTD')
    assert.equal(code('<r><a><b><c></c></b></a></r>'), 'ERR_SAML_XML_LIMITS')
    assert.equal(code('<r><a><b/></a></r>'), 'accepted')
  })

  it('finds two attributes with one expanded name among many, whatever their prefixes', () => {
    const many = Array.from({ length: 30 }, (_, i) => ` a:x${i}="v"`).join('')
    const root = (extra: string) =>
      `<r xmlns:a="urn:one" xmlns:b="urn:one" xmlns:c="urn:two"><e${many}${extra}/></r>`
    // 30 prefixed attributes and one more: past the first few, duplicates are found with a Set.
    const e = only(parseXml(root(' c:x3="v" x3="v"'), MESSAGE_XML_LIMITS).root)
    assert.equal(e.attributes.length, 32)
    for (const late of [' b:x29="v"', ' b:x0="v"']) {
      assert.throws(
        () => parseXml(root(late), MESSAGE_XML_LIMITS),
        (err: unknown) =>
          err instanceof SamlError &&
          err.code === 'ERR_SAML_MALFORMED' &&
          err.message.includes('two attributes named {urn:one}'),
      )
    }
  })

  it('puts each binding back on the way out of the element that declared it, among thousands', () => {
    const declarations = Array.from({ length: 3000 }, (_, i) => ` xmlns:p${i}="urn:outer:${i}"`).join('')
    const { root } = parseXml(
      `<r${declarations} xmlns="urn:default">` +
        '<p7:a xmlns:p7="urn:inner" p7:x="1"><b/><p2999:c/></p7:a>' +
        '<p7:a p7:x="2"><b xmlns=""/></p7:a><b/></r>',
      MESSAGE_XML_LIMITS,
    )
    const [inner, outer, last] = root.children as XmlElement[]
    assert.deepEqual(
      [inner!.namespaceURI, inner!.attributes[0]!.namespaceURI, outer!.namespaceURI, last!.namespaceURI],
      ['urn:inner', 'urn:inner', 'urn:outer:7', 'urn:default'],
    )
    const [b, c] = inner!.children as XmlElement[]
    assert.deepEqual([b!.namespaceURI, c!.namespaceURI], ['urn:default', 'urn:outer:2999'])
    assert.equal(only(outer!).namespaceURI, '')
  })

  it('resolves the same on either side of the number of declarations where lookups switch to a Map', () => {
    // 30 on the root, 5 more on <a>: over 32 inside <a> and its children, under it again after <a>.
    const declarations = Array.from({ length: 30 }, (_, i) => ` xmlns:p${i}="urn:p${i}"`).join('')
    const inner = Array.from({ length: 5 }, (_, i) => ` xmlns:p${i}="urn:inner${i}"`).join('')
    const { root } = parseXml(
      `<r${declarations}><p0:a${inner} p1:x="1"><p4:b p29:y="2"/></p0:a><p0:c p1:x="3"/></r>`,
      MESSAGE_XML_LIMITS,
    )
    const [a, c] = root.children as XmlElement[]
    const b = only(a!)
    assert.deepEqual(
      [a!.namespaceURI, a!.attributes[0]!.namespaceURI, b.namespaceURI, b.attributes[0]!.namespaceURI],
      ['urn:inner0', 'urn:inner1', 'urn:inner4', 'urn:p29'],
    )
    assert.deepEqual([c!.namespaceURI, c!.attributes[0]!.namespaceURI], ['urn:p0', 'urn:p1'])
  })
})

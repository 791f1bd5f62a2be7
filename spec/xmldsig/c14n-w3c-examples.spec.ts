// The examples of the two W3C recommendations, typed from them, run through our c14n: Canonical XML
// 1.0 §3 (https://www.w3.org/TR/2001/REC-xml-c14n-20010315#Examples) and Exclusive XML
// Canonicalization 1.0 §2.2 (https://www.w3.org/TR/2002/REC-xml-exc-c14n-20020718/#sec-Enveloping).
// Our parser refuses DTDs and processing instructions, so examples 3.1 and 3.3–3.4 are run without
// the parts that need them (each says what was left out), 3.5 (entities from a DTD) and 3.7 (an
// XPath subset that is not a subtree, with DTD-declared IDs) do not apply. Both algorithms write
// the same for a whole document whose elements use every namespace they declare, so 3.x run under both.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { C14N, EXC_C14N } from '../../lib/xmldsig/algorithms.js'
import { canonicalize, type Canonicalization } from '../../lib/xmldsig/canonicalization.js'
import { findElement, treeFromXml } from '../support/c14n-tree.js'

const INCLUSIVE: Canonicalization = { algorithm: C14N, prefixList: [] }
const EXCLUSIVE: Canonicalization = { algorithm: EXC_C14N, prefixList: [] }

const wholeDocument = (xml: string, method: Canonicalization) => canonicalize(treeFromXml(xml).root, method)

describe('Canonical XML 1.0 §3 examples', () => {
  it('3.1 (the document element only: the PIs and DTD outside it are refused by our parser): comments are not written', () => {
    const input = '<doc>Hello, world!<!-- Comment 1 --></doc>'
    assert.equal(wholeDocument(input, INCLUSIVE), '<doc>Hello, world!</doc>')
    assert.equal(wholeDocument(input, EXCLUSIVE), '<doc>Hello, world!</doc>')
  })

  it('3.2 whitespace in document content is kept as it is', () => {
    const input = [
      '<doc>',
      '   <clean>   </clean>',
      '   <dirty>   A   B   </dirty>',
      '   <mixed>',
      '      A',
      '      <clean>   </clean>',
      '      B',
      '      <dirty>   A   B   </dirty>',
      '      C',
      '   </mixed>',
      '</doc>',
    ].join('\n')
    assert.equal(wholeDocument(input, INCLUSIVE), input)
    assert.equal(wholeDocument(input, EXCLUSIVE), input)
  })

  // Without the DTD, whose only effect is e9's defaulted attr="default".
  const startAndEndTags = [
    '<doc>',
    '   <e1   />',
    '   <e2   ></e2>',
    '   <e3   name = "elem3"   id="elem3"   />',
    '   <e4   name="elem4"   id="elem4"   ></e4>',
    `   <e5 a:attr="out" b:attr="sorted" attr2="all" attr="I'm"`,
    '      xmlns:b="http://www.ietf.org"',
    '      xmlns:a="http://www.w3.org"',
    '      xmlns="http://example.org"/>',
    '   <e6 xmlns="" xmlns:a="http://www.w3.org">',
    '      <e7 xmlns="http://www.ietf.org">',
    '         <e8 xmlns="" xmlns:a="http://www.w3.org">',
    '            <e9 xmlns="" xmlns:a="http://www.ietf.org"/>',
    '         </e8>',
    '      </e7>',
    '   </e6>',
    '</doc>',
  ].join('\n')

  it('3.3 start and end tags (without the DTD default attribute): empty elements, attribute and namespace order, superfluous declarations', () => {
    assert.equal(
      wholeDocument(startAndEndTags, INCLUSIVE),
      [
        '<doc>',
        '   <e1></e1>',
        '   <e2></e2>',
        '   <e3 id="elem3" name="elem3"></e3>',
        '   <e4 id="elem4" name="elem4"></e4>',
        `   <e5 xmlns="http://example.org" xmlns:a="http://www.w3.org" xmlns:b="http://www.ietf.org" attr="I'm" attr2="all" b:attr="sorted" a:attr="out"></e5>`,
        '   <e6 xmlns:a="http://www.w3.org">',
        '      <e7 xmlns="http://www.ietf.org">',
        '         <e8 xmlns="">',
        '            <e9 xmlns:a="http://www.ietf.org"></e9>',
        '         </e8>',
        '      </e7>',
        '   </e6>',
        '</doc>',
      ].join('\n'),
    )
  })

  it('3.3 under exclusive c14n: only the namespaces each element uses, xmlns="" where a used default is undone', () => {
    assert.equal(
      wholeDocument(startAndEndTags, EXCLUSIVE),
      [
        '<doc>',
        '   <e1></e1>',
        '   <e2></e2>',
        '   <e3 id="elem3" name="elem3"></e3>',
        '   <e4 id="elem4" name="elem4"></e4>',
        `   <e5 xmlns="http://example.org" xmlns:a="http://www.w3.org" xmlns:b="http://www.ietf.org" attr="I'm" attr2="all" b:attr="sorted" a:attr="out"></e5>`,
        '   <e6>',
        '      <e7 xmlns="http://www.ietf.org">',
        '         <e8 xmlns="">',
        '            <e9></e9>',
        '         </e8>',
        '      </e7>',
        '   </e6>',
        '</doc>',
      ].join('\n'),
    )
  })

  it('3.4 character modifications and character references (without normNames and normId, whose types come from the DTD)', () => {
    const input = [
      '<doc>',
      '   <text>First line&#x0d;&#10;Second line</text>',
      '   <value>&#x32;</value>',
      '   <compute><![CDATA[value>"0" && value<"10" ?"valid":"error"]]></compute>',
      `   <compute expr='value>"0" &amp;&amp; value&lt;"10" ?"valid":"error"'>valid</compute>`,
      `   <norm attr=' &apos;   &#x20;&#13;&#xa;&#9;   &apos; '/>`,
      '</doc>',
    ].join('\n')
    const expected = [
      '<doc>',
      '   <text>First line&#xD;',
      'Second line</text>',
      '   <value>2</value>',
      '   <compute>value&gt;"0" &amp;&amp; value&lt;"10" ?"valid":"error"</compute>',
      '   <compute expr="value>&quot;0&quot; &amp;&amp; value&lt;&quot;10&quot; ?&quot;valid&quot;:&quot;error&quot;">valid</compute>',
      `   <norm attr=" '    &#xD;&#xA;&#x9;   ' "></norm>`,
      '</doc>',
    ].join('\n')
    assert.equal(wholeDocument(input, INCLUSIVE), expected)
    assert.equal(wholeDocument(input, EXCLUSIVE), expected)
  })

  it('3.6 UTF-8: a character reference is written as the character (our output is a string, hashed as UTF-8)', () => {
    const out = wholeDocument('<doc>&#169;</doc>', INCLUSIVE)
    assert.equal(out, '<doc>\u00a9</doc>')
    assert.deepEqual([...Buffer.from(out, 'utf8')].slice(5, 7), [0xc2, 0xa9])
  })
})

// The recommendation's second context has xml:space="retain"; @rgrove/parse-xml holds xml:space to
// "default" or "preserve" (a validity constraint of XML 1.0 that it applies as well-formedness), so
// it says "preserve" here: the case (an ancestor's xml:space) is the same.
describe('Exclusive XML Canonicalization 1.0 §2.2 examples: the subtree at n1:elem2 in two contexts', () => {
  const first = [
    '<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org">',
    '   <n1:elem2 xmlns:n1="http://example.net" xml:lang="en">',
    '       <n3:stuff xmlns:n3="ftp://example.org"/>',
    '   </n1:elem2>',
    '</n0:local>',
  ].join('\n')
  const second = [
    '<n2:pdu xmlns:n1="http://example.com"',
    '           xmlns:n2="http://foo.example"',
    '           xml:lang="fr"',
    '           xml:space="preserve">',
    '   <n1:elem2 xmlns:n1="http://example.net" xml:lang="en">',
    '       <n3:stuff xmlns:n3="ftp://example.org"/>',
    '   </n1:elem2>',
    '</n2:pdu>',
  ].join('\n')
  const elem2 = (xml: string) => findElement(treeFromXml(xml).root, 'n1:elem2')

  it('inclusive c14n carries each context: its namespaces and its xml:space', () => {
    assert.equal(
      canonicalize(elem2(first), INCLUSIVE),
      [
        '<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net" xmlns:n3="ftp://example.org" xml:lang="en">',
        '       <n3:stuff></n3:stuff>',
        '   </n1:elem2>',
      ].join('\n'),
    )
    assert.equal(
      canonicalize(elem2(second), INCLUSIVE),
      [
        '<n1:elem2 xmlns:n1="http://example.net" xmlns:n2="http://foo.example" xml:lang="en" xml:space="preserve">',
        '       <n3:stuff xmlns:n3="ftp://example.org"></n3:stuff>',
        '   </n1:elem2>',
      ].join('\n'),
    )
  })

  it('exclusive c14n gives the same octets in both contexts', () => {
    const expected = [
      '<n1:elem2 xmlns:n1="http://example.net" xml:lang="en">',
      '       <n3:stuff xmlns:n3="ftp://example.org"></n3:stuff>',
      '   </n1:elem2>',
    ].join('\n')
    assert.equal(canonicalize(elem2(first), EXCLUSIVE), expected)
    assert.equal(canonicalize(elem2(second), EXCLUSIVE), expected)
  })

  it('InclusiveNamespaces PrefixList: a listed prefix in scope is written as inclusive c14n would', () => {
    assert.equal(
      canonicalize(elem2(second), { algorithm: EXC_C14N, prefixList: ['n2'] }),
      [
        '<n1:elem2 xmlns:n1="http://example.net" xmlns:n2="http://foo.example" xml:lang="en">',
        '       <n3:stuff xmlns:n3="ftp://example.org"></n3:stuff>',
        '   </n1:elem2>',
      ].join('\n'),
    )
  })
})

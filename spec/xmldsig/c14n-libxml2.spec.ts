// Our c14n against libxml2's, on documents built to hit the edge cases: whole documents against
// `xmllint --c14n` / `--exc-c14n`, and subtrees in context against the octets xmlsec1 digests and
// signs (the element minus its enveloped Signature, and SignedInfo inside it), for every pairing of
// inclusive and exclusive c14n, with and without InclusiveNamespaces (`#default` included).
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { C14N, EXC_C14N } from '../../lib/xmldsig/algorithms.js'
import {
  canonicalize,
  IMPLICIT_CANONICALIZATION,
  readCanonicalization,
  type Canonicalization,
} from '../../lib/xmldsig/canonicalization.js'
import type { XmlElement } from '../../lib/xml/tree.js'
import { elementsOf, findElementNS, treeFromXml } from '../support/c14n-tree.js'
import { generateDocument, PREFIXES } from '../support/c14n-generated-documents.js'
import {
  signatureTemplateXml,
  xmllintCanonical,
  xmlsec1Canonical,
  type TemplateC14n,
} from '../support/c14n-libxml2.js'

const DSIG = 'http://www.w3.org/2000/09/xmldsig#'
const INCLUSIVE: Canonicalization = { algorithm: C14N, prefixList: [] }
const EXCLUSIVE: Canonicalization = { algorithm: EXC_C14N, prefixList: [] }

function byId(root: XmlElement, id: string): XmlElement {
  for (const el of elementsOf(root)) {
    if (el.attributes.some((a) => a.name === 'ID' && a.value === id)) return el
  }
  throw new Error(`no element with ID ${id}`)
}

/**
 * Signs the element `ID="target"` of `xml` (holding the template) with xmlsec1 and checks that our
 * c14n of the signed document gives exactly the octets xmlsec1 digested and signed.
 */
function expectSameAsXmlsec1(xml: string, idElement: string): void {
  const libxml2 = xmlsec1Canonical(xml, idElement)
  const root = treeFromXml(libxml2.signed).root
  const target = byId(root, 'target')
  const signature = findElementNS(target, DSIG, 'Signature')
  const signedInfo = findElementNS(signature, DSIG, 'SignedInfo')
  const [canonicalizationMethod, , reference] = signedInfo.children.filter((n) => n.type === 'element')
  const transforms = findElementNS(reference as XmlElement, DSIG, 'Transforms')
  const last = transforms.children.filter((n): n is XmlElement => n.type === 'element')[1]
  const referenceMethod = last ? readCanonicalization(last) : IMPLICIT_CANONICALIZATION

  const referenced = canonicalize(target, referenceMethod, signature)
  assert.equal(referenced, libxml2.referenced, 'the Reference, as xmlsec1 digested it')
  const digest = findElementNS(signedInfo, DSIG, 'DigestValue').children[0]
  assert.equal(
    createHash('sha256').update(referenced, 'utf8').digest('base64'),
    digest?.type === 'text' ? digest.text.trim() : undefined,
  )
  assert.equal(
    canonicalize(signedInfo, readCanonicalization(canonicalizationMethod as XmlElement)),
    libxml2.signedInfo,
    'SignedInfo, as xmlsec1 signed it',
  )
}

describe('c14n of whole generated documents, against xmllint', () => {
  for (let seed = 1; seed <= 60; seed++) {
    it(`document ${seed}`, () => {
      const { xml } = generateDocument(seed, { comments: false })
      const root = treeFromXml(xml).root
      assert.equal(canonicalize(root, INCLUSIVE), xmllintCanonical(xml, 'c14n'))
      assert.equal(canonicalize(root, EXCLUSIVE), xmllintCanonical(xml, 'exc-c14n'))
    })
  }
})

describe('c14n of a signed subtree in its context, against xmlsec1', () => {
  const methods: TemplateC14n[] = [
    { method: 'exc-c14n' },
    { method: 'c14n' },
    { method: 'exc-c14n', prefixList: '#default' },
    { method: 'exc-c14n', prefixList: '' },
  ]
  for (let seed = 1; seed <= 48; seed++) {
    // Each pairing of SignedInfo and Reference canonicalization, plus random PrefixLists.
    const signedInfo = methods[seed % methods.length]!
    const references: Array<TemplateC14n | 'none'> = [...methods, 'none']
    let reference = references[Math.floor(seed / methods.length) % references.length]!
    if (seed % 3 === 0) {
      const listed = PREFIXES.filter((_, i) => (seed >> i) % 2 === 1)
      reference = { method: 'exc-c14n', prefixList: [...listed, ...(seed % 2 ? ['#default'] : [])].join(' ') }
    }
    const describeC14n = (c: TemplateC14n | 'none') =>
      c === 'none' ? 'none' : `${c.method}${c.prefixList !== undefined ? ` [${c.prefixList}]` : ''}`
    it(`document ${seed}: SignedInfo ${describeC14n(signedInfo)}, Reference ${describeC14n(reference)}`, () => {
      const template = signatureTemplateXml('target', signedInfo, reference)
      const { xml, target } = generateDocument(1000 + seed, { insideTarget: template })
      expectSameAsXmlsec1(xml, target)
    })
  }
})

describe('c14n edge cases, against xmlsec1 (and xmllint where the whole document is the subject)', () => {
  const exc = (prefixList?: string): TemplateC14n => ({ method: 'exc-c14n', prefixList })
  const inc: TemplateC14n = { method: 'c14n' }
  const sig = (reference: TemplateC14n | 'none', signedInfo: TemplateC14n = exc()) =>
    signatureTemplateXml('target', signedInfo, reference)

  it('InclusiveNamespaces "#default" renders the default namespace in scope on a prefixed apex (xml-crypto drops it)', () => {
    const xml = `<r xmlns="urn:default"><p:Target xmlns:p="urn:p" ID="target">${sig(exc('#default'))}<p:c/></p:Target></r>`
    expectSameAsXmlsec1(xml, 'urn:p:Target')
    const root = treeFromXml(xml).root
    const target = byId(root, 'target')
    assert.equal(
      canonicalize(
        target,
        { algorithm: EXC_C14N, prefixList: ['#default'] },
        findElementNS(target, DSIG, 'Signature'),
      ),
      '<p:Target xmlns="urn:default" xmlns:p="urn:p" ID="target"><p:c></p:c></p:Target>',
    )
  })

  it('"#default" on an element that undoes the default: xmlns="" only where an output ancestor wrote one', () => {
    const xml = `<r xmlns="urn:d"><Target ID="target">${sig(exc('#default'), exc('#default'))}<p:x xmlns:p="urn:p" xmlns=""><y/></p:x></Target></r>`
    expectSameAsXmlsec1(xml, 'urn:d:Target')
  })

  it('namespace declarations ordered by code point: B before a (localeCompare puts a first, as xml-crypto does)', () => {
    const xml = `<Target xmlns:a="urn:1" xmlns:B="urn:2" a:x="1" B:y="2" ID="target">${sig(exc())}</Target>`
    expectSameAsXmlsec1(xml, 'Target')
    const plain = '<t xmlns:a="urn:1" xmlns:B="urn:2" a:x="1" B:y="2"/>'
    const expected = '<t xmlns:B="urn:2" xmlns:a="urn:1" a:x="1" B:y="2"></t>'
    assert.equal(canonicalize(treeFromXml(plain).root, EXCLUSIVE), expected)
    assert.equal(xmllintCanonical(plain, 'exc-c14n'), expected)
  })

  it('names beyond U+FFFF sort after U+FFFD (by code point, not by UTF-16 unit)', () => {
    const [hi, fffd] = ['\u{10000}', '\uFFFD']
    const xml = `<t xmlns:${hi}="urn:1" xmlns:${fffd}="urn:2" ${hi}="1" ${fffd}="2" ${hi}:x="3" ${fffd}:y="4"/>`
    const expected = `<t xmlns:${fffd}="urn:2" xmlns:${hi}="urn:1" ${fffd}="2" ${hi}="1" ${hi}:x="3" ${fffd}:y="4"></t>`
    assert.equal(canonicalize(treeFromXml(xml).root, INCLUSIVE), expected)
    assert.equal(xmllintCanonical(xml, 'c14n'), expected)
  })

  it('a namespace URI is escaped like any attribute value (c14n §2.3; libxml2 and xml-crypto write it raw)', () => {
    const root = treeFromXml('<p:t xmlns:p="urn:q?a=1&amp;b=&quot;2&quot;&#9;"/>').root
    const expected = '<p:t xmlns:p="urn:q?a=1&amp;b=&quot;2&quot;&#x9;"></p:t>'
    assert.equal(canonicalize(root, INCLUSIVE), expected)
    assert.equal(canonicalize(root, EXCLUSIVE), expected)
  })

  it('attributes ordered by namespace URI, then local name (not by the two concatenated, as xml-crypto does)', () => {
    const plain = '<t xmlns:p="urn:a" xmlns:q="urn:ab" q:a="2" p:z="1"/>'
    const expected = '<t xmlns:p="urn:a" xmlns:q="urn:ab" p:z="1" q:a="2"></t>'
    assert.equal(canonicalize(treeFromXml(plain).root, EXCLUSIVE), expected)
    assert.equal(xmllintCanonical(plain, 'exc-c14n'), expected)
    expectSameAsXmlsec1(
      `<Target xmlns:p="urn:a" xmlns:q="urn:ab" q:a="2" p:z="1" ID="target">${sig(exc())}</Target>`,
      'Target',
    )
  })

  it('inclusive c14n: ancestors xml:* inherited (the nearest of each name), the apex own ones kept', () => {
    const xml = `<a xml:lang="fr" xml:space="preserve" xmlns:n="urn:n"><b xml:lang="de" xml:base="http://x/"><Target xml:lang="en" ID="target">${sig(inc, inc)}</Target></b></a>`
    expectSameAsXmlsec1(xml, 'Target')
    expectSameAsXmlsec1(xml.replace('xml:lang="en" ', ''), 'Target')
  })

  it('an unprefixed apex in no namespace inside a default namespace: no xmlns="" under either algorithm', () => {
    for (const [reference, signedInfo] of [
      [exc(), exc()],
      [inc, inc],
      ['none', exc('#default')],
    ] as const) {
      expectSameAsXmlsec1(
        `<r xmlns="urn:d"><Target xmlns="" ID="target">${sig(reference, signedInfo)}<c/></Target></r>`,
        'Target',
      )
    }
  })

  it('redundant redeclarations, undeclaration and comments inside the signed subtree', () => {
    const body =
      '<x xmlns:p="urn:p"><p:y xmlns:p="urn:p" xmlns="urn:d"><!-- c --><z xmlns=""/><w xmlns="urn:d"/></p:y></x>'
    for (const reference of [exc(), exc('p #default'), inc, 'none'] as const) {
      expectSameAsXmlsec1(
        `<r xmlns:p="urn:p" xmlns="urn:d"><Target ID="target">${sig(reference)}${body}</Target></r>`,
        'urn:d:Target',
      )
    }
  })

  it('the xml prefix is never declared: on an element name, an attribute, in the PrefixList, declared explicitly', () => {
    const body =
      '<xml:e xml:lang="en"><f xmlns:xml="http://www.w3.org/XML/1998/namespace" xml:space="preserve"/></xml:e>'
    for (const method of ['c14n', 'exc-c14n'] as const) {
      const doc = `<r>${body}</r>`
      assert.equal(
        canonicalize(treeFromXml(doc).root, method === 'c14n' ? INCLUSIVE : EXCLUSIVE),
        xmllintCanonical(doc, method),
      )
    }
    for (const reference of [exc('xml #default'), inc] as const) {
      expectSameAsXmlsec1(`<Target ID="target">${sig(reference, exc('xml'))}${body}</Target>`, 'Target')
    }
  })

  it('character references and whitespace in text and attribute values', () => {
    const xml = `<Target ID="target" a="&#9;&#10;&#13; &quot;&lt;&gt;&amp;'" b='"x"'>${sig(exc())}&#13;\r\n&lt;&gt;&amp;"'\t]]&gt;<![CDATA[<&>\r]]></Target>`
    expectSameAsXmlsec1(xml, 'Target')
  })
})

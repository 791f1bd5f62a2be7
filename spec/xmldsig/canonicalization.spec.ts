// Exclusive and inclusive c14n in signatures, made by xmlsec1 (libxmlsec, C), not by xml-crypto: every
// combination of SignedInfo canonicalization and Reference transform, in three prefix styles, with
// the ancestor declarations and `xml:*` attributes inclusive c14n must cover. Each response is
// accepted by our validator and by xmlsec1's verifier; each tampered copy is refused by both.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { SamlError } from '../../lib/errors/saml-error.js'
import { decodeSamlResponse, validateResponse } from '../../lib/validate/validate-response.js'
import { MESSAGE_XML_LIMITS } from '../../lib/xml/parse-xml.js'
import { ACS_URL, acme, casePolicy, SP_ENTITY_ID } from '../support/differential-cases.js'
import {
  ALGORITHMS,
  keys,
  mutateXml,
  NS,
  reencode,
  type CanonicalizationName,
  type NamespaceStyle,
} from '../support/test-idp.js'
import {
  signatureTemplate,
  signWithXmlsec1,
  xmlsec1Verifies,
  type IdElement,
} from '../support/xmlsec1-signer.js'

const ASSERTION: IdElement = `${NS.assertion}:Assertion`
const XML_NS = 'http://www.w3.org/XML/1998/namespace'

type ReferenceTransform = CanonicalizationName | 'none'

/** What the Response carries besides its own declarations, for inclusive c14n to cover. */
const ANCESTOR_EXTRAS: Record<string, (response: Element) => void> = {
  'nothing more': () => {},
  'a default namespace on the Response': (r) => r.setAttributeNS(NS.xmlns, 'xmlns', 'urn:x-default'),
  'an unused prefix on the Response': (r) => r.setAttributeNS(NS.xmlns, 'xmlns:extra', 'urn:x-extra'),
  'xml:lang and xml:space on the Response': (r) => {
    r.setAttributeNS(XML_NS, 'xml:lang', 'en')
    r.setAttributeNS(XML_NS, 'xml:space', 'default')
  },
}

interface Signing {
  style: NamespaceStyle
  canonicalization: CanonicalizationName
  referenceCanonicalization: ReferenceTransform
  extra: string
}

/** A response whose Assertion xmlsec1 signs from a template, Signature right after the Issuer. */
async function signedByXmlsec1(signing: Signing): Promise<string> {
  const assertionId = `_${randomUUID()}`
  const { xml } = await acme.createResponse({
    spEntityId: SP_ENTITY_ID,
    acsUrl: ACS_URL,
    nameId: 'alice@acme.test',
    attributes: [{ name: 'groups', values: ['admins'] }],
    namespaceStyle: signing.style,
    assertionId,
    signAssertion: false,
    beforeSign: (doc) => {
      const response = doc.documentElement!
      ANCESTOR_EXTRAS[signing.extra]!(response)
      const assertion = response.getElementsByTagNameNS(NS.assertion, 'Assertion')[0]!
      const issuer = assertion.getElementsByTagNameNS(NS.assertion, 'Issuer')[0]!
      const template = signatureTemplate(doc, {
        referenceId: assertionId,
        ...signing,
        prefix: signing.style === 'default' ? '' : 'ds',
      })
      assertion.insertBefore(template, issuer.nextSibling)
    },
  })
  return signWithXmlsec1(xml, keys.idpAcme, ASSERTION)
}

function ours(xml: string): { accepted: true; nameID: string } | { accepted: false; code: string } {
  try {
    const assertion = validateResponse(
      decodeSamlResponse(reencode(xml), MESSAGE_XML_LIMITS),
      casePolicy({}),
      Date.now(),
    )
    return { accepted: true, nameID: assertion.nameID }
  } catch (err) {
    assert.ok(err instanceof SamlError, `not a SamlError: ${String(err)}`)
    return { accepted: false, code: err.code }
  }
}

function expectRefused(xml: string, code: string): void {
  assert.deepEqual(ours(xml), { accepted: false, code })
}

const COMBINATIONS: Array<[CanonicalizationName, ReferenceTransform]> = [
  ['exc-c14n', 'exc-c14n'],
  ['c14n', 'c14n'],
  ['c14n', 'none'],
  ['exc-c14n', 'none'],
  ['exc-c14n', 'c14n'],
  ['c14n', 'exc-c14n'],
]

/** Inclusive c14n somewhere: then a declaration added to an ancestor changes what was signed. */
const coversAncestors = (c: CanonicalizationName, r: ReferenceTransform) => c === 'c14n' || r !== 'exc-c14n'

describe('canonicalization: signatures made by xmlsec1', () => {
  for (const style of ['saml', 'saml2', 'default'] as const) {
    for (const [canonicalization, referenceCanonicalization] of COMBINATIONS) {
      for (const extra of Object.keys(ANCESTOR_EXTRAS)) {
        // A default namespace of our own on a Response that is in the default namespace would move it.
        if (style === 'default' && extra === 'a default namespace on the Response') continue
        const signing = { style, canonicalization, referenceCanonicalization, extra }
        it(`${style} prefixes, SignedInfo ${canonicalization}, Reference ${referenceCanonicalization}, ${extra}`, async () => {
          const xml = await signedByXmlsec1(signing)
          assert.ok(xmlsec1Verifies(xml, keys.idpAcme.cert, ASSERTION), 'xmlsec1 verifies its own signature')
          assert.deepEqual(ours(xml), { accepted: true, nameID: 'alice@acme.test' })

          const tampered = xml.replace('>admins<', '>superadmins<')
          assert.notEqual(tampered, xml)
          assert.equal(xmlsec1Verifies(tampered, keys.idpAcme.cert, ASSERTION), false)
          expectRefused(tampered, 'ERR_SAML_SIGNATURE_INVALID')

          const declared = mutateXml(xml, (doc) =>
            doc.documentElement!.setAttributeNS(NS.xmlns, 'xmlns:late', 'urn:x-late'),
          )
          const covered = coversAncestors(canonicalization, referenceCanonicalization)
          assert.equal(xmlsec1Verifies(declared, keys.idpAcme.cert, ASSERTION), !covered)
          if (covered) expectRefused(declared, 'ERR_SAML_SIGNATURE_INVALID')
          else assert.deepEqual(ours(declared), { accepted: true, nameID: 'alice@acme.test' })
        })
      }
    }
  }
})

describe('canonicalization: what is refused', () => {
  const base = { style: 'saml', extra: 'nothing more' } as const

  for (const withComments of ['exc-c14n-with-comments', 'c14n-with-comments'] as const) {
    it(`SignedInfo canonicalized ${withComments}, which xmlsec1 accepts, is refused by algorithm`, async () => {
      const xml = await signedByXmlsec1({
        ...base,
        canonicalization: withComments,
        referenceCanonicalization: 'exc-c14n',
      })
      assert.ok(xmlsec1Verifies(xml, keys.idpAcme.cert, ASSERTION))
      expectRefused(xml, 'ERR_SAML_SIGNATURE_ALGORITHM')
    })
    it(`a ${withComments} Reference transform is refused by structure`, async () => {
      const xml = await signedByXmlsec1({
        ...base,
        canonicalization: 'exc-c14n',
        referenceCanonicalization: withComments,
      })
      assert.ok(xmlsec1Verifies(xml, keys.idpAcme.cert, ASSERTION))
      expectRefused(xml, 'ERR_SAML_STRUCTURE')
    })
  }

  /** Edits the signed Reference's Transforms; the structure check runs before any cryptography. */
  const editTransforms = async (edit: (transforms: Element, doc: Document) => void): Promise<string> => {
    const xml = await signedByXmlsec1({
      ...base,
      canonicalization: 'c14n',
      referenceCanonicalization: 'c14n',
    })
    return mutateXml(xml, (doc) => edit(doc.getElementsByTagNameNS(NS.dsig, 'Transforms')[0]!, doc))
  }
  const transform = (doc: Document, algorithm: string) => {
    const t = doc.createElementNS(NS.dsig, 'ds:Transform')
    t.setAttribute('Algorithm', algorithm)
    return t
  }

  it('InclusiveNamespaces under an inclusive c14n transform', async () => {
    const xml = await editTransforms((transforms, doc) => {
      const inclusive = doc.createElementNS(NS.excC14n, 'ec:InclusiveNamespaces')
      inclusive.setAttributeNS(NS.xmlns, 'xmlns:ec', NS.excC14n)
      inclusive.setAttribute('PrefixList', 'xs')
      transforms.lastChild!.appendChild(inclusive)
    })
    expectRefused(xml, 'ERR_SAML_STRUCTURE')
  })
  it('a canonicalization before enveloped-signature', async () => {
    const xml = await editTransforms((transforms) =>
      transforms.insertBefore(transforms.lastChild!, transforms.firstChild),
    )
    expectRefused(xml, 'ERR_SAML_STRUCTURE')
  })
  it('three transforms', async () => {
    const xml = await editTransforms((transforms, doc) =>
      transforms.appendChild(transform(doc, ALGORITHMS.excC14n)),
    )
    expectRefused(xml, 'ERR_SAML_STRUCTURE')
  })
  it('a canonicalization alone, without enveloped-signature', async () => {
    const xml = await editTransforms((transforms) => transforms.removeChild(transforms.firstChild!))
    expectRefused(xml, 'ERR_SAML_STRUCTURE')
  })
  it('c14n 1.1 (not accepted)', async () => {
    const xml = await editTransforms((transforms) =>
      (transforms.lastChild as Element).setAttribute('Algorithm', 'http://www.w3.org/2006/12/xml-c14n11'),
    )
    expectRefused(xml, 'ERR_SAML_STRUCTURE')
  })
})

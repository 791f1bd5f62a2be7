// The streaming exclusive c14n of federation aggregates must give, byte for byte, what xmlsec1
// (libxmlsec, C) digests when it signs and verifies: xmlsec1 prints its pre-digest buffer, and the
// spec compares ours with it over documents made of the awkward parts of c14n (escaping, attribute
// order, namespace rendering, PIs, comments, CDATA, InclusiveNamespaces).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import { SaxesParser } from 'saxes'
import { readSignedAggregate } from '../../lib/federation/read-signed-aggregate.js'
import { SamlError } from '../../lib/index.js'
import { ScopeStack, StreamingC14nWriter } from '../../lib/federation/streaming-c14n.js'
import { compileTrustedKeys } from '../../lib/xmldsig/trusted-keys.js'
import { MD, signMetadata } from '../support/signed-metadata.js'
import { acme } from '../support/tenant-idps.js'
import { keys, NS } from '../support/test-idp.js'
import { xmlsec1PreDigest } from '../support/xmlsec1-signer.js'
import { aggregate, registered, spEntity } from './federation-fixtures.js'

const signer = keys.idpGlobex

/** `xml` with an enveloped signature on its root made by xmlsec1, optionally with PrefixLists. */
const sign = (xml: string, prefixList?: string): string =>
  signMetadata(xml, signer, { id: '_agg', ...(prefixList !== undefined && { prefixList }) })

/** What xmlsec1 digested when verifying `xml` (its pre-digest buffer), after checking it verifies. */
const xmlsec1PreDigestOf = (xml: string): string =>
  xmlsec1PreDigest(xml, signer.cert, `${MD}:EntitiesDescriptor`)

/** Our streaming c14n of the root, its Signature left out (the enveloped-signature transform). */
function streamingC14n(xml: string, prefixList = ''): string {
  let out = ''
  const writer = new StreamingC14nWriter(
    (chunk) => (out += chunk),
    'exclusive',
    new Set(prefixList.split(' ').filter((p) => p !== '')),
  )
  const scope = new ScopeStack()
  const parser = new SaxesParser({ xmlns: true })
  let depth = 0
  let skipping = 0
  parser.on('opentag', (tag) => {
    depth++
    scope.push(tag.ns)
    if (skipping > 0 || (depth === 2 && tag.local === 'Signature' && tag.uri === NS.dsig))
      return void skipping++
    const attributes = Object.values(tag.attributes).filter((a) => a.prefix !== 'xmlns' && a.name !== 'xmlns')
    writer.open({ prefix: tag.prefix, local: tag.local, uri: tag.uri, attributes, declared: tag.ns }, scope)
  })
  parser.on('closetag', (tag) => {
    if (skipping > 0) skipping--
    else writer.close(tag)
    scope.pop()
    depth--
  })
  parser.on('text', (text) => depth > 0 && skipping === 0 && writer.text(text))
  parser.on('cdata', (text) => skipping === 0 && writer.text(text))
  parser.on(
    'processinginstruction',
    (pi) => depth > 0 && skipping === 0 && writer.processingInstruction(pi.target!, pi.body),
  )
  parser.write(xml).close()
  return out
}

const awkward = `<?xml version="1.0" encoding="UTF-8"?>
<?before-root keep out?>
<md:EntitiesDescriptor xmlns:md="${MD}" xmlns:unused="urn:unused" xmlns:b="urn:b" Name="n&amp;&lt;&gt;&quot;'x" b:z="1" a="&#9;&#10;&#13; tab
 newline">
  <md:Extensions>
    <b:thing xmlns:a="urn:a" a:attr="x" b:attr="y" attr="z" xml:lang="en" zz="1">text &amp; &lt; &gt; &#13; "quotes" 'apos' Ü € 𝄞 ]]&gt;</b:thing>
    <plain xmlns="urn:default"><inner xmlns="">no namespace</inner><?pi some  data ?><!-- a comment --><![CDATA[<cdata> & ]]></plain>
    <b:rebind xmlns:b="urn:b2"><b:x xmlns:b="urn:b2" b:y="&#x9;"/></b:rebind>
    <md:Empty/><md:Spaced   attr = 'single "quoted"'   ></md:Spaced   >
  </md:Extensions>
  ${registered(acme.metadataXml(), {
    registrationAuthority: 'https://registrar.example',
    displayNames: { en: 'Acme & <Co>', fr: 'Acmé' },
    scopes: [{ value: 'acme.example' }],
    attributes: {
      'http://macedir.org/entity-category-support': ['http://refeds.org/category/research-and-scholarship'],
    },
  }).replace(/^<\?xml[^>]*\?>/, '')}
  ${spEntity('c14n').replace(/^<\?xml[^>]*\?>/, '')}
</md:EntitiesDescriptor>
<!-- after the root -->`

describe('streaming exclusive c14n of an aggregate', () => {
  const cases: [string, string, string | undefined][] = [
    ['escaping, attribute order, namespace rendering, PIs, comments, CDATA', awkward, undefined],
    ['the same with InclusiveNamespaces PrefixList="b unused #default"', awkward, 'b unused #default'],
    [
      'a federation-style aggregate of samlify metadata',
      aggregate([acme.metadataXml(), spEntity('x')]),
      undefined,
    ],
  ]
  for (const [name, xml, prefixList] of cases) {
    it(`is byte-identical to what xmlsec1 digests: ${name}`, async () => {
      const signed = sign(xml, prefixList)
      const expected = xmlsec1PreDigestOf(signed)
      assert.equal(streamingC14n(signed, prefixList), expected)
      // And the reader verifies xmlsec1's signature (SignedInfo canonicalized the same way), in
      // chunks cut anywhere, even inside a multi-byte character.
      const bytes = Buffer.from(signed, 'utf8')
      const chunks = async function* () {
        for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7)
      }
      const read = await readSignedAggregate(chunks(), compileTrustedKeys([signer.cert], 'fed'))
      assert.ok(read.entities.length >= 1)
    })
  }

  it('cuts each entity out as a document of its own, with the namespaces in scope', async () => {
    const signed = sign(awkward)
    const read = await readSignedAggregate([signed], compileTrustedKeys([signer.cert], 'fed'))
    const [idp, sp] = read.entities
    assert.equal(idp!.entityId, 'https://idp.acme.test/saml')
    assert.equal(idp!.displayName, 'Acme & <Co>')
    assert.deepEqual(idp!.scopes, ['acme.example'])
    assert.equal(idp!.registrationAuthority, 'https://registrar.example')
    assert.deepEqual(idp!.entityCategories, ['http://refeds.org/category/research-and-scholarship'])
    assert.equal(sp!.isIdp, false)
    for (const entity of read.entities) {
      // The unused and b bindings of the root come along (QNames in content may need them).
      const startTag = entity.xml.slice(0, entity.xml.indexOf('>'))
      assert.ok(
        startTag.includes(' xmlns:b="urn:b"') && startTag.includes(' xmlns:unused="urn:unused"'),
        startTag,
      )
      const doc = new DOMParser().parseFromString(entity.xml, 'text/xml')
      assert.equal(doc.documentElement!.getAttribute('entityID'), entity.entityId)
    }
  })

  it('refuses every other signature shape before trusting anything', async () => {
    const trust = compileTrustedKeys([signer.cert], 'fed')
    const plain = aggregate([acme.metadataXml()])
    const good = sign(plain)
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(good)![0]
    const cases: [string, string][] = [
      ['RSA-SHA1 over a SHA-1 digest', signMetadata(plain, signer, { hash: 'sha1' })],
      ['inclusive c14n', signMetadata(plain, signer, { canonicalization: 'c14n' })],
      [
        'exclusive c14n with comments',
        signMetadata(plain, signer, { canonicalization: 'exc-c14n-with-comments' }),
      ],
      [
        'the Signature after the entities',
        good
          .replace(signature, '')
          .replace('</md:EntitiesDescriptor>', `${signature}</md:EntitiesDescriptor>`),
      ],
      ['two Signatures', good.replace(signature, signature + signature)],
      ['a Reference to another ID', good.replace('ID="_agg"', 'ID="_other"')],
      [
        'a Signature holding an Object',
        good.replace('</ds:Signature>', '<ds:Object>x</ds:Object></ds:Signature>'),
      ],
    ]
    for (const [name, xml] of cases) {
      await assert.rejects(
        readSignedAggregate([xml], trust),
        (err: unknown) => err instanceof SamlError && err.code === 'ERR_SAML_METADATA_SIGNATURE',
        name,
      )
    }
    assert.equal((await readSignedAggregate([good], trust)).entities.length, 1)
  })
})

// Proves the test IdP's responses are real, valid SAML: an independent implementation (node-saml, with
// xml-crypto and xml-encryption underneath) must accept every valid variant and reject a forged one.
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { syncBuiltinESMExports } from 'node:module'
import { describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import { SAML, ValidateInResponseTo, type Profile, type SamlConfig } from '@node-saml/node-saml'
import samlify from 'samlify'
import { SignedXml } from 'xml-crypto'
import {
  ALGORITHMS,
  EcdsaSha256,
  NS,
  SAML_URN,
  TestIdp,
  keys,
  mutateXml,
  reencode,
  type ResponseOptions,
} from './test-idp.js'

const SP_ENTITY_ID = 'https://sp.example.test/saml'
const ACS_URL = 'https://sp.example.test/saml/acs'

const acme = new TestIdp({
  entityId: 'https://idp.acme.test/metadata',
  ssoUrl: 'https://idp.acme.test/sso',
  sloUrl: 'https://idp.acme.test/slo',
  signing: keys.idpAcme,
  extraSigningCerts: [keys.idpAcmeNext.cert],
})
const ec = new TestIdp({
  entityId: 'https://idp.ec.test',
  ssoUrl: 'https://idp.ec.test/sso',
  signing: keys.idpEc,
})

const base: ResponseOptions = {
  spEntityId: SP_ENTITY_ID,
  acsUrl: ACS_URL,
  inResponseTo: '_req-42',
  nameId: 'alice@acme.test',
  sessionIndex: '_session-1',
  attributes: [
    { name: 'email', values: ['alice@acme.test'] },
    { name: 'groups', friendlyName: 'Groups', values: ['admins', 'staff'] },
  ],
}

/** node-saml as the SP: accepts or throws. */
async function nodeSaml(base64: string, config: Partial<SamlConfig> = {}): Promise<Profile> {
  const saml = new SAML({
    idpCert: keys.idpAcme.cert,
    issuer: SP_ENTITY_ID,
    callbackUrl: ACS_URL,
    audience: SP_ENTITY_ID,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.never,
    ...config,
  })
  const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: base64 })
  assert.ok(profile, 'node-saml returned no profile')
  return profile
}

function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml')
}

function elements(node: Document | Element, localName: string, ns: string): Element[] {
  return Array.from(node.getElementsByTagNameNS(ns, localName))
}

function one(node: Document | Element, localName: string, ns: string): Element {
  const found = elements(node, localName, ns)
  assert.equal(found.length, 1, `expected one <${localName}>, found ${found.length}`)
  return found[0]!
}

function nextElement(el: Element): Element | null {
  let n = el.nextSibling
  while (n && n.nodeType !== 1) n = n.nextSibling
  return n as Element | null
}

function assertProfile(profile: Profile): void {
  assert.equal(profile.nameID, 'alice@acme.test')
  assert.equal(profile.nameIDFormat, SAML_URN.emailAddress)
  assert.equal(profile.issuer, 'https://idp.acme.test/metadata')
  assert.equal(profile.sessionIndex, '_session-1')
  assert.equal(profile['email'], 'alice@acme.test')
  assert.deepEqual(profile['groups'], ['admins', 'staff'])
}

describe('TestIdp', () => {
  describe('metadata', () => {
    it('is samlify IdP metadata listing every signing cert and the SSO/SLO services', () => {
      const xml = acme.metadataXml()
      const meta = samlify.IdPMetadata(xml)
      assert.equal(meta.getEntityID(), 'https://idp.acme.test/metadata')
      const body = (pem: string) => pem.replace(/-----[^-]+-----|\s+/g, '')
      assert.deepEqual(meta.getX509Certificate('signing'), [
        body(keys.idpAcme.cert),
        body(keys.idpAcmeNext.cert),
      ])
      const doc = parse(xml)
      const md = 'urn:oasis:names:tc:SAML:2.0:metadata'
      assert.equal(elements(doc, 'KeyDescriptor', md).length, 2)
      assert.ok(
        elements(doc, 'SingleSignOnService', md).every((s) => s.getAttribute('Location') === acme.ssoUrl),
      )
      assert.equal(elements(doc, 'SingleLogoutService', md).length, 2)
      assert.equal(acme.metadataXml(), xml, 'metadata is cached')
    })

    it('has no SingleLogoutService without sloUrl', () => {
      assert.equal(
        elements(parse(ec.metadataXml()), 'SingleLogoutService', 'urn:oasis:names:tc:SAML:2.0:metadata')
          .length,
        0,
      )
    })
  })

  describe('default response', () => {
    it('is a complete SAML 2.0 response with the assertion signed right after its Issuer', async () => {
      const now = new Date('2030-01-02T03:04:05.000Z')
      const r = await acme.createResponse({
        ...base,
        now,
        sessionNotOnOrAfter: new Date('2030-01-02T11:04:05.000Z'),
      })
      assert.equal(Buffer.from(r.base64, 'base64').toString('utf8'), r.xml)
      const doc = parse(r.xml)
      const response = doc.documentElement!
      assert.equal(response.localName, 'Response')
      assert.equal(response.namespaceURI, NS.protocol)
      assert.equal(response.getAttribute('ID'), r.responseId)
      assert.equal(response.getAttribute('Version'), '2.0')
      assert.equal(response.getAttribute('IssueInstant'), now.toISOString())
      assert.equal(response.getAttribute('Destination'), ACS_URL)
      assert.equal(response.getAttribute('InResponseTo'), '_req-42')
      assert.equal(one(response, 'StatusCode', NS.protocol).getAttribute('Value'), SAML_URN.success)

      const assertion = one(doc, 'Assertion', NS.assertion)
      assert.equal(assertion.getAttribute('ID'), r.assertionId)
      const issuers = elements(doc, 'Issuer', NS.assertion)
      assert.deepEqual(
        issuers.map((i) => i.textContent),
        [acme.entityId, acme.entityId],
      )
      const signature = one(doc, 'Signature', NS.dsig)
      assert.equal(signature.parentNode, assertion)
      assert.equal(nextElement(issuers[1]!), signature, 'Signature right after the Assertion Issuer')
      assert.equal(one(signature, 'Reference', NS.dsig).getAttribute('URI'), `#${r.assertionId}`)
      assert.deepEqual(
        elements(signature, 'Transform', NS.dsig).map((t) => t.getAttribute('Algorithm')),
        [ALGORITHMS.envelopedSignature, ALGORITHMS.excC14n],
      )
      assert.equal(
        one(signature, 'SignatureMethod', NS.dsig).getAttribute('Algorithm'),
        ALGORITHMS.signature['rsa-sha256'],
      )
      assert.equal(
        one(signature, 'DigestMethod', NS.dsig).getAttribute('Algorithm'),
        ALGORITHMS.digest.sha256,
      )
      assert.equal(elements(signature, 'X509Certificate', NS.dsig).length, 1)

      assert.equal(one(doc, 'NameID', NS.assertion).getAttribute('Format'), SAML_URN.emailAddress)
      assert.equal(one(doc, 'SubjectConfirmation', NS.assertion).getAttribute('Method'), SAML_URN.bearer)
      const scd = one(doc, 'SubjectConfirmationData', NS.assertion)
      assert.equal(scd.getAttribute('InResponseTo'), '_req-42')
      assert.equal(scd.getAttribute('Recipient'), ACS_URL)
      assert.equal(scd.getAttribute('NotOnOrAfter'), '2030-01-02T03:09:05.000Z')
      const conditions = one(doc, 'Conditions', NS.assertion)
      assert.equal(conditions.getAttribute('NotBefore'), now.toISOString())
      assert.equal(conditions.getAttribute('NotOnOrAfter'), '2030-01-02T03:09:05.000Z')
      assert.equal(one(conditions, 'Audience', NS.assertion).textContent, SP_ENTITY_ID)
      const authn = one(doc, 'AuthnStatement', NS.assertion)
      assert.equal(authn.getAttribute('AuthnInstant'), now.toISOString())
      assert.equal(authn.getAttribute('SessionIndex'), '_session-1')
      assert.equal(authn.getAttribute('SessionNotOnOrAfter'), '2030-01-02T11:04:05.000Z')
      assert.equal(
        one(authn, 'AuthnContextClassRef', NS.assertion).textContent,
        SAML_URN.passwordProtectedTransport,
      )
      const values = elements(doc, 'AttributeValue', NS.assertion)
      assert.equal(values.length, 3)
      assert.ok(values.every((v) => v.getAttributeNS(NS.xsi, 'type') === 'xs:string'))
    })

    it('omits InResponseTo everywhere when IdP-initiated, and node-saml accepts it', async () => {
      const r = await acme.createResponse({ ...base, inResponseTo: undefined })
      assert.ok(!r.xml.includes('InResponseTo'))
      assertProfile(await nodeSaml(r.base64))
    })

    // What makes bulk creation cheap is structural: every PEM key is parsed once and its KeyObject
    // reused, so after the first response of a shape no response parses a key again. The spies see every
    // createPrivateKey/createPublicKey call (syncBuiltinESMExports hands them to test-idp.ts's
    // `import { createPrivateKey } from 'node:crypto'` too). How many ms a signed response takes is for
    // `npm run bench`, which builds its input pools with TestIdp.
    it('is built fast enough to create in bulk: no response after the first parses a key', async (t) => {
      const shapes: ResponseOptions[] = [
        base,
        { ...base, encrypt: { cert: keys.sp.cert }, signResponse: true },
      ]
      for (const shape of shapes) await acme.createResponse(shape)
      const parsePrivate = t.mock.method(crypto, 'createPrivateKey')
      const parsePublic = t.mock.method(crypto, 'createPublicKey')
      syncBuiltinESMExports()
      let parsed: number[]
      try {
        for (let i = 0; i < 20; i++) await acme.createResponse(shapes[i % shapes.length]!)
        parsed = [parsePrivate.mock.callCount(), parsePublic.mock.callCount()]
      } finally {
        t.mock.restoreAll()
        syncBuiltinESMExports()
      }
      assert.deepEqual(parsed, [0, 0], 'keys and certificates parsed again: [private, public]')
    })
  })

  describe('accepted by node-saml', () => {
    const cases: Array<[string, Partial<ResponseOptions>, Partial<SamlConfig>]> = [
      ['assertion signed', {}, {}],
      [
        'response signed',
        { signAssertion: false, signResponse: true },
        { wantAssertionsSigned: false, wantAuthnResponseSigned: true },
      ],
      ['both signed', { signResponse: true }, { wantAuthnResponseSigned: true }],
      [
        'InclusiveNamespaces PrefixList "xs"',
        { inclusiveNamespacesPrefixList: 'xs', signResponse: true },
        {},
      ],
      [
        'saml2p/saml2 prefixes',
        { namespaceStyle: 'saml2', signResponse: true },
        { wantAuthnResponseSigned: true },
      ],
      [
        'default-namespace assertion',
        { namespaceStyle: 'default', signResponse: true },
        { wantAuthnResponseSigned: true },
      ],
      [
        'line-wrapped base64',
        { lineWrapBase64: true, signResponse: true },
        { wantAuthnResponseSigned: true },
      ],
      ['rsa-sha512 / sha512', { signatureAlgorithm: 'rsa-sha512', digestAlgorithm: 'sha512' }, {}],
      [
        'encrypted aes256-gcm + rsa-oaep-mgf1p, response signed',
        {
          encrypt: { cert: keys.sp.cert, dataAlgorithm: 'aes256-gcm', keyAlgorithm: 'rsa-oaep-mgf1p' },
          signResponse: true,
        },
        { decryptionPvk: keys.sp.key, wantAuthnResponseSigned: true },
      ],
      [
        'encrypted aes128-cbc',
        { encrypt: { cert: keys.sp.cert, dataAlgorithm: 'aes128-cbc' } },
        { decryptionPvk: keys.sp.key },
      ],
      [
        'encrypted, saml2 prefixes, prefix list xs',
        { encrypt: { cert: keys.sp.cert }, namespaceStyle: 'saml2', inclusiveNamespacesPrefixList: 'xs' },
        { decryptionPvk: keys.sp.key },
      ],
      [
        'encrypted, default namespace, line-wrapped',
        { encrypt: { cert: keys.sp.cert }, namespaceStyle: 'default', lineWrapBase64: true },
        { decryptionPvk: keys.sp.key },
      ],
      [
        'signed with the next (rotated) key',
        { signingKey: keys.idpAcmeNext },
        { idpCert: [keys.idpAcme.cert, keys.idpAcmeNext.cert] },
      ],
      ['without KeyInfo', { includeKeyInfo: false, signResponse: true }, { wantAuthnResponseSigned: true }],
    ]
    for (const [name, options, config] of cases) {
      it(name, async () => {
        const r = await acme.createResponse({ ...base, ...options })
        assertProfile(await nodeSaml(r.base64, config))
      })
    }
  })

  describe('rejected by node-saml', () => {
    it('a response signed with the attacker key', async () => {
      const r = await acme.createResponse({ ...base, signingKey: keys.attacker, signResponse: true })
      assert.ok(r.xml.includes(keys.attacker.cert.split('\n')[1]!), 'attacker cert is in KeyInfo')
      await assert.rejects(nodeSaml(r.base64), /signature/i)
    })

    it('an attacker signature carrying the trusted cert in KeyInfo', async () => {
      const r = await acme.createResponse({
        ...base,
        signingKey: keys.attacker,
        keyInfoCert: keys.idpAcme.cert,
      })
      await assert.rejects(nodeSaml(r.base64), /signature/i)
    })

    it('a signed assertion altered afterwards through mutateXml', async () => {
      const r = await acme.createResponse(base)
      const forged = mutateXml(r.xml, (doc) => {
        doc.getElementsByTagNameNS(NS.assertion, 'NameID')[0]!.textContent = 'mallory@acme.test'
      })
      await assert.rejects(nodeSaml(reencode(forged)), /signature/i)
    })

    it('an expired response', async () => {
      const r = await acme.createResponse({ ...base, now: new Date(Date.now() - 3_600_000) })
      await assert.rejects(nodeSaml(r.base64), /expired|NotOnOrAfter/i)
    })

    it('a response for another audience', async () => {
      const r = await acme.createResponse({ ...base, audience: 'https://other-sp.test' })
      await assert.rejects(nodeSaml(r.base64), /audience/i)
    })

    it('an error status, which carries no assertion', async () => {
      const r = await acme.createResponse({
        ...base,
        statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
        secondLevelStatus: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
        statusMessage: 'Login failed',
      })
      assert.equal(r.assertionId, '')
      const doc = parse(r.xml)
      assert.equal(elements(doc, 'Assertion', NS.assertion).length, 0)
      const codes = elements(doc, 'StatusCode', NS.protocol).map((c) => c.getAttribute('Value'))
      assert.deepEqual(codes, [
        'urn:oasis:names:tc:SAML:2.0:status:Responder',
        'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
      ])
      await assert.rejects(nodeSaml(r.base64), /Login failed|Responder/)
    })
  })

  describe('shapes', () => {
    it('puts InclusiveNamespaces only on the exc-c14n transform, Okta style', async () => {
      const r = await acme.createResponse({
        ...base,
        inclusiveNamespacesPrefixList: 'xs',
        signResponse: true,
      })
      const doc = parse(r.xml)
      const inclusive = elements(doc, 'InclusiveNamespaces', NS.excC14n)
      assert.equal(inclusive.length, 2, 'one per signature')
      for (const el of inclusive) {
        assert.equal(el.prefix, 'ec')
        assert.equal(el.getAttribute('PrefixList'), 'xs')
        assert.equal((el.parentNode as Element).getAttribute('Algorithm'), ALGORITHMS.excC14n)
      }
    })

    it('writes an Entra-style default-namespace Assertion and unprefixed Signature', async () => {
      const r = await acme.createResponse({ ...base, namespaceStyle: 'default' })
      const doc = parse(r.xml)
      const assertion = one(doc, 'Assertion', NS.assertion)
      assert.equal(assertion.prefix, null)
      assert.equal(assertion.getAttribute('xmlns'), NS.assertion)
      assert.equal(one(doc, 'Signature', NS.dsig).prefix, null)
      assert.ok(elements(doc, 'Issuer', NS.assertion).every((i) => i.prefix === null))
      assert.equal(doc.documentElement!.prefix, 'samlp')
    })

    it('uses saml2p/saml2 prefixes', async () => {
      const r = await acme.createResponse({ ...base, namespaceStyle: 'saml2' })
      assert.match(r.xml, /^<saml2p:Response /)
      assert.match(r.xml, /<saml2:Assertion /)
    })

    it('wraps SignatureValue and X509Certificate at 76 characters', async () => {
      const r = await acme.createResponse({ ...base, lineWrapBase64: true, signResponse: true })
      const doc = parse(r.xml)
      for (const el of [
        ...elements(doc, 'SignatureValue', NS.dsig),
        ...elements(doc, 'X509Certificate', NS.dsig),
      ]) {
        const lines = (el.textContent ?? '').split('\n')
        assert.ok(lines.length > 1)
        assert.ok(lines.every((l) => l.length <= 76))
      }
    })

    it('encrypts the signed assertion, then signs the response', async () => {
      const r = await acme.createResponse({ ...base, encrypt: { cert: keys.sp.cert }, signResponse: true })
      const doc = parse(r.xml)
      assert.equal(elements(doc, 'Assertion', NS.assertion).length, 0)
      const encrypted = one(doc, 'EncryptedAssertion', NS.assertion)
      const methods = elements(encrypted, 'EncryptionMethod', NS.xenc).map((m) => m.getAttribute('Algorithm'))
      assert.deepEqual(methods, [ALGORITHMS.data['aes256-gcm'], ALGORITHMS.key['rsa-oaep-mgf1p']])
      const signature = one(doc, 'Signature', NS.dsig)
      assert.equal(signature.parentNode, doc.documentElement)
      // node-saml decrypts and checks the inner assertion signature (wantAssertionsSigned).
      const profile = await nodeSaml(r.base64, { decryptionPvk: keys.sp.key, wantAuthnResponseSigned: true })
      assert.match(profile.getAssertionXml?.() ?? '', /<ds:Signature /)
    })

    it('lets beforeSign reshape the unsigned response and still signs it properly', async () => {
      const r = await acme.createResponse({
        ...base,
        beforeSign: (doc) => {
          const statement = doc.getElementsByTagNameNS(NS.assertion, 'AttributeStatement')[0]!
          const attribute = statement
            .getElementsByTagNameNS(NS.assertion, 'Attribute')[0]!
            .cloneNode(true) as Element
          attribute.setAttribute('Name', 'department')
          attribute.getElementsByTagNameNS(NS.assertion, 'AttributeValue')[0]!.textContent = 'R&D'
          statement.appendChild(attribute)
        },
      })
      const profile = await nodeSaml(r.base64)
      assert.equal(profile['department'], 'R&D')
    })

    it('applies issuer, recipient, destination, subject confirmation and ID overrides', async () => {
      const r = await acme.createResponse({
        ...base,
        issuer: 'https://evil.test',
        assertionIssuer: 'https://other.test',
        destination: 'https://elsewhere.test/acs',
        recipient: 'https://elsewhere.test/recipient',
        subjectConfirmationMethod: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key',
        responseId: '_resp-fixed',
        assertionId: '_assert-fixed',
        notBeforeSkewMs: 60_000,
        validForMs: 120_000,
        now: new Date('2030-01-01T00:00:00.000Z'),
      })
      const doc = parse(r.xml)
      assert.equal(r.responseId, '_resp-fixed')
      assert.equal(doc.documentElement!.getAttribute('ID'), '_resp-fixed')
      assert.equal(one(doc, 'Assertion', NS.assertion).getAttribute('ID'), '_assert-fixed')
      assert.deepEqual(
        elements(doc, 'Issuer', NS.assertion).map((i) => i.textContent),
        ['https://evil.test', 'https://other.test'],
      )
      assert.equal(doc.documentElement!.getAttribute('Destination'), 'https://elsewhere.test/acs')
      assert.equal(
        one(doc, 'SubjectConfirmationData', NS.assertion).getAttribute('Recipient'),
        'https://elsewhere.test/recipient',
      )
      assert.equal(
        one(doc, 'SubjectConfirmation', NS.assertion).getAttribute('Method'),
        'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key',
      )
      const conditions = one(doc, 'Conditions', NS.assertion)
      assert.equal(conditions.getAttribute('NotBefore'), '2029-12-31T23:59:00.000Z')
      assert.equal(conditions.getAttribute('NotOnOrAfter'), '2030-01-01T00:02:00.000Z')
    })

    it('leaves the response unsigned when asked: no Signature at all', async () => {
      const r = await acme.createResponse({ ...base, signAssertion: false })
      assert.equal(elements(parse(r.xml), 'Signature', NS.dsig).length, 0)
      await assert.rejects(nodeSaml(r.base64), /signature/i)
    })
  })

  describe('legacy and ECDSA algorithms (URIs only; node-saml may refuse them)', () => {
    it('ECDSA P-256: ecdsa-sha256 signatures that xml-crypto verifies with the ECDSA algorithm', async () => {
      const r = await ec.createResponse({ ...base, signResponse: true })
      const doc = parse(r.xml)
      const methods = elements(doc, 'SignatureMethod', NS.dsig).map((m) => m.getAttribute('Algorithm'))
      assert.deepEqual(methods, [ALGORITHMS.signature['ecdsa-sha256'], ALGORITHMS.signature['ecdsa-sha256']])
      for (const signature of elements(doc, 'Signature', NS.dsig)) {
        // Raw r||s of P-256 is 64 bytes.
        assert.equal(
          Buffer.from(one(signature, 'SignatureValue', NS.dsig).textContent ?? '', 'base64').length,
          64,
        )
        // No idAttribute: 'ID' is a default one, and listing it again makes xml-crypto count each ID twice.
        const verifier = new SignedXml({ publicCert: keys.idpEc.cert })
        verifier.SignatureAlgorithms[ALGORITHMS.signature['ecdsa-sha256']] = EcdsaSha256
        verifier.loadSignature(signature)
        assert.equal(verifier.checkSignature(r.xml), true)
      }
    })

    it('rsa-sha1 / sha1', async () => {
      const r = await acme.createResponse({
        ...base,
        signatureAlgorithm: 'rsa-sha1',
        digestAlgorithm: 'sha1',
      })
      const doc = parse(r.xml)
      assert.equal(
        one(doc, 'SignatureMethod', NS.dsig).getAttribute('Algorithm'),
        ALGORITHMS.signature['rsa-sha1'],
      )
      assert.equal(one(doc, 'DigestMethod', NS.dsig).getAttribute('Algorithm'), ALGORITHMS.digest.sha1)
    })

    it('tripledes-cbc + rsa-1_5 encryption', async () => {
      const r = await acme.createResponse({
        ...base,
        encrypt: { cert: keys.sp.cert, dataAlgorithm: 'tripledes-cbc', keyAlgorithm: 'rsa-1_5' },
      })
      const methods = elements(parse(r.xml), 'EncryptionMethod', NS.xenc).map((m) =>
        m.getAttribute('Algorithm'),
      )
      assert.deepEqual(methods, [ALGORITHMS.data['tripledes-cbc'], ALGORITHMS.key['rsa-1_5']])
    })
  })
})

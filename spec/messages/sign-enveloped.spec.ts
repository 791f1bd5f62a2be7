// signEnveloped: the signature our validator accepts (one Reference to the root, enveloped + exc-c14n,
// right after Issuer), checked by our verifier and independently by xmlsec1 (libxmlsec, C), for RSA
// and EC keys and both hashes; EC signatures in XML-DSig's r‖s form; misuse is a TypeError.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import { buildLogoutRequest } from '../../lib/messages/logout-request.js'
import { newMessageId } from '../../lib/messages/message-id.js'
import { signEnveloped } from '../../lib/xmldsig/sign-enveloped.js'
import { compileTrustedKeys } from '../../lib/xmldsig/trusted-keys.js'
import { verifyEnvelopedSignature } from '../../lib/xmldsig/verify-signature.js'
import { NS } from '../../lib/xml/namespaces.js'
import { MESSAGE_XML_LIMITS, parseXml } from '../../lib/xml/parse-xml.js'
import { childElements } from '../../lib/xml/read-element.js'
import { keys, type KeyPair } from '../support/test-idp.js'

const XMLSEC1 = '/usr/bin/xmlsec1'
const dir = mkdtempSync(join(tmpdir(), 'sign-enveloped-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const message = () =>
  buildLogoutRequest({
    id: newMessageId(),
    issueInstant: Date.now(),
    destination: 'https://idp.test/slo',
    issuer: 'https://app.test/saml/metadata',
    nameID: 'dave@acme.test',
    sessionIndex: '_s1',
  })

const elements = (el: Element) => Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1)
const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml').documentElement!

/** libxmlsec's verdict on `xml` with `cert`, the LogoutRequest's ID attribute registered. */
function xmlsecVerifies(xml: string, cert: string): boolean {
  const file = join(dir, `${newMessageId()}.xml`)
  const certFile = join(dir, `${newMessageId()}.pem`)
  writeFileSync(file, xml)
  writeFileSync(certFile, cert)
  try {
    execFileSync(
      XMLSEC1,
      ['--verify', '--id-attr:ID', `${NS.protocol}:LogoutRequest`, '--pubkey-cert-pem', certFile, file],
      { stdio: 'pipe' },
    )
    return true
  } catch {
    return false
  }
}

const cases: Array<[string, KeyPair, 'sha256' | 'sha512', string, string]> = [
  ['RSA', keys.sp, 'sha256', 'xmldsig-more#rsa-sha256', 'xmlenc#sha256'],
  ['RSA', keys.sp, 'sha512', 'xmldsig-more#rsa-sha512', 'xmlenc#sha512'],
  ['EC P-256', keys.idpEc, 'sha256', 'xmldsig-more#ecdsa-sha256', 'xmlenc#sha256'],
  ['EC P-256', keys.idpEc, 'sha512', 'xmldsig-more#ecdsa-sha512', 'xmlenc#sha512'],
]

describe('signEnveloped', () => {
  for (const [keyName, pair, algorithm, signatureMethod, digestMethod] of cases) {
    it(`${keyName} ${algorithm}: the accepted shape, verified by our validator and by xmlsec1`, () => {
      const signed = signEnveloped(message(), { privateKey: pair.key, certificate: pair.cert, algorithm })
      const root = parse(signed)
      const [issuer, signature, nameId] = elements(root)
      assert.equal(issuer?.localName, 'Issuer')
      assert.equal(signature?.namespaceURI, NS.dsig)
      assert.equal(signature?.localName, 'Signature', 'right after Issuer')
      assert.equal(nameId?.localName, 'NameID')
      const reference = signature!.getElementsByTagNameNS(NS.dsig, 'Reference')[0]!
      assert.equal(reference.getAttribute('URI'), `#${root.getAttribute('ID')}`)
      const algorithmOf = (name: string) =>
        signature!.getElementsByTagNameNS(NS.dsig, name)[0]!.getAttribute('Algorithm')
      assert.ok(algorithmOf('SignatureMethod')!.endsWith(signatureMethod))
      assert.ok(algorithmOf('DigestMethod')!.endsWith(digestMethod))
      const keyInfoCert = signature!.getElementsByTagNameNS(NS.dsig, 'X509Certificate')[0]!.textContent
      assert.equal(keyInfoCert, pair.cert.replace(/-----[A-Z ]+-----|\s+/g, ''))
      if (keyName.startsWith('EC')) {
        const value = signature!.getElementsByTagNameNS(NS.dsig, 'SignatureValue')[0]!.textContent!
        assert.equal(Buffer.from(value, 'base64').length, 64, 'r‖s of P-256, not DER')
      }

      const tree = parseXml(signed, MESSAGE_XML_LIMITS).root
      verifyEnvelopedSignature(
        childElements(tree)[1]!,
        tree,
        {
          trust: compileTrustedKeys([pair.cert], 'sp'),
          allowSha1: false,
        },
        Date.now(),
      )
      assert.equal(xmlsecVerifies(signed, pair.cert), true)
      assert.equal(xmlsecVerifies(signed.replace('dave@acme.test', 'eve@acme.test'), pair.cert), false)
      assert.equal(xmlsecVerifies(signed, keys.attacker.cert), false)
    })
  }

  it('without a certificate: no KeyInfo, still verifies', () => {
    const signed = signEnveloped(message(), { privateKey: keys.sp.key, algorithm: 'sha256' })
    const root = parse(signed)
    const signature = elements(root)[1]!
    assert.equal(signature.getElementsByTagNameNS(NS.dsig, 'KeyInfo').length, 0)
    const tree = parseXml(signed, MESSAGE_XML_LIMITS).root
    verifyEnvelopedSignature(
      childElements(tree)[1]!,
      tree,
      {
        trust: compileTrustedKeys([keys.sp.cert], 'sp'),
        allowSha1: false,
      },
      Date.now(),
    )
  })

  it('misuse is a TypeError: no root ID, Issuer not first, unsupported key or hash', () => {
    const xml = message()
    const noId = xml.replace(/ ID="[^"]+"/, '')
    const issuerLast = xml.replace(/(<saml:Issuer>.*?<\/saml:Issuer>)(.*)(<\/samlp:LogoutRequest>)/, '$2$1$3')
    const ed25519 = generateKeyPairSync('ed25519').privateKey
    const sign = (input: string, privateKey: string | typeof ed25519 = keys.sp.key, algorithm = 'sha256') =>
      signEnveloped(input, { privateKey, algorithm: algorithm as 'sha256' })
    assert.throws(() => sign(noId), TypeError)
    assert.throws(() => sign(issuerLast), TypeError)
    assert.throws(() => sign(xml, ed25519), TypeError)
    assert.throws(() => sign(xml, keys.sp.cert), TypeError)
    assert.throws(() => sign(xml, keys.sp.key, 'sha1'), TypeError)
  })
})

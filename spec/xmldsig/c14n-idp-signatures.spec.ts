// Real signatures from every IdP implementation the project runs, recomputed with our c14n: each
// Reference's digest (the signed element minus its Signature, canonicalized as the Reference says)
// and each SignatureValue (over SignedInfo, canonicalized as CanonicalizationMethod says) must match
// what the IdP wrote. samlify and Auth0's `saml` sign with xml-crypto, pysaml2 with xmlsec1 (libxml2),
// SimpleSAMLphp with xmlseclibs (PHP's DOM, libxml2), Apache Santuario-signed metadata is covered by
// spec/xmldsig/canonicalization.spec.ts's xmlsec1 cases and the metadata specs.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash, verify } from 'node:crypto'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'
import samlify from 'samlify'
import { DIGEST_ALGORITHMS, ENVELOPED_SIGNATURE, SIGNATURE_ALGORITHMS } from '../../lib/xmldsig/algorithms.js'
import {
  canonicalize,
  IMPLICIT_CANONICALIZATION,
  isCanonicalizationAlgorithm,
  readCanonicalization,
} from '../../lib/xmldsig/canonicalization.js'
import type { XmlElement } from '../../lib/xml/tree.js'
import { elementsOf, treeFromXml } from '../support/c14n-tree.js'
import { pysaml2 } from '../support/pysaml2.js'
import { samlifyIdp } from '../support/samlify-peer.js'
import { keys } from '../support/test-idp.js'

const DSIG = 'http://www.w3.org/2000/09/xmldsig#'
const SP = { entityId: 'https://sp.c14n.test/metadata', acsUrl: 'https://sp.c14n.test/acs' }
const KEY_DIR = new URL('../fixtures/keys/', import.meta.url).pathname

const elementChildren = (el: XmlElement) => el.children.filter((n): n is XmlElement => n.type === 'element')
const attr = (el: XmlElement, name: string) => el.attributes.find((a) => a.name === name)?.value ?? ''
const text = (el: XmlElement) =>
  el.children
    .map((n) => (n.type === 'text' ? n.text : ''))
    .join('')
    .replace(/\s+/g, '')
function child(el: XmlElement, localName: string): XmlElement {
  const found = elementChildren(el).find((c) => c.namespaceURI === DSIG && c.localName === localName)
  assert.ok(found, `<${el.localName}> has a <${localName}>`)
  return found
}

/**
 * Recomputes every enveloped signature of `xml` with our c14n and checks it against `cert`; returns
 * what was signed and how, e.g. `Response exc-c14n/exc-c14n`.
 */
function recomputeSignatures(xml: string, cert: string): string[] {
  const checked: string[] = []
  for (const signature of elementsOf(treeFromXml(xml).root)) {
    if (signature.namespaceURI !== DSIG || signature.localName !== 'Signature') continue
    const signed = signature.parent!
    const signedInfo = child(signature, 'SignedInfo')
    const canonicalizationMethod = child(signedInfo, 'CanonicalizationMethod')
    const reference = child(signedInfo, 'Reference')
    assert.equal(attr(reference, 'URI'), `#${attr(signed, 'ID')}`)
    const transforms = elementChildren(child(reference, 'Transforms'))
    assert.equal(attr(transforms[0]!, 'Algorithm'), ENVELOPED_SIGNATURE)
    const last = transforms[1]
    if (last) assert.ok(isCanonicalizationAlgorithm(attr(last, 'Algorithm')))
    const referenceMethod = last ? readCanonicalization(last) : IMPLICIT_CANONICALIZATION

    const digestAlgorithm = DIGEST_ALGORITHMS.get(attr(child(reference, 'DigestMethod'), 'Algorithm'))!
    const digest = createHash(digestAlgorithm)
      .update(canonicalize(signed, referenceMethod, signature), 'utf8')
      .digest('base64')
    assert.equal(digest, text(child(reference, 'DigestValue')), `<${signed.localName}> digest`)

    const signedInfoMethod = readCanonicalization(canonicalizationMethod)
    const { hash } = SIGNATURE_ALGORITHMS.get(attr(child(signedInfo, 'SignatureMethod'), 'Algorithm'))!
    const signedOctets = Buffer.from(canonicalize(signedInfo, signedInfoMethod), 'utf8')
    const signatureValue = Buffer.from(text(child(signature, 'SignatureValue')), 'base64')
    assert.ok(verify(hash, signedOctets, cert, signatureValue), `<${signed.localName}> SignatureValue`)

    const name = (m: typeof signedInfoMethod) =>
      `${m.algorithm.includes('exc') ? 'exc-c14n' : 'c14n'}${m.prefixList.length ? `[${m.prefixList.join(' ')}]` : ''}`
    checked.push(
      `${signed.localName} ${name(signedInfoMethod)}/${last ? name(referenceMethod) : 'implied c14n'}`,
    )
  }
  return checked
}

describe('c14n recomputes real IdP signatures', () => {
  it('samlify (xml-crypto): a signed Response and Assertion', async () => {
    const idp = samlifyIdp()
    const sp = samlify.ServiceProvider({
      entityID: SP.entityId,
      wantAssertionsSigned: true,
      wantMessageSigned: true,
      assertionConsumerService: [{ Binding: samlify.Constants.namespace.binding.post, Location: SP.acsUrl }],
    })
    const { context } = await idp.createLoginResponse(sp, { extract: {} }, 'post', {
      email: 'ada@samlify.test',
    })
    const xml = Buffer.from(context, 'base64').toString('utf8')
    const checked = recomputeSignatures(xml, keys.idpAcme.cert)
    assert.ok(
      checked.some((c) => c.startsWith('Assertion')),
      checked.join(', '),
    )
  })

  it('pysaml2 (xmlsec1): a signed Response and Assertion', async () => {
    const sp = samlify.ServiceProvider({
      entityID: SP.entityId,
      assertionConsumerService: [{ Binding: samlify.Constants.namespace.binding.post, Location: SP.acsUrl }],
    })
    const { samlResponse } = await pysaml2<{ samlResponse: string }>({
      op: 'respond',
      idp: {
        entityId: 'https://idp.pysaml2.test/idp',
        ssoUrl: 'https://idp.pysaml2.test/sso',
        keyFile: `${KEY_DIR}idp-globex.key.pem`,
        certFile: `${KEY_DIR}idp-globex.cert.pem`,
      },
      spMetadataXml: sp.getMetadata(),
      spEntityId: SP.entityId,
      acsUrl: SP.acsUrl,
      nameId: 'hopper@pysaml2.test',
      identity: { mail: ['hopper@pysaml2.test'], givenName: ['Grace & <Co>'] },
      signResponse: true,
      signAssertion: true,
    })
    const checked = recomputeSignatures(
      Buffer.from(samlResponse, 'base64').toString('utf8'),
      keys.idpGlobex.cert,
    )
    assert.deepEqual(checked, ['Response exc-c14n/exc-c14n', 'Assertion exc-c14n/exc-c14n'])
  })

  it('SimpleSAMLphp (its SAML2 library and xmlseclibs, as its IdP signs): a signed Response and Assertion', () => {
    // What modules/saml/lib/IdP/SAML2.php does for a login: an Assertion and a Response, each given
    // the IdP's key and certificate (saml\Message::addSign), written with toSignedXML.
    const script = `<?php
require '/usr/share/simplesamlphp/vendor/autoload.php';
use RobRichards\\XMLSecLibs\\XMLSecurityKey;
$key = new XMLSecurityKey(XMLSecurityKey::RSA_SHA256, ['type' => 'private']);
$key->loadKey(file_get_contents($argv[1]), false);
$cert = file_get_contents($argv[2]);
$issuer = new \\SAML2\\XML\\saml\\Issuer();
$issuer->setValue('https://idp.ssp.test/saml2/idp/metadata.php');
$issuer->setFormat(\\SAML2\\Constants::NAMEID_ENTITY);
$a = new \\SAML2\\Assertion();
$a->setSignatureKey($key);
$a->setCertificates([$cert]);
$a->setIssuer($issuer);
$a->setValidAudiences([$argv[3]]);
$a->setNotBefore(time() - 30);
$a->setNotOnOrAfter(time() + 300);
$nameId = new \\SAML2\\XML\\saml\\NameID();
$nameId->setValue('ada@ssp.test');
$nameId->setFormat(\\SAML2\\Constants::NAMEID_EMAIL_ADDRESS);
$a->setNameId($nameId);
$a->setAttributes(['mail' => ['ada@ssp.test'], 'givenName' => ['Ada & <Co>']]);
$a->setAuthnContextClassRef(\\SAML2\\Constants::AC_PASSWORD);
$r = new \\SAML2\\Response();
$r->setIssuer(clone $issuer);
$r->setDestination($argv[4]);
$r->setSignatureKey($key);
$r->setCertificates([$cert]);
$r->setAssertions([$a]);
echo $r->toSignedXML()->ownerDocument->saveXML();
`
    const xml = execFileSync(
      'php',
      ['--', `${KEY_DIR}idp-globex.key.pem`, `${KEY_DIR}idp-globex.cert.pem`, SP.entityId, SP.acsUrl],
      { input: script, stdio: 'pipe' },
    ).toString('utf8')
    const checked = recomputeSignatures(xml, keys.idpGlobex.cert)
    assert.deepEqual(checked, ['Response exc-c14n/exc-c14n', 'Assertion exc-c14n/exc-c14n'])
  })

  it("Auth0's saml (what samlp signs its assertions with)", async () => {
    const saml = createRequire(import.meta.url)('saml') as {
      Saml20: { create(options: Record<string, unknown>, cb: (err: Error | null, xml: string) => void): void }
    }
    const xml = await new Promise<string>((resolve, reject) =>
      saml.Saml20.create(
        {
          cert: keys.idpGlobex.cert,
          key: keys.idpGlobex.key,
          issuer: 'https://idp.samlp.test',
          lifetimeInSeconds: 300,
          audiences: SP.entityId,
          recipient: SP.acsUrl,
          nameIdentifier: 'linus@samlp.test',
          nameIdentifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
          attributes: { 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': 'Linus & <Co>' },
          signatureAlgorithm: 'rsa-sha256',
          digestAlgorithm: 'sha256',
        },
        (err, out) => (err ? reject(err) : resolve(out)),
      ),
    )
    const checked = recomputeSignatures(xml, keys.idpGlobex.cert)
    assert.deepEqual(checked, ['Assertion exc-c14n/exc-c14n'])
  })
})

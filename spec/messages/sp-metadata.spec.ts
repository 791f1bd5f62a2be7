// Our SP metadata read back two ways: by samlify's SP metadata reader (what an IdP built on it sees),
// and namespace-aware with @xmldom/xmldom: entityID, every endpoint and binding, one KeyDescriptor
// per certificate and use (key rollover), in the order the metadata schema requires.
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import {
  buildSpMetadata,
  DEFAULT_ENCRYPTION_METHODS,
  type SpMetadataOptions,
} from '../../lib/messages/sp-metadata.js'
import { NS } from '../../lib/xml/namespaces.js'
import { samlifySp } from '../support/samlify-peer.js'
import { keys } from '../support/test-idp.js'

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'

const options: SpMetadataOptions = {
  entityId: 'https://app.test/saml/acme/metadata',
  assertionConsumerServiceUrls: ['https://app.test/saml/acme/acs', 'https://app.test/saml/acs'],
  authnRequestsSigned: true,
  wantAssertionsSigned: true,
  signingCerts: [keys.sp.cert],
  encryptionCerts: [keys.sp.cert, keys.spNext.cert],
  singleLogoutServices: [
    { binding: 'redirect', location: 'https://app.test/saml/acme/slo' },
    { binding: 'post', location: 'https://app.test/saml/acme/slo' },
  ],
  nameIdFormats: [EMAIL],
}
const der = (pem: string) => new X509Certificate(pem).raw.toString('base64')

function descriptorOf(xml: string): Element {
  const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement!
  assert.equal(root.namespaceURI, NS.metadata)
  assert.equal(root.localName, 'EntityDescriptor')
  const descriptors = Array.from(root.childNodes).filter((n): n is Element => n.nodeType === 1)
  assert.equal(descriptors.length, 1)
  assert.equal(descriptors[0]!.namespaceURI, NS.metadata)
  assert.equal(descriptors[0]!.localName, 'SPSSODescriptor')
  return descriptors[0]!
}

/** xmldom 0.8 answers '' for a missing attribute; null says it is absent. */
const attribute = (el: Element, name: string) => (el.hasAttribute(name) ? el.getAttribute(name) : null)
const children = (el: Element) => Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1)

describe('SP metadata', () => {
  it('samlify reads entityID, ACS, both SLO bindings, every certificate and the flags', () => {
    const meta = samlifySp(buildSpMetadata(options)).entityMeta
    assert.equal(meta.getEntityID(), options.entityId)
    assert.deepEqual(meta.meta.assertionConsumerService, [
      { index: '1', isDefault: 'true', binding: POST, location: options.assertionConsumerServiceUrls[0] },
      { index: '2', binding: POST, location: options.assertionConsumerServiceUrls[1] },
    ])
    assert.equal(meta.getSingleLogoutService('redirect'), 'https://app.test/saml/acme/slo')
    assert.equal(meta.getSingleLogoutService('post'), 'https://app.test/saml/acme/slo')
    assert.equal(meta.getX509Certificate('signing'), der(keys.sp.cert))
    assert.deepEqual(meta.getX509Certificate('encryption'), [der(keys.sp.cert), der(keys.spNext.cert)])
    assert.equal(meta.getNameIDFormat(), EMAIL) // samlify unwraps a one-element list
    assert.equal(meta.isAuthnRequestSigned(), true)
    assert.equal(meta.isWantAssertionsSigned(), true)
  })

  it('read namespace-aware: elements in schema order, one KeyDescriptor per certificate and use', () => {
    const xml = buildSpMetadata(options)
    const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement!
    assert.equal(root.getAttribute('entityID'), options.entityId)
    assert.equal(root.hasAttribute('ID'), false, 'no random ID: the document is the same on every call')
    assert.equal(buildSpMetadata(options), xml)

    const descriptor = descriptorOf(xml)
    assert.equal(descriptor.getAttribute('protocolSupportEnumeration'), NS.protocol)
    assert.equal(descriptor.getAttribute('AuthnRequestsSigned'), 'true')
    assert.equal(descriptor.getAttribute('WantAssertionsSigned'), 'true')
    const kids = children(descriptor)
    assert.ok(kids.every((el) => el.namespaceURI === NS.metadata))
    assert.deepEqual(
      kids.map((el) => el.localName),
      [
        'KeyDescriptor',
        'KeyDescriptor',
        'KeyDescriptor',
        'SingleLogoutService',
        'SingleLogoutService',
        'NameIDFormat',
        'AssertionConsumerService',
        'AssertionConsumerService',
      ],
    )

    const keyDescriptors = kids.filter((el) => el.localName === 'KeyDescriptor')
    const published = keyDescriptors.map((kd) => {
      const certs = kd.getElementsByTagNameNS(NS.dsig, 'X509Certificate')
      assert.equal(certs.length, 1)
      const methods = children(kd)
        .filter((el) => el.localName === 'EncryptionMethod' && el.namespaceURI === NS.metadata)
        .map((el) => el.getAttribute('Algorithm'))
      return [kd.getAttribute('use'), certs[0]!.textContent, methods]
    })
    assert.deepEqual(published, [
      ['signing', der(keys.sp.cert), []],
      ['encryption', der(keys.sp.cert), DEFAULT_ENCRYPTION_METHODS],
      ['encryption', der(keys.spNext.cert), DEFAULT_ENCRYPTION_METHODS],
    ])

    const endpoints = kids
      .filter((el) => el.hasAttribute('Location'))
      .map((el) => [
        el.localName,
        el.getAttribute('Binding'),
        el.getAttribute('Location'),
        attribute(el, 'index'),
      ])
    assert.deepEqual(endpoints, [
      ['SingleLogoutService', REDIRECT, 'https://app.test/saml/acme/slo', null],
      ['SingleLogoutService', POST, 'https://app.test/saml/acme/slo', null],
      ['AssertionConsumerService', POST, 'https://app.test/saml/acme/acs', '1'],
      ['AssertionConsumerService', POST, 'https://app.test/saml/acs', '2'],
    ])
    const acs = kids.filter((el) => el.localName === 'AssertionConsumerService')
    assert.deepEqual(
      acs.map((el) => attribute(el, 'isDefault')),
      ['true', null],
    )
  })

  it('minimal: no keys, no SLO, no NameIDFormat; flags written as false', () => {
    const xml = buildSpMetadata({
      entityId: 'https://app.test/sp',
      assertionConsumerServiceUrls: ['https://app.test/acs'],
      authnRequestsSigned: false,
      wantAssertionsSigned: false,
    })
    const descriptor = descriptorOf(xml)
    assert.equal(descriptor.getAttribute('AuthnRequestsSigned'), 'false')
    assert.equal(descriptor.getAttribute('WantAssertionsSigned'), 'false')
    assert.deepEqual(
      children(descriptor).map((el) => el.localName),
      ['AssertionConsumerService'],
    )
  })

  it('refuses what would be invalid metadata, naming the option', () => {
    assert.throws(() => buildSpMetadata({ ...options, assertionConsumerServiceUrls: [] }), TypeError)
    assert.throws(
      () => buildSpMetadata({ ...options, encryptionCerts: [keys.sp.cert, keys.sp.key] }),
      (err: unknown) => err instanceof TypeError && /encryptionCerts\[1\]/.test(err.message),
    )
    for (const binding of ['soap', 'constructor']) {
      assert.throws(
        () =>
          buildSpMetadata({
            ...options,
            singleLogoutServices: [{ binding: binding as 'post', location: 'x' }],
          }),
        (err: unknown) => err instanceof TypeError && /singleLogoutServices\[0\]\.binding/.test(err.message),
      )
    }
  })
})

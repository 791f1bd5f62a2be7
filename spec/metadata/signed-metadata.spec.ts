// Issue #11 item 3: a record pins who signs its metadata (metadataSigningCerts). Metadata is signed
// by xmlsec1 (libxmlsec), served by a real loopback server for putIdpRecord and the refresher, and
// every refusal asserts its code and that nothing was written (or that the record was kept).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DOMParser, XMLSerializer } from '@xmldom/xmldom'
import {
  MemoryIdpStore,
  normalizeCertificate,
  putIdpRecord,
  SamlError,
  startMetadataRefresh,
  verifyIdpMetadataSignature,
} from '../../lib/index.js'
import { startMetadataServer, withHints, type MetadataServer } from '../support/metadata-server.js'
import { entitiesDescriptor, MD, signMetadata } from '../support/signed-metadata.js'
import { keys, TestIdp } from '../support/test-idp.js'
import { acme, globex } from '../support/tenant-idps.js'
import { xmlsec1Verifies } from '../support/xmlsec1-signer.js'

const T0 = Date.parse('2026-12-01T00:00:00.000Z')
const local = { allowHttp: true, allowPrivateNetwork: true }
const code = (expected: string) => (err: unknown) => err instanceof SamlError && err.code === expected
/** The federation (or the IdP itself) signs metadata with this key; records pin its certificate. */
const signer = keys.idpGlobex
const pinned = [signer.cert]

const acmeRotated = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  signing: keys.idpAcmeNext,
})

const signed = signMetadata(acme.metadataXml(), signer)

/** `xml` parsed, changed by `fn`, serialized again (after signing: what an attacker can do). */
function edit(xml: string, fn: (doc: Document) => void): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document
  fn(doc)
  return new XMLSerializer().serializeToString(doc as never)
}

/** Every way metadata must be refused when the record pins its signer. */
function refusedDocuments(): [string, string][] {
  const tampered = signed.replace('Location="https://idp.acme.test/sso"', 'Location="https://evil.test/sso"')
  assert.notEqual(tampered, signed)
  // An attacker's own metadata for acme's entityID, with its own signing certificate.
  const evil = new TestIdp({
    entityId: 'https://idp.acme.test/saml',
    ssoUrl: 'https://evil.test/sso',
    signing: keys.attacker,
  }).metadataXml()
  // Wrapping: the attacker's EntityDescriptor as the root, carrying the genuine Signature (valid, but
  // for the genuine element, which rides along inside Extensions, with its ID).
  const wrapped = edit(evil, (doc) => {
    const genuine = new DOMParser().parseFromString(signed, 'text/xml').documentElement!
    const sig = genuine.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0]!
    const root = doc.documentElement
    root.setAttribute('ID', '_evil')
    const extensions = doc.createElementNS(MD, 'Extensions')
    extensions.appendChild(doc.importNode(genuine, true))
    root.insertBefore(extensions, root.firstChild)
    root.insertBefore(doc.importNode(sig, true), extensions)
  })
  // The same, with the root given the genuine element's ID: the Reference points at the root now, so
  // only the digest can tell.
  const wrappedSameId = wrapped.replace('ID="_evil"', 'ID="_md1"')
  // Wrapping the other way: an unsigned root around the genuine signed document.
  const unsignedRoot = edit(evil, (doc) => {
    const extensions = doc.createElementNS(MD, 'Extensions')
    extensions.appendChild(
      doc.importNode(new DOMParser().parseFromString(signed, 'text/xml').documentElement!, true),
    )
    doc.documentElement.insertBefore(extensions, doc.documentElement.firstChild)
  })
  return [
    ['unsigned', acme.metadataXml()],
    ['tampered after signing (SSO URL changed)', tampered],
    ['signed by another key, its certificate in KeyInfo', signMetadata(evil, keys.attacker)],
    ['RSA-SHA1 over a SHA-1 digest', signMetadata(acme.metadataXml(), signer, { hash: 'sha1' })],
    [
      'c14n WithComments',
      signMetadata(acme.metadataXml(), signer, { canonicalization: 'exc-c14n-with-comments' }),
    ],
    ['wrapped: a valid signature for another element', wrapped],
    ['wrapped: the genuine signature moved to a root with its ID', wrappedSameId],
    ['wrapped: an unsigned root around the signed document', unsignedRoot],
  ]
}

let server: MetadataServer
before(async () => {
  server = await startMetadataServer()
})
after(() => server.close())
const publish = (xml: string): string => server.publish(xml)

describe('verifyIdpMetadataSignature', () => {
  it('accepts metadata signed by a pinned certificate (exclusive and inclusive c14n, an aggregate), as xmlsec1 does', () => {
    assert.ok(xmlsec1Verifies(signed, signer.cert, `${MD}:EntityDescriptor`))
    verifyIdpMetadataSignature(signed, pinned)
    verifyIdpMetadataSignature(signed, [keys.idpAcmeNext.cert, signer.cert]) // any one of them
    verifyIdpMetadataSignature(signMetadata(acme.metadataXml(), signer, { canonicalization: 'c14n' }), pinned)
    verifyIdpMetadataSignature(
      signMetadata(entitiesDescriptor(acme.metadataXml(), globex.metadataXml()), signer),
      pinned,
    )
  })

  it('refuses unsigned, tampered, wrongly signed, SHA-1, WithComments and wrapped metadata', () => {
    for (const [name, xml] of refusedDocuments()) {
      assert.throws(() => verifyIdpMetadataSignature(xml, pinned), code('ERR_SAML_METADATA_SIGNATURE'), name)
    }
    // The KeyInfo certificate is never trusted: a document signed by the attacker is refused even
    // though it carries the attacker's certificate, and pinning another key refuses the genuine one.
    assert.throws(
      () => verifyIdpMetadataSignature(signed, [keys.attacker.cert]),
      code('ERR_SAML_METADATA_SIGNATURE'),
    )
    assert.throws(() => verifyIdpMetadataSignature(signed, []), TypeError)
  })
})

describe('metadataSigningCerts on a record', () => {
  it('accepts signed pasted metadata and stores the pinned certificates', async () => {
    const store = new MemoryIdpStore()
    const record = await store.put({ id: 'acme', metadataXml: signed, metadataSigningCerts: pinned })
    assert.deepEqual(record.metadataSigningCerts, [normalizeCertificate(signer.cert)])
    assert.deepEqual(record.signingCerts, [normalizeCertificate(keys.idpAcme.cert)])
    // An aggregate signed as a whole, with the entity chosen by entityId.
    const fed = signMetadata(entitiesDescriptor(acme.metadataXml(), globex.metadataXml()), signer)
    const g = await putIdpRecord(store, {
      id: 'globex',
      entityId: 'https://idp.globex.test/saml',
      metadataXml: fed,
      metadataSigningCerts: pinned,
    })
    assert.deepEqual(g.signingCerts, [normalizeCertificate(keys.idpGlobex.cert)])
  })

  it('refuses each bad document, pasted to store.put or putIdpRecord, and writes nothing', async () => {
    const store = new MemoryIdpStore()
    for (const [name, xml] of refusedDocuments()) {
      // SHA-1 stays refused for metadata even where the record allows it for responses.
      const input = { id: 'acme', metadataXml: xml, metadataSigningCerts: pinned, allowSha1: true }
      await assert.rejects(store.put(input), code('ERR_SAML_METADATA_SIGNATURE'), name)
      await assert.rejects(putIdpRecord(store, input), code('ERR_SAML_METADATA_SIGNATURE'), name)
    }
    assert.deepEqual(await store.list(), [])
  })

  it('validates the field up front', async () => {
    const store = new MemoryIdpStore()
    for (const bad of [[], ['not a certificate'], 'pem', [keys.idpAcme.key]]) {
      await assert.rejects(
        store.put({ id: 'acme', metadataXml: signed, metadataSigningCerts: bad as never }),
        code('ERR_SAML_IDP_CONFIG'),
      )
    }
    // Pinning the signers of metadata the record does not have is a mistake, said so.
    await assert.rejects(
      store.put({
        id: 'acme',
        entityId: 'https://idp.acme.test/saml',
        ssoUrl: 'https://idp.acme.test/sso',
        signingCerts: [keys.idpAcme.cert],
        metadataSigningCerts: pinned,
      }),
      code('ERR_SAML_IDP_CONFIG'),
    )
  })

  it('putIdpRecord from a URL: signed metadata is stored; unsigned is refused before its dates are read', async () => {
    const store = new MemoryIdpStore()
    const opts = { fetch: local, clock: () => T0 }
    const record = await putIdpRecord(
      store,
      { id: 'acme', metadataUrl: server.url(publish(signed)), metadataSigningCerts: pinned },
      opts,
    )
    assert.equal(record.metadataXml, signed)
    assert.equal((await store.getMetadataStatus('acme'))!.consecutiveFailures, 0)

    const other = new MemoryIdpStore()
    for (const [name, xml] of refusedDocuments()) {
      await assert.rejects(
        putIdpRecord(
          other,
          { id: 'acme', metadataUrl: server.url(publish(xml)), metadataSigningCerts: pinned },
          opts,
        ),
        (err: unknown) => code('ERR_SAML_METADATA_SIGNATURE')(err) && (err as SamlError).idp === 'acme',
        name,
      )
    }
    // Unsigned and expired: the signature is what is checked first.
    const expired = withHints(acme.metadataXml(), { validUntil: T0 - 1 })
    await assert.rejects(
      putIdpRecord(
        other,
        { id: 'acme', metadataUrl: server.url(publish(expired)), metadataSigningCerts: pinned },
        opts,
      ),
      code('ERR_SAML_METADATA_SIGNATURE'),
    )
    assert.deepEqual(await other.list(), [])
  })

  it('refresh: adopts newly signed metadata; tampered or unsigned is a failure that keeps the record and shows in the status', async () => {
    let now = T0
    const clock = () => now
    const store = new MemoryIdpStore()
    const path = publish(signed)
    const schedule = { fetch: local, clock, random: () => 0 }
    await putIdpRecord(
      store,
      { id: 'acme', metadataUrl: server.url(path), metadataSigningCerts: pinned },
      schedule,
    )
    const refresher = startMetadataRefresh(store, {
      ...schedule,
      immediate: false,
      checkIntervalMs: 3_600_000,
    })
    try {
      // The IdP rotates its key and the federation signs the new document: adopted.
      const rotated = signMetadata(acmeRotated.metadataXml(), signer, { id: '_md2' })
      server.answer(path, { kind: 'document', xml: rotated })
      now += 3_600_000
      const updated = await refresher.refreshIdp('acme')
      assert.equal(updated.outcome, 'updated')
      const good = (await store.get('acme'))!
      assert.deepEqual(good.signingCerts, [normalizeCertificate(keys.idpAcmeNext.cert)])
      assert.deepEqual(good.metadataSigningCerts, [normalizeCertificate(signer.cert)])

      // Then the endpoint serves tampered metadata (an attacker's SSO URL and key), then unsigned.
      const tampered = rotated.replace('https://idp.acme.test/sso', 'https://evil.test/sso')
      let failures = 0
      for (const xml of [
        tampered,
        acmeRotated.metadataXml(),
        signMetadata(acme.metadataXml(), keys.attacker),
      ]) {
        server.answer(path, { kind: 'document', xml })
        now += 3_600_000
        const result = await refresher.refreshIdp('acme')
        assert.equal(result.outcome, 'failed')
        assert.ok(code('ERR_SAML_METADATA_SIGNATURE')(result.error))
        const kept = (await store.get('acme'))!
        assert.equal(kept.version, good.version)
        assert.equal(kept.metadataXml, rotated)
        assert.deepEqual(kept.ssoUrls, good.ssoUrls)
        const status = (await store.getMetadataStatus('acme'))!
        assert.equal(status.consecutiveFailures, ++failures)
        assert.equal(status.lastError?.code, 'ERR_SAML_METADATA_SIGNATURE')
        assert.equal(status.lastSuccessAt, new Date(T0 + 3_600_000).toISOString())
      }

      // Good metadata again: adopted, and the failures are over.
      const again = signMetadata(acme.metadataXml(), signer, { id: '_md3' })
      server.answer(path, { kind: 'document', xml: again })
      now += 3_600_000
      assert.equal((await refresher.refreshIdp('acme')).outcome, 'updated')
      assert.equal((await store.getMetadataStatus('acme'))!.consecutiveFailures, 0)
    } finally {
      refresher.stop()
    }
  })
})

import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { describe, it } from 'node:test'
import { isSamlError, type SamlErrorCode } from '../../lib/errors/saml-error.js'
import type { IdpRecordInput } from '../../lib/record/record-fields.js'
import { ATTRIBUTE_PRESET_NAMES } from '../../lib/profile/presets.js'
import { normalizeEmailDomain } from '../../lib/record/email-domain.js'
import { normalizeIdpRecord } from '../../lib/record/normalize-idp-record.js'
import { CERTS, idpMetadataXml } from '../store/conformance.js'

const canonical = (pem: string) => new X509Certificate(pem).toString()
const base = (extra: Record<string, unknown> = {}): IdpRecordInput =>
  ({
    id: 'acme',
    entityId: 'https://idp.acme.test',
    ssoUrl: 'https://idp.acme.test/sso',
    signingCerts: [CERTS.acme],
    ...extra,
  }) as IdpRecordInput

function expectCode(input: unknown, code: SamlErrorCode = 'ERR_SAML_IDP_CONFIG'): void {
  assert.throws(
    () => normalizeIdpRecord(input as IdpRecordInput),
    (err: unknown) => {
      assert.ok(isSamlError(err), `expected a SamlError, got ${String(err)}`)
      assert.equal(err.code, code, err.message)
      return true
    },
  )
}

describe('normalizeIdpRecord', () => {
  it('fills the strict defaults', () => {
    const rec = normalizeIdpRecord(base())
    assert.deepStrictEqual(rec, {
      id: 'acme',
      entityId: 'https://idp.acme.test',
      ssoUrls: { redirect: 'https://idp.acme.test/sso' },
      sloUrls: {},
      signingCerts: [canonical(CERTS.acme)],
      encryptionCerts: [],
      emailDomains: [],
      allowIdpInitiated: false,
      wantAssertionsSigned: true,
      wantResponseSigned: false,
      signAuthnRequests: false,
      authnRequestBinding: 'redirect',
      forceAuthn: false,
      allowSha1: false,
      requireEncryptedAssertions: false,
      requireAesGcm: false,
    })
  })

  it('returns a frozen object with frozen arrays and maps', () => {
    const rec = normalizeIdpRecord(
      base({
        emailDomains: ['acme.test'],
        attributeMap: { email: { from: ['mail'], transform: ['trim'] } },
        groupsMap: { a: 'b' },
      }),
    )
    for (const v of [
      rec,
      rec.signingCerts,
      rec.encryptionCerts,
      rec.emailDomains,
      rec.ssoUrls,
      rec.sloUrls,
      rec.groupsMap,
    ]) {
      assert.ok(Object.isFrozen(v))
    }
    const map = rec.attributeMap as Record<string, { from: string[]; transform: string[] }>
    assert.ok(Object.isFrozen(map) && Object.isFrozen(map.email) && Object.isFrozen(map.email!.from))
    assert.ok(Object.isFrozen(map.email!.transform))
  })

  describe('id', () => {
    it('accepts 1–64 of A–Z a–z 0–9 . _ - starting alphanumeric', () => {
      for (const id of ['a', 'Acme-Corp_2.eu', '9', 'x'.repeat(64)])
        assert.equal(normalizeIdpRecord(base({ id })).id, id)
    })
    it('rejects anything else', () => {
      for (const id of [
        '',
        '-a',
        '.a',
        '_a',
        'a b',
        'a/b',
        'x'.repeat(65),
        'ä',
        'a\n',
        42,
        undefined,
        null,
      ]) {
        expectCode(base({ id }))
      }
    })
  })

  describe('metadataXml', () => {
    it('is parsed and kept, and fields given beside it override', () => {
      const xml = idpMetadataXml('https://idp.meta.test')
      const fromMeta = normalizeIdpRecord({
        id: 'm',
        metadataXml: xml,
        metadataUrl: 'https://idp.meta.test/md',
      })
      assert.equal(fromMeta.entityId, 'https://idp.meta.test')
      assert.deepEqual(fromMeta.ssoUrls, {
        redirect: 'https://idp.example.test/sso/redirect',
        post: 'https://idp.example.test/sso/post',
      })
      assert.deepEqual(fromMeta.sloUrls, { redirect: 'https://idp.example.test/slo' })
      assert.deepEqual(fromMeta.signingCerts, [canonical(CERTS.acme)])
      assert.equal(fromMeta.signAuthnRequests, true, 'WantAuthnRequestsSigned="true"')
      assert.equal(fromMeta.nameIdFormat, 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress')
      assert.equal(fromMeta.authnRequestBinding, 'redirect')
      assert.equal(fromMeta.metadataXml, xml)
      assert.equal(fromMeta.metadataUrl, 'https://idp.meta.test/md')

      const overridden = normalizeIdpRecord({
        id: 'm',
        metadataXml: xml,
        ssoUrls: { post: 'https://override.test/sso' },
        signingCerts: [CERTS.globex],
        signAuthnRequests: false,
        nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      })
      assert.deepEqual(
        overridden.ssoUrls,
        { post: 'https://override.test/sso' },
        'ssoUrls replaces the metadata’s',
      )
      assert.equal(overridden.authnRequestBinding, 'post')
      assert.deepEqual(overridden.signingCerts, [canonical(CERTS.globex)])
      assert.equal(overridden.signAuthnRequests, false)
      assert.equal(overridden.nameIdFormat, 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent')

      // The ssoUrl shorthand replaces one binding of the metadata's endpoints.
      const shorthand = normalizeIdpRecord({ id: 'm', metadataXml: xml, ssoUrl: 'https://override.test/r' })
      assert.deepEqual(shorthand.ssoUrls, {
        redirect: 'https://override.test/r',
        post: 'https://idp.example.test/sso/post',
      })
    })

    it('uses entityId to choose from an EntitiesDescriptor', () => {
      const strip = (x: string) => x.replace(/^<\?xml[^>]*\?>\s*/, '')
      const group = `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">${strip(idpMetadataXml('https://a.test'))}${strip(idpMetadataXml('https://b.test', CERTS.globex))}</EntitiesDescriptor>`
      const rec = normalizeIdpRecord({ id: 'b', metadataXml: group, entityId: 'https://b.test' })
      assert.equal(rec.entityId, 'https://b.test')
      assert.deepEqual(rec.signingCerts, [canonical(CERTS.globex)])
      expectCode({ id: 'b', metadataXml: group }, 'ERR_SAML_METADATA_INVALID')
      expectCode({ id: 'b', metadataXml: group, entityId: 'https://c.test' }, 'ERR_SAML_METADATA_INVALID')
    })

    it('passes on the metadata error codes', () => {
      expectCode({ id: 'x', metadataXml: '<nope/>' }, 'ERR_SAML_METADATA_INVALID')
      expectCode({ id: 'x', metadataXml: '<!DOCTYPE x [<!ENTITY a "b">]><x/>' }, 'ERR_SAML_XML_DTD')
      expectCode({ id: 'x', metadataXml: 42 })
      expectCode({ id: 'x', metadataXml: idpMetadataXml('https://a.test'), metadataUrl: 'ftp://a.test/md' })
    })
  })

  describe('entityId, URLs and bindings', () => {
    it('requires an entityId of 1–1024 characters', () => {
      expectCode(base({ entityId: undefined }))
      expectCode(base({ entityId: '' }))
      expectCode(base({ entityId: 'x'.repeat(1025) }))
      assert.equal(normalizeIdpRecord(base({ entityId: 'x'.repeat(1024) })).entityId.length, 1024)
      assert.equal(normalizeIdpRecord(base({ entityId: ' urn:acme:idp ' })).entityId, 'urn:acme:idp')
    })

    it('puts the ssoUrl shorthand on the redirect binding, or post when authnRequestBinding is post', () => {
      assert.deepEqual(normalizeIdpRecord(base()).ssoUrls, { redirect: 'https://idp.acme.test/sso' })
      const post = normalizeIdpRecord(base({ authnRequestBinding: 'post' }))
      assert.deepEqual(post.ssoUrls, { post: 'https://idp.acme.test/sso' })
      assert.equal(post.authnRequestBinding, 'post')
    })

    it('keeps a logoutBinding only where the IdP has an SLO URL on that binding', () => {
      const slo = { redirect: 'https://idp.test/slo', post: 'https://idp.test/slo/post' }
      assert.equal(normalizeIdpRecord(base({ sloUrls: slo, logoutBinding: 'post' })).logoutBinding, 'post')
      assert.equal(normalizeIdpRecord(base({ sloUrls: slo })).logoutBinding, undefined, 'absent unless given')
      expectCode(base({ sloUrls: { redirect: slo.redirect }, logoutBinding: 'post' }))
      expectCode(base({ logoutBinding: 'redirect' }))
      expectCode(base({ sloUrls: slo, logoutBinding: 'soap' }))
    })

    it('defaults the binding to redirect when there is a redirect URL, else post', () => {
      const both = { redirect: 'https://idp.test/r', post: 'https://idp.test/p' }
      assert.equal(
        normalizeIdpRecord(base({ ssoUrl: undefined, ssoUrls: both })).authnRequestBinding,
        'redirect',
      )
      assert.equal(
        normalizeIdpRecord(base({ ssoUrl: undefined, ssoUrls: { post: 'https://idp.test/p' } }))
          .authnRequestBinding,
        'post',
      )
      expectCode(
        base({ ssoUrl: undefined, ssoUrls: { post: 'https://idp.test/p' }, authnRequestBinding: 'redirect' }),
      )
      expectCode(base({ authnRequestBinding: 'artifact' }))
    })

    it('requires at least one SSO URL', () => {
      expectCode(base({ ssoUrl: undefined }))
      expectCode(base({ ssoUrl: undefined, ssoUrls: {} }))
    })

    it('requires every URL to be absolute http: or https:', () => {
      for (const bad of [
        '/sso',
        'idp.test/sso',
        'javascript:alert(1)',
        'ftp://idp.test',
        'https://idp.test/a b',
        'file:///etc',
        42,
      ]) {
        expectCode(base({ ssoUrl: bad }))
        expectCode(base({ sloUrls: { redirect: bad } }))
        expectCode(base({ metadataUrl: bad }))
      }
      expectCode(base({ ssoUrls: { redirect: 'https://idp.test', soap: 'https://idp.test' } }))
      expectCode(base({ ssoUrls: { redirect: 'https://idp.test/x' }, ssoUrl: 'https://idp.test/y' }))
      assert.deepEqual(normalizeIdpRecord(base({ sloUrls: { post: 'http://idp.test/slo' } })).sloUrls, {
        post: 'http://idp.test/slo',
      })
    })
  })

  describe('certificates', () => {
    it('normalizes to PEM, de-duplicates, keeps several for rotation', () => {
      const bare = CERTS.acme.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '')
      const rec = normalizeIdpRecord(
        base({ signingCerts: [CERTS.acme, bare, CERTS.acmeNext], encryptionCerts: [CERTS.ec] }),
      )
      assert.deepEqual(rec.signingCerts, [canonical(CERTS.acme), canonical(CERTS.acmeNext)])
      assert.deepEqual(rec.encryptionCerts, [canonical(CERTS.ec)])
    })

    it('requires at least one signing certificate, each an X.509 certificate', () => {
      expectCode(base({ signingCerts: undefined }))
      expectCode(base({ signingCerts: [] }))
      expectCode(base({ signingCerts: CERTS.acme }))
      expectCode(base({ signingCerts: [CERTS.acme, 'not a cert'] }))
      expectCode(base({ signingCerts: [CERTS.acme, 42] }))
      expectCode(base({ encryptionCerts: ['not a cert'] }))
    })

    it('names the bad entry in the message', () => {
      assert.throws(
        () => normalizeIdpRecord(base({ signingCerts: [CERTS.acme, 'nope'] })),
        (err: unknown) =>
          isSamlError(err, 'ERR_SAML_IDP_CONFIG') && err.message.includes('"signingCerts[1]"'),
      )
    })
  })

  describe('policy flags and numbers', () => {
    it('accepts booleans only', () => {
      for (const flag of [
        'allowIdpInitiated',
        'wantAssertionsSigned',
        'wantResponseSigned',
        'signAuthnRequests',
        'forceAuthn',
        'allowSha1',
        'requireEncryptedAssertions',
        'requireAesGcm',
      ]) {
        expectCode(base({ [flag]: 'true' }))
        expectCode(base({ [flag]: 1 }))
        const flipped = normalizeIdpRecord(base({ [flag]: flag !== 'wantAssertionsSigned' }))
        assert.equal((flipped as unknown as Record<string, boolean>)[flag], flag !== 'wantAssertionsSigned')
      }
    })

    it('clockSkewMs is an integer from 0 to 600000', () => {
      assert.equal(normalizeIdpRecord(base({ clockSkewMs: 0 })).clockSkewMs, 0)
      assert.equal(normalizeIdpRecord(base({ clockSkewMs: 600_000 })).clockSkewMs, 600_000)
      for (const bad of [-1, 600_001, 1.5, Number.NaN, Infinity, '1000'])
        expectCode(base({ clockSkewMs: bad }))
    })

    it('treats null as absent', () => {
      const rec = normalizeIdpRecord(
        base({ displayName: null, clockSkewMs: null, allowSha1: null, emailDomains: null }),
      )
      assert.equal('displayName' in rec, false)
      assert.equal('clockSkewMs' in rec, false)
      assert.equal(rec.allowSha1, false)
    })

    it('rejects unknown fields, ignores version and updatedAt of a record read back', () => {
      expectCode(base({ wantAssertionSigned: false }))
      const again = normalizeIdpRecord({
        ...normalizeIdpRecord(base()),
        version: 3,
        updatedAt: '2024-01-01T00:00:00Z',
      } as IdpRecordInput)
      assert.deepStrictEqual(again, normalizeIdpRecord(base()))
    })

    it('rejects a non-object input', () => {
      for (const bad of [null, undefined, 'acme', [], 42, new Map()]) expectCode(bad)
    })
  })

  describe('emailDomains', () => {
    it('lower-cases, trims and de-duplicates', () => {
      const rec = normalizeIdpRecord(
        base({ emailDomains: [' Acme.COM ', 'acme.com', 'eu.acme.com', 'bücher.de'] }),
      )
      assert.deepEqual(rec.emailDomains, ['acme.com', 'eu.acme.com', 'xn--bcher-kva.de'])
    })

    it('rejects what is not a hostname', () => {
      for (const bad of [
        'alice@acme.com',
        '@acme.com',
        'https://acme.com',
        'acme.com/x',
        'acme',
        '',
        'a..b',
        '-a.com',
        '1.2.3.4',
        'acme.com:443',
        42,
      ]) {
        expectCode(base({ emailDomains: [bad] }))
      }
      expectCode(base({ emailDomains: 'acme.com' }))
    })

    it('normalizeEmailDomain matches what records store', () => {
      assert.equal(normalizeEmailDomain('ACME.com'), 'acme.com')
      assert.equal(normalizeEmailDomain('BÜCHER.de'), 'xn--bcher-kva.de')
      assert.equal(normalizeEmailDomain('alice@acme.com'), undefined)
    })
  })

  describe('attributeMap and groupsMap', () => {
    it('accepts every preset name and rejects others', () => {
      for (const name of ATTRIBUTE_PRESET_NAMES)
        assert.equal(normalizeIdpRecord(base({ attributeMap: name })).attributeMap, name)
      expectCode(base({ attributeMap: 'okta2' }))
      expectCode(base({ attributeMap: 'toString' }))
    })

    it('accepts string, array and field-spec values and copies them', () => {
      const map = {
        email: { from: ['mail', 'email'], required: true, transform: ['trim', 'lowercase'] },
        firstName: 'givenName',
        lastName: ['sn', 'surname'],
        groups: { from: 'memberOf', multi: true, transform: 'trim' },
      }
      const rec = normalizeIdpRecord(base({ attributeMap: map }))
      assert.deepEqual(rec.attributeMap, map)
      map.email.from.push('evil')
      assert.deepEqual((rec.attributeMap as unknown as Record<string, { from: string[] }>).email!.from, [
        'mail',
        'email',
      ])
    })

    it('rejects bad shapes, unknown spec keys and prototype-polluting names', () => {
      const bad: unknown[] = [
        { email: { from: 'mail', reqired: true } },
        { email: { from: [] } },
        { email: { from: '' } },
        { email: { multi: true } },
        { email: { from: 'mail', multi: 'yes' } },
        { email: { from: 'mail', transform: 'titlecase' } },
        { email: { from: 'mail', transform: ['trim', 'reverse'] } },
        { email: 42 },
        { email: ['mail', 42] },
        { '': 'mail' },
        JSON.parse('{"__proto__": "mail"}'),
        JSON.parse('{"__proto__": {"from": "mail"}}'),
        { constructor: 'mail' },
        { prototype: 'mail' },
        ['mail'],
      ]
      for (const attributeMap of bad) expectCode(base({ attributeMap }))
    })

    it('groupsMap is a flat string → string object', () => {
      assert.deepEqual(normalizeIdpRecord(base({ groupsMap: { 'Domain Admins': 'admin' } })).groupsMap, {
        'Domain Admins': 'admin',
      })
      for (const groupsMap of [
        { a: 1 },
        { a: ['b'] },
        { a: { b: 'c' } },
        { a: '' },
        JSON.parse('{"__proto__": "x"}'),
        ['a'],
        'a',
      ]) {
        expectCode(base({ groupsMap }))
      }
    })
  })

  it('keeps no reference to any input object', () => {
    const input = base({
      emailDomains: ['acme.test'],
      ssoUrls: { post: 'https://idp.test/p' },
      ssoUrl: undefined,
      groupsMap: { a: 'b' },
    }) as IdpRecordInput & {
      emailDomains: string[]
      ssoUrls: { post: string }
      groupsMap: Record<string, string>
    }
    const rec = normalizeIdpRecord(input)
    input.emailDomains.push('evil.test')
    input.ssoUrls.post = 'https://evil.test'
    input.groupsMap.c = 'd'
    assert.deepEqual(rec.emailDomains, ['acme.test'])
    assert.deepEqual(rec.ssoUrls, { post: 'https://idp.test/p' })
    assert.deepEqual(rec.groupsMap, { a: 'b' })
  })
})

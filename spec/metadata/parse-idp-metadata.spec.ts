import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { before, describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import * as samlify from 'samlify'
import { isSamlError, type SamlErrorCode } from '../../lib/errors/saml-error.js'
import { normalizeCertificate } from '../../lib/metadata/certificate.js'
import { parseIdpMetadata } from '../../lib/metadata/parse-idp-metadata.js'
import { METADATA_XML_LIMITS, scanXml } from '../../lib/xml/parse-xml.js'

const keyDir = new URL('../fixtures/keys/', import.meta.url)
const pem = (name: string): string => readFileSync(new URL(`${name}.cert.pem`, keyDir), 'utf8')
const ACME = pem('idp-acme')
const ACME_NEXT = pem('idp-acme-next')
const GLOBEX = pem('idp-globex')
const EC = pem('idp-ec')
const SP = pem('sp')

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'
const MD = 'urn:oasis:names:tc:SAML:2.0:metadata'
const DS = 'http://www.w3.org/2000/09/xmldsig#'

const b64 = (certPem: string) => certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')
const canonical = (certPem: string) => new X509Certificate(certPem).toString()

function expectCode(fn: () => unknown, code: SamlErrorCode): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isSamlError(err), `expected a SamlError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    return true
  })
}

function samlifyIdp(entityID: string, extra: Record<string, unknown> = {}): string {
  return samlify
    .IdentityProvider({
      entityID,
      signingCert: ACME,
      encryptCert: GLOBEX,
      wantAuthnRequestsSigned: true,
      nameIDFormat: [EMAIL, PERSISTENT],
      singleSignOnService: [
        { Binding: REDIRECT, Location: `${entityID}/sso/redirect` },
        { Binding: POST, Location: `${entityID}/sso/post` },
      ],
      singleLogoutService: [{ Binding: REDIRECT, Location: `${entityID}/slo` }],
      ...extra,
    })
    .getMetadata()
}

/** A prefixed (md:, ds:) IdP EntityDescriptor, for cases samlify cannot produce. */
function handMade(
  options: {
    entityId?: string
    certs?: string
    sso?: string
    descriptorAttrs?: string
    entityAttrs?: string
    rest?: string
  } = {},
): string {
  const {
    entityId = 'https://idp.hand.test',
    certs = `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64(ACME)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    sso = `<md:SingleSignOnService Binding="${POST}" Location="https://idp.hand.test/sso"/>`,
    descriptorAttrs = 'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"',
    entityAttrs = '',
    rest = '',
  } = options
  return `<md:EntityDescriptor xmlns:md="${MD}" xmlns:ds="${DS}" entityID="${entityId}" ${entityAttrs}><md:IDPSSODescriptor ${descriptorAttrs}>${certs}${sso}${rest}</md:IDPSSODescriptor></md:EntityDescriptor>`
}

const stripDeclaration = (xml: string) => xml.replace(/^<\?xml[^>]*\?>\s*/, '')

describe('parseIdpMetadata', () => {
  before(() => {
    samlify.setSchemaValidator({ validate: async () => 'skipped' })
  })

  describe('real metadata from samlify', () => {
    it('reads entityID, endpoints, certificates, NameID formats and WantAuthnRequestsSigned', () => {
      const meta = parseIdpMetadata(samlifyIdp('https://idp.acme.test'))
      assert.equal(meta.entityId, 'https://idp.acme.test')
      assert.deepEqual(meta.ssoUrls, {
        redirect: 'https://idp.acme.test/sso/redirect',
        post: 'https://idp.acme.test/sso/post',
      })
      assert.deepEqual(meta.sloUrls, { redirect: 'https://idp.acme.test/slo' })
      assert.deepEqual(meta.signingCerts, [canonical(ACME)])
      assert.deepEqual(meta.encryptionCerts, [canonical(GLOBEX)])
      assert.deepEqual(meta.nameIdFormats, [EMAIL, PERSISTENT])
      assert.equal(meta.wantAuthnRequestsSigned, true)
      assert.equal(meta.validUntil, undefined)
      assert.ok(Object.isFrozen(meta) && Object.isFrozen(meta.signingCerts) && Object.isFrozen(meta.ssoUrls))
    })

    it('keeps every signing certificate during a rotation, de-duplicated, in document order', () => {
      const meta = parseIdpMetadata(
        samlifyIdp('https://idp.acme.test', { signingCert: [ACME, ACME_NEXT, ACME], encryptCert: undefined }),
      )
      assert.deepEqual(meta.signingCerts, [canonical(ACME), canonical(ACME_NEXT)])
      assert.deepEqual(meta.encryptionCerts, [])
    })

    it('reads an ECDSA certificate and WantAuthnRequestsSigned="false"', () => {
      const meta = parseIdpMetadata(
        samlifyIdp('https://idp.ec.test', { signingCert: EC, wantAuthnRequestsSigned: false }),
      )
      assert.deepEqual(meta.signingCerts, [canonical(EC)])
      assert.equal(meta.wantAuthnRequestsSigned, false)
    })

    it('keeps the first endpoint of each binding and ignores other bindings', () => {
      const meta = parseIdpMetadata(
        samlifyIdp('https://idp.acme.test', {
          singleSignOnService: [
            { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:SOAP', Location: 'https://idp.acme.test/soap' },
            { Binding: POST, Location: 'https://idp.acme.test/first-post' },
            { Binding: POST, Location: 'https://idp.acme.test/second-post' },
          ],
        }),
      )
      assert.deepEqual(meta.ssoUrls, { post: 'https://idp.acme.test/first-post' })
    })

    it('picks one entity out of an EntitiesDescriptor by entityId, or the only IdP', () => {
      const idpA = stripDeclaration(samlifyIdp('https://idp.a.test'))
      const idpB = stripDeclaration(samlifyIdp('https://idp.b.test', { signingCert: ACME_NEXT }))
      const both = `<?xml version="1.0"?><EntitiesDescriptor xmlns="${MD}" Name="federation">${idpA}${idpB}</EntitiesDescriptor>`
      assert.equal(parseIdpMetadata(both, { entityId: 'https://idp.b.test' }).entityId, 'https://idp.b.test')
      assert.deepEqual(parseIdpMetadata(both, { entityId: 'https://idp.b.test' }).signingCerts, [
        canonical(ACME_NEXT),
      ])
      assert.equal(parseIdpMetadata(both, { entityId: 'https://idp.a.test' }).entityId, 'https://idp.a.test')
      expectCode(() => parseIdpMetadata(both), 'ERR_SAML_METADATA_INVALID') // two IdPs, none chosen
      expectCode(
        () => parseIdpMetadata(both, { entityId: 'https://idp.c.test' }),
        'ERR_SAML_METADATA_INVALID',
      )

      // Nested EntitiesDescriptors, prefixed, beside an SP: the only IdP is taken.
      const sp = samlify
        .ServiceProvider({
          entityID: 'https://sp.test',
          signingCert: SP,
          assertionConsumerService: [{ Binding: POST, Location: 'https://sp.test/acs' }],
        })
        .getMetadata()
      const nested = `<md:EntitiesDescriptor xmlns:md="${MD}"><md:EntitiesDescriptor>${stripDeclaration(sp)}<md:EntitiesDescriptor>${idpA}</md:EntitiesDescriptor></md:EntitiesDescriptor></md:EntitiesDescriptor>`
      assert.equal(parseIdpMetadata(nested).entityId, 'https://idp.a.test')
    })

    it('refuses SP-only metadata, alone or in an EntitiesDescriptor', () => {
      const sp = samlify
        .ServiceProvider({
          entityID: 'https://sp.test',
          signingCert: SP,
          assertionConsumerService: [{ Binding: POST, Location: 'https://sp.test/acs' }],
        })
        .getMetadata()
      expectCode(() => parseIdpMetadata(sp), 'ERR_SAML_METADATA_INVALID')
      const group = `<EntitiesDescriptor xmlns="${MD}">${stripDeclaration(sp)}</EntitiesDescriptor>`
      expectCode(() => parseIdpMetadata(group), 'ERR_SAML_METADATA_INVALID')
      expectCode(() => parseIdpMetadata(group, { entityId: 'https://sp.test' }), 'ERR_SAML_METADATA_INVALID')
    })
  })

  describe('hand-made metadata', () => {
    it('matches by namespace, not prefix: odd prefixes work, the right prefix on the wrong namespace does not', () => {
      const odd = handMade()
        .replace('xmlns:md=', 'xmlns:x=')
        .replace('xmlns:ds=', 'xmlns:sig=')
        .replace(/<(\/?)md:/g, '<$1x:')
        .replace(/<(\/?)ds:/g, '<$1sig:')
      assert.ok(!odd.includes('md:') && !odd.includes('ds:'))
      assert.equal(parseIdpMetadata(odd).entityId, 'https://idp.hand.test')
      const wrongNs = handMade().replace(`xmlns:md="${MD}"`, 'xmlns:md="urn:example:not-metadata"')
      expectCode(() => parseIdpMetadata(wrongNs), 'ERR_SAML_METADATA_INVALID')
      const wrongDsNs = handMade().replace(`xmlns:ds="${DS}"`, 'xmlns:ds="urn:example:not-dsig"')
      expectCode(() => parseIdpMetadata(wrongDsNs), 'ERR_SAML_METADATA_INVALID') // so no signing cert
    })

    it('normalizes line-wrapped certificates to 64-character PEM lines and de-duplicates spellings', () => {
      const wrapped = b64(ACME)
        .match(/.{1,76}/g)!
        .join('\n          ')
      const kd = (use: string, body: string) =>
        `<md:KeyDescriptor${use}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
      const meta = parseIdpMetadata(
        handMade({
          certs:
            kd(' use="signing"', `\n   ${wrapped}\n`) +
            kd(' use="signing"', b64(ACME)) +
            kd('', b64(ACME_NEXT)),
        }),
      )
      assert.deepEqual(meta.signingCerts, [canonical(ACME), canonical(ACME_NEXT)])
      assert.deepEqual(meta.encryptionCerts, [canonical(ACME_NEXT)], 'no use = signing and encryption')
      for (const cert of meta.signingCerts) {
        const lines = cert.trimEnd().split('\n')
        assert.equal(lines[0], '-----BEGIN CERTIFICATE-----')
        assert.equal(lines.at(-1), '-----END CERTIFICATE-----')
        assert.ok(lines.slice(1, -2).every((l) => l.length === 64))
      }
    })

    it('reports the earliest validUntil, even a past one, as ISO-8601 UTC', () => {
      const past = handMade({
        entityAttrs: 'validUntil="2001-01-01T00:00:00Z"',
        descriptorAttrs:
          'validUntil="2030-01-01T00:00:00+02:00" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"',
      })
      assert.equal(parseIdpMetadata(past).validUntil, '2001-01-01T00:00:00.000Z')
      const group = `<md:EntitiesDescriptor xmlns:md="${MD}" validUntil="2029-06-01T12:00:00Z">${handMade({ entityAttrs: 'validUntil="2030-01-01T00:00:00"' })}</md:EntitiesDescriptor>`
      assert.equal(parseIdpMetadata(group).validUntil, '2029-06-01T12:00:00.000Z')
      expectCode(
        () => parseIdpMetadata(handMade({ entityAttrs: 'validUntil="next tuesday"' })),
        'ERR_SAML_METADATA_INVALID',
      )
    })

    it('reports the shortest cacheDuration in ms; ignores one that is not a non-negative xs:duration', () => {
      assert.equal(parseIdpMetadata(handMade()).cacheDurationMs, undefined)
      const both = handMade({
        entityAttrs: 'cacheDuration="P1DT12H"',
        descriptorAttrs:
          'cacheDuration="PT90M" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"',
      })
      assert.equal(parseIdpMetadata(both).cacheDurationMs, 90 * 60_000)
      const group = `<md:EntitiesDescriptor xmlns:md="${MD}" cacheDuration="PT0.5S">${handMade({ entityAttrs: 'cacheDuration="P1Y2M"' })}</md:EntitiesDescriptor>`
      assert.equal(parseIdpMetadata(group).cacheDurationMs, 500)
      assert.equal(
        parseIdpMetadata(handMade({ entityAttrs: 'cacheDuration="P1Y2M"' })).cacheDurationMs,
        (365 + 60) * 86_400_000,
      )
      // A hint only: an odd one is ignored (the shorter valid one still counts), the metadata is kept.
      for (const bad of ['-PT1H', 'PT', 'P', '6 hours', 'PT1H30', 'P1W']) {
        assert.equal(
          parseIdpMetadata(handMade({ entityAttrs: `cacheDuration="${bad}"` })).cacheDurationMs,
          undefined,
        )
        const withGood = handMade({
          entityAttrs: `cacheDuration="${bad}"`,
          descriptorAttrs:
            'cacheDuration="PT2H" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"',
        })
        assert.equal(parseIdpMetadata(withGood).cacheDurationMs, 2 * 3_600_000)
      }
    })

    it('accepts a leading BOM, comments and an XML declaration', () => {
      const xml = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- exported by the IdP -->\n${handMade()}`
      assert.equal(parseIdpMetadata(xml).entityId, 'https://idp.hand.test')
    })

    it('takes the SAML 2.0 IDPSSODescriptor when a SAML 1.1 one comes first', () => {
      const saml1 = `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol"><md:SingleSignOnService Binding="urn:mace:shibboleth:1.0:profiles:AuthnRequest" Location="https://idp.hand.test/shib"/></md:IDPSSODescriptor>`
      const xml = handMade().replace('<md:IDPSSODescriptor ', `${saml1}<md:IDPSSODescriptor `)
      assert.deepEqual(parseIdpMetadata(xml).ssoUrls, { post: 'https://idp.hand.test/sso' })
    })

    it('a single EntityDescriptor must match options.entityId when given', () => {
      assert.equal(
        parseIdpMetadata(handMade(), { entityId: 'https://idp.hand.test' }).entityId,
        'https://idp.hand.test',
      )
      expectCode(
        () => parseIdpMetadata(handMade(), { entityId: 'https://other.test' }),
        'ERR_SAML_METADATA_INVALID',
      )
    })
  })

  describe('refused input', () => {
    const cases: [string, () => string, SamlErrorCode][] = [
      [
        'DOCTYPE with an external entity',
        () =>
          `<?xml version="1.0"?><!DOCTYPE md [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${handMade({ entityId: '&xxe;' })}`,
        'ERR_SAML_XML_DTD',
      ],
      [
        'billion laughs',
        () =>
          `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><md:EntityDescriptor xmlns:md="${MD}" entityID="&lol3;"/>`,
        'ERR_SAML_XML_DTD',
      ],
      [
        '50k junk elements inside an EntitiesDescriptor',
        () => `<md:EntitiesDescriptor xmlns:md="${MD}">${'<junk/>'.repeat(50_000)}</md:EntitiesDescriptor>`,
        'ERR_SAML_METADATA_INVALID',
      ],
      [
        '250k elements (over the element cap)',
        () => `<a>${'<b/>'.repeat(250_000)}</a>`,
        'ERR_SAML_XML_LIMITS',
      ],
      ['deep nesting', () => `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`, 'ERR_SAML_XML_LIMITS'],
      ['more than 8 MiB', () => `<a>${' '.repeat(9 * 1024 * 1024)}</a>`, 'ERR_SAML_TOO_LARGE'],
      ['not XML', () => '{"entityId": "https://idp.test"}', 'ERR_SAML_METADATA_INVALID'],
      ['empty', () => '   ', 'ERR_SAML_METADATA_INVALID'],
      [
        'an HTML login page',
        () => '<!DOCTYPE html><html><body>Sign in</body></html>',
        'ERR_SAML_METADATA_INVALID',
      ],
      ['malformed XML', () => handMade().slice(0, -10), 'ERR_SAML_METADATA_INVALID'],
      [
        'not metadata (a SAML Response)',
        () => '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0"/>',
        'ERR_SAML_METADATA_INVALID',
      ],
      [
        'missing IDPSSODescriptor',
        () =>
          `<md:EntityDescriptor xmlns:md="${MD}" entityID="https://idp.test"><md:Organization/></md:EntityDescriptor>`,
        'ERR_SAML_METADATA_INVALID',
      ],
      [
        'missing entityID',
        () => handMade().replace('entityID="https://idp.hand.test"', ''),
        'ERR_SAML_METADATA_INVALID',
      ],
      [
        'IDPSSODescriptor without the SAML 2.0 protocol',
        () =>
          handMade({ descriptorAttrs: 'protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol"' }),
        'ERR_SAML_METADATA_INVALID',
      ],
      [
        'no SSO endpoint with a supported binding',
        () =>
          handMade({
            sso: '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://idp.test/soap"/>',
          }),
        'ERR_SAML_METADATA_INVALID',
      ],
      [
        'SSO Location not an http(s) URL',
        () => handMade({ sso: `<md:SingleSignOnService Binding="${POST}" Location="javascript:alert(1)"/>` }),
        'ERR_SAML_METADATA_INVALID',
      ],
      [
        'no signing certificate (encryption only)',
        () =>
          handMade({
            certs: `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64(ACME)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
          }),
        'ERR_SAML_METADATA_INVALID',
      ],
      [
        'broken certificate base64',
        () =>
          handMade({
            certs: `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64(ACME).slice(0, 200)}!!</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
          }),
        'ERR_SAML_METADATA_INVALID',
      ],
      [
        'truncated certificate DER',
        () =>
          handMade({
            certs: `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64(ACME).slice(0, 400)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
          }),
        'ERR_SAML_METADATA_INVALID',
      ],
      [
        'KeyDescriptor with an unknown use',
        () => handMade().replace('use="signing"', 'use="both"'),
        'ERR_SAML_METADATA_INVALID',
      ],
      [
        'WantAuthnRequestsSigned not a boolean',
        () =>
          handMade({
            descriptorAttrs:
              'WantAuthnRequestsSigned="yes" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"',
          }),
        'ERR_SAML_METADATA_INVALID',
      ],
    ]
    // Hostile documents are refused by the linear pre-parse scan, before any DOM exists: that, not a
    // stopwatch, is what keeps refusing them cheap whatever their size. Proven by the scan alone giving
    // the same code and by the DOM parser never being called; the time it takes is for `npm run bench`.
    const refusedBeforeParsing = new Set([
      'DOCTYPE with an external entity',
      'billion laughs',
      '250k elements (over the element cap)',
      'deep nesting',
      'more than 8 MiB',
    ])
    for (const [label, make, code] of cases) {
      it(`${label} → ${code}`, (t) => {
        const xml = make()
        const parse = t.mock.method(DOMParser.prototype, 'parseFromString')
        expectCode(() => parseIdpMetadata(xml), code)
        if (refusedBeforeParsing.has(label)) {
          expectCode(() => scanXml(xml, METADATA_XML_LIMITS, 'ERR_SAML_METADATA_INVALID'), code)
          assert.equal(parse.mock.callCount(), 0, 'refused before any DOM was built')
        }
      })
    }

    it('rejects a non-string with TypeError (API misuse)', () => {
      assert.throws(() => parseIdpMetadata(Buffer.from('<a/>') as unknown as string), TypeError)
    })
  })
})

describe('normalizeCertificate', () => {
  it('turns PEM, bare base64 and wrapped base64 into the same canonical PEM', () => {
    const expected = canonical(ACME)
    assert.equal(normalizeCertificate(ACME), expected)
    assert.equal(normalizeCertificate(b64(ACME)), expected)
    assert.equal(
      normalizeCertificate(
        `  ${b64(ACME)
          .match(/.{1,40}/g)!
          .join('\r\n')}  `,
      ),
      expected,
    )
    assert.equal(normalizeCertificate(ACME.replace(/\n/g, '\r\n')), expected)
  })

  it('refuses what is not exactly one certificate with ERR_SAML_CERTIFICATE_INVALID', () => {
    const key = readFileSync(new URL('idp-acme.key.pem', keyDir), 'utf8')
    for (const bad of [
      '',
      'hello',
      '!!!!',
      b64(ACME).slice(0, 300),
      key,
      ACME + ACME_NEXT,
      `${b64(ACME)}AAAA`,
      `x${ACME}`,
    ]) {
      assert.throws(
        () => normalizeCertificate(bad),
        (err: unknown) => isSamlError(err, 'ERR_SAML_CERTIFICATE_INVALID'),
      )
    }
  })

  it('never echoes a private key pasted in its place', () => {
    const key = readFileSync(new URL('idp-acme.key.pem', keyDir), 'utf8')
    const body = key.split('\n')[1]!
    assert.throws(
      () => normalizeCertificate(key),
      (err: unknown) => isSamlError(err) && !err.message.includes(body.slice(0, 20)),
    )
  })
})

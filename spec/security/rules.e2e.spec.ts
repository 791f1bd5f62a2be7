/**
 * One spec per validator rule that spec/strategy/login.e2e.spec.ts does not already prove, through a
 * real Express + Passport + express-session app and responses signed by real keys. A rejection must
 * give its error code, a 4xx and no session. Time is the strategy's `clock`, frozen at NOW.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it, type TestContext } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import type { IdpRecordInput } from '../../lib/index.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import {
  keys,
  mutateXml,
  NS,
  reencode,
  TestIdp,
  type KeyPair,
  type ResponseOptions,
} from '../support/test-idp.js'

const NOW = Date.parse('2026-03-02T10:00:00.000Z')
const SKEW_MS = 120_000
const VALID_FOR_MS = 5 * 60_000

function testIdp(name: string, signing: KeyPair): TestIdp {
  return new TestIdp({
    entityId: `https://idp.${name}.test/saml`,
    ssoUrl: `https://idp.${name}.test/sso`,
    signing,
  })
}

const idps = {
  acme: testIdp('acme', keys.idpAcme),
  ec: testIdp('ec', keys.idpEc),
  sha1: testIdp('sha1', keys.idpAcme),
  gcm: testIdp('gcm', keys.idpAcme),
  enc: testIdp('enc', keys.idpAcme),
  skew: testIdp('skew', keys.idpAcme),
  rotating: testIdp('rotating', keys.idpAcme),
  proto: testIdp('proto', keys.idpAcme),
}
type IdpId = keyof typeof idps

const records: Record<IdpId, Partial<IdpRecordInput>> = {
  acme: {},
  ec: { signingCerts: [keys.idpEc.cert] },
  sha1: { allowSha1: true },
  gcm: { requireAesGcm: true },
  enc: { requireEncryptedAssertions: true },
  skew: { clockSkewMs: 5000 },
  rotating: { signingCerts: [keys.idpAcme.cert, keys.idpAcmeNext.cert] },
  proto: {
    attributeMap: JSON.parse(
      '{"proto":"__proto__","ctor":"constructor","proto2":"prototype","hasOwnProperty":"hasOwnProperty","toString":{"from":"toString","multi":true}}',
    ) as IdpRecordInput['attributeMap'],
  },
}

function recordFor(id: IdpId): IdpRecordInput {
  return {
    id,
    entityId: idps[id].entityId,
    ssoUrl: idps[id].ssoUrl,
    signingCerts: [keys.idpAcme.cert],
    allowIdpInitiated: true,
    ...records[id],
  }
}

interface ErrorBody {
  error: { code: string }
}

describe('validator rules through Express and Passport', () => {
  let app: TestApp
  let clockNow = NOW

  before(async () => {
    app = await startTestApp({
      strategy: {
        clock: () => clockNow,
        clockSkewMs: SKEW_MS,
        sp: { decryptionKey: keys.sp.key, decryptionCert: keys.sp.cert },
      },
    })
    for (const id of Object.keys(idps) as IdpId[]) await app.store.put(recordFor(id))
  })
  after(() => app.close())

  function response(id: IdpId, extra: Partial<ResponseOptions> = {}) {
    return idps[id].createResponse({
      spEntityId: `${app.baseUrl}/saml/${id}/metadata`,
      acsUrl: `${app.baseUrl}/saml/${id}/acs`,
      nameId: 'alice@acme.test',
      now: new Date(NOW),
      ...extra,
    })
  }

  async function post(id: IdpId, samlResponse: string) {
    const browser = new TestBrowser()
    const res = await browser.post(`${app.baseUrl}/saml/${id}/acs`, { SAMLResponse: samlResponse })
    return { browser, res }
  }

  /** Posts and asserts a login: a redirect and a session. Returns the profile verify saw. */
  async function accepts(id: IdpId, samlResponse: string) {
    const before = app.verified.length
    const { browser, res } = await post(id, samlResponse)
    assert.equal(res.status, 302, await res.clone().text())
    const me = await browser.get(`${app.baseUrl}/me`, true)
    assert.equal(me.status, 200)
    assert.equal(((await me.json()) as { nameID: string }).nameID, 'alice@acme.test')
    assert.equal(app.verified.length, before + 1)
    return app.verified.at(-1)!
  }

  /** Posts and asserts a refusal with `code`, a 4xx and no session. */
  async function rejects(id: IdpId, samlResponse: string, code: string, status?: number) {
    const { browser, res } = await post(id, samlResponse)
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`)
    if (status !== undefined) assert.equal(res.status, status)
    assert.equal(((await res.json()) as ErrorBody).error.code, code)
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
  }

  describe('signature algorithms', () => {
    it('accepts ECDSA-SHA256 signatures from an IdP with an EC certificate', async () => {
      const { xml, base64 } = await response('ec', { signResponse: true })
      assert.match(xml, /ecdsa-sha256/)
      await accepts('ec', base64)
    })

    it('accepts inclusive c14n, both signed, and an enveloped-signature transform alone', async () => {
      const inclusive = await response('acme', { canonicalization: 'c14n', signResponse: true })
      assert.match(inclusive.xml, /REC-xml-c14n-20010315"/)
      await accepts('acme', inclusive.base64)
      const implied = await response('acme', { referenceCanonicalization: 'none', namespaceStyle: 'saml2' })
      await accepts('acme', implied.base64)
    })

    it('refuses c14n WithComments with ERR_SAML_SIGNATURE_ALGORITHM', async () => {
      const r = await response('acme', { canonicalization: 'exc-c14n-with-comments' })
      await rejects('acme', r.base64, 'ERR_SAML_SIGNATURE_ALGORITHM')
    })

    it('refuses RSA-SHA1 by default with ERR_SAML_SIGNATURE_ALGORITHM', async () => {
      const r = await response('acme', { signatureAlgorithm: 'rsa-sha1', digestAlgorithm: 'sha1' })
      await rejects('acme', r.base64, 'ERR_SAML_SIGNATURE_ALGORITHM')
    })

    it('refuses a SHA-1 digest under an RSA-SHA256 signature by default', async () => {
      const r = await response('acme', { digestAlgorithm: 'sha1' })
      await rejects('acme', r.base64, 'ERR_SAML_SIGNATURE_ALGORITHM')
    })

    it('accepts RSA-SHA1 where the record sets allowSha1', async () => {
      const r = await response('sha1', { signatureAlgorithm: 'rsa-sha1', digestAlgorithm: 'sha1' })
      await accepts('sha1', r.base64)
    })
  })

  describe('encryption', () => {
    it('refuses RSA1_5 key transport with ERR_SAML_ENCRYPTION_ALGORITHM', async () => {
      const r = await response('acme', { encrypt: { cert: keys.sp.cert, keyAlgorithm: 'rsa-1_5' } })
      await rejects('acme', r.base64, 'ERR_SAML_ENCRYPTION_ALGORITHM')
    })

    it('refuses 3DES content encryption with ERR_SAML_ENCRYPTION_ALGORITHM', async () => {
      const r = await response('acme', { encrypt: { cert: keys.sp.cert, dataAlgorithm: 'tripledes-cbc' } })
      await rejects('acme', r.base64, 'ERR_SAML_ENCRYPTION_ALGORITHM')
    })

    it('requireAesGcm refuses AES-CBC and accepts AES-GCM', async () => {
      const cbc = await response('gcm', { encrypt: { cert: keys.sp.cert, dataAlgorithm: 'aes256-cbc' } })
      await rejects('gcm', cbc.base64, 'ERR_SAML_ENCRYPTION_ALGORITHM')
      const gcm = await response('gcm', { encrypt: { cert: keys.sp.cert, dataAlgorithm: 'aes128-gcm' } })
      await accepts('gcm', gcm.base64)
    })

    it('requireEncryptedAssertions refuses a plain assertion and accepts an encrypted one', async () => {
      await rejects('enc', (await response('enc')).base64, 'ERR_SAML_ENCRYPTION_REQUIRED')
      await rejects(
        'enc',
        (await response('enc', { signResponse: true })).base64,
        'ERR_SAML_ENCRYPTION_REQUIRED',
      )
      await accepts('enc', (await response('enc', { encrypt: { cert: keys.sp.cert } })).base64)
    })
  })

  describe('clock skew boundaries', () => {
    // NotBefore = IssueInstant = the IdP's "now"; NotOnOrAfter = that + 5 minutes.
    const idpNow = (offsetMs: number) => ({ now: new Date(NOW + offsetMs) })

    it('NotBefore skew - 1 ms and exactly skew in the future is accepted', async () => {
      await accepts('acme', (await response('acme', idpNow(SKEW_MS - 1))).base64)
      await accepts('acme', (await response('acme', idpNow(SKEW_MS))).base64)
    })

    it('NotBefore skew + 1 ms in the future is ERR_SAML_NOT_YET_VALID', async () => {
      await rejects('acme', (await response('acme', idpNow(SKEW_MS + 1))).base64, 'ERR_SAML_NOT_YET_VALID')
    })

    it('NotOnOrAfter skew - 1 ms in the past is accepted', async () => {
      const r = await response('acme', idpNow(-VALID_FOR_MS - SKEW_MS + 1))
      await accepts('acme', r.base64)
    })

    it('NotOnOrAfter exactly skew and skew + 1 ms in the past is ERR_SAML_EXPIRED', async () => {
      for (const offset of [-VALID_FOR_MS - SKEW_MS, -VALID_FOR_MS - SKEW_MS - 1]) {
        await rejects('acme', (await response('acme', idpNow(offset))).base64, 'ERR_SAML_EXPIRED')
      }
    })

    it("a record's clockSkewMs overrides the strategy's", async () => {
      // 10 s early: inside the strategy's 120 s, outside the skew record's 5 s.
      await accepts('acme', (await response('acme', idpNow(10_000))).base64)
      await rejects('skew', (await response('skew', idpNow(10_000))).base64, 'ERR_SAML_NOT_YET_VALID')
      await accepts('skew', (await response('skew', idpNow(5000 - 1))).base64)
      await rejects('skew', (await response('skew', idpNow(-VALID_FOR_MS - 5000))).base64, 'ERR_SAML_EXPIRED')
    })

    it('follows the strategy clock, not the machine clock', async () => {
      const r = await response('acme')
      clockNow = NOW + VALID_FOR_MS + SKEW_MS
      try {
        await rejects('acme', r.base64, 'ERR_SAML_EXPIRED')
      } finally {
        clockNow = NOW
      }
      await accepts('acme', r.base64)
    })

    it('SessionNotOnOrAfter in the past is ERR_SAML_SESSION_EXPIRED', async () => {
      const r = await response('acme', { sessionNotOnOrAfter: new Date(NOW - SKEW_MS - 1) })
      await rejects('acme', r.base64, 'ERR_SAML_SESSION_EXPIRED')
      const ok = await response('acme', { sessionNotOnOrAfter: new Date(NOW + 3_600_000) })
      assert.equal(
        (await accepts('acme', ok.base64)).sessionNotOnOrAfter,
        new Date(NOW + 3_600_000).toISOString(),
      )
    })
  })

  describe('prototype pollution', () => {
    const names = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString']

    it('attributes named __proto__, constructor, prototype, hasOwnProperty stay data', async () => {
      const r = await response('proto', {
        attributes: names.map((name) => ({ name, values: [`v-${name}`, 'polluted'] })),
        signResponse: true,
      })
      const profile = await accepts('proto', r.base64)
      assert.deepEqual(
        profile.attributes.map((a) => [a.name, a.values]),
        names.map((name) => [name, [`v-${name}`, 'polluted']]),
      )
      const mapped = profile.mapped as Record<string, unknown>
      assert.equal(Object.getPrototypeOf(mapped), null)
      assert.deepEqual(Object.keys(mapped).sort(), ['ctor', 'hasOwnProperty', 'proto', 'proto2', 'toString'])
      assert.equal(mapped.proto, 'v-__proto__')
      assert.equal(mapped.ctor, 'v-constructor')
      assert.equal(mapped.proto2, 'v-prototype')
      assert.equal(mapped.hasOwnProperty, 'v-hasOwnProperty')
      assert.deepEqual(mapped.toString, ['v-toString', 'polluted'])
      // Nothing reached Object.prototype.
      const probe = {} as Record<string, unknown>
      assert.equal(probe.polluted, undefined)
      assert.equal(typeof probe.hasOwnProperty, 'function')
      assert.equal(typeof probe.toString, 'function')
      assert.equal(Object.prototype.constructor, Object)
      assert.deepEqual(
        Object.getOwnPropertyNames(Object.prototype).filter((k) => k.startsWith('v-') || k === 'polluted'),
        [],
      )
    })

    it('a record whose attribute map has a field named constructor or __proto__ is refused', async () => {
      for (const field of ['constructor', '__proto__', 'prototype']) {
        const attributeMap = JSON.parse(`{"${field}":"email"}`) as IdpRecordInput['attributeMap']
        await assert.rejects(app.store.put({ ...recordFor('proto'), id: 'proto-bad', attributeMap }), {
          code: 'ERR_SAML_IDP_CONFIG',
        })
      }
      assert.equal(await app.store.get('proto-bad'), undefined)
    })
  })

  describe('XML limits and hostile XML', () => {
    /**
     * Expects the refusal with `code`, made by the linear pre-parse scan: the XML parser is never called
     * while the app handles the request. Refusing before any DOM exists, not a stopwatch, is what keeps
     * hostile input cheap whatever its size; how many ms that takes is for `npm run bench`.
     */
    async function rejectsBeforeParsing(t: TestContext, samlResponse: string, code: string) {
      const parse = t.mock.method(DOMParser.prototype, 'parseFromString')
      try {
        await rejects('acme', samlResponse, code)
      } finally {
        parse.mock.restore()
      }
      assert.equal(parse.mock.callCount(), 0, 'refused before any DOM was built')
    }

    /** Puts `content` into a samlp:Extensions of the signed response (an unsigned part). */
    async function withExtensions(content: string) {
      const r = await response('acme')
      const xml = r.xml.replace(
        /(<saml:Issuer[^>]*>[^<]*<\/saml:Issuer>)/,
        `$1<samlp:Extensions xmlns:x="urn:x">${content}</samlp:Extensions>`,
      )
      assert.notEqual(xml, r.xml)
      return reencode(xml)
    }

    it('refuses a 20k-element response fast with ERR_SAML_XML_LIMITS', async (t) => {
      const xml = await withExtensions('<x:e/>'.repeat(20_000))
      await rejectsBeforeParsing(t, xml, 'ERR_SAML_XML_LIMITS')
    })

    it('refuses 5000-deep nesting fast with ERR_SAML_XML_LIMITS', async (t) => {
      const deep = `${'<x:e>'.repeat(5000)}${'</x:e>'.repeat(5000)}`
      await rejectsBeforeParsing(t, await withExtensions(deep), 'ERR_SAML_XML_LIMITS')
    })

    it('refuses billion laughs with ERR_SAML_XML_DTD', async (t) => {
      const r = await response('acme')
      const entities = ['<!ENTITY l0 "lol">']
      for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`)
      const xml = r.xml
        .replace(/^(<\?xml[^>]*\?>)?/, `$1<!DOCTYPE lolz [${entities.join('')}]>`)
        .replace('>alice@acme.test<', '>&l9;<')
      await rejectsBeforeParsing(t, reencode(xml), 'ERR_SAML_XML_DTD')
    })

    it('refuses an external entity (XXE) with ERR_SAML_XML_DTD', async () => {
      const r = await response('acme')
      const xml = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${r.xml.replace('>alice@acme.test<', '>&x;<')}`
      await rejects('acme', reencode(xml), 'ERR_SAML_XML_DTD')
    })

    it('answers 413 for XML over the size cap and for a body over the form limit', async () => {
      const r = await response('acme')
      const padded = r.xml.replace('</samlp:Response>', `<!--${'x'.repeat(256 * 1024)}--></samlp:Response>`)
      await rejects('acme', reencode(padded), 'ERR_SAML_TOO_LARGE', 413)
      await rejects('acme', 'A'.repeat(600 * 1024), 'ERR_SAML_TOO_LARGE', 413)
    })
  })

  describe('structure', () => {
    it('refuses duplicate IDs with ERR_SAML_STRUCTURE', async () => {
      const r = await response('acme', { responseId: '_dup', assertionId: '_dup', signResponse: true })
      await rejects('acme', r.base64, 'ERR_SAML_STRUCTURE')
    })

    it('refuses a second, unsigned assertion with a different subject with ERR_SAML_STRUCTURE', async () => {
      const r = await response('acme')
      const xml = mutateXml(r.xml, (doc) => {
        const signed = doc.getElementsByTagNameNS(NS.assertion, 'Assertion')[0]!
        const forged = signed.cloneNode(true) as Element
        forged.removeChild(forged.getElementsByTagNameNS(NS.dsig, 'Signature')[0]!)
        forged.setAttribute('ID', '_forged')
        forged.getElementsByTagNameNS(NS.assertion, 'NameID')[0]!.textContent = 'mallory@acme.test'
        doc.documentElement!.insertBefore(forged, signed)
      })
      await rejects('acme', reencode(xml), 'ERR_SAML_STRUCTURE')
    })

    it('refuses Advice inside the assertion with ERR_SAML_STRUCTURE', async () => {
      const r = await response('acme', {
        beforeSign: (doc) => {
          const conditions = doc.getElementsByTagNameNS(NS.assertion, 'Conditions')[0]!
          const advice = doc.createElementNS(NS.assertion, 'saml:Advice')
          conditions.parentNode!.insertBefore(advice, conditions.nextSibling)
        },
      })
      await rejects('acme', r.base64, 'ERR_SAML_STRUCTURE')
    })

    it('refuses a comment inside the NameID with ERR_SAML_MALFORMED', async () => {
      const r = await response('acme', { nameId: 'alice@acme.test.evil.test' })
      const xml = r.xml.replace('alice@acme.test.evil.test<', 'alice@acme.test<!---->.evil.test<')
      assert.notEqual(xml, r.xml)
      await rejects('acme', reencode(xml), 'ERR_SAML_MALFORMED')
    })
  })

  describe('certificate rotation', () => {
    it('accepts old and new keys while both certs are listed, only the new one after the old is removed', async () => {
      await accepts('rotating', (await response('rotating')).base64)
      await accepts('rotating', (await response('rotating', { signingKey: keys.idpAcmeNext })).base64)
      await app.store.put({ ...recordFor('rotating'), signingCerts: [keys.idpAcmeNext.cert] })
      await rejects('rotating', (await response('rotating')).base64, 'ERR_SAML_SIGNATURE_INVALID')
      await rejects(
        'rotating',
        (await response('rotating', { includeKeyInfo: false })).base64,
        'ERR_SAML_SIGNATURE_INVALID',
      )
      await accepts('rotating', (await response('rotating', { signingKey: keys.idpAcmeNext })).base64)
    })
  })
})

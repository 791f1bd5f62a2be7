// SP decryption-key rollover through Express and Passport: during a rotation the SP metadata offers
// both encryption certificates (the new one first) and assertions encrypted to either decrypt;
// afterwards only the new one is offered and the old one no longer decrypts. A certificate whose
// key the SP does not hold is refused up front, so no IdP is ever told to encrypt to it.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import { MemoryIdpStore, MultiIdpSamlStrategy } from '../../lib/index.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { keys, type KeyPair } from '../support/test-idp.js'
import { acme } from '../support/tenant-idps.js'

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata'
const DSIG = 'http://www.w3.org/2000/09/xmldsig#'

const body = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '')

async function encryptionCertsOf(app: TestApp): Promise<string[]> {
  const res = await new TestBrowser().get(`${app.baseUrl}/saml/acme/metadata`)
  assert.equal(res.status, 200)
  const doc = new DOMParser().parseFromString(await res.text(), 'text/xml')
  return Array.from(doc.getElementsByTagNameNS(MD, 'KeyDescriptor') as unknown as ArrayLike<Element>)
    .filter((kd) => kd.getAttribute('use') === 'encryption')
    .map((kd) => kd.getElementsByTagNameNS(DSIG, 'X509Certificate')[0]!.textContent!.replace(/\s+/g, ''))
}

async function startApp(decryptionKey: string[], decryptionCert: string[]): Promise<TestApp> {
  const app = await startTestApp({ strategy: { sp: { decryptionKey, decryptionCert } } })
  await app.store.put({
    id: 'acme',
    entityId: acme.entityId,
    ssoUrl: acme.ssoUrl,
    signingCerts: [keys.idpAcme.cert],
    allowIdpInitiated: true,
  })
  return app
}

/** Posts an IdP-initiated response encrypted to `to`; the status and the error code, if any. */
async function postEncryptedTo(app: TestApp, to: KeyPair): Promise<{ status: number; code?: string }> {
  const response = await acme.createResponse({
    spEntityId: `${app.baseUrl}/saml/acme/metadata`,
    acsUrl: `${app.baseUrl}/saml/acme/acs`,
    nameId: 'alice@acme.test',
    encrypt: { cert: to.cert },
  })
  const browser = new TestBrowser()
  const res = await browser.post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: response.base64 })
  if (res.status === 302) {
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 200)
    return { status: 302 }
  }
  const json = (await res.json()) as { error: { code: string } }
  assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
  return { status: res.status, code: json.error.code }
}

describe('SP decryption-key rollover', () => {
  let during: TestApp
  let afterwards: TestApp
  before(async () => {
    during = await startApp([keys.spNext.key, keys.sp.key], [keys.spNext.cert, keys.sp.cert])
    afterwards = await startApp([keys.spNext.key], [keys.spNext.cert])
  })
  after(async () => {
    await during.close()
    await afterwards.close()
  })

  it('during the rotation: both certificates in the SP metadata, the new one first; either decrypts', async () => {
    assert.deepEqual(await encryptionCertsOf(during), [body(keys.spNext.cert), body(keys.sp.cert)])
    assert.deepEqual(await postEncryptedTo(during, keys.spNext), { status: 302 })
    assert.deepEqual(await postEncryptedTo(during, keys.sp), { status: 302 })
    assert.deepEqual(await postEncryptedTo(during, keys.attacker), {
      status: 400,
      code: 'ERR_SAML_DECRYPTION',
    })
  })

  it('afterwards: only the new certificate is offered, and the old key no longer decrypts', async () => {
    assert.deepEqual(await encryptionCertsOf(afterwards), [body(keys.spNext.cert)])
    assert.deepEqual(await postEncryptedTo(afterwards, keys.spNext), { status: 302 })
    assert.deepEqual(await postEncryptedTo(afterwards, keys.sp), { status: 400, code: 'ERR_SAML_DECRYPTION' })
  })

  it('refuses, up front, a decryptionCert whose key the SP does not hold', () => {
    const build = (decryptionCert: string | string[]) =>
      new MultiIdpSamlStrategy(
        {
          store: new MemoryIdpStore(),
          sp: { baseUrl: 'https://app.test', decryptionKey: [keys.spNext.key, keys.sp.key], decryptionCert },
        },
        (profile, done) => done(null, profile),
      )
    assert.throws(
      () => build([keys.spNext.cert, keys.attacker.cert]),
      /"?sp\.decryptionCert\[1\]"? does not belong to any decryptionKey/,
    )
    assert.throws(() => build(keys.attacker.cert), /"?sp\.decryptionCert"? does not belong/)
    assert.throws(() => build([]), /decryptionCert.*non-empty array/)
  })

  it('by default offers the signing certificate only when its key also decrypts', async () => {
    /** The encryption certificates an app with these SP options offers. */
    const offered = async (sp: { decryptionKey?: string }) => {
      const app = await startTestApp({ strategy: { sp } })
      try {
        await app.store.put({
          id: 'acme',
          entityId: acme.entityId,
          ssoUrl: acme.ssoUrl,
          signingCerts: [keys.idpAcme.cert],
        })
        return await encryptionCertsOf(app)
      } finally {
        await app.close()
      }
    }
    // decryptionKey without decryptionCert: the signing certificate is not that key's, so none is offered.
    assert.deepEqual(await offered({ decryptionKey: keys.spNext.key }), [])
    // No decryptionKey: the signing key decrypts, and its certificate is offered.
    assert.deepEqual(await offered({}), [body(keys.sp.cert)])
  })
})

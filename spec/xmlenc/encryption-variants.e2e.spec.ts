// Every legal XML Encryption shape SAML IdPs send, through Express and Passport: written by Apache
// Santuario (OpenSAML's and the Shibboleth IdP's library) and by xml-encryption (samlify's and
// node-saml's), decrypted by the SP. Key transport RSA-OAEP with SHA-1 to SHA-512 digests and MGF1
// hashes (together and apart), OAEP labels; EncryptedKeys inline, beside the EncryptedData (named by
// RetrievalMethod, by KeyName, or not at all) and one per recipient; EncryptedAssertion, EncryptedID
// and EncryptedAttribute. Each answer is the user signed in with the NameID and attributes the IdP
// encrypted, or (for a key that is not the SP's) the one decryption error.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { assertionJob, encryptWithSantuario, XENC, type SantuarioJob } from '../support/santuario.js'
import { keys, reencode, type ResponseOptions } from '../support/test-idp.js'
import { acme } from '../support/tenant-idps.js'

const NS_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion'

interface Outcome {
  status: number
  nameID?: string
  email?: unknown
  code?: string
}

let app: TestApp

function responseOptions(extra: Partial<ResponseOptions> = {}): ResponseOptions {
  return {
    spEntityId: `${app.baseUrl}/saml/acme/metadata`,
    acsUrl: `${app.baseUrl}/saml/acme/acs`,
    nameId: 'ada@acme.test',
    attributes: [{ name: 'email', values: ['ada@acme.test'] }],
    ...extra,
  }
}

/** Posts a response to the ACS; the user the app then holds, or the error. */
async function post(xml: string): Promise<Outcome> {
  const browser = new TestBrowser()
  const res = await browser.post(`${app.baseUrl}/saml/acme/acs`, { SAMLResponse: reencode(xml) })
  if (res.status !== 302) {
    const json = (await res.json()) as { error: { code: string } }
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
    return { status: res.status, code: json.error.code }
  }
  const me = (await (await browser.get(`${app.baseUrl}/me`, true)).json()) as {
    nameID: string
    mapped: { email?: unknown }
  }
  return { status: 302, nameID: me.nameID, email: me.mapped.email }
}

const SIGNED_IN: Outcome = { status: 302, nameID: 'ada@acme.test', email: 'ada@acme.test' }

/**
 * A response whose Assertion (encrypted after the IdP signed it) or inner element (encrypted before,
 * so the signature covers the ciphertext) Santuario encrypted. `replace` names the element the
 * wrapper takes the place of; default the encrypted one.
 */
async function santuario(job: Omit<SantuarioJob, 'xml'>, replace: string = job.target): Promise<string> {
  if (job.target === 'Assertion') {
    const { xml } = await acme.createResponse(responseOptions())
    return (await encryptWithSantuario([{ ...job, xml }]))[0]!
  }
  const unsigned = await acme.createResponse(responseOptions({ signAssertion: false }))
  const encrypted = new DOMParser().parseFromString(
    (await encryptWithSantuario([{ ...job, xml: unsigned.xml }]))[0]!,
    'text/xml',
  )
  const wrapper = encrypted.getElementsByTagNameNS(NS_ASSERTION, job.wrapper)[0]!
  const { xml } = await acme.createResponse(
    responseOptions({
      beforeSign: (doc) => {
        const old = doc.getElementsByTagNameNS(NS_ASSERTION, replace)[0]!
        old.parentNode!.replaceChild(doc.importNode(wrapper, true), old)
      },
    }),
  )
  return xml
}

const nameIdJob: Omit<SantuarioJob, 'xml'> = {
  target: 'NameID',
  wrapper: 'EncryptedID',
  dataAlgorithm: XENC.aes128gcm,
  keyAlgorithm: XENC.rsaOaep11,
  digest: XENC.sha256,
  mgf: XENC.mgf1sha256,
  placement: 'retrieval',
  recipients: [keys.sp.cert],
}

describe('XML Encryption variants, through Express and Passport', () => {
  before(async () => {
    app = await startTestApp({ strategy: { sp: { decryptionKey: keys.sp.key } } })
    await app.store.put({
      id: 'acme',
      entityId: acme.entityId,
      ssoUrl: acme.ssoUrl,
      signingCerts: [keys.idpAcme.cert],
      allowIdpInitiated: true,
      attributeMap: { email: 'email' },
    })
  })
  after(() => app.close())

  describe('key transport (Santuario)', () => {
    const variants: [string, Partial<SantuarioJob>][] = [
      [
        'rsa-oaep-mgf1p, SHA-1, AES-128-CBC',
        { keyAlgorithm: XENC.rsaOaepMgf1p, dataAlgorithm: XENC.aes128cbc },
      ],
      [
        'rsa-oaep-mgf1p with a SHA-256 digest (MGF1 stays SHA-1)',
        { keyAlgorithm: XENC.rsaOaepMgf1p, digest: XENC.sha256 },
      ],
      ['xenc11 rsa-oaep, defaults (SHA-1, MGF1-SHA-1)', {}],
      ['xenc11 rsa-oaep, SHA-256 and MGF1-SHA-256', { digest: XENC.sha256, mgf: XENC.mgf1sha256 }],
      ['xenc11 rsa-oaep, SHA-256 and MGF1-SHA-1', { digest: XENC.sha256, mgf: XENC.mgf1sha1 }],
      [
        'xenc11 rsa-oaep, SHA-512 and MGF1-SHA-384 with an OAEP label',
        {
          digest: XENC.sha512,
          mgf: XENC.mgf1sha384,
          oaepParams: Buffer.from('saml-label'),
        },
      ],
      [
        'xenc11 rsa-oaep, SHA-384 and MGF1-SHA-512, AES-128-GCM',
        {
          digest: XENC.sha384,
          mgf: XENC.mgf1sha512,
          dataAlgorithm: XENC.aes128gcm,
        },
      ],
    ]
    for (const [name, job] of variants) {
      it(`signs in: ${name}`, async () => {
        assert.deepEqual(await post(await santuario(assertionJob(job))), SIGNED_IN)
      })
    }
  })

  describe('where the EncryptedKeys are (Santuario)', () => {
    it('signs in: beside the EncryptedData, named by RetrievalMethod', async () => {
      assert.deepEqual(await post(await santuario(assertionJob({ placement: 'retrieval' }))), SIGNED_IN)
    })
    it('signs in: beside the EncryptedData, named by KeyName and CarriedKeyName', async () => {
      assert.deepEqual(await post(await santuario(assertionJob({ placement: 'keyname' }))), SIGNED_IN)
    })
    it('signs in: beside the EncryptedData, not named (no KeyInfo)', async () => {
      assert.deepEqual(await post(await santuario(assertionJob({ placement: 'bare' }))), SIGNED_IN)
    })
    it('signs in: one EncryptedKey per recipient, ours second, inline and beside', async () => {
      for (const placement of ['inline', 'retrieval'] as const) {
        const xml = await santuario(
          assertionJob({ placement, recipients: [keys.attacker.cert, keys.sp.cert] }),
        )
        assert.equal(xml.match(/<xenc:EncryptedKey\b/g)?.length, 2)
        assert.deepEqual(await post(xml), SIGNED_IN)
      }
    })
    it('refuses with ERR_SAML_DECRYPTION: every EncryptedKey is for other keys', async () => {
      const xml = await santuario(assertionJob({ recipients: [keys.attacker.cert, keys.spNext.cert] }))
      assert.deepEqual(await post(xml), { status: 400, code: 'ERR_SAML_DECRYPTION' })
    })
  })

  describe('EncryptedID and EncryptedAttribute', () => {
    it('signs in: EncryptedID and EncryptedAttributes written by xml-encryption, inside the signed assertion', async () => {
      const { xml } = await acme.createResponse(
        responseOptions({
          encryptNameId: { cert: keys.sp.cert },
          encryptAttributes: { cert: keys.sp.cert, dataAlgorithm: 'aes128-cbc' },
        }),
      )
      assert.match(xml, /EncryptedID/)
      assert.match(xml, /EncryptedAttribute/)
      assert.doesNotMatch(xml, /ada@acme\.test/)
      assert.deepEqual(await post(xml), SIGNED_IN)
    })
    it('signs in: all three encrypted at once (EncryptedID and EncryptedAttribute inside an EncryptedAssertion)', async () => {
      const { xml } = await acme.createResponse(
        responseOptions({
          encryptNameId: { cert: keys.sp.cert },
          encryptAttributes: { cert: keys.sp.cert },
          encrypt: { cert: keys.sp.cert },
        }),
      )
      assert.deepEqual(await post(xml), SIGNED_IN)
    })
    it('signs in: EncryptedID written by Santuario with xenc11 rsa-oaep, keys beside', async () => {
      const xml = await santuario(nameIdJob)
      assert.match(xml, /EncryptedID/)
      assert.deepEqual(await post(xml), SIGNED_IN)
    })
    it('refuses with ERR_SAML_DECRYPTION: an EncryptedID for another key', async () => {
      const { xml } = await acme.createResponse(
        responseOptions({ encryptNameId: { cert: keys.attacker.cert } }),
      )
      assert.deepEqual(await post(xml), { status: 400, code: 'ERR_SAML_DECRYPTION' })
    })
    it('refuses with ERR_SAML_DECRYPTION: a signed EncryptedAttribute whose plaintext is a NameID', async () => {
      const job = { ...nameIdJob, wrapper: 'EncryptedAttribute' as const, placement: 'inline' as const }
      assert.deepEqual(await post(await santuario(job, 'Attribute')), {
        status: 400,
        code: 'ERR_SAML_DECRYPTION',
      })
    })
  })

  describe("xml-encryption 3 (node-saml's and Auth0's encryptor)", () => {
    it('signs in: rsa-oaep-mgf1p with its SHA-256 keyEncryptionDigest (MGF1-SHA-256, as it writes it)', async () => {
      type Encrypt = (
        content: string,
        options: Record<string, unknown>,
        callback: (err: Error | null, result?: string) => void,
      ) => void
      const { encrypt } = createRequire(import.meta.url)('xml-encryption') as { encrypt: Encrypt }
      const { xml } = await acme.createResponse(responseOptions())
      const assertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0]
      const encryptedData = await new Promise<string>((resolve, reject) =>
        encrypt(
          assertion,
          {
            rsa_pub: keys.sp.cert,
            pem: keys.sp.cert,
            encryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
            keyEncryptionAlgorithm: XENC.rsaOaepMgf1p,
            keyEncryptionDigest: 'sha256',
          },
          (err, result) => (err || !result ? reject(err ?? new Error('no result')) : resolve(result)),
        ),
      )
      assert.match(encryptedData, /xmldsig#sha256/)
      const encrypted = xml.replace(
        assertion,
        `<saml:EncryptedAssertion>${encryptedData}</saml:EncryptedAssertion>`,
      )
      assert.deepEqual(await post(encrypted), SIGNED_IN)
    })
  })
})

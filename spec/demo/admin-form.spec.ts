// The admin pages' add-IdP form takes the signed-metadata and expired-certificate settings (issue #11
// items 3 and 6), through the demo's real HTTP server: a metadata URL served by a local metadata
// server and signed by a key, pinned by its certificate → IdP created, its page says "pinned"; pinned
// to another certificate or a bad PEM → the form again with the library's code, nothing stored; the
// expired-certificate box unchecked → the record refuses expired certificates and the page says so.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startMetadataServer, type MetadataServer } from '../support/metadata-server.js'
import { makeCertificate } from '../support/openssl-certificates.js'
import { signMetadata } from '../support/signed-metadata.js'
import { adminBrowser, inputValue, startTestDemo, type TestBrowser } from './demo-client.js'

type Demo = Awaited<ReturnType<typeof startTestDemo>>

const ADMIN_TOKEN = 'admin-form-spec-admin-token-0123'
const ADMIN_PASSWORD = 'admin-form-spec-password'
const HOUR = 3_600_000
/** The refresher runs, but no IdP falls due during a test. */
const ON_DEMAND = { checkIntervalMs: HOUR, minIntervalMs: HOUR, maxIntervalMs: HOUR, immediate: false }

const year = (y: number) => new Date(`${y}-01-01T00:00:00Z`)
const signer = makeCertificate({
  commonName: 'md-signer.federation.test',
  notBefore: year(2024),
  notAfter: year(2040),
})
const stranger = makeCertificate({
  commonName: 'someone-else.test',
  notBefore: year(2024),
  notAfter: year(2040),
})

interface RecordJson {
  metadataSigningCerts?: string[]
  acceptExpiredSigningCerts?: boolean
}

/** The record through the admin JSON API, or undefined on 404. */
async function recordOf(demo: Demo, id: string): Promise<RecordJson | undefined> {
  const res = await fetch(`${demo.url}/admin/idps/${id}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  if (res.status === 404) return undefined
  assert.equal(res.status, 200)
  return (await res.json()) as RecordJson
}

/** The text of the element with `id` (tags dropped, whitespace folded). */
function textOf(page: string, id: string): string {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(?:dd|div)>`).exec(page)
  assert.ok(match, `the page has #${id}`)
  return match[1]!
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}

describe(
  'demo: the add-IdP form pins metadata signers and sets the expired-certificate policy',
  { timeout: 120_000 },
  () => {
    let demo: Demo
    let admin: TestBrowser
    let server: MetadataServer
    let n = 0

    /** IdP metadata with an entityID of its own (a record may not claim another's). */
    const metadata = (name: string) =>
      demo.idp.metadataXml('globex').replace(/entityID="[^"]+"/, `entityID="https://idp.${name}.test/saml"`)

    /**
     * Posts the add form as a browser does: the CSRF token of the list page, the hidden `false` of the
     * expired-certificate box, then its `true` when checked.
     */
    async function postForm(fields: Record<string, string>, acceptExpired: boolean): Promise<Response> {
      const list = await (await admin.get(`${demo.url}/admin`)).text()
      const body = new URLSearchParams({ _csrf: inputValue(list, '_csrf')!, ...fields })
      body.append('acceptExpiredSigningCerts', 'false')
      if (acceptExpired) body.append('acceptExpiredSigningCerts', 'true')
      return admin.request(`${demo.url}/admin/idp`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      })
    }

    /** A fresh path on the metadata server serving `xml`. */
    const served = (xml: string) => server.url(server.publish(xml))

    before(async () => {
      server = await startMetadataServer()
      demo = await startTestDemo({
        adminToken: ADMIN_TOKEN,
        adminPassword: ADMIN_PASSWORD,
        metadataRefresh: ON_DEMAND,
        // The metadata server is http on loopback: the admin policy must allow it.
        metadataAllowHttp: true,
        metadataAllowPrivateNetwork: true,
      })
      admin = await adminBrowser(demo, ADMIN_PASSWORD)
    })
    after(async () => {
      await demo?.close()
      await server?.close()
    })

    it('shows the pinned-certificates textarea and the expired-certificate box, checked by default', async () => {
      const list = await (await admin.get(`${demo.url}/admin`)).text()
      assert.match(list, /<textarea[^>]*name="metadataSigningCerts"/)
      assert.match(list, /<input type="hidden" name="acceptExpiredSigningCerts" value="false" \/>/)
      assert.match(
        list,
        /<input\s+type="checkbox"\s+id="acceptExpiredSigningCerts"[^>]*value="true"\s+checked/,
      )
      assert.match(list, /docs\/metadata\.md#expired-signing-certificates/)
    })

    it('a metadata URL signed by the pinned certificate: the IdP is created and its page says "pinned"', async () => {
      const id = `pinned-${++n}`
      const url = served(signMetadata(metadata(id), signer))
      const res = await postForm({ id, metadataUrl: url, metadataSigningCerts: signer.cert }, true)
      assert.equal(res.status, 303, await res.text())
      assert.equal(res.headers.get('location'), `/admin/idp/${id}`)

      const record = await recordOf(demo, id)
      assert.equal(record?.metadataSigningCerts?.length, 1)
      assert.equal(record.acceptExpiredSigningCerts, undefined, 'the checked box keeps the default')
      const page = await (await admin.get(`${demo.url}/admin/idp/${id}`)).text()
      assert.match(
        textOf(page, 'metadata-signatures'),
        /^pinned: signed by one of 1 certificate\(s\).*notAfter 2040-01-01T00:00:00/,
      )
      assert.match(textOf(page, 'expired-signing-certs'), /^accepted/)
    })

    it('pasted metadata signed by the pinned certificate is accepted the same way', async () => {
      const id = `pasted-${++n}`
      const res = await postForm(
        { id, metadataXml: signMetadata(metadata(id), signer), metadataSigningCerts: signer.cert },
        true,
      )
      assert.equal(res.status, 303, await res.text())
      const page = await (await admin.get(`${demo.url}/admin/idp/${id}`)).text()
      assert.match(textOf(page, 'metadata-signatures'), /^pinned/)
    })

    it('pinned to another certificate: the form again with ERR_SAML_METADATA_SIGNATURE, nothing stored', async () => {
      const id = `stranger-${++n}`
      const url = served(signMetadata(metadata(id), signer))
      const res = await postForm({ id, metadataUrl: url, metadataSigningCerts: stranger.cert }, true)
      const page = await res.text()
      assert.equal(res.status, 400)
      assert.match(textOf(page, 'form-error'), /^ERR_SAML_METADATA_SIGNATURE: /)
      assert.ok(page.includes(stranger.cert.trim().split('\n')[1]!), 'the form keeps the pasted certificate')
      assert.equal(await recordOf(demo, id), undefined)
    })

    it('unsigned metadata for a pinned record is refused the same way', async () => {
      const id = `unsigned-${++n}`
      const res = await postForm(
        { id, metadataUrl: served(metadata(id)), metadataSigningCerts: signer.cert },
        true,
      )
      assert.equal(res.status, 400)
      assert.match(textOf(await res.text(), 'form-error'), /^ERR_SAML_METADATA_SIGNATURE: /)
      assert.equal(await recordOf(demo, id), undefined)
    })

    it('a bad PEM or a private key in the textarea: the form again with the code, nothing stored', async () => {
      for (const pasted of ['not a certificate', signer.key, `${signer.cert}\ntrailing words`]) {
        const id = `bad-pem-${++n}`
        const url = served(signMetadata(metadata(id), signer))
        const res = await postForm({ id, metadataUrl: url, metadataSigningCerts: pasted }, true)
        const page = await res.text()
        assert.equal(res.status, 400, pasted.slice(0, 40))
        assert.match(textOf(page, 'form-error'), /^ERR_SAML_IDP_CONFIG: /, pasted.slice(0, 40))
        const keyBody = signer.key.split('\n')[1]!
        assert.ok(
          !page.includes(keyBody),
          'a pasted private key is never sent back, in the error or the form',
        )
        assert.equal(await recordOf(demo, id), undefined)
      }
    })

    it('the box unchecked: the record refuses expired signing certificates, and the page says so', async () => {
      const id = `strict-${++n}`
      const res = await postForm({ id, metadataUrl: served(metadata(id)) }, false)
      assert.equal(res.status, 303, await res.text())
      const record = await recordOf(demo, id)
      assert.equal(record?.acceptExpiredSigningCerts, false)
      assert.equal(record.metadataSigningCerts, undefined)
      const page = await (await admin.get(`${demo.url}/admin/idp/${id}`)).text()
      assert.match(textOf(page, 'expired-signing-certs'), /^refused/)
      assert.match(textOf(page, 'metadata-signatures'), /^not pinned/)
    })

    it("the admin JSON API takes the same two fields, answering with the contract's codes", async () => {
      const put = (id: string, body: unknown) =>
        fetch(`${demo.url}/admin/idps/${id}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      const id = `api-${++n}`
      const url = served(signMetadata(metadata(id), signer))
      const wrong = await put(id, { metadataUrl: url, metadataSigningCerts: [stranger.cert] })
      assert.equal(wrong.status, 400)
      const error = ((await wrong.json()) as { error: { code: string } }).error
      assert.equal(error.code, 'ERR_SAML_METADATA_INVALID', 'one of the three codes docs/demo.md names')
      assert.equal(await recordOf(demo, id), undefined)

      const res = await put(id, {
        metadataUrl: url,
        metadataSigningCerts: [signer.cert],
        acceptExpiredSigningCerts: false,
      })
      assert.equal(res.status, 201, await res.clone().text())
      const created = (await res.json()) as RecordJson
      assert.equal(created.metadataSigningCerts?.length, 1)
      assert.equal(created.acceptExpiredSigningCerts, false)
      const page = await (await admin.get(`${demo.url}/admin/idp/${id}`)).text()
      assert.match(textOf(page, 'metadata-signatures'), /^pinned/)
      assert.match(textOf(page, 'expired-signing-certs'), /^refused/)
    })

    it('the form shown again after an error keeps the box as posted', async () => {
      const res = await postForm({ id: `again-${++n}`, metadataUrl: served('<nope/>') }, false)
      const page = await res.text()
      assert.equal(res.status, 400)
      assert.match(
        page,
        /<input\s+type="checkbox"\s+id="acceptExpiredSigningCerts"[^>]*value="true"\s+\/>/,
        'unchecked',
      )
    })
  },
)

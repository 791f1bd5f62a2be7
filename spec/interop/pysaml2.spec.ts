// The interop matrix against pysaml2 (Debian's python3-pysaml2, signing and encrypting with xmlsec1)
// as the IdP, driven one message at a time through spec/support/pysaml2_idp.py: pysaml2's Server
// parses our AuthnRequests and logout messages with its own code (requiring signed requests, and
// checking Redirect query signatures the way its example IdP does), and writes, signs and encrypts
// what it answers. Our side is the Express test app through Passport. See docs/interop.md.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import { TestBrowser } from '../support/app.js'
import { pysaml2 } from '../support/pysaml2.js'
import { interopColumn, upstreamVersion } from './matrix.js'
import {
  InteropSp,
  encryptionOf,
  forgeSignature,
  formOf,
  messageId,
  samlMessage,
  type BrowserMessage,
  type SpEndpointsOf,
  type Variant,
} from './sp-driver.js'

const ID = 'pysaml2'
const keyDir = new URL('../fixtures/keys/', import.meta.url).pathname
const idp = {
  entityId: 'https://idp.pysaml2.test/idp',
  ssoUrl: 'https://idp.pysaml2.test/sso',
  sloUrl: 'https://idp.pysaml2.test/slo',
  keyFile: `${keyDir}idp-globex.key.pem`,
  certFile: `${keyDir}idp-globex.cert.pem`,
  wantRequestsSigned: true,
}
const NAME_ID = 'hopper@pysaml2.test'
const identity = { mail: ['Grace.Hopper@pysaml2.test'], givenName: ['Grace'], sn: ['Hopper'] }

/** A message as pysaml2's apply_binding wrote it: a redirect URL, or a page with a form. */
type Pysaml2Message = { binding: 'redirect'; url: string } | { binding: 'post'; html: string }

const run = <T>(command: Record<string, unknown>) => pysaml2<T>({ idp, ...command })
const toMessage = (http: Pysaml2Message): BrowserMessage =>
  http.binding === 'redirect' ? http : formOf({ url: idp.sloUrl, body: http.html })
/** The raw query of a Redirect message (what pysaml2 checks the signature of), else undefined. */
const queryOf = (message: BrowserMessage) =>
  message.binding === 'redirect' ? new URL(message.url).search.slice(1) : undefined

describe('interop: pysaml2 as the IdP', () => {
  const column = interopColumn('pysaml2', async () => `pysaml2 ${await upstreamVersion('python3-pysaml2')}`)
  let sp: InteropSp
  let ours: SpEndpointsOf

  before(async () => {
    sp = await InteropSp.start()
    const { metadataXml } = await run<{ metadataXml: string }>({ op: 'metadata' })
    assert.match(metadataXml, /WantAuthnRequestsSigned="true"/)
    await sp.register(ID, metadataXml, { attributeMap: 'eduPerson' })
    ours = await sp.endpoints(ID)
  })
  after(() => sp.close())

  /** pysaml2's Response: to our AuthnRequest when given (pysaml2 parses it), else unsolicited. */
  async function respond(variant: Variant, request?: BrowserMessage): Promise<BrowserMessage> {
    const answer = await run<{
      samlResponse: string
      inResponseTo: string | null
      signatureVerified: boolean | null
    }>({
      op: 'respond',
      spMetadataXml: ours.metadataXml,
      spEntityId: ours.entityId,
      acsUrl: ours.acsUrl,
      nameId: NAME_ID,
      identity,
      // pysaml2 encrypts with 3DES unless configured (spec/peers shows we refuse that); AES-256-CBC is
      // how a deployment configures it.
      encryptAssertion: variant === 'enc' ? 'aes256-cbc' : false,
      signResponse: true,
      ...(request && {
        samlRequest: samlMessage(request).value,
        binding: request.binding,
        query: queryOf(request),
      }),
    })
    if (request) {
      assert.equal(answer.inResponseTo, messageId(request), 'pysaml2 read our AuthnRequest')
      assert.equal(answer.signatureVerified, true, 'pysaml2 checked its signature')
    }
    const relayState = request && samlMessage(request).relayState
    return {
      binding: 'post',
      action: ours.acsUrl,
      fields: { SAMLResponse: answer.samlResponse, ...(relayState && { RelayState: relayState }) },
    }
  }

  async function signIn(variant: Variant) {
    await sp.use(ID, variant)
    const [browser, request] = await sp.startLogin(ID, variant === 'post' ? 'post' : 'redirect')
    const response = await respond(variant, request)
    const me = await sp.finishLogin(browser, response, { idp: ID, nameID: NAME_ID })
    assert.equal(me.mapped.email, 'grace.hopper@pysaml2.test')
    assert.equal(me.mapped.firstName, 'Grace')
    const sessionIndex = /SessionIndex="([^"]+)"/.exec(samlMessage(response).xml)?.[1]
    return { browser, request, response, sessionIndex }
  }

  column.cell('sso-redirect', async () => {
    const { request } = await signIn('redirect')
    assert.equal(request.binding, 'redirect')
    await assert.rejects(
      respond('redirect', forgeSignature(request)),
      /does not verify/,
      'pysaml2 refuses a forged signature',
    )
  })

  column.cell('sso-post', async () => void (await signIn('post')))

  column.cell('idp-initiated', async () => {
    await sp.use(ID, 'redirect')
    const response = await respond('redirect')
    assert.doesNotMatch(samlMessage(response).xml, /InResponseTo/)
    await sp.finishLogin(new TestBrowser(), response, { idp: ID, nameID: NAME_ID, unsolicited: true })
  })

  column.cell('encrypted', async () => {
    const { response } = await signIn('enc')
    const xml = samlMessage(response).xml
    assert.doesNotMatch(xml, /Hopper/)
    return { detail: encryptionOf(xml) }
  })

  column.notSupported(
    'encrypted-id',
    'no NameID encryption: `Server.create_authn_response` builds the Subject with a NameID ' +
      '(`do_subject`, saml2/assertion.py), and its encryption options (`encrypt_assertion`, ' +
      '`encrypted_advice_attributes`) encrypt whole assertions only (`_encrypt_assertion`, saml2/entity.py)',
  )

  async function spLogout(variant: 'redirect' | 'post') {
    const { browser, sessionIndex } = await signIn(variant)
    const request = await sp.startLogout(browser, ID, variant)
    const answer = await run<{
      nameId: string
      sessionIndexes: string[]
      signatureVerified: boolean
      http: Pysaml2Message
    }>({
      op: 'logout-respond',
      spMetadataXml: ours.metadataXml,
      binding: variant,
      samlRequest: samlMessage(request).value,
      query: queryOf(request),
      relayState: samlMessage(request).relayState,
    })
    assert.equal(answer.nameId, NAME_ID)
    assert.deepEqual(answer.sessionIndexes, [sessionIndex])
    assert.equal(answer.signatureVerified, true)
    await sp.finishLogout(browser, ID, toMessage(answer.http))
  }

  column.cell('slo-sp-redirect', () => spLogout('redirect'))
  column.cell('slo-sp-post', () => spLogout('post'))

  async function idpLogout(variant: 'redirect' | 'post') {
    const { browser, sessionIndex } = await signIn(variant)
    const sent = await run<{ requestId: string; http: Pysaml2Message }>({
      op: 'logout-request',
      spMetadataXml: ours.metadataXml,
      spEntityId: ours.entityId,
      sloUrl: ours.sloUrl,
      binding: variant,
      nameId: NAME_ID,
      sessionIndex,
      relayState: 'pysaml2-logout',
    })
    const answer = await sp.answerLogout(browser, ID, toMessage(sent.http), NAME_ID, variant)
    assert.equal(samlMessage(answer).relayState, 'pysaml2-logout')
    const checked = await run<{ inResponseTo: string; success: boolean; signatureVerified: boolean }>({
      op: 'logout-check',
      spMetadataXml: ours.metadataXml,
      binding: variant,
      samlResponse: samlMessage(answer).value,
      query: queryOf(answer),
    })
    assert.deepEqual(checked, {
      ...checked,
      inResponseTo: sent.requestId,
      success: true,
      signatureVerified: true,
    })
  }

  column.cell('slo-idp-redirect', () => idpLogout('redirect'))
  column.cell('slo-idp-post', () => idpLogout('post'))
  column.notSupported(
    'slo-idp-encrypted-id',
    '`create_logout_request` (saml2/entity.py) takes a `subject_id` or a `NameID` and always writes a ' +
      'NameID: it has no EncryptedID parameter',
  )

  column.finish()
})

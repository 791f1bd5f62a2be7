// The interop matrix against Auth0's samlp (with saml signing and encrypting) as the IdP, served by
// Express on loopback: samlp parses our AuthnRequests and logout messages with its own code and
// checks their signatures; its Responses and logout messages are signed by it. Our side is the
// Express test app through Passport. See docs/interop.md.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import { TestBrowser } from '../support/app.js'
import { interopColumn } from './matrix.js'
import { SAMLP_USER, samlpVersion, startSamlpIdp, type SamlpIdp } from './samlp-idp.js'
import {
  InteropSp,
  browseIdp,
  certificateOf,
  deliver,
  encryptionOf,
  messageId,
  samlMessage,
  type Variant,
} from './sp-driver.js'

const ID = 'samlp'

describe('interop: Auth0 samlp as the IdP', () => {
  const column = interopColumn('samlp', samlpVersion)
  let sp: InteropSp
  let idp: SamlpIdp
  let spMetadataXml: string

  before(async () => {
    sp = await InteropSp.start()
    idp = await startSamlpIdp()
    const metadataXml = await (await fetch(idp.metadataUrl)).text()
    // samlp's claims are the WS-Federation ones AD FS sends.
    await sp.register(ID, metadataXml, { attributeMap: 'adfs' })
    spMetadataXml = (await sp.endpoints(ID)).metadataXml
  })
  after(async () => {
    await sp.close()
    await idp.close()
  })

  /** Sets the record and samlp's view of our SP for `variant`; the user has no SP sessions yet. */
  async function configure(variant: Variant): Promise<void> {
    await sp.use(ID, variant)
    const endpoints = await sp.endpoints(ID)
    idp.sp = {
      entityId: endpoints.entityId,
      acsUrl: endpoints.acsUrl,
      sloUrl: endpoints.sloUrl,
      signingCert: certificateOf(spMetadataXml, 'signing'),
      ...(variant === 'enc' && { encryptionCert: certificateOf(spMetadataXml, 'encryption') }),
      logoutBinding: variant === 'post' ? 'post' : 'redirect',
    }
    idp.clearSessions()
  }

  /** A login through samlp: it parses our AuthnRequest (checking its signature), and we accept its Response. */
  async function signIn(variant: Variant) {
    await configure(variant)
    const [browser, request] = await sp.startLogin(ID, variant === 'post' ? 'post' : 'redirect')
    const response = await browseIdp(browser, sp, request)
    assert.equal(idp.parsedRequestIds.at(-1), messageId(request), 'samlp read our AuthnRequest')
    assert.match(samlMessage(response).xml, new RegExp(`InResponseTo="${messageId(request)}"`))
    const me = await sp.finishLogin(browser, response, { idp: ID, nameID: SAMLP_USER.id })
    assert.equal(me.mapped.email, SAMLP_USER.emails[0]!.value)
    assert.equal(me.mapped.firstName, SAMLP_USER.name.givenName)
    return { browser, response }
  }

  column.cell('sso-redirect', async () => {
    await signIn('redirect')
    // samlp checks the query signature: a forged one is refused.
    const forged = await sp.sendForgedLogin(ID)
    assert.equal(forged.status, 400)
    assert.match(await forged.text(), /Signature check errors/)
  })

  column.cell('sso-post', async () => void (await signIn('post')))

  column.cell('idp-initiated', async () => {
    await configure('redirect')
    const browser = new TestBrowser()
    const response = await browseIdp(browser, sp, { binding: 'redirect', url: idp.unsolicitedUrl })
    assert.doesNotMatch(samlMessage(response).xml, /InResponseTo/)
    await sp.finishLogin(browser, response, { idp: ID, nameID: SAMLP_USER.id, unsolicited: true })
  })

  column.cell('encrypted', async () => {
    const { response } = await signIn('enc')
    const xml = samlMessage(response).xml
    assert.doesNotMatch(xml, /linus@samlp\.test/)
    return { detail: encryptionOf(xml) }
  })

  column.notSupported(
    'encrypted-id',
    "no NameID encryption: saml's `create` (lib/saml20.js) writes `options.nameIdentifier` into " +
      'the NameID, and with an `encryptionCert` encrypts the whole signed assertion into an EncryptedAssertion',
  )

  async function spLogout(variant: 'redirect' | 'post') {
    const { browser } = await signIn(variant)
    assert.equal(idp.participants.length, 1)
    // samlp checks our signature, finds the session by NameID and SessionIndex, ends it, and answers.
    await sp.logOutAtIdp(browser, ID, variant)
    assert.equal(idp.participants.length, 0, 'samlp ended the session our LogoutRequest named')
  }

  column.cell('slo-sp-redirect', () => spLogout('redirect'))
  column.cell('slo-sp-post', () => spLogout('post'))

  async function idpLogout(variant: 'redirect' | 'post') {
    const { browser } = await signIn(variant)
    const request = await browseIdp(browser, sp, { binding: 'redirect', url: idp.logoutUrl })
    const answer = await sp.answerLogout(browser, ID, request, SAMLP_USER.id, variant)
    // samlp checks our signature and status, then ends its own logout: 200 once no SP is left.
    const done = await deliver(browser, answer)
    assert.equal(done.status, 200, await done.text())
    assert.equal(idp.participants.length, 0, 'samlp accepted our LogoutResponse')
  }

  column.cell('slo-idp-redirect', () => idpLogout('redirect'))
  column.cell('slo-idp-post', () => idpLogout('post'))
  column.notSupported(
    'slo-idp-encrypted-id',
    "its LogoutRequest template (templates/logoutrequest.ejs) writes the session participant's " +
      '`<NameID>` in clear (lib/logout.js), with no option to encrypt it',
  )

  column.finish()
})

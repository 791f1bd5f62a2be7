// The interop matrix against Debian's SimpleSAMLphp 1.19 as the IdP, served by `php -S` on loopback
// (spec/interop/simplesamlphp-idp.ts): the browser goes through SimpleSAMLphp's own pages, its login
// form included; SimpleSAMLphp parses our AuthnRequests and logout messages with its own code and
// checks their signatures. Our side is the Express test app through Passport. See docs/interop.md.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import { TestBrowser } from '../support/app.js'
import { interopColumn, upstreamVersion } from './matrix.js'
import { SSP_USER, startSimpleSamlPhp, type SimpleSamlPhpIdp } from './simplesamlphp-idp.js'
import {
  InteropSp,
  browseIdp,
  encryptedIdOf,
  encryptionOf,
  formOf,
  messageId,
  samlMessage,
  type BrowserMessage,
  type SpEndpointsOf,
  type Variant,
} from './sp-driver.js'

const ID = 'ssp'
const NAME_ID = SSP_USER.attributes.mail[0]!

/** Fills SimpleSAMLphp's login form (exampleauth:UserPass) when the walk reaches it. */
const logIn = (page: { url: string; body: string }): BrowserMessage | undefined => {
  if (!/name="password"/.test(page.body)) return undefined
  const form = formOf(page)
  assert.equal(form.binding, 'post')
  return { ...form, fields: { ...form.fields, username: SSP_USER.username, password: SSP_USER.password } }
}

describe('interop: SimpleSAMLphp as the IdP', () => {
  const column = interopColumn(
    'simplesamlphp',
    async () => `SimpleSAMLphp ${await upstreamVersion('simplesamlphp')}`,
  )
  let sp: InteropSp
  let idp: SimpleSamlPhpIdp
  let ours: SpEndpointsOf

  before(async (t) => {
    sp = await InteropSp.start()
    idp = await startSimpleSamlPhp({ signal: t.signal, trustedHosts: [new URL(sp.app.baseUrl).host] })
    const metadataXml = await (await fetch(idp.metadataUrl)).text()
    await sp.register(ID, metadataXml)
    ours = await sp.endpoints(ID)
  })
  after(async () => {
    await sp?.close()
    await idp?.close()
  })

  /**
   * Sets the record, and SimpleSAMLphp's entry for our SP, for `variant`; `encryptNameId` turns on
   * the entry's `nameid.encryption`.
   */
  async function configure(variant: Variant, encryptNameId = false): Promise<void> {
    await sp.use(ID, variant)
    idp.configureSp({
      metadataXml: ours.metadataXml,
      encryptAssertions: variant === 'enc',
      encryptNameId,
      logoutBinding: variant === 'post' ? 'post' : 'redirect',
    })
  }

  /** A login through SimpleSAMLphp: it parses our AuthnRequest, shows its login form, and answers. */
  async function signIn(variant: Variant, encryptNameId = false) {
    await configure(variant, encryptNameId)
    const [browser, request] = await sp.startLogin(ID, variant === 'post' ? 'post' : 'redirect')
    let sawLoginForm = false
    const response = await browseIdp(browser, sp, request, (page) => {
      const filled = logIn(page)
      if (filled) sawLoginForm = true
      return filled
    })
    assert.ok(sawLoginForm, 'SimpleSAMLphp accepted the AuthnRequest and showed its login form')
    assert.match(samlMessage(response).xml, new RegExp(`InResponseTo="${messageId(request)}"`))
    const me = await sp.finishLogin(browser, response, { idp: ID, nameID: NAME_ID })
    assert.equal(me.mapped.email, NAME_ID)
    assert.equal(me.mapped.firstName, 'Ada')
    return { browser, response }
  }

  column.cell('sso-redirect', async () => {
    await signIn('redirect')
    // SimpleSAMLphp checks the query signature (validate.authnrequest): a forged one is refused
    // (SimpleSAMLphp 1.19 shows its exception page with status 200).
    const page = await (await sp.sendForgedLogin(ID)).text()
    assert.match(page, /Unable to validate signature on query string/)
    assert.doesNotMatch(page, /SAMLResponse/)
  })

  column.cell('sso-post', async () => void (await signIn('post')))

  column.cell('idp-initiated', async () => {
    await configure('redirect')
    const browser = new TestBrowser()
    const start: BrowserMessage = { binding: 'redirect', url: idp.unsolicitedLoginUrl(ours.entityId) }
    const response = await browseIdp(browser, sp, start, logIn)
    assert.doesNotMatch(samlMessage(response).xml, /InResponseTo/)
    await sp.finishLogin(browser, response, { idp: ID, nameID: NAME_ID, unsolicited: true })
  })

  column.cell('encrypted', async () => {
    const { response } = await signIn('enc')
    const xml = samlMessage(response).xml
    assert.doesNotMatch(xml, /ada@ssp\.test/)
    const algorithms = encryptionOf(xml)
    assert.equal(algorithms, 'AES-128-CBC, RSA-OAEP-MGF1P', 'what SimpleSAMLphp 1.19 always uses')
    return { detail: algorithms }
  })

  column.cell('encrypted-id', async () => {
    // nameid.encryption: SimpleSAMLphp encrypts the Subject's NameID to our encryption certificate.
    const { response } = await signIn('redirect', true)
    return { detail: encryptedIdOf(samlMessage(response).xml) }
  })

  async function spLogout(variant: 'redirect' | 'post') {
    const { browser } = await signIn(variant)
    // SimpleSAMLphp checks our signature (validate.logout), ends its session and answers.
    await sp.logOutAtIdp(browser, ID, variant)
  }

  column.cell('slo-sp-redirect', () => spLogout('redirect'))
  column.cell('slo-sp-post', () => spLogout('post'))

  async function idpLogout(variant: 'redirect' | 'post', encryptNameId = false) {
    const { browser } = await signIn(variant, encryptNameId)
    const done = `${sp.app.baseUrl}/interop/ssp-logged-out`
    const request = await browseIdp(browser, sp, { binding: 'redirect', url: idp.logoutUrl(done) })
    assert.equal(request.binding, variant)
    const encryptedId = encryptNameId ? encryptedIdOf(samlMessage(request).xml) : undefined
    const answer = await sp.answerLogout(browser, ID, request, NAME_ID, variant)
    // SimpleSAMLphp checks our signature and status, and ends its logout at ReturnTo.
    const end = await browseIdp(browser, sp, answer)
    assert.deepEqual(end, { binding: 'redirect', url: done })
    return encryptedId
  }

  column.cell('slo-idp-redirect', async () => void (await idpLogout('redirect')))
  column.cell('slo-idp-post', async () => void (await idpLogout('post')))
  // nameid.encryption: SimpleSAMLphp's LogoutRequest names the user by an EncryptedID; our SLO
  // endpoint decrypts it, ends that user's session, and SimpleSAMLphp accepts our LogoutResponse.
  column.cell('slo-idp-encrypted-id', async () => ({ detail: (await idpLogout('redirect', true))! }))

  column.finish()
})

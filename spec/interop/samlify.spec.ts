// The interop matrix against samlify as the IdP: samlify's IdentityProvider parses our AuthnRequests
// and logout messages (checking their signatures with the certificate our metadata publishes), writes
// and signs (and encrypts) its Responses from its login response template, and its own logout
// messages. Our side is the Express test app through Passport. See docs/interop.md.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { after, before, describe } from 'node:test'
import samlify from 'samlify'
import type { IdentityProviderInstance, ServiceProviderInstance } from 'samlify'
import { TestBrowser } from '../support/app.js'
import { extractOf, PEER_IDP, redirectRequest, samlifyIdp } from '../support/samlify-peer.js'
import { interopColumn } from './matrix.js'
import {
  InteropSp,
  encryptionOf,
  forgeSignature,
  samlMessage,
  targetOf,
  type BrowserMessage,
  type Variant,
} from './sp-driver.js'

const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
const user = { email: 'grace@samlify.test', givenName: 'Grace' }

// samlify's documented way to add an AuthnStatement and attributes: a login response template with
// placeholders, expanded by the IdP (`attributes`) and filled by a `customTagReplacement` callback.
const template = samlify.SamlLib.defaultLoginResponseTemplate.context.replace(
  '{AuthnStatement}',
  '<saml:AuthnStatement AuthnInstant="{IssueInstant}" SessionIndex="{SessionIndex}"><saml:AuthnContext>' +
    '<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport' +
    '</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>',
)
const ATTRIBUTES = [
  {
    name: 'email',
    valueTag: 'email',
    nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
    valueXsiType: 'xs:string',
  },
  {
    name: 'firstName',
    valueTag: 'givenName',
    nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
    valueXsiType: 'xs:string',
  },
]

/** samlify's IdP; it checks the signatures of our AuthnRequests and logout messages. */
function samlifyIdentityProvider(encrypt: boolean): IdentityProviderInstance {
  return samlifyIdp(
    { authnRequestsSigned: true, logoutRequestSigned: true, logoutResponseSigned: true },
    {
      requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      nameIDFormat: [EMAIL_FORMAT],
      loginResponseTemplate: { context: template, attributes: ATTRIBUTES },
      // With samlify's default algorithms; the cell reads which from the EncryptedData.
      isAssertionEncrypted: encrypt,
    },
  )
}

function samlifyVersion(): string {
  const pkg = createRequire(import.meta.url)('samlify/package.json') as { version: string }
  return `samlify ${pkg.version}`
}

describe('interop: samlify as the IdP', () => {
  const column = interopColumn('samlify', samlifyVersion)
  let sp: InteropSp
  const idp = samlifyIdentityProvider(false)
  const encryptingIdp = samlifyIdentityProvider(true)
  let target: ServiceProviderInstance
  const ID = 'samlify'

  before(async () => {
    sp = await InteropSp.start()
    await sp.register(ID, idp.getMetadata())
    const { metadataXml } = await sp.endpoints(ID)
    // The SP as samlify sees it, from our metadata; samlify signs what it sends to an SP that wants it.
    target = samlify.ServiceProvider({
      metadata: metadataXml,
      wantLogoutRequestSigned: true,
      wantLogoutResponseSigned: true,
    })
  })
  after(() => sp.close())

  /** samlify's Response, from its template; `requestId` undefined for an unsolicited one. */
  async function respond(
    variant: Variant,
    requestId: string | undefined,
    sessionIndex: string,
  ): Promise<BrowserMessage> {
    const entity = variant === 'enc' ? encryptingIdp : idp
    const now = new Date()
    const later = new Date(now.getTime() + 5 * 60_000).toISOString()
    const acs = target.entityMeta.getAssertionConsumerService('post') as string
    const id = `_${randomUUID()}`
    const response = await entity.createLoginResponse(
      target,
      { extract: requestId ? { request: { id: requestId } } : {} },
      'post',
      user,
      {
        customTagReplacement: (context: string) => ({
          id,
          context: samlify.SamlLib.replaceTagsByValue(context, {
            ID: id,
            AssertionID: `_${randomUUID()}`,
            Destination: acs,
            Audience: target.entityMeta.getEntityID(),
            SubjectRecipient: acs,
            NameIDFormat: EMAIL_FORMAT,
            NameID: user.email,
            Issuer: PEER_IDP.entityId,
            IssueInstant: now.toISOString(),
            ConditionsNotBefore: now.toISOString(),
            ConditionsNotOnOrAfter: later,
            SubjectConfirmationDataNotOnOrAfter: later,
            InResponseTo: requestId,
            StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
            SessionIndex: sessionIndex,
            attrEmail: user.email,
            attrGivenName: user.givenName,
          }),
        }),
      },
    )
    const { entityEndpoint } = response as typeof response & { entityEndpoint: string }
    return { binding: 'post', action: entityEndpoint, fields: { SAMLResponse: response.context } }
  }

  /** A login through samlify: it parses our AuthnRequest, and we accept its Response. */
  async function signIn(variant: Variant, how: 'redirect' | 'post', sessionIndex = `_${randomUUID()}`) {
    await sp.use(ID, variant)
    const [browser, request] = await sp.startLogin(ID, how)
    if (request.binding === 'redirect') {
      await assert.rejects(
        idp.parseLoginRequest(target, 'redirect', redirectRequest(targetOf(forgeSignature(request)))),
        'samlify checks the signature',
      )
    }
    const parsed =
      request.binding === 'redirect'
        ? await idp.parseLoginRequest(target, 'redirect', redirectRequest(request.url))
        : await idp.parseLoginRequest(target, 'post', { body: request.fields })
    const extract = extractOf<{ request: { id: string }; issuer: string }>(parsed)
    assert.equal(extract.issuer, (await sp.endpoints(ID)).entityId, 'samlify read our Issuer')
    const response = await respond(variant, extract.request.id, sessionIndex)
    const me = await sp.finishLogin(browser, response, { idp: ID, nameID: user.email })
    assert.equal(me.mapped.email, user.email)
    assert.equal(me.mapped.firstName, user.givenName)
    return { browser, response, sessionIndex }
  }

  column.cell('sso-redirect', async () => void (await signIn('redirect', 'redirect')))
  column.cell('sso-post', async () => void (await signIn('post', 'post')))

  column.cell('idp-initiated', async () => {
    await sp.use(ID, 'redirect')
    const response = await respond('redirect', undefined, '_unsolicited')
    assert.doesNotMatch(samlMessage(response).xml, /InResponseTo/)
    await sp.finishLogin(new TestBrowser(), response, {
      idp: 'samlify',
      nameID: user.email,
      unsolicited: true,
    })
  })

  column.cell('encrypted', async () => {
    const { response } = await signIn('enc', 'redirect')
    const xml = samlMessage(response).xml
    assert.doesNotMatch(xml, /grace@samlify\.test/)
    return { detail: encryptionOf(xml) }
  })

  column.notSupported(
    'encrypted-id',
    'no NameID encryption: its only encryption, `encryptAssertion` (build/src/libsaml.js), replaces the ' +
      'whole Assertion with an EncryptedAssertion, and its login response template writes the ' +
      "Subject's `<saml:NameID>` in clear",
  )

  async function spLogout(variant: Variant, how: 'redirect' | 'post') {
    const { browser, sessionIndex } = await signIn(variant, how)
    const request = await sp.startLogout(browser, ID, how)
    const parsed =
      request.binding === 'redirect'
        ? await idp.parseLogoutRequest(target, 'redirect', redirectRequest(request.url))
        : await idp.parseLogoutRequest(target, 'post', { body: request.fields })
    const extract = extractOf<{ nameID: string; sessionIndex: string }>(parsed)
    assert.equal(extract.nameID, user.email)
    assert.equal(extract.sessionIndex, sessionIndex)
    const relayState = samlMessage(request).relayState ?? ''
    const reply = idp.createLogoutResponse(target, { extract: parsed.extract }, how, relayState) as {
      context: string
      entityEndpoint: string
    }
    const response: BrowserMessage =
      how === 'redirect'
        ? { binding: 'redirect', url: reply.context }
        : {
            binding: 'post',
            action: reply.entityEndpoint,
            fields: { SAMLResponse: reply.context, RelayState: relayState },
          }
    await sp.finishLogout(browser, ID, response)
  }

  column.cell('slo-sp-redirect', () => spLogout('redirect', 'redirect'))
  column.cell('slo-sp-post', () => spLogout('post', 'post'))

  async function idpLogout(variant: Variant, how: 'redirect' | 'post') {
    const { browser, sessionIndex } = await signIn(variant, how)
    const sent = idp.createLogoutRequest(target, how, {
      logoutNameID: user.email,
      sessionIndex,
    } as never) as {
      id: string
      context: string
      entityEndpoint: string
    }
    const request: BrowserMessage =
      how === 'redirect'
        ? { binding: 'redirect', url: sent.context }
        : { binding: 'post', action: sent.entityEndpoint, fields: { SAMLRequest: sent.context } }
    const answer = await sp.answerLogout(browser, ID, request, user.email, how)
    const parsed =
      answer.binding === 'redirect'
        ? await idp.parseLogoutResponse(target, 'redirect', redirectRequest(answer.url))
        : await idp.parseLogoutResponse(target, 'post', { body: answer.fields })
    const extract = extractOf<{ response: { inResponseTo: string } }>(parsed)
    assert.equal(extract.response.inResponseTo, sent.id, 'samlify matched our LogoutResponse to its request')
  }

  column.cell('slo-idp-redirect', () => idpLogout('redirect', 'redirect'))
  column.cell('slo-idp-post', () => idpLogout('post', 'post'))
  column.notSupported(
    'slo-idp-encrypted-id',
    '`createLogoutRequest` fills its LogoutRequest template (build/src/libsaml.js) with ' +
      '`<saml:NameID>{NameID}</saml:NameID>` from `logoutNameID`, and nothing in samlify encrypts it',
  )

  column.finish()
})

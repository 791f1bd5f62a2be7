// Our LogoutRequests and LogoutResponses as a peer receives them: node-saml 5, configured as the
// receiving party with our SP certificate as the one it trusts and our entityID as the issuer it
// expects, validates them over HTTP-Redirect (query signature) and HTTP-POST (enveloped signature),
// and reads NameID, SessionIndex and InResponseTo back. Tampering is refused.
import assert from 'node:assert/strict'
import { createPrivateKey } from 'node:crypto'
import { describe, it } from 'node:test'
import { SAML, ValidateInResponseTo, type CacheProvider } from '@node-saml/node-saml'
import { postForm } from '../../lib/bindings/post-binding.js'
import { encodeRedirect } from '../../lib/bindings/redirect-binding.js'
import { buildLogoutRequest, type LogoutRequestXmlOptions } from '../../lib/messages/logout-request.js'
import {
  buildLogoutResponse,
  LOGOUT_STATUS,
  type LogoutResponseXmlOptions,
} from '../../lib/messages/logout-response.js'
import { newMessageId } from '../../lib/messages/message-id.js'
import { signEnveloped } from '../../lib/xmldsig/sign-enveloped.js'
import { buildSpMetadata } from '../../lib/messages/sp-metadata.js'
import { extractOf, PEER_IDP, readPostForm, samlifyIdp, samlifySp } from '../support/samlify-peer.js'
import { keys } from '../support/test-idp.js'

const SP_ENTITY_ID = 'https://app.test/saml/acme/metadata'
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'
const spKey = createPrivateKey(keys.sp.key)

/** InResponseTo values node-saml looked up: it reads the attribute only to check it against its cache. */
const lookedUp: string[] = []
const cacheProvider: CacheProvider = {
  saveAsync: async () => null,
  getAsync: async (key) => (lookedUp.push(key), new Date().toISOString()),
  removeAsync: async () => null,
}

const receiver = new SAML({
  callbackUrl: `${PEER_IDP.entityId}/acs`,
  issuer: PEER_IDP.entityId,
  idpCert: keys.sp.cert,
  idpIssuer: SP_ENTITY_ID,
  validateInResponseTo: ValidateInResponseTo.ifPresent,
  cacheProvider,
})

function logoutRequest(overrides: Partial<LogoutRequestXmlOptions> = {}): LogoutRequestXmlOptions {
  return {
    id: newMessageId(),
    issueInstant: Date.now(),
    destination: PEER_IDP.sloUrl,
    issuer: SP_ENTITY_ID,
    nameID: 'alice@acme.test',
    nameIDFormat: PERSISTENT,
    nameQualifier: PEER_IDP.entityId,
    spNameQualifier: SP_ENTITY_ID,
    sessionIndex: '_session-7',
    notOnOrAfter: Date.now() + 5 * 60_000,
    ...overrides,
  }
}

function logoutResponse(overrides: Partial<LogoutResponseXmlOptions> = {}): LogoutResponseXmlOptions {
  return {
    id: newMessageId(),
    issueInstant: Date.now(),
    destination: PEER_IDP.sloUrl,
    issuer: SP_ENTITY_ID,
    inResponseTo: newMessageId(),
    statusCode: LOGOUT_STATUS.success,
    ...overrides,
  }
}

/** node-saml's Redirect entry point: the parsed query and the raw one (the signed octets). */
function redirectArgs(type: 'SAMLRequest' | 'SAMLResponse', xml: string): [Record<string, string>, string] {
  const url = encodeRedirect(PEER_IDP.sloUrl, {
    type,
    xml,
    relayState: '/signed-out',
    signing: { privateKey: spKey, algorithm: 'sha256' },
  })
  const raw = new URL(url).search.slice(1)
  return [Object.fromEntries(new URLSearchParams(raw)), raw]
}

function postBody(type: 'SAMLRequest' | 'SAMLResponse', xml: string): Record<string, string> {
  const signed = signEnveloped(xml, { privateKey: spKey, certificate: keys.sp.cert, algorithm: 'sha256' })
  return readPostForm(postForm(PEER_IDP.sloUrl, { type, xml: signed, relayState: '/signed-out' })).fields
}

describe('logout messages validated by node-saml 5', () => {
  it('LogoutRequest over HTTP-Redirect: signature verified; NameID, format, SessionIndex read back', async () => {
    const options = logoutRequest()
    const { profile, loggedOut } = await receiver.validateRedirectAsync(
      ...redirectArgs('SAMLRequest', buildLogoutRequest(options)),
    )
    assert.equal(loggedOut, true)
    assert.equal(profile?.ID, options.id)
    assert.equal(profile?.issuer, SP_ENTITY_ID)
    assert.equal(profile?.nameID, 'alice@acme.test')
    assert.equal(profile?.nameIDFormat, PERSISTENT)
    assert.equal(profile?.sessionIndex, '_session-7')
  })

  it('LogoutRequest over HTTP-Redirect: a changed query or an expired NotOnOrAfter is refused', async () => {
    const [query, raw] = redirectArgs('SAMLRequest', buildLogoutRequest(logoutRequest()))
    const changed = raw.replace('RelayState=%2Fsigned-out', 'RelayState=%2Fevil')
    await assert.rejects(
      receiver.validateRedirectAsync({ ...query, RelayState: '/evil' }, changed),
      /Invalid query signature/,
    )
    const expired = logoutRequest({ notOnOrAfter: Date.now() - 60_000 })
    await assert.rejects(
      receiver.validateRedirectAsync(...redirectArgs('SAMLRequest', buildLogoutRequest(expired))),
      /expired/i,
    )
  })

  it('LogoutResponse over HTTP-Redirect: verified, InResponseTo read; a failure status is read as one', async () => {
    const options = logoutResponse()
    const result = await receiver.validateRedirectAsync(
      ...redirectArgs('SAMLResponse', buildLogoutResponse(options)),
    )
    assert.deepEqual(result, { profile: null, loggedOut: true })
    assert.equal(lookedUp.at(-1), options.inResponseTo)

    const failed = logoutResponse({ statusCode: LOGOUT_STATUS.responder })
    await assert.rejects(
      receiver.validateRedirectAsync(...redirectArgs('SAMLResponse', buildLogoutResponse(failed))),
      /Bad status code: urn:oasis:names:tc:SAML:2.0:status:Responder/,
    )
  })

  it('LogoutRequest over HTTP-POST with an enveloped signature: verified and read; tampering refused', async () => {
    const options = logoutRequest()
    const body = postBody('SAMLRequest', buildLogoutRequest(options))
    const { profile } = await receiver.validatePostRequestAsync(body)
    assert.equal(profile.ID, options.id)
    assert.equal(profile.nameID, 'alice@acme.test')
    assert.equal(profile.sessionIndex, '_session-7')

    const xml = Buffer.from(body.SAMLRequest!, 'base64').toString('utf8')
    const tampered = xml.replace('alice@acme.test', 'bob@acme.test')
    await assert.rejects(
      receiver.validatePostRequestAsync({ SAMLRequest: Buffer.from(tampered).toString('base64') }),
      /Invalid signature/,
    )
  })

  it('LogoutResponse over HTTP-POST with an enveloped signature: verified; tampering refused', async () => {
    const options = logoutResponse()
    const body = postBody('SAMLResponse', buildLogoutResponse(options))
    assert.deepEqual(await receiver.validatePostResponseAsync(body), { profile: null, loggedOut: true })

    // node-saml 5 reads InResponseTo of a POSTed <Response> only; samlify reads it from ours.
    const idp = samlifyIdp({ logoutResponseSigned: true })
    const sp = samlifySp(
      buildSpMetadata({
        entityId: SP_ENTITY_ID,
        assertionConsumerServiceUrls: ['https://app.test/saml/acme/acs'],
        authnRequestsSigned: true,
        wantAssertionsSigned: true,
        signingCerts: [keys.sp.cert],
      }),
    )
    const read = extractOf<{ response: { id: string; inResponseTo: string } }>(
      await idp.parseLogoutResponse(sp, 'post', { body }),
    )
    assert.deepEqual(read.response, {
      id: options.id,
      destination: PEER_IDP.sloUrl,
      inResponseTo: options.inResponseTo,
    })

    const xml = Buffer.from(body.SAMLResponse!, 'base64').toString('utf8')
    const tampered = xml.replace(options.inResponseTo, newMessageId())
    await assert.rejects(
      receiver.validatePostResponseAsync({ SAMLResponse: Buffer.from(tampered).toString('base64') }),
      /Invalid document signature/,
    )
  })
})

// Escaping: markup characters and whitespace survive a real XML parser unchanged; characters XML 1.0
// cannot carry are a TypeError naming the option; an entityID and a NameID full of `&<>"'` come back
// unchanged from samlify and node-saml.
import assert from 'node:assert/strict'
import { createPrivateKey } from 'node:crypto'
import { describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml'
import { postForm } from '../../lib/bindings/post-binding.js'
import { encodeRedirect } from '../../lib/bindings/redirect-binding.js'
import { buildAuthnRequest } from '../../lib/messages/authn-request.js'
import { buildLogoutRequest } from '../../lib/messages/logout-request.js'
import { newMessageId } from '../../lib/messages/message-id.js'
import { signEnveloped } from '../../lib/xmldsig/sign-enveloped.js'
import { buildSpMetadata } from '../../lib/messages/sp-metadata.js'
import { escapeXmlAttribute, escapeXmlText } from '../../lib/xml/escape-xml.js'
import {
  extractOf,
  PEER_IDP,
  readPostForm,
  redirectRequest,
  samlifyIdp,
  samlifySp,
} from '../support/samlify-peer.js'
import { keys } from '../support/test-idp.js'

const ENTITY_ID = `https://app.test/saml?tenant=a&b=<c>"d"'e'`
const NAME_ID = `o'brien&<co>"@acme.test`
const ACS_URL = 'https://app.test/saml/acs?x=1&y=2'
const spKey = createPrivateKey(keys.sp.key)

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml').documentElement!

describe('escapeXmlText and escapeXmlAttribute', () => {
  const tricky = `a & b < c > d " e ' f \t g \n h \r\n i 😀 \u0085 \u2028 \u007F \uFFFD`

  it('round-trip through an XML parser, whitespace included', () => {
    const root = parse(
      `<r a="${escapeXmlAttribute(tricky)}" b='${escapeXmlAttribute(tricky)}'>${escapeXmlText(tricky)}</r>`,
    )
    assert.equal(root.getAttribute('a'), tricky)
    assert.equal(root.getAttribute('b'), tricky)
    assert.equal(root.textContent, tricky)
  })

  it('leave plain text alone and escape the five markup characters', () => {
    assert.equal(escapeXmlText('plain@example.com'), 'plain@example.com')
    assert.equal(escapeXmlText(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;')
    assert.equal(escapeXmlAttribute(`&<>"'\t\n\r`), '&amp;&lt;&gt;&quot;&#39;&#9;&#10;&#13;')
  })

  it('refuse characters XML 1.0 cannot carry, naming the value and the code point', () => {
    for (const bad of [
      '\u0000',
      '\u0001',
      '\u0008',
      '\u000B',
      '\u000C',
      '\u001F',
      '\uFFFE',
      '\uFFFF',
      '\uD800',
      'x\uDC00',
    ]) {
      for (const escape of [escapeXmlText, escapeXmlAttribute]) {
        assert.throws(
          () => escape(`ok${bad}`, 'nameID'),
          (err: unknown) =>
            err instanceof TypeError && /^nameID contains U\+[0-9A-F]{4} at index \d+/.test(err.message),
          JSON.stringify(bad),
        )
      }
    }
  })

  it('builders refuse a control character in any value, naming the option', () => {
    const base = {
      id: newMessageId(),
      issueInstant: Date.now(),
      destination: PEER_IDP.sloUrl,
      issuer: 'https://app.test/sp',
    }
    assert.throws(
      () => buildLogoutRequest({ ...base, nameID: 'alice\u0007@acme.test' }),
      (err: unknown) => err instanceof TypeError && err.message.startsWith('nameID contains U+0007'),
    )
    assert.throws(
      () => buildAuthnRequest({ ...base, issuer: 'sp\u0000', assertionConsumerServiceUrl: ACS_URL }),
      (err: unknown) => err instanceof TypeError && err.message.startsWith('issuer contains U+0000'),
    )
  })
})

describe('values full of markup characters round-trip through the peers', () => {
  const metadata = buildSpMetadata({
    entityId: ENTITY_ID,
    assertionConsumerServiceUrls: [ACS_URL],
    authnRequestsSigned: true,
    wantAssertionsSigned: true,
    signingCerts: [keys.sp.cert],
  })

  it('samlify: the entityID from our metadata, and the Issuer and ACS URL of our AuthnRequest', async () => {
    const sp = samlifySp(metadata)
    assert.equal(sp.entityMeta.getEntityID(), ENTITY_ID)
    const xml = buildAuthnRequest({
      id: newMessageId(),
      issueInstant: Date.now(),
      destination: PEER_IDP.ssoUrl,
      issuer: ENTITY_ID,
      assertionConsumerServiceUrl: ACS_URL,
    })
    const url = encodeRedirect(PEER_IDP.ssoUrl, {
      type: 'SAMLRequest',
      xml,
      signing: { privateKey: spKey, algorithm: 'sha256' },
    })
    const parsed = await samlifyIdp({ authnRequestsSigned: true }).parseLoginRequest(
      sp,
      'redirect',
      redirectRequest(url),
    )
    const read = extractOf<{ issuer: string; request: { assertionConsumerServiceUrl: string } }>(parsed)
    assert.equal(read.issuer, ENTITY_ID)
    assert.equal(read.request.assertionConsumerServiceUrl, ACS_URL)
  })

  it('node-saml: the NameID of our LogoutRequest, and its Issuer matched exactly against idpIssuer', async () => {
    const receiver = new SAML({
      callbackUrl: `${PEER_IDP.entityId}/acs`,
      issuer: PEER_IDP.entityId,
      idpCert: keys.sp.cert,
      idpIssuer: ENTITY_ID,
      validateInResponseTo: ValidateInResponseTo.never,
    })
    const xml = buildLogoutRequest({
      id: newMessageId(),
      issueInstant: Date.now(),
      destination: PEER_IDP.sloUrl,
      issuer: ENTITY_ID,
      nameID: NAME_ID,
      sessionIndex: `<&>`,
    })
    const url = encodeRedirect(PEER_IDP.sloUrl, {
      type: 'SAMLRequest',
      xml,
      signing: { privateKey: spKey, algorithm: 'sha256' },
    })
    const raw = new URL(url).search.slice(1)
    const { profile } = await receiver.validateRedirectAsync(
      Object.fromEntries(new URLSearchParams(raw)),
      raw,
    )
    assert.equal(profile?.issuer, ENTITY_ID)
    assert.equal(profile?.nameID, NAME_ID)
    assert.equal(profile?.sessionIndex, '<&>')
  })

  it('node-saml: signed for HTTP-POST, a NameID with markup, CR LF, tab, NEL and LS reads back unchanged', async () => {
    const receiver = new SAML({
      callbackUrl: `${PEER_IDP.entityId}/acs`,
      issuer: PEER_IDP.entityId,
      idpCert: keys.sp.cert,
      idpIssuer: ENTITY_ID,
    })
    const nameID = `${NAME_ID}\r\n\t\u0085\u2028end`
    const xml = buildLogoutRequest({
      id: newMessageId(),
      issueInstant: Date.now(),
      destination: PEER_IDP.sloUrl,
      issuer: ENTITY_ID,
      nameID,
    })
    const signed = signEnveloped(xml, { privateKey: spKey, algorithm: 'sha256' })
    const body = readPostForm(postForm(PEER_IDP.sloUrl, { type: 'SAMLRequest', xml: signed })).fields
    const { profile } = await receiver.validatePostRequestAsync(body)
    assert.equal(profile.nameID, nameID)
  })
})

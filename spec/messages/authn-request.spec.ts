// Our AuthnRequests as an IdP receives them: samlify (as the IdP, reading our SP metadata) parses them
// over HTTP-Redirect, unsigned and with a query signature, and over HTTP-POST with an enveloped
// signature and no DEFLATE; tampering is refused. Then the XML next to what node-saml 5 writes today
// for the same settings.
import assert from 'node:assert/strict'
import { createPrivateKey } from 'node:crypto'
import { inflateRawSync } from 'node:zlib'
import { describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import { SAML } from '@node-saml/node-saml'
import { postForm } from '../../lib/bindings/post-binding.js'
import { encodeRedirect } from '../../lib/bindings/redirect-binding.js'
import { buildAuthnRequest, type AuthnRequestXmlOptions } from '../../lib/messages/authn-request.js'
import { newMessageId } from '../../lib/messages/message-id.js'
import { signEnveloped } from '../../lib/xmldsig/sign-enveloped.js'
import { buildSpMetadata } from '../../lib/messages/sp-metadata.js'
import {
  extractOf,
  PEER_IDP,
  readPostForm,
  redirectRequest,
  samlifyIdp,
  samlifySp,
} from '../support/samlify-peer.js'
import { keys } from '../support/test-idp.js'

const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
const SP = { entityId: 'https://app.test/saml/acme/metadata', acsUrl: 'https://app.test/saml/acme/acs' }
const spKey = createPrivateKey(keys.sp.key)
const sp = samlifySp(
  buildSpMetadata({
    entityId: SP.entityId,
    assertionConsumerServiceUrls: [SP.acsUrl],
    authnRequestsSigned: true,
    wantAssertionsSigned: true,
    signingCerts: [keys.sp.cert],
  }),
)
const idp = samlifyIdp({ authnRequestsSigned: true })
const lenientIdp = samlifyIdp({ authnRequestsSigned: false })

/** What samlify's `parseLoginRequest` extracts from an AuthnRequest. */
interface LoginRequestExtract {
  request: { id: string; assertionConsumerServiceUrl: string }
  signature: string | null
}

function authnRequest(overrides: Partial<AuthnRequestXmlOptions> = {}): AuthnRequestXmlOptions {
  return {
    id: newMessageId(),
    issueInstant: Date.now(),
    destination: PEER_IDP.ssoUrl,
    issuer: SP.entityId,
    assertionConsumerServiceUrl: SP.acsUrl,
    nameIdPolicy: { format: EMAIL },
    ...overrides,
  }
}

function signedRedirect(options: AuthnRequestXmlOptions, key = spKey, relayState = '/reports?tab=2'): string {
  return encodeRedirect(PEER_IDP.ssoUrl, {
    type: 'SAMLRequest',
    xml: buildAuthnRequest(options),
    relayState,
    signing: { privateKey: key, algorithm: 'sha256' },
  })
}

function signedPostBody(options: AuthnRequestXmlOptions, signer = keys.sp): Record<string, string> {
  const xml = signEnveloped(buildAuthnRequest(options), {
    privateKey: signer.key,
    certificate: signer.cert,
    algorithm: 'sha256',
  })
  return readPostForm(postForm(PEER_IDP.ssoUrl, { type: 'SAMLRequest', xml, relayState: '/deep' })).fields
}

describe('AuthnRequest read by samlify as the IdP', () => {
  it('HTTP-Redirect, unsigned: ID, Issuer, ACS URL, Destination and NameIDPolicy read back', async () => {
    const options = authnRequest()
    const url = encodeRedirect(PEER_IDP.ssoUrl, { type: 'SAMLRequest', xml: buildAuthnRequest(options) })
    const { extract } = await lenientIdp.parseLoginRequest(sp, 'redirect', redirectRequest(url))
    assert.deepEqual(extractOf<LoginRequestExtract>({ extract }).request, {
      id: options.id,
      issueInstant: new Date(options.issueInstant).toISOString(),
      destination: PEER_IDP.ssoUrl,
      assertionConsumerServiceUrl: SP.acsUrl,
    })
    assert.equal(extract.issuer, SP.entityId)
    assert.deepEqual(extract.nameIDPolicy, { allowCreate: 'true', format: EMAIL })
  })

  it('HTTP-Redirect, query-signed: verified with the certificate from our metadata; tampering refused', async () => {
    const options = authnRequest()
    const url = signedRedirect(options)
    const parsed = await idp.parseLoginRequest(sp, 'redirect', redirectRequest(url))
    assert.equal(extractOf<LoginRequestExtract>(parsed).request.id, options.id)
    assert.equal(parsed.sigAlg, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')

    const cases: Array<[string, string, RegExp]> = [
      [
        'flipped signature',
        url.replace(/Signature=.{6}/, 'Signature=AAAAAA'),
        /MESSAGE_SIGNATURE_VERIFICATION/,
      ],
      ['RelayState changed', url.replace('RelayState=%2Freports', 'RelayState=%2Fevil'), /MESSAGE_SIGNATURE/],
      ['signature removed', url.replace(/&SigAlg=.*$/, ''), /ERR_MISSING_SIG_ALG/],
      ['another key', signedRedirect(options, createPrivateKey(keys.attacker.key)), /MESSAGE_SIGNATURE/],
    ]
    for (const [name, bad, reason] of cases) {
      await assert.rejects(idp.parseLoginRequest(sp, 'redirect', redirectRequest(bad)), reason, name)
    }
  })

  it('HTTP-POST, enveloped signature: base64 without DEFLATE, verified; tampering refused', async () => {
    const options = authnRequest({ forceAuthn: true })
    const body = signedPostBody(options)
    const xml = Buffer.from(body.SAMLRequest!, 'base64').toString('utf8')
    assert.ok(xml.startsWith('<samlp:AuthnRequest '), 'plain XML, not DEFLATE output')
    assert.equal(body.RelayState, '/deep')
    const read = extractOf<LoginRequestExtract>(await idp.parseLoginRequest(sp, 'post', { body }))
    assert.equal(read.request.id, options.id)
    assert.equal(read.request.assertionConsumerServiceUrl, SP.acsUrl)
    assert.match(read.signature!, /^<ds:Signature/)

    const reencode = (text: string) => ({
      ...body,
      SAMLRequest: Buffer.from(text, 'utf8').toString('base64'),
    })
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      [
        'ACS URL changed',
        reencode(xml.replace(SP.acsUrl, 'https://evil.test/acs')),
        /FAILED_TO_VERIFY_SIGNATURE/,
      ],
      ['signature removed', reencode(xml.replace(/<ds:Signature.*<\/ds:Signature>/, '')), /FAILED_TO_VERIFY/],
      ['an unknown key and its certificate', signedPostBody(options, keys.attacker), /UNMATCH_CERTIFICATE/],
      [
        'an unknown key, our certificate in KeyInfo',
        signedPostBody(options, { ...keys.attacker, cert: keys.sp.cert }),
        /invalid signature/,
      ],
    ]
    for (const [name, bad, reason] of cases) {
      await assert.rejects(idp.parseLoginRequest(sp, 'post', { body: bad }), reason, name)
    }
  })
})

/** Element tree without namespace declarations: what an IdP reads, whatever the prefixes. */
interface Shape {
  name: string
  attributes: Array<[string, string]>
  text: string
  children: Shape[]
}

function shape(el: Element): Shape {
  const attributes = Array.from(el.attributes)
    .filter((a) => a.name !== 'xmlns' && !a.name.startsWith('xmlns:'))
    .map((a): [string, string] => [a.name, a.value])
  const children = Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1)
  return {
    name: `{${el.namespaceURI}}${el.localName}`,
    attributes,
    text: children.length === 0 ? (el.textContent ?? '') : '',
    children: children.map(shape),
  }
}

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml').documentElement!

async function nodeSamlRequest(config: Record<string, unknown>): Promise<string> {
  const id = newMessageId()
  const saml = new SAML({
    entryPoint: PEER_IDP.ssoUrl,
    issuer: SP.entityId,
    callbackUrl: SP.acsUrl,
    idpCert: keys.idpAcme.cert,
    identifierFormat: EMAIL,
    disableRequestedAuthnContext: true,
    generateUniqueId: () => id,
    ...config,
  })
  const url = new URL(await saml.getAuthorizeUrlAsync('', undefined, {}))
  return inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8')
}

describe('AuthnRequest next to node-saml 5 on the same settings', () => {
  // Deliberate differences, none of which an IdP can see in the parsed request:
  // - namespaces are declared once on the root (node-saml repeats them on Issuer and NameIDPolicy);
  // - no XML declaration;
  // - HTTP-POST messages are not DEFLATE-compressed (last test).
  const cases: Array<[string, Record<string, unknown>, Partial<AuthnRequestXmlOptions>]> = [
    ['as compile-idp configures it', {}, {}],
    ['ForceAuthn', { forceAuthn: true }, { forceAuthn: true }],
    ['IsPassive', { passive: true }, { isPassive: true }],
    ['no NameID format', { identifierFormat: null }, { nameIdPolicy: {} }],
    ['AllowCreate off', { allowCreate: false }, { nameIdPolicy: { format: EMAIL, allowCreate: false } }],
  ]
  for (const [name, nodeSamlConfig, ours] of cases) {
    it(`${name}: same elements, attributes (in the same order) and values`, async () => {
      const theirs = parse(await nodeSamlRequest(nodeSamlConfig))
      const mine = buildAuthnRequest(
        authnRequest({
          id: theirs.getAttribute('ID')!,
          issueInstant: Date.parse(theirs.getAttribute('IssueInstant')!),
          ...ours,
        }),
      )
      assert.deepEqual(shape(parse(mine)), shape(theirs))
    })
  }

  it('HTTP-POST: node-saml DEFLATEs the form value (the binding forbids it); ours is the XML itself', async () => {
    const saml = new SAML({
      entryPoint: PEER_IDP.ssoUrl,
      issuer: SP.entityId,
      callbackUrl: SP.acsUrl,
      idpCert: keys.idpAcme.cert,
      authnRequestBinding: 'HTTP-POST',
    })
    const theirs = readPostForm(await saml.getAuthorizeFormAsync('', undefined, {})).fields.SAMLRequest!
    assert.match(inflateRawSync(Buffer.from(theirs, 'base64')).toString('utf8'), /AuthnRequest/)
    const ours = readPostForm(
      postForm(PEER_IDP.ssoUrl, { type: 'SAMLRequest', xml: buildAuthnRequest(authnRequest()) }),
    )
    assert.match(Buffer.from(ours.fields.SAMLRequest!, 'base64').toString('utf8'), /^<samlp:AuthnRequest /)
  })
})

// Every message builder's output, unsigned and signed, against the OASIS SAML 2.0 schemas (the XSDs
// Debian's python3-pysaml2 ships, validated with xmlschema as pysaml2 does before it checks a
// signature): element order, required attributes and content, the Signature's place after Issuer.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { buildAuthnRequest } from '../../lib/messages/authn-request.js'
import { buildLogoutRequest } from '../../lib/messages/logout-request.js'
import { buildLogoutResponse, LOGOUT_STATUS } from '../../lib/messages/logout-response.js'
import { newMessageId } from '../../lib/messages/message-id.js'
import { signEnveloped } from '../../lib/xmldsig/sign-enveloped.js'
import { buildSpMetadata } from '../../lib/messages/sp-metadata.js'
import { keys } from '../support/test-idp.js'

const PYTHON = '/usr/bin/python3'
const SCRIPT = new URL('../support/pysaml2_check.py', import.meta.url).pathname
const now = Date.now()
const sp = 'https://app.test/saml/acme/metadata'
const signed = (xml: string, pair = keys.sp) =>
  signEnveloped(xml, { privateKey: pair.key, certificate: pair.cert, algorithm: 'sha256' })

const authnRequest = buildAuthnRequest({
  id: newMessageId(),
  issueInstant: now,
  destination: 'https://idp.test/sso',
  issuer: sp,
  assertionConsumerServiceUrl: 'https://app.test/saml/acme/acs',
  nameIdPolicy: { format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' },
  forceAuthn: true,
  isPassive: false,
})
const bareAuthnRequest = buildAuthnRequest({
  id: newMessageId(),
  issueInstant: now,
  destination: 'https://idp.test/sso',
  issuer: sp,
  assertionConsumerServiceUrl: 'https://app.test/saml/acme/acs',
})
const logoutRequest = buildLogoutRequest({
  id: newMessageId(),
  issueInstant: now,
  destination: 'https://idp.test/slo',
  issuer: sp,
  nameID: 'alice@acme.test',
  nameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  nameQualifier: 'https://idp.test',
  spNameQualifier: sp,
  sessionIndex: '_s1',
  notOnOrAfter: now + 60_000,
})
const logoutResponse = buildLogoutResponse({
  id: newMessageId(),
  issueInstant: now,
  destination: 'https://idp.test/slo',
  issuer: sp,
  inResponseTo: newMessageId(),
  statusCode: LOGOUT_STATUS.success,
  subStatusCode: LOGOUT_STATUS.partialLogout,
})
const metadata = buildSpMetadata({
  entityId: sp,
  assertionConsumerServiceUrls: ['https://app.test/saml/acme/acs', 'https://app.test/saml/acs'],
  authnRequestsSigned: true,
  wantAssertionsSigned: true,
  signingCerts: [keys.sp.cert, keys.spNext.cert],
  encryptionCerts: [keys.sp.cert, keys.spNext.cert],
  singleLogoutServices: [
    { binding: 'redirect', location: 'https://app.test/saml/acme/slo' },
    { binding: 'post', location: 'https://app.test/saml/acme/slo' },
  ],
  nameIdFormats: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
})

const docs = {
  'AuthnRequest, all options': authnRequest,
  'AuthnRequest, no NameIDPolicy': bareAuthnRequest,
  'AuthnRequest, signed (RSA)': signed(authnRequest),
  'LogoutRequest, every field': logoutRequest,
  'LogoutRequest, signed (EC)': signed(logoutRequest, keys.idpEc),
  'LogoutResponse, second-level status': logoutResponse,
  'LogoutResponse, signed (RSA)': signed(logoutResponse),
  'SP metadata, key rollover and both SLO bindings': metadata,
}

function validate(documents: Record<string, string>): Record<string, string | null> {
  const input = JSON.stringify({
    op: 'schema',
    docs: Object.entries(documents).map(([name, xml]) => ({ name, xml })),
  })
  const { results } = JSON.parse(execFileSync(PYTHON, [SCRIPT], { input, encoding: 'utf8' })) as {
    results: Array<{ name: string; error: string | null }>
  }
  return Object.fromEntries(results.map((r) => [r.name, r.error]))
}

describe('messages against the OASIS SAML 2.0 schemas', () => {
  it('every builder writes schema-valid XML, signed or not', () => {
    const errors = validate(docs)
    assert.deepEqual(errors, Object.fromEntries(Object.keys(docs).map((name) => [name, null])))
  })

  it('the checker does refuse misplaced elements (it is not a no-op)', () => {
    const issuer = /<saml:Issuer>.*?<\/saml:Issuer>/.exec(logoutRequest)![0]
    const misplaced = logoutRequest
      .replace(issuer, '')
      .replace('</samlp:LogoutRequest>', `${issuer}</samlp:LogoutRequest>`)
    const errors = validate({ 'Issuer after NameID': misplaced })
    assert.match(errors['Issuer after NameID'] ?? '', /Issuer/)
  })
})

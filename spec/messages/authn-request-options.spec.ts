// The AuthnRequest's options (SAML core 3.4.1) as IdPs read them: pysaml2's own classes (what its IdP
// server parses a request with) read back every option, signed or not, and the OASIS schema accepts
// each shape; the ACS named by index leaves out the URL and ProtocolBinding.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { buildAuthnRequest, type AuthnRequestXmlOptions } from '../../lib/messages/authn-request.js'
import { newMessageId } from '../../lib/messages/message-id.js'
import { signEnveloped } from '../../lib/xmldsig/sign-enveloped.js'
import { keys } from '../support/test-idp.js'

const PYTHON = '/usr/bin/python3'
const SCRIPT = new URL('../support/pysaml2_check.py', import.meta.url).pathname
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
const MFA = 'http://schemas.microsoft.com/claims/multipleauthn'
const PPT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'

function pysaml2<T>(command: object): T {
  return JSON.parse(execFileSync(PYTHON, [SCRIPT], { input: JSON.stringify(command), encoding: 'utf8' })) as T
}

interface Pysaml2Read {
  id: string
  force_authn: string | null
  is_passive: string | null
  protocol_binding: string | null
  assertion_consumer_service_url: string | null
  assertion_consumer_service_index: string | null
  attribute_consuming_service_index: string | null
  subject_name_id: string | null
  name_id_policy: {
    format: string | null
    allow_create: string | null
    sp_name_qualifier: string | null
  } | null
  requested_authn_context: { comparison: string | null; class_refs: string[] } | null
  scoping: {
    proxy_count: string | null
    idp_list: Array<{ provider_id: string; name: string | null; loc: string | null }>
    requester_ids: string[]
  } | null
}

const readByPysaml2 = (xml: string) => pysaml2<{ request: Pysaml2Read }>({ op: 'authn', xml }).request
const schemaErrors = (docs: Record<string, string>) =>
  pysaml2<{ results: Array<{ name: string; error: string | null }> }>({
    op: 'schema',
    docs: Object.entries(docs).map(([name, xml]) => ({ name, xml })),
  }).results.filter((r) => r.error !== null)

function request(overrides: Partial<AuthnRequestXmlOptions> = {}): AuthnRequestXmlOptions {
  return {
    id: newMessageId(),
    issueInstant: Date.now(),
    destination: 'https://idp.test/sso',
    issuer: 'https://app.test/saml/acme/metadata',
    assertionConsumerServiceUrl: 'https://app.test/saml/acme/acs',
    ...overrides,
  }
}

const everything = request({
  forceAuthn: true,
  isPassive: true,
  attributeConsumingServiceIndex: 2,
  subjectNameId: 'alice@acme.test',
  nameIdPolicy: { format: EMAIL, allowCreate: false, spNameQualifier: 'https://app.test/sp' },
  requestedAuthnContext: { classRefs: [MFA, PPT], comparison: 'minimum' },
  scoping: {
    proxyCount: 1,
    idpList: [
      { providerId: 'https://idp.one.test', name: 'One & Co', loc: 'https://idp.one.test/sso' },
      { providerId: 'https://idp.two.test' },
    ],
    requesterIds: ['https://app.test/saml/acme/metadata'],
  },
})
const byIndex = request({ assertionConsumerServiceIndex: 3, requestedAuthnContext: { classRefs: [PPT] } })
const sign = (xml: string) =>
  signEnveloped(xml, { privateKey: keys.sp.key, certificate: keys.sp.cert, algorithm: 'sha256' })

describe('AuthnRequest options read by pysaml2', () => {
  it('reads back every option, in the schema order, unsigned and signed', () => {
    const expected: Pysaml2Read = {
      id: everything.id,
      force_authn: 'true',
      is_passive: 'true',
      protocol_binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
      assertion_consumer_service_url: 'https://app.test/saml/acme/acs',
      assertion_consumer_service_index: null,
      attribute_consuming_service_index: '2',
      subject_name_id: 'alice@acme.test',
      name_id_policy: { format: EMAIL, allow_create: 'false', sp_name_qualifier: 'https://app.test/sp' },
      requested_authn_context: { comparison: 'minimum', class_refs: [MFA, PPT] },
      scoping: {
        proxy_count: '1',
        idp_list: [
          { provider_id: 'https://idp.one.test', name: 'One & Co', loc: 'https://idp.one.test/sso' },
          { provider_id: 'https://idp.two.test', name: null, loc: null },
        ],
        requester_ids: ['https://app.test/saml/acme/metadata'],
      },
    }
    const xml = buildAuthnRequest(everything)
    assert.deepEqual(readByPysaml2(xml), expected)
    assert.deepEqual(readByPysaml2(sign(xml)), expected)
  })

  it('names the ACS by index without its URL and ProtocolBinding (they are exclusive)', () => {
    const read = readByPysaml2(buildAuthnRequest(byIndex))
    assert.equal(read.assertion_consumer_service_index, '3')
    assert.equal(read.assertion_consumer_service_url, null)
    assert.equal(read.protocol_binding, null)
    assert.deepEqual(read.requested_authn_context, { comparison: 'exact', class_refs: [PPT] })
  })

  it('every shape is valid against the OASIS SAML 2.0 schema', () => {
    const docs = {
      'every option': buildAuthnRequest(everything),
      'every option, signed': sign(buildAuthnRequest(everything)),
      'ACS by index': buildAuthnRequest(byIndex),
      'only a Scoping with ProxyCount 0': buildAuthnRequest(request({ scoping: { proxyCount: 0 } })),
      'only a login hint': buildAuthnRequest(request({ subjectNameId: 'bob' })),
    }
    assert.deepEqual(schemaErrors(docs), [])
  })

  it('refuses what it cannot write: an index out of range, a control character', () => {
    assert.throws(() => buildAuthnRequest(request({ assertionConsumerServiceIndex: 70_000 })), TypeError)
    assert.throws(() => buildAuthnRequest(request({ scoping: { proxyCount: -1 } })), TypeError)
    assert.throws(() => buildAuthnRequest(request({ subjectNameId: 'a\u0000b' })), TypeError)
  })
})

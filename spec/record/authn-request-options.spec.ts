// An IdP record's `authnRequestOptions`: validated once when the record is written, with a message
// naming the field and what to change; stored frozen. The same rules check one login's options.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SamlError } from '../../lib/errors/saml-error.js'
import { readLoginRequestOptions } from '../../lib/record/authn-request-options.js'
import { normalizeIdpRecord } from '../../lib/record/normalize-idp-record.js'
import { keys } from '../support/test-idp.js'

const PPT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'
const base = {
  id: 'acme',
  entityId: 'https://idp.acme.test',
  ssoUrl: 'https://idp.acme.test/sso',
  signingCerts: [keys.idpAcme.cert],
}

const record = (authnRequestOptions: unknown) =>
  normalizeIdpRecord({ ...base, authnRequestOptions } as Parameters<typeof normalizeIdpRecord>[0])

describe('authnRequestOptions of an IdP record', () => {
  it('keeps every option, trimmed and frozen', () => {
    const given = {
      isPassive: false,
      requestedAuthnContext: { classRefs: [` ${PPT} `], comparison: 'better', enforce: true },
      scoping: {
        idpList: [{ providerId: 'https://idp.one.test', loc: 'https://idp.one.test/sso' }],
        proxyCount: 0,
      },
      nameIdPolicy: { allowCreate: true },
      assertionConsumerServiceIndex: 0,
      queryParameters: { domain_hint: 'acme.test' },
      loginHint: { queryParameter: 'login_hint' },
    }
    const fields = record(given)
    // As given, but for the class ref's surrounding white space.
    assert.deepEqual(fields.authnRequestOptions, {
      ...given,
      requestedAuthnContext: { ...given.requestedAuthnContext, classRefs: [PPT] },
    })
    assert.ok(Object.isFrozen(fields.authnRequestOptions))
    assert.ok(Object.isFrozen(fields.authnRequestOptions!.requestedAuthnContext!.classRefs))
    assert.equal(normalizeIdpRecord(base).authnRequestOptions, undefined, 'absent unless given')
  })

  const refused: Array<[string, unknown, RegExp]> = [
    ['not an object', 'passive', /"authnRequestOptions" must be an object, got string/],
    ['an unknown option', { forceAuthn: true }, /unknown field "forceAuthn"; known: isPassive,/],
    [
      'isPassive not a boolean',
      { isPassive: 'yes' },
      /"authnRequestOptions.isPassive" must be true or false/,
    ],
    ['no class refs', { requestedAuthnContext: { classRefs: [] } }, /classRefs" must have 1 to 32 entries/],
    [
      'a bad comparison',
      { requestedAuthnContext: { classRefs: [PPT], comparison: 'at least' } },
      /comparison" must be "exact", "minimum", "maximum" or "better"/,
    ],
    ['a control character', { requestedAuthnContext: { classRefs: ['a\nb'] } }, /without control characters/],
    [
      'ProxyCount out of range',
      { scoping: { proxyCount: 101 } },
      /proxyCount" must be an integer from 0 to 100/,
    ],
    [
      'an IDPEntry without ProviderID',
      { scoping: { idpList: [{ name: 'x' }] } },
      /providerId" must be a string/,
    ],
    ['a negative index', { assertionConsumerServiceIndex: -1 }, /must be an integer from 0 to 65535/],
    [
      'a query parameter that would shadow the binding',
      { queryParameters: { SAMLRequest: 'x' } },
      /may not hold "SAMLRequest"/,
    ],
    ['a query parameter name with a space', { queryParameters: { 'a b': 'x' } }, /may not hold "a b"/],
    [
      'a non-string parameter value',
      { queryParameters: { whr: 1 } },
      /"authnRequestOptions.queryParameters.whr" must be a string/,
    ],
    [
      'a login hint parameter named Signature',
      { loginHint: { queryParameter: 'Signature' } },
      /queryParameter" must be a query parameter name/,
    ],
    ['__proto__ as an option', JSON.parse('{"__proto__": {"isPassive": true}}'), /unknown field "__proto__"/],
  ]
  for (const [name, value, message] of refused) {
    it(`refuses ${name} with ERR_SAML_IDP_CONFIG naming the field`, () => {
      assert.throws(
        () => record(value),
        (err: unknown) =>
          err instanceof SamlError &&
          err.code === 'ERR_SAML_IDP_CONFIG' &&
          message.test(err.message) &&
          err.idp === 'acme',
      )
    })
  }
})

describe("one login's request options", () => {
  const fail = (message: string): never => {
    throw new Error(message)
  }
  it('keeps the known ones and leaves the rest (returnTo, Passport options) alone', () => {
    const read = readLoginRequestOptions(
      'login options',
      { loginHint: ' alice@acme.test ', forceAuthn: true, returnTo: '/x', successRedirect: '/' } as never,
      fail,
    )
    assert.deepEqual(read, { loginHint: 'alice@acme.test', forceAuthn: true })
  })
  it('refuses a login hint over 256 characters and one with control characters', () => {
    assert.throws(
      () => readLoginRequestOptions('login', { loginHint: 'a'.repeat(257) }, fail),
      /1–256 characters/,
    )
    assert.throws(
      () => readLoginRequestOptions('login', { loginHint: 'a\u0007' }, fail),
      /control characters/,
    )
  })
})

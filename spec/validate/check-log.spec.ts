/**
 * The check log: `validateResponse` records each check as it runs, in run order, and stops at the
 * failing one. Proven on real responses signed (and encrypted) by the test IdP, and on every valid
 * fixture and attack of the differential spec, with and without a log.
 */
import assert from 'node:assert/strict'
import { createPrivateKey } from 'node:crypto'
import { after, before, describe, it, mock } from 'node:test'
import { SamlError } from '../../lib/errors/saml-error.js'
import {
  CheckLog,
  SAML_CHECK_TITLES,
  type SamlCheck,
  type SamlCheckName,
} from '../../lib/validate/check-log.js'
import { compileTrustedKeys } from '../../lib/xmldsig/trusted-keys.js'
import {
  decodeSamlResponse,
  validateResponse,
  type ResponsePolicy,
} from '../../lib/validate/validate-response.js'
import { runStep } from '../../lib/validate/validation-step.js'
import { MESSAGE_XML_LIMITS } from '../../lib/xml/parse-xml.js'
import { attackCases, casePolicy, NOW, validCases, type Case } from '../support/differential-cases.js'
import { keys, mutateXml, NS, reencode, TestIdp, type ResponseOptions } from '../support/test-idp.js'

const SP_ENTITY_ID = 'https://sp.example.test/saml/acme/metadata'
const ACS_URL = 'https://sp.example.test/saml/acme/acs'
const ENTITY_ID = 'https://idp.acme.test/saml'
const AT = Date.parse('2026-03-02T10:00:00.000Z')
const ORDER = Object.keys(SAML_CHECK_TITLES) as SamlCheckName[]

const acme = new TestIdp({ entityId: ENTITY_ID, ssoUrl: 'https://idp.acme.test/sso', signing: keys.idpAcme })

function policy(extra: Partial<ResponsePolicy> = {}): ResponsePolicy {
  return {
    idp: 'acme',
    entityId: ENTITY_ID,
    spEntityId: SP_ENTITY_ID,
    acsUrls: [ACS_URL],
    trust: compileTrustedKeys([keys.idpAcme.cert], 'acme'),
    decryptionKeys: [createPrivateKey(keys.sp.key)],
    wantAssertionsSigned: true,
    wantResponseSigned: false,
    allowSha1: false,
    requireEncryptedAssertions: false,
    requireAesGcm: false,
    clockSkewMs: 60_000,
    limits: MESSAGE_XML_LIMITS,
    ...extra,
  }
}

function options(extra: Partial<ResponseOptions> = {}): ResponseOptions {
  return {
    spEntityId: SP_ENTITY_ID,
    acsUrl: ACS_URL,
    now: new Date(AT),
    nameId: 'alice@acme.test',
    attributes: [{ name: 'email', values: ['alice@acme.test'] }],
    ...extra,
  }
}

/** Validates `xml` with a log; returns the log and the error, if any. */
function validateLogged(
  xml: string,
  p: ResponsePolicy = policy(),
): { checks: SamlCheck[]; error?: SamlError } {
  const log = new CheckLog()
  try {
    validateResponse(decodeSamlResponse(reencode(xml), MESSAGE_XML_LIMITS), p, AT, log)
    return { checks: log.checks }
  } catch (err) {
    assert.ok(err instanceof SamlError)
    return { checks: log.checks, error: err }
  }
}

const names = (checks: readonly SamlCheck[]) => checks.map((c) => c.name)

/** Every entry passed except possibly the last; names unique and in the order SAML_CHECK_TITLES lists. */
function assertWellFormedLog(checks: readonly SamlCheck[]): void {
  let previous = -1
  checks.forEach((check, i) => {
    const at = ORDER.indexOf(check.name)
    assert.ok(at > previous, `${check.name} is out of run order in ${names(checks).join(', ')}`)
    previous = at
    assert.equal(check.title, SAML_CHECK_TITLES[check.name])
    if (i < checks.length - 1) assert.ok(check.ok, `${check.name} failed but is not the last entry`)
  })
}

/** The checks of an unencrypted, assertion-signed response, all run (Response unsigned). */
const ASSERTION_SIGNED: readonly SamlCheckName[] = [
  'response-structure',
  'document-shape',
  'response-issuer',
  'status',
  'one-assertion',
  'destination',
  'assertion-structure',
  'assertion-signature',
  'signed',
  'assertion-issuer',
  'issue-instant',
  'subject',
  'subject-confirmation',
  'conditions',
  'audience',
  'authn-statement',
  'attribute-statement',
]

describe('CheckLog', () => {
  it('run records a pass and returns the value; pass and fail record without running', () => {
    const log = new CheckLog()
    assert.equal(
      log.run('status', () => 42),
      42,
    )
    log.pass('idp')
    log.fail('replay', new SamlError('used', 'ERR_SAML_REPLAY'))
    assert.deepEqual(log.checks, [
      { name: 'status', title: SAML_CHECK_TITLES.status, ok: true },
      { name: 'idp', title: SAML_CHECK_TITLES.idp, ok: true },
      { name: 'replay', title: SAML_CHECK_TITLES.replay, ok: false, code: 'ERR_SAML_REPLAY' },
    ])
  })

  it('run records a failure with the SamlError code and rethrows the same error', () => {
    const log = new CheckLog()
    const error = new SamlError('no', 'ERR_SAML_STATUS')
    assert.throws(
      () =>
        log.run('status', () => {
          throw error
        }),
      (err) => err === error,
    )
    assert.deepEqual(log.checks, [
      { name: 'status', title: SAML_CHECK_TITLES.status, ok: false, code: 'ERR_SAML_STATUS' },
    ])
  })

  it('a non-SamlError failure is recorded with no code', () => {
    const log = new CheckLog()
    assert.throws(() =>
      log.run('verify', () => {
        throw new TypeError('bug in verify')
      }),
    )
    log.fail('verify', 'a string')
    for (const check of log.checks) {
      assert.equal(check.ok, false)
      assert.ok(!('code' in check))
    }
  })

  it('passed entries are shared and frozen, failed ones frozen', () => {
    const a = new CheckLog()
    const b = new CheckLog()
    a.pass('audience')
    b.run('audience', () => undefined)
    a.fail('status', new SamlError('no', 'ERR_SAML_STATUS'))
    assert.equal(a.checks[0], b.checks[0])
    assert.ok(a.checks.every(Object.isFrozen))
  })

  it('inside the validator an untyped error is recorded and thrown as ERR_SAML_MALFORMED', () => {
    const log = new CheckLog()
    const bug = new RangeError('a library choked on hostile input')
    assert.throws(
      () =>
        runStep(log, 'assertion-signature', () => {
          throw bug
        }),
      (err) => err instanceof SamlError && err.code === 'ERR_SAML_MALFORMED' && err.cause === bug,
    )
    assert.deepEqual(log.checks.at(-1), {
      name: 'assertion-signature',
      title: SAML_CHECK_TITLES['assertion-signature'],
      ok: false,
      code: 'ERR_SAML_MALFORMED',
    })
  })

  it('every name has a title', () => {
    for (const name of ORDER) assert.ok(SAML_CHECK_TITLES[name].length > 10, name)
  })
})

describe('validateResponse with a CheckLog', () => {
  it('a valid assertion-signed response logs every check passed, in run order', async () => {
    const { checks, error } = validateLogged((await acme.createResponse(options())).xml)
    assert.equal(error, undefined)
    assert.deepEqual(names(checks), ASSERTION_SIGNED)
    assert.ok(checks.every((c) => c.ok))
  })

  it('a signed Response answering a request adds its signature, Destination and InResponseTo checks', async () => {
    const { xml } = await acme.createResponse(options({ signResponse: true, inResponseTo: '_req1' }))
    const { checks, error } = validateLogged(xml, policy({ wantResponseSigned: true }))
    assert.equal(error, undefined)
    assert.deepEqual(names(checks), [
      ...ASSERTION_SIGNED.slice(0, 6),
      'response-signature',
      'signed-destination',
      ...ASSERTION_SIGNED.slice(6, 15),
      'response-in-response-to',
      ...ASSERTION_SIGNED.slice(15),
    ])
    assert.ok(checks.every((c) => c.ok))
  })

  it('an encrypted assertion logs decryption after the Response signature, before the assertion checks', async () => {
    const { xml } = await acme.createResponse(
      options({ signResponse: true, encrypt: { cert: keys.sp.cert, dataAlgorithm: 'aes256-gcm' } }),
    )
    const { checks, error } = validateLogged(xml)
    assert.equal(error, undefined)
    assert.deepEqual(names(checks), [
      ...ASSERTION_SIGNED.slice(0, 6),
      'response-signature',
      'signed-destination',
      'decryption',
      ...ASSERTION_SIGNED.slice(6),
    ])
    assert.ok(checks.every((c) => c.ok))
  })

  it('a plain assertion where encryption is required fails at decryption', async () => {
    const { checks, error } = validateLogged(
      (await acme.createResponse(options())).xml,
      policy({ requireEncryptedAssertions: true }),
    )
    assert.equal(error?.code, 'ERR_SAML_ENCRYPTION_REQUIRED')
    assert.deepEqual(names(checks), [...ASSERTION_SIGNED.slice(0, 6), 'decryption'])
    assert.deepEqual(checks.at(-1), {
      name: 'decryption',
      title: SAML_CHECK_TITLES.decryption,
      ok: false,
      code: 'ERR_SAML_ENCRYPTION_REQUIRED',
    })
  })

  it('a wrong Audience: every earlier check passed, audience failed last, nothing after it', async () => {
    const { checks, error } = validateLogged(
      (await acme.createResponse(options({ audience: 'https://other-sp.test' }))).xml,
    )
    assert.equal(error?.code, 'ERR_SAML_AUDIENCE_MISMATCH')
    const upTo = ASSERTION_SIGNED.indexOf('audience')
    assert.deepEqual(names(checks), ASSERTION_SIGNED.slice(0, upTo + 1))
    assert.ok(checks.slice(0, upTo).every((c) => c.ok))
    assert.deepEqual(checks.at(-1), {
      name: 'audience',
      title: SAML_CHECK_TITLES.audience,
      ok: false,
      code: 'ERR_SAML_AUDIENCE_MISMATCH',
    })
  })

  it('an expired response fails at the subject confirmation, its first window', async () => {
    const { checks, error } = validateLogged(
      (await acme.createResponse(options({ now: new Date(AT - 3_600_000) }))).xml,
    )
    assert.equal(error?.code, 'ERR_SAML_EXPIRED')
    const upTo = ASSERTION_SIGNED.indexOf('subject-confirmation')
    assert.deepEqual(names(checks), ASSERTION_SIGNED.slice(0, upTo + 1))
    assertWellFormedLog(checks)
    assert.deepEqual(
      { ...checks.at(-1) },
      {
        name: 'subject-confirmation',
        title: SAML_CHECK_TITLES['subject-confirmation'],
        ok: false,
        code: 'ERR_SAML_EXPIRED',
      },
    )
  })

  it('a failure at the Response signature leaves decryption and every assertion check out', async () => {
    const { xml } = await acme.createResponse(
      options({ signResponse: true, encrypt: { cert: keys.sp.cert, dataAlgorithm: 'aes256-gcm' } }),
    )
    const tampered = mutateXml(xml, (doc) =>
      doc.documentElement!.setAttribute('IssueInstant', new Date(AT + 1000).toISOString()),
    )
    const { checks, error } = validateLogged(tampered)
    assert.equal(error?.code, 'ERR_SAML_SIGNATURE_INVALID')
    assert.deepEqual(names(checks), [...ASSERTION_SIGNED.slice(0, 6), 'response-signature'])
    assert.deepEqual(checks.at(-1), {
      name: 'response-signature',
      title: SAML_CHECK_TITLES['response-signature'],
      ok: false,
      code: 'ERR_SAML_SIGNATURE_INVALID',
    })
    for (const absent of ['decryption', 'signed-destination', 'assertion-structure', 'assertion-signature'])
      assert.ok(!names(checks).includes(absent as SamlCheckName), absent)
  })

  it('skipped checks are not logged: an unsigned assertion where allowed, no Response Issuer or Destination', async () => {
    const responseSigned = validateLogged(
      (await acme.createResponse(options({ signAssertion: false, signResponse: true }))).xml,
      policy({ wantAssertionsSigned: false }),
    )
    assert.equal(responseSigned.error, undefined)
    assert.deepEqual(names(responseSigned.checks), [
      ...ASSERTION_SIGNED.slice(0, 6),
      'response-signature',
      'signed-destination',
      'assertion-structure',
      ...ASSERTION_SIGNED.slice(8),
    ])

    const bare = await acme.createResponse(
      options({
        beforeSign: (doc) => {
          const response = doc.documentElement!
          response.removeChild(response.getElementsByTagNameNS(NS.assertion, 'Issuer')[0]!)
          response.removeAttribute('Destination')
        },
      }),
    )
    const unaddressed = validateLogged(bare.xml)
    assert.equal(unaddressed.error, undefined)
    assert.deepEqual(
      names(unaddressed.checks),
      ASSERTION_SIGNED.filter((name) => name !== 'response-issuer' && name !== 'destination'),
    )
  })

  it('nothing signed where unsigned assertions are allowed fails at "signed"', async () => {
    const { checks, error } = validateLogged(
      (await acme.createResponse(options({ signAssertion: false }))).xml,
      policy({ wantAssertionsSigned: false }),
    )
    assert.equal(error?.code, 'ERR_SAML_SIGNATURE_MISSING')
    assert.deepEqual(names(checks), [...ASSERTION_SIGNED.slice(0, 7), 'signed'])
    assert.deepEqual(checks.at(-1), {
      name: 'signed',
      title: SAML_CHECK_TITLES.signed,
      ok: false,
      code: 'ERR_SAML_SIGNATURE_MISSING',
    })
  })
})

/** Where each attack of the differential spec is caught (`message` = before the validator). */
const CAUGHT_BY: Readonly<Record<string, SamlCheckName>> = {
  'xsw: signed assertion moved into Extensions, forged one in its place': 'document-shape',
  'xsw: forged assertion with the same ID, signed one in Extensions': 'document-shape',
  'xsw: signed assertion inside the Advice of a forged one': 'document-shape',
  'xsw: signed assertion inside ds:Object of the forged one': 'document-shape',
  'xsw: second, unsigned assertion after the signed one': 'document-shape',
  'xsw: forged assertion before the signed one': 'document-shape',
  'xsw: signed assertion duplicated': 'document-shape',
  'xsw: signed response copied into its own ds:Object, outer one forged': 'document-shape',
  'xsw: unsigned forged assertion in a signed response, whose signature is moved to Extensions':
    'document-shape',
  'duplicate IDs: Response and Assertion share one': 'document-shape',
  'comment injected into NameID after signing': 'subject',
  'comment injected into NameID after signing (inclusive c14n)': 'subject',
  'inclusive c14n: a namespace declared on the Response after signing': 'assertion-signature',
  'inclusive c14n: an xml:lang set on the Response after signing': 'assertion-signature',
  'attribute value changed after signing': 'assertion-signature',
  'NameID changed after signing': 'assertion-signature',
  'signed response: IssueInstant changed after signing': 'response-signature',
  'signed by an attacker key, attacker cert in KeyInfo': 'assertion-signature',
  'signed by an attacker key, trusted cert in KeyInfo': 'assertion-signature',
  "signed by another IdP's key": 'assertion-signature',
  'signed by the old key after the old cert was removed': 'assertion-signature',
  'ECDSA signature by an untrusted EC key': 'assertion-signature',
  'nothing signed': 'signed',
  'assertion unsigned where assertions must be signed': 'assertion-signature',
  'response unsigned where responses must be signed': 'response-signature',
  'encrypted, nothing signed': 'signed',
  'rsa-sha1 signature without allowSha1': 'assertion-signature',
  'exclusive c14n WithComments': 'assertion-signature',
  'inclusive c14n WithComments': 'assertion-signature',
  'WithComments as the Reference transform': 'assertion-signature',
  'rsa-1_5 key transport': 'decryption',
  'tripledes-cbc content encryption': 'decryption',
  'encrypted to another SP key': 'decryption',
  expired: 'subject-confirmation',
  'expired by skew + 1 s': 'subject-confirmation',
  'not yet valid': 'issue-instant',
  'not yet valid by skew + 1 s': 'issue-instant',
  'SubjectConfirmationData expired, Conditions still valid': 'subject-confirmation',
  'SessionNotOnOrAfter in the past': 'authn-statement',
  'wrong Audience': 'audience',
  'no Conditions': 'conditions',
  'wrong Destination': 'destination',
  'wrong Recipient': 'subject-confirmation',
  'wrong Issuer (signed by the trusted key)': 'response-issuer',
  'Assertion Issuer differs from the Response Issuer': 'assertion-issuer',
  'status Responder, no assertion': 'status',
  'status Responder with a signed assertion': 'status',
  'no SubjectConfirmation': 'subject',
  'holder-of-key SubjectConfirmation only': 'subject',
  'unknown Condition': 'audience',
  'no AuthnStatement': 'authn-statement',
  'Advice inside the signed assertion': 'assertion-structure',
  'Response and assertion InResponseTo differ': 'response-in-response-to',
  'Response Version 1.1': 'response-structure',
  'DOCTYPE with an internal entity': 'message',
  'billion laughs': 'message',
  'processing instruction': 'message',
  '20k elements in Extensions': 'message',
  'deep nesting in Extensions': 'message',
  'stray end tags hiding deep nesting': 'message',
  'XML: "<" in an attribute value': 'message',
  'XML: "]]>" in text': 'message',
  'XML: an undeclared element prefix': 'message',
  'XML: an undeclared attribute prefix': 'message',
  'XML: the xml prefix rebound': 'message',
  'XML: two attributes with one expanded name': 'message',
  'response over the size cap': 'message',
  'not a Response': 'response-structure',
  'Status after the Assertion': 'response-structure',
  'Response Issuer after the Status': 'response-structure',
  'Extensions after the Status': 'response-structure',
  'a samlp:Assertion (protocol namespace) beside the assertion': 'response-structure',
  'an Assertion of a look-alike namespace before the real one': 'response-structure',
  'Subject after Conditions, signed so': 'assertion-structure',
  'AuthnStatement before the Subject, signed so': 'assertion-structure',
  'EncryptedKey before the EncryptedData': 'decryption',
  "EncryptedKey wrapped inside another EncryptedKey's KeyInfo": 'decryption',
  'a second EncryptedData in the EncryptedAssertion': 'decryption',
  'CipherData before the EncryptionMethod': 'decryption',
  'CipherReference in place of the CipherValue': 'decryption',
  'the only EncryptedKey in a look-alike namespace': 'decryption',
  'RetrievalMethod naming no EncryptedKey': 'decryption',
  'EncryptedData of Type Content': 'decryption',
  'five EncryptedKeys': 'decryption',
  'an element of another namespace after the EncryptedKeys': 'decryption',
  'an MGF under rsa-oaep-mgf1p': 'decryption',
}

type Verdict = { accepted: true; nameID: string; attributes: unknown } | { accepted: false; code: string }

/** The differential spec's runner, optionally with a log; `message` is recorded as the core does. */
function verdict(input: string, c: Case, log?: CheckLog): Verdict {
  try {
    const doc = log
      ? log.run('message', () => decodeSamlResponse(input, MESSAGE_XML_LIMITS))
      : decodeSamlResponse(input, MESSAGE_XML_LIMITS)
    const assertion = validateResponse(doc, casePolicy(c.setup ?? {}), NOW, log)
    return { accepted: true, nameID: assertion.nameID, attributes: assertion.attributes }
  } catch (err) {
    assert.ok(err instanceof SamlError, `not a SamlError: ${String(err)}`)
    return { accepted: false, code: err.code }
  }
}

describe('the log on every case of the differential spec', () => {
  const inputs = new Map<string, string>()

  before(async () => {
    mock.timers.enable({ apis: ['Date'], now: NOW })
    for (const c of [...validCases, ...attackCases]) inputs.set(c.name, await c.make())
  })
  after(() => mock.timers.reset())

  it('every attack says which check catches it', () => {
    assert.deepEqual(Object.keys(CAUGHT_BY).sort(), attackCases.map((c) => c.name).sort())
  })

  for (const c of [...validCases, ...attackCases]) {
    it(`same verdict with a log, and the log ends where it did: ${c.name}`, () => {
      const input = inputs.get(c.name)!
      const plain = verdict(input, c)
      const log = new CheckLog()
      const logged = verdict(input, c, log)
      assert.deepEqual(logged, plain)
      assert.deepEqual(
        plain.accepted ? 'accept' : plain.code,
        c.ours,
        'the validator must still do what the differential spec says',
      )
      assertWellFormedLog(log.checks)
      const last = log.checks.at(-1)!
      if (plain.accepted) {
        assert.ok(log.checks.every((check) => check.ok))
        assert.equal(last.name, 'attribute-statement')
      } else {
        assert.deepEqual(
          { name: last.name, ok: last.ok, code: last.code },
          { name: CAUGHT_BY[c.name], ok: false, code: plain.code },
        )
      }
    })
  }
})

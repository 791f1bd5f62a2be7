/**
 * Differential spec: every valid fixture and every attack of spec/support/differential-cases.ts is
 * given to our validator and to @node-saml/node-saml (v5), configured the same way, at the same
 * frozen time.
 *
 * - We accept and node-saml rejects: the spec fails, unless the case is in NODE_SAML_CANNOT (a
 *   feature node-saml lacks, e.g. ECDSA).
 * - We reject and node-saml accepts: the case must be listed in STRICTER_BY_DESIGN, and every name
 *   there must be documented in docs/security.md. A listed case that node-saml starts rejecting (or
 *   that we start accepting) fails too, so the list cannot drift.
 *
 * `DIFF_REPORT=1 node --import tsx --test spec/security/differential.spec.ts` prints both outcomes of
 * every case.
 */
import assert from 'node:assert/strict'
import { constants, privateDecrypt, publicEncrypt } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { after, before, describe, it, mock } from 'node:test'
import { SamlError } from '../../lib/errors/saml-error.js'
import { decodeSamlResponse, validateResponse } from '../../lib/validate/validate-response.js'
import { MESSAGE_XML_LIMITS } from '../../lib/xml/parse-xml.js'
import {
  attackCases as attacks,
  casePolicy as ourPolicy,
  nodeSamlProfile,
  NOW,
  validCases as valid,
  type Setup,
} from '../support/differential-cases.js'
import { keys } from '../support/test-idp.js'

/** True when this Node still decrypts RSA PKCS#1 v1.5 (before 18.19.1 / 20.11.1 / 21.6.2). */
function nodeDecryptsPkcs1(): boolean {
  const padding = constants.RSA_PKCS1_PADDING
  try {
    const wrapped = publicEncrypt({ key: keys.sp.cert, padding }, Buffer.from('probe'))
    return privateDecrypt({ key: keys.sp.key, padding }, wrapped).toString() === 'probe'
  } catch {
    return false
  }
}

/**
 * Cases where we refuse and node-saml accepts. Each is documented, with the reason, in the
 * "Stricter than node-saml" section of docs/security.md.
 */
export const STRICTER_BY_DESIGN: readonly string[] = [
  'rsa-sha1 signature without allowSha1',
  // node-saml refuses RSA1_5 only where Node itself refuses PKCS#1 v1.5 decryption (CVE-2023-46809).
  ...(nodeDecryptsPkcs1() ? ['rsa-1_5 key transport'] : []),
  'tripledes-cbc content encryption',
  'comment injected into NameID after signing',
  'comment injected into NameID after signing (inclusive c14n)',
  'inclusive c14n: an xml:lang set on the Response after signing',
  'exclusive c14n WithComments',
  'inclusive c14n WithComments',
  'WithComments as the Reference transform',
  'wrong Destination',
  'wrong Recipient',
  'wrong Issuer (signed by the trusted key)',
  'Assertion Issuer differs from the Response Issuer',
  'status Responder with a signed assertion',
  'no SubjectConfirmation',
  'holder-of-key SubjectConfirmation only',
  'SubjectConfirmationData expired, Conditions still valid',
  'unknown Condition',
  'no AuthnStatement',
  'SessionNotOnOrAfter in the past',
  'Advice inside the signed assertion',
  'Response and assertion InResponseTo differ',
  'Response Version 1.1',
  'DOCTYPE with an internal entity',
  'processing instruction',
  '20k elements in Extensions',
  'deep nesting in Extensions',
  'stray end tags hiding deep nesting',
  'XML: "<" in an attribute value',
  'XML: "]]>" in text',
  'XML: an undeclared element prefix',
  'XML: an undeclared attribute prefix',
  'XML: the xml prefix rebound',
  'XML: two attributes with one expanded name',
  'response over the size cap',
  'Status after the Assertion',
  'Response Issuer after the Status',
  'Extensions after the Status',
  'Subject after Conditions, signed so',
  'AuthnStatement before the Subject, signed so',
  "EncryptedKey wrapped inside another EncryptedKey's KeyInfo",
  'a second EncryptedData in the EncryptedAssertion',
  'the only EncryptedKey in a look-alike namespace',
  'RetrievalMethod naming no EncryptedKey',
  'EncryptedData of Type Content',
  'five EncryptedKeys',
  'an element of another namespace after the EncryptedKeys',
  'an MGF under rsa-oaep-mgf1p',
]

/**
 * Valid responses node-saml cannot check, or accepts without reading all of (an encrypted NameID or
 * attributes), with the reason (also in docs/security.md).
 */
export const NODE_SAML_CANNOT: Readonly<Record<string, string>> = {
  'ecdsa-sha256 signed assertion': 'xml-crypto (node-saml 5) has no ECDSA signature algorithm',
  'inclusive c14n, both signed, default namespace (Entra shape)':
    'xml-crypto 6 writes the inherited default namespace twice in inclusive c14n of a SignedInfo; xmlsec1 verifies it',
  'EncryptedID in the signed assertion': 'node-saml does not decrypt an EncryptedID in the Subject',
  'EncryptedAttributes in the signed assertion': 'node-saml skips EncryptedAttributes',
  'Santuario: xenc11 rsa-oaep, SHA-256 and MGF1-SHA-256': 'xml-encryption has no xenc11#rsa-oaep',
  'Santuario: rsa-oaep-mgf1p with a SHA-256 digest':
    'xml-encryption reads the SHA-256 digest as MGF1-SHA-256 too; the algorithm fixes MGF1-SHA-1',
}

type Outcome = { accepted: true; nameID: string; groups: unknown } | { accepted: false; code: string }

function runOurs(samlResponse: string, setup: Setup): Outcome {
  try {
    const doc = decodeSamlResponse(samlResponse, MESSAGE_XML_LIMITS)
    const assertion = validateResponse(doc, ourPolicy(setup), Date.now())
    const groups = assertion.attributes.find((a) => a.name === 'groups')?.values
    return { accepted: true, nameID: assertion.nameID, groups }
  } catch (err) {
    // Every failure must be typed: a TypeError or a parser error escaping is a bug.
    assert.ok(err instanceof SamlError, `not a SamlError: ${String(err)}`)
    return { accepted: false, code: err.code }
  }
}

async function runNodeSaml(samlResponse: string, setup: Setup): Promise<Outcome> {
  try {
    const profile = await nodeSamlProfile(samlResponse, setup)
    if (!profile) return { accepted: false, code: 'no profile' }
    const groups = (profile.attributes as Record<string, unknown> | undefined)?.groups
    return { accepted: true, nameID: profile.nameID, groups }
  } catch (err) {
    return { accepted: false, code: (err as Error).message.slice(0, 120) }
  }
}

describe('differential: our validator against node-saml 5', () => {
  const inputs = new Map<string, string>()
  const observed = new Map<string, { ours: Outcome; nodeSaml: Outcome }>()

  before(async () => {
    // Responses are built and both validators run at the same frozen instant (node-saml reads Date).
    mock.timers.enable({ apis: ['Date'], now: NOW })
    for (const c of [...valid, ...attacks]) {
      assert.ok(!inputs.has(c.name), `duplicate case name ${c.name}`)
      inputs.set(c.name, await c.make())
    }
  })
  after(() => {
    mock.timers.reset()
    if (process.env.DIFF_REPORT) for (const [k, v] of observed) console.log(JSON.stringify([k, v]))
  })

  for (const c of valid) {
    it(`both accept: ${c.name}`, async () => {
      const input = inputs.get(c.name)!
      const ours = runOurs(input, c.setup ?? {})
      const nodeSaml = await runNodeSaml(input, c.setup ?? {})
      observed.set(c.name, { ours, nodeSaml })
      assert.deepEqual(ours, { accepted: true, nameID: 'alice@acme.test', groups: ['admins', 'staff'] })
      if (c.name in NODE_SAML_CANNOT) {
        assert.notDeepEqual(
          nodeSaml,
          ours,
          `node-saml now reads "${c.name}" as we do: drop it from NODE_SAML_CANNOT`,
        )
      } else {
        assert.deepEqual(
          nodeSaml,
          ours,
          'node-saml must accept the same response with the same NameID and groups',
        )
      }
    })
  }

  for (const c of attacks) {
    it(`we reject with ${c.ours}: ${c.name}`, async () => {
      const input = inputs.get(c.name)!
      const ours = runOurs(input, c.setup ?? {})
      const nodeSaml = await runNodeSaml(input, c.setup ?? {})
      observed.set(c.name, { ours, nodeSaml })
      assert.deepEqual(ours, { accepted: false, code: c.ours })
      if (nodeSaml.accepted) {
        assert.ok(
          STRICTER_BY_DESIGN.includes(c.name),
          `node-saml accepts "${c.name}" and we reject it: add it to STRICTER_BY_DESIGN and docs/security.md, or fix us`,
        )
        assert.notEqual(nodeSaml.nameID, 'mallory@evil.test', 'node-saml read the forged assertion')
      } else {
        assert.ok(
          !STRICTER_BY_DESIGN.includes(c.name),
          `node-saml now rejects "${c.name}" (${nodeSaml.code}): drop it from STRICTER_BY_DESIGN`,
        )
      }
    })
  }

  it('the stricter-by-design list names real cases and every one is documented', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8')
    const names = new Set([...valid, ...attacks].map((c) => c.name))
    for (const name of [...STRICTER_BY_DESIGN, ...Object.keys(NODE_SAML_CANNOT)]) {
      assert.ok(names.has(name), `"${name}" is listed but no case has that name`)
      assert.ok(doc.includes(`\`${name}\``), `docs/security.md does not document "${name}"`)
    }
  })
})

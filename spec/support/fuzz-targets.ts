/**
 * What the fuzzer feeds and what it drives: the signed responses it starts from (made by the
 * TestIdp, one per signing shape) and the two validators every input goes through, ours
 * (`decodeSamlResponse` + `validateResponse`, as the core's ACS path calls them) and
 * @node-saml/node-saml 5, both configured as in spec/security/differential.spec.ts. Build seeds and
 * run inputs with `Date` frozen at {@link NOW}: node-saml reads the clock.
 */
import { SamlError } from '../../lib/errors/saml-error.js'
import { decodeSamlResponse, validateResponse } from '../../lib/validate/validate-response.js'
import { MESSAGE_XML_LIMITS } from '../../lib/xml/parse-xml.js'
import {
  ACS_URL,
  acme,
  casePolicy,
  NOW,
  SP_ENTITY_ID,
  nodeSamlProfile,
  type Setup,
} from './differential-cases.js'
import { keys, reencode, type ResponseOptions } from './test-idp.js'

export { NOW }

/** A valid signed response the mutations start from. */
export interface FuzzSeed {
  readonly name: string
  readonly setup: Setup
  readonly xml: string
}

/** The signed data every accepted profile must equal. */
export interface Profile {
  readonly nameID: string
  readonly attributes: ReadonlyArray<{ name: string; values: readonly string[] }>
}

export type Outcome =
  | { readonly accepted: true; readonly profile: Profile }
  | { readonly accepted: false; readonly code: string; readonly typed: boolean; readonly error?: string }

const SEED_SHAPES: ReadonlyArray<{ name: string; setup: Setup; options: Partial<ResponseOptions> }> = [
  { name: 'assertion signed', setup: {}, options: {} },
  {
    name: 'response signed',
    setup: { wantAssertionsSigned: false },
    options: { signAssertion: false, signResponse: true },
  },
  { name: 'both signed', setup: { wantResponseSigned: true }, options: { signResponse: true } },
  {
    name: 'encrypted, assertion signed',
    setup: {},
    options: { encrypt: { cert: keys.sp.cert, dataAlgorithm: 'aes256-gcm' } },
  },
]

/** The seed responses, with fixed IDs so a fuzz seed picks the same mutations on every run. */
export async function makeSeeds(): Promise<FuzzSeed[]> {
  const seeds: FuzzSeed[] = []
  for (const shape of SEED_SHAPES) {
    const { xml } = await acme.createResponse({
      spEntityId: SP_ENTITY_ID,
      acsUrl: ACS_URL,
      now: new Date(NOW),
      nameId: 'alice@acme.test',
      attributes: [
        { name: 'email', values: ['alice@acme.test'] },
        { name: 'groups', values: ['admins', 'staff'] },
      ],
      responseId: '_fuzz-response',
      assertionId: '_fuzz-assertion',
      ...shape.options,
    })
    seeds.push({ name: shape.name, setup: shape.setup, xml })
  }
  return seeds
}

/** Our validator: accepted with the profile it read, or refused with the SamlError's code. */
export function runOurs(xml: string, setup: Setup): Outcome {
  try {
    const doc = decodeSamlResponse(reencode(xml), MESSAGE_XML_LIMITS)
    const assertion = validateResponse(doc, casePolicy(setup), Date.now())
    return {
      accepted: true,
      profile: {
        nameID: assertion.nameID,
        attributes: assertion.attributes.map((a) => ({ name: a.name, values: [...a.values] })),
      },
    }
  } catch (err) {
    if (err instanceof SamlError) return { accepted: false, code: err.code, typed: true }
    return { accepted: false, code: 'untyped', typed: false, error: String((err as Error)?.stack ?? err) }
  }
}

/** node-saml 5 with the same trust, audience, ACS and clock skew. */
export async function runNodeSaml(xml: string, setup: Setup): Promise<Outcome> {
  try {
    const profile = await nodeSamlProfile(reencode(xml), setup)
    if (!profile) return { accepted: false, code: 'no profile', typed: true }
    const attrs = (profile.attributes ?? {}) as Record<string, unknown>
    const attributes = Object.entries(attrs).map(([name, v]) => ({
      name,
      values: (Array.isArray(v) ? v : [v]).map(String),
    }))
    return { accepted: true, profile: { nameID: profile.nameID, attributes } }
  } catch (err) {
    return { accepted: false, code: String((err as Error)?.message ?? err).slice(0, 120), typed: true }
  }
}

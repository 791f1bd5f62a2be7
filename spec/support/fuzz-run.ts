/**
 * The fuzz loop shared by spec/security/fuzz.spec.ts (a short run) and scripts/fuzz.mjs (a long
 * one): mutate a seed response, run it through our validator and node-saml, check the invariants.
 *
 * Invariants, per input:
 * - our validator throws nothing but `SamlError`;
 * - what we accept, node-saml accepts too (the seeds are valid for both, so a mutation we accept
 *   and node-saml refuses is a differential to explain);
 * - what we accept carries exactly the seed's signed NameID and attributes.
 */
import { performance } from 'node:perf_hooks'
import { mutateResponse } from './fuzz-mutations.js'
import { Rng } from './rng.js'
import { runNodeSaml, runOurs, type FuzzSeed, type Outcome, type Profile } from './fuzz-targets.js'

export interface FuzzInput {
  readonly index: number
  readonly seed: string
  readonly mutations: readonly string[]
  readonly xml: string
}

export interface FuzzResult extends FuzzInput {
  readonly ours: Outcome
  readonly nodeSaml: Outcome
  readonly oursMs: number
  readonly nodeSamlMs: number
  /** Broken invariants, in words; empty when the input is fine. */
  readonly violations: readonly string[]
}

/** The inputs of a run: `count` mutants of the seeds, the same ones for the same `seed`. */
export function* fuzzInputs(seeds: readonly FuzzSeed[], seed: number, count: number): Generator<FuzzInput> {
  const rng = new Rng(seed)
  for (let index = 0; index < count; index++) {
    const base = rng.pick(seeds)
    const { xml, mutations } = mutateResponse(base.xml, rng)
    yield { index, seed: base.name, mutations, xml }
  }
}

/**
 * Inputs we accept and node-saml refuses because of a node-saml (xml-crypto) shortcoming, each with
 * the reason; docs/security.md ("Fuzzing") lists them too. A match is still checked for the signed
 * profile and for typed errors.
 */
export const NODE_SAML_MISREADS: ReadonlyArray<{
  name: string
  reason: string
  matches: (xml: string) => boolean
}> = [
  {
    name: 'a CDATA section in a SignatureValue or DigestValue',
    reason: 'xml-crypto reads only the first text node of the element, so the base64 it decodes is cut short',
    matches: (xml) => /<(?:[\w.-]+:)?(?:SignatureValue|DigestValue)\b[^>]*>[^<]*<!\[CDATA\[/.test(xml),
  },
]

function sameProfile(a: Profile, b: Profile): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Runs one input through both validators and checks the invariants. */
export async function checkInput(input: FuzzInput, seeds: readonly FuzzSeed[]): Promise<FuzzResult> {
  const seed = seeds.find((s) => s.name === input.seed)!
  let started = performance.now()
  const ours = runOurs(input.xml, seed.setup)
  const oursMs = performance.now() - started
  started = performance.now()
  const nodeSaml = await runNodeSaml(input.xml, seed.setup)
  const nodeSamlMs = performance.now() - started

  const violations: string[] = []
  if (!ours.accepted && !ours.typed) violations.push(`our validator threw a non-SamlError: ${ours.error}`)
  if (ours.accepted) {
    const signed = signedProfile(seed)
    if (!sameProfile(ours.profile, signed)) {
      violations.push(`accepted a profile that is not the signed one: ${JSON.stringify(ours.profile)}`)
    }
    const excused = NODE_SAML_MISREADS.find((m) => m.matches(input.xml))
    if (!nodeSaml.accepted && !excused) violations.push(`we accept and node-saml refuses (${nodeSaml.code})`)
  }
  return { ...input, ours, nodeSaml, oursMs, nodeSamlMs, violations }
}

const signedProfiles = new WeakMap<FuzzSeed, Profile>()

/** The profile our validator reads from the unmutated seed. */
export function signedProfile(seed: FuzzSeed): Profile {
  let profile = signedProfiles.get(seed)
  if (!profile) {
    const outcome = runOurs(seed.xml, seed.setup)
    if (!outcome.accepted) throw new Error(`seed "${seed.name}" is refused: ${outcome.code}`)
    profile = outcome.profile
    signedProfiles.set(seed, profile)
  }
  return profile
}

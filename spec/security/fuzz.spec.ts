/**
 * A short, seeded, deterministic fuzz run (`npm run fuzz` is the long one, with a report): signed
 * responses of every shape, mutated by the XML-structure operators of spec/support/fuzz-mutations.ts,
 * each through our validator and node-saml. See spec/support/fuzz-run.ts for the invariants.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it, mock } from 'node:test'
import { MUTATIONS } from '../support/fuzz-mutations.js'
import {
  checkInput,
  fuzzInputs,
  NODE_SAML_MISREADS,
  signedProfile,
  type FuzzResult,
} from '../support/fuzz-run.js'
import { makeSeeds, NOW, runNodeSaml, type FuzzSeed } from '../support/fuzz-targets.js'

const SEED = 20260302
const INPUTS = 300

describe('fuzz: mutated signed responses through our validator and node-saml', () => {
  let seeds: FuzzSeed[] = []
  const results: FuzzResult[] = []

  before(async () => {
    mock.timers.enable({ apis: ['Date'], now: NOW })
    seeds = await makeSeeds()
  })
  after(() => mock.timers.reset())

  it('every seed is accepted by both validators with the same NameID and attributes', async () => {
    for (const seed of seeds) {
      const ours = signedProfile(seed)
      assert.equal(ours.nameID, 'alice@acme.test', seed.name)
      const nodeSaml = await runNodeSaml(seed.xml, seed.setup)
      assert.ok(nodeSaml.accepted, `node-saml refuses the seed "${seed.name}"`)
      assert.equal(nodeSaml.profile.nameID, ours.nameID, seed.name)
    }
  })

  it(`${INPUTS} mutants (seed ${SEED}): no invariant broken`, async () => {
    for (const input of fuzzInputs(seeds, SEED, INPUTS)) results.push(await checkInput(input, seeds))
    const broken = results.filter((r) => r.violations.length > 0)
    assert.deepEqual(
      broken.map((r) => ({ index: r.index, seed: r.seed, mutations: r.mutations, violations: r.violations })),
      [],
      'run `npm run fuzz -- --seed 20260302 --iterations 300` to save the inputs',
    )
  })

  it('the run exercised every operator, accepted some mutants and refused others', () => {
    const used = new Set(results.flatMap((r) => r.mutations))
    assert.deepEqual(
      MUTATIONS.map((m) => m.name).filter((name) => !used.has(name)),
      [],
      'operators never applied',
    )
    const accepted = results.filter((r) => r.ours.accepted).length
    assert.ok(accepted > 0 && accepted < results.length, `accepted ${accepted} of ${results.length}`)
  })

  it('every input excused from the node-saml comparison is documented in docs/security.md', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8')
    for (const m of NODE_SAML_MISREADS)
      assert.ok(doc.includes(`\`${m.name}\``), `"${m.name}" is not documented`)
  })
})

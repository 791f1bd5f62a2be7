// `npm run fuzz -- [--iterations N] [--seed S] [--out DIR]`: the long fuzz run. Mutated signed
// responses go through our validator and node-saml (spec/support/fuzz-run.ts has the invariants);
// the report counts inputs by mutation and verdict, names the slowest input, flags any input our
// validator took over 2 s on (node-saml's time is reported, not budgeted), and saves every input that broke an invariant under DIR (default fuzz-output/,
// gitignored). Exits 1 when any invariant broke or any input took over 2 s.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { mock } from 'node:test'
import { checkInput, fuzzInputs, signedProfile, type FuzzResult } from '../spec/support/fuzz-run.js'
import { makeSeeds, NOW } from '../spec/support/fuzz-targets.js'

const BUDGET_MS = 2000

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '5000' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    out: { type: 'string', default: 'fuzz-output' },
  },
})
const iterations = Number(values.iterations)
const seed = Number(values.seed)
if (!Number.isSafeInteger(iterations) || iterations < 1)
  throw new TypeError('--iterations must be a positive integer')
if (!Number.isSafeInteger(seed)) throw new TypeError('--seed must be an integer')

interface Tally {
  inputs: number
  oursAccepted: number
  nodeSamlAccepted: number
}
const tally = (): Tally => ({ inputs: 0, oursAccepted: 0, nodeSamlAccepted: 0 })

mock.timers.enable({ apis: ['Date'], now: NOW }) // node-saml reads the clock; seeds are valid at NOW
const seeds = await makeSeeds()
for (const s of seeds) signedProfile(s)

const byMutation = new Map<string, Tally>()
const oursVerdicts = new Map<string, number>()
const nodeSamlVerdicts = new Map<string, number>()
const violations: FuzzResult[] = []
const overBudget: FuzzResult[] = []
let slowest: FuzzResult | undefined
let slowestNodeSaml: FuzzResult | undefined
const total = (r: FuzzResult) => r.oursMs + r.nodeSamlMs
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1)
const started = performance.now()

for (const input of fuzzInputs(seeds, seed, iterations)) {
  const r = await checkInput(input, seeds)
  for (const name of new Set(r.mutations)) {
    const t = byMutation.get(name) ?? tally()
    t.inputs++
    if (r.ours.accepted) t.oursAccepted++
    if (r.nodeSaml.accepted) t.nodeSamlAccepted++
    byMutation.set(name, t)
  }
  bump(oursVerdicts, r.ours.accepted ? 'accepted' : r.ours.code)
  bump(nodeSamlVerdicts, r.nodeSaml.accepted ? 'accepted' : 'refused')
  if (!slowest || r.oursMs > slowest.oursMs) slowest = r
  if (r.oursMs > BUDGET_MS) overBudget.push(r)
  if (!slowestNodeSaml || r.nodeSamlMs > slowestNodeSaml.nodeSamlMs) slowestNodeSaml = r
  if (r.violations.length > 0) violations.push(r)
  if ((r.index + 1) % 500 === 0)
    console.error(`${r.index + 1}/${iterations} inputs, ${violations.length} violations`)
}

mkdirSync(values.out, { recursive: true })
const saved = [...violations, ...overBudget].map((r) => {
  const file = join(values.out, `seed-${seed}-input-${r.index}.xml`)
  writeFileSync(file, r.xml)
  return file
})
const describeInput = (r: FuzzResult) => ({
  index: r.index,
  seed: r.seed,
  mutations: r.mutations,
  ours: r.ours,
  nodeSaml: r.nodeSaml,
  oursMs: Number(r.oursMs.toFixed(2)),
  nodeSamlMs: Number(r.nodeSamlMs.toFixed(2)),
  violations: r.violations,
})
const report = {
  seed,
  iterations,
  seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  budgetMs: BUDGET_MS,
  byMutation: Object.fromEntries([...byMutation].sort()),
  verdicts: { ours: Object.fromEntries(oursVerdicts), nodeSaml: Object.fromEntries(nodeSamlVerdicts) },
  slowest: slowest && { ...describeInput(slowest), totalMs: Number(total(slowest).toFixed(2)) },
  slowestForNodeSaml: slowestNodeSaml && describeInput(slowestNodeSaml),
  overBudget: overBudget.map(describeInput),
  violations: violations.map(describeInput),
  savedInputs: saved,
}
const reportFile = join(values.out, `report-seed-${seed}.json`)
writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`)
mock.timers.reset()

console.log(`fuzz: ${iterations} inputs from seed ${seed} in ${report.seconds} s`)
console.log('mutation                  inputs  ours accepted  node-saml accepted')
for (const [name, t] of Object.entries(report.byMutation)) {
  console.log(
    `${name.padEnd(24)} ${String(t.inputs).padStart(7)} ${String(t.oursAccepted).padStart(14)} ${String(t.nodeSamlAccepted).padStart(19)}`,
  )
}
console.log(`our verdicts: ${JSON.stringify(report.verdicts.ours)}`)
console.log(`node-saml verdicts: ${JSON.stringify(report.verdicts.nodeSaml)}`)
if (slowest) {
  console.log(
    `slowest input for our validator: #${slowest.index} (${slowest.mutations.join(', ')}) ${slowest.oursMs.toFixed(1)} ms ours, ${slowest.nodeSamlMs.toFixed(1)} ms node-saml`,
  )
}
if (slowestNodeSaml) {
  console.log(
    `slowest input for node-saml (not budgeted): #${slowestNodeSaml.index} (${slowestNodeSaml.mutations.join(', ')}) ${slowestNodeSaml.nodeSamlMs.toFixed(1)} ms`,
  )
}
console.log(
  `our validator over the ${BUDGET_MS} ms budget: ${overBudget.length}; invariants broken: ${violations.length}`,
)
console.log(`report: ${reportFile}`)
process.exitCode = violations.length > 0 || overBudget.length > 0 ? 1 : 0

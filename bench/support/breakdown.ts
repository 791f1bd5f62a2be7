/**
 * Where the time of this strategy's ACS path goes, from a V8 CPU profile of the public path alone
 * (the same Passport-edge calls the timing makes, on a fresh strategy instance) rather than from
 * timing the library's internal stages: self time is attributed by the module of the sampled frame,
 * so nothing but the public entries is imported.
 *
 * Attribution: a frame of Node's internals or a builtin passes its time up to the nearest caller in
 * this repository or a package, except crypto (`node:internal/crypto/…`: RSA, SHA, AES, RSA-OAEP),
 * which is a group of its own. Reading XML is three groups: the pre-scan (`lib/xml/parse-xml`),
 * `@rgrove/parse-xml` and the namespace pass that builds the tree (`lib/xml/resolve-namespaces.ts`);
 * c14n (`lib/xmldsig/canonicalization.ts`) is its own.
 *
 * @module
 */
import type { Profiler } from 'node:inspector'
import {
  inPackage,
  inLibrary,
  isGc,
  profileWhile,
  selfTimeByGroup,
  type ChargeTo,
  type ModuleGroup,
} from './profile.js'

/** The groups of the breakdown table, in column order. */
export const BREAKDOWN_COLUMNS = [
  'base64',
  'pre-parse scan',
  'parse-xml',
  'namespace pass',
  'c14n',
  'crypto',
  'validate + xmldsig',
  'GC',
  'rest',
] as const

export type BreakdownColumn = (typeof BREAKDOWN_COLUMNS)[number]

/** Mean self time per response of each group, in ms (GC included, so it exceeds the median). */
export type Breakdown = Readonly<Record<BreakdownColumn, number>> & {
  /** All groups together: the profiled ms per response. */
  readonly total: number
}

/** Crypto keeps its own time; every other internal charges the code that called it. */
const CHARGE_TO: ChargeTo = (frame) =>
  frame.url.startsWith('file://') || frame.url.startsWith('node:internal/crypto/')

const GROUPS: (ModuleGroup & { readonly label: BreakdownColumn })[] = [
  { label: 'base64', match: inLibrary('xml/base64') },
  // scanXml, and parseXml's own few lines around the parser.
  { label: 'pre-parse scan', match: inLibrary('xml/parse-xml') },
  { label: 'parse-xml', match: inPackage('@rgrove/parse-xml') },
  { label: 'namespace pass', match: inLibrary('xml/resolve-namespaces') },
  { label: 'c14n', match: inLibrary('xmldsig/canonicalization') },
  { label: 'crypto', match: (url) => url.startsWith('node:internal/crypto/') },
  {
    label: 'validate + xmldsig',
    match: (url) => inLibrary('validate/')(url) || inLibrary('xmldsig/')(url) || inLibrary('xml/')(url),
  },
  { label: 'GC', match: isGc },
]

/** The breakdown of one profile over `calls` calls. */
export function breakdownOf(profile: Profiler.Profile, calls: number): Breakdown {
  const times = selfTimeByGroup(profile, GROUPS, 'rest', CHARGE_TO)
  const out: Record<string, number> = {}
  let total = 0
  for (const { label, us } of times) {
    out[label] = us / 1000 / calls
    total += us
  }
  return { ...(out as Record<BreakdownColumn, number>), total: total / 1000 / calls }
}

/** Profiles `run` over every item and returns the breakdown per item. */
export async function profileBreakdown<T>(
  items: readonly T[],
  run: (item: T) => void | Promise<void>,
): Promise<Breakdown> {
  const profile = await profileWhile(async () => {
    for (const item of items) await run(item)
  }, 50)
  return breakdownOf(profile, items.length)
}

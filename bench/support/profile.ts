/**
 * V8 CPU profiles (the `node:inspector` sampling profiler) and where their time goes: self time per
 * function and per group of modules, chosen by the script URL of each sampled frame. This needs no
 * access to the library's internals, only to the code running, so the benchmarks can break a public
 * call down without importing anything but the public entries.
 *
 * Self time is where the CPU was when sampled: a DOM getter called by the validator counts for
 * xmldom, not for the validator. Time in a builtin or binding (RSA, SHA-256, `JSON.stringify`) is
 * charged to the nearest caller that {@link ChargeTo} accepts: by default the nearest frame with a
 * script (`node:internal/crypto/…` for crypto), with {@link APPLICATION} the nearest of the app's
 * own files or packages (so express-session's hashing counts for express-session).
 *
 * @module
 */
import { Session } from 'node:inspector/promises'
import type { Profiler } from 'node:inspector'

type CallFrame = Profiler.ProfileNode['callFrame']

/** A group of modules: a label and how to recognise its frames. */
export interface ModuleGroup {
  readonly label: string
  readonly match: (url: string, functionName: string) => boolean
  /** Only frames with a caller (at any depth) that this accepts. */
  readonly within?: (frame: CallFrame) => boolean
}

/** Self time of one group, or one function, over the profile. */
export interface SelfTime {
  readonly label: string
  readonly us: number
}

/** Runs `fn` under the sampling profiler (sampling every `intervalUs`) and returns the profile. */
export async function profileWhile(fn: () => Promise<void>, intervalUs = 100): Promise<Profiler.Profile> {
  const session = new Session()
  session.connect()
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs })
    await session.post('Profiler.start')
    const run = await fn().then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    )
    const { profile } = await session.post('Profiler.stop')
    await session.post('Profiler.disable')
    if (!run.ok) throw run.error
    return profile
  } finally {
    session.disconnect()
  }
}

/** Which frames time may be charged to; the others pass their time up to their caller. */
export type ChargeTo = (frame: CallFrame) => boolean

/** Any frame with a script: a builtin without one (`JSON.stringify`, a RegExp, a binding) is not. */
export const SCRIPTED: ChargeTo = (frame) => frame.url !== ''

/** Only the application's own files and its packages: Node's internals charge their caller too. */
export const APPLICATION: ChargeTo = (frame) => frame.url.startsWith('file://')

/** Frames that are no code at all: the profiler's own pseudo-nodes. */
const IDLE = new Set(['(idle)', '(program)', '(root)'])
const GC = '(garbage collector)'

/** A profile's nodes with their callers, and the self time charged to each. */
class ChargedProfile {
  private readonly parents = new Map<number, Profiler.ProfileNode>()
  /** Microseconds per charged node; idle time left out. */
  readonly selfUs = new Map<Profiler.ProfileNode, number>()

  constructor(profile: Profiler.Profile, chargeTo: ChargeTo) {
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
    for (const node of profile.nodes) for (const child of node.children ?? []) this.parents.set(child, node)
    const samples = profile.samples ?? []
    const deltas = profile.timeDeltas ?? []
    // Sample i lasts until the next one: timeDeltas[i + 1].
    for (let i = 0; i < samples.length; i++) {
      const node = nodes.get(samples[i]!)!
      const { functionName, url } = node.callFrame
      if (url === '' && IDLE.has(functionName)) continue
      const charged = this.owner(node, chargeTo)
      this.selfUs.set(charged, (this.selfUs.get(charged) ?? 0) + (deltas[i + 1] ?? 0))
    }
  }

  /** The nearest frame, `node` itself first, that `chargeTo` accepts; `node` when there is none. */
  private owner(node: Profiler.ProfileNode, chargeTo: ChargeTo): Profiler.ProfileNode {
    for (let at: Profiler.ProfileNode | undefined = node; at; at = this.parents.get(at.id)) {
      if (at.callFrame.functionName === '(root)') break
      if (at.callFrame.functionName === GC || chargeTo(at.callFrame)) return at
    }
    return node
  }

  /** Whether a caller of `node`, at any depth, is accepted by `test`. */
  calledFrom(node: Profiler.ProfileNode, test: (frame: CallFrame) => boolean): boolean {
    for (let at = this.parents.get(node.id); at; at = this.parents.get(at.id)) {
      if (test(at.callFrame)) return true
    }
    return false
  }
}

/** Self time by group, in the order of `groups` (the first that matches), then `rest`. */
export function selfTimeByGroup(
  profile: Profiler.Profile,
  groups: readonly ModuleGroup[],
  rest = 'the rest',
  chargeTo = SCRIPTED,
): SelfTime[] {
  const charged = new ChargedProfile(profile, chargeTo)
  const totals = new Map<string, number>([...groups.map((g) => [g.label, 0] as const), [rest, 0]])
  for (const [node, us] of charged.selfUs) {
    const { url, functionName } = node.callFrame
    const group = groups.find(
      (g) => g.match(url, functionName) && (!g.within || charged.calledFrom(node, g.within)),
    )
    const label = group?.label ?? rest
    totals.set(label, totals.get(label)! + us)
  }
  return [...totals].map(([label, us]) => ({ label, us }))
}

/** The `top` functions by self time (name, file and line). */
export function topFunctions(
  profile: Profiler.Profile,
  top: number,
  root?: string,
  chargeTo = SCRIPTED,
): SelfTime[] {
  const totals = new Map<string, number>()
  for (const [node, us] of new ChargedProfile(profile, chargeTo).selfUs) {
    const label = frameLabel(node.callFrame, root)
    totals.set(label, (totals.get(label) ?? 0) + us)
  }
  return [...totals]
    .map(([label, us]) => ({ label, us }))
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
}

/** `name (file:line)`, the file relative to `root` or to node_modules. */
export function frameLabel(frame: CallFrame, root?: string): string {
  let file = frame.url
  if (root && file.startsWith(root)) file = file.slice(root.length)
  const nm = file.lastIndexOf('/node_modules/')
  if (nm !== -1) file = file.slice(nm + '/node_modules/'.length)
  const name = frame.functionName || '(anonymous)'
  if (file === '') return name
  // tsx's output of a .ts file keeps no line breaks: its line numbers say nothing.
  return file.endsWith('.ts') ? `${name} (${file})` : `${name} (${file}:${frame.lineNumber + 1})`
}

/** A frame's file is in `node_modules/<pkg>/`. */
export function inPackage(pkg: string): (url: string) => boolean {
  const needle = `/node_modules/${pkg}/`
  return (url) => url.includes(needle)
}

/** A frame's file is under this repository's `path` (a directory like `lib/validate/`, or a file). */
export function inRepo(path: string): (url: string) => boolean {
  const needle = `/${path}`
  return (url) => url.startsWith('file://') && !url.includes('/node_modules/') && url.includes(needle)
}

/**
 * A frame's file is the library's `path` (a file like `xml/base64`, or a folder like `validate/`),
 * as source (`lib/…/*.ts`) or as the build the bench runs (`dist/esm/…/*.js`, see use-build.mjs).
 */
export function inLibrary(path: string): (url: string) => boolean {
  const folder = path === '' || path.endsWith('/')
  const source = inRepo(`lib/${folder ? path : `${path}.ts`}`)
  const built = inRepo(`dist/esm/${folder ? path : `${path}.js`}`)
  return (url) => source(url) || built(url)
}

/** The garbage collector's pseudo-frame. */
export function isGc(_url: string, functionName: string): boolean {
  return functionName === GC
}

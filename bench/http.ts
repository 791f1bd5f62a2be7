/**
 * `npm run bench -- http`: whole logins over HTTP. The demo app (`startDemo`, default backends) and
 * a passport-saml `MultiSamlStrategy` app built the same way each run in a child process; one
 * keep-alive client in this process posts pre-signed IdP-initiated responses for the acme tenant at
 * concurrency 8, in alternating rounds (ours, peer, ours, peer, …). A login counts only when it is
 * accepted: a 302 to the return path that sets the app's session cookie; anything else aborts.
 * See docs/performance.md.
 *
 * Rounds last the same time for both apps (`BENCH_HTTP_ROUND_MS`, default 1500), so each sits idle
 * as long as the other between its rounds (an idle V8 shrinks its heap and cools its caches, which
 * costs the next round). The pools are signed after the warm-up, sized from its rate.
 *
 * Environment: `BENCH_HTTP_ROUNDS` timed rounds per app (default 8), `BENCH_HTTP_WARMUP` warm-up
 * logins per app (default 1000), `BENCH_HTTP_PROFILE_N` logins of the profiled round of ours
 * (default 300), `BENCH_HTTP_PROFILE_DIR` to keep its profile (`*.cpuprofile`, for Chrome DevTools).
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hrtime } from 'node:process'
import type { Profiler } from 'node:inspector'
import { TestIdp, type ResponseOptions } from '../spec/support/test-idp.js'
import type { AppMessage, StartedApp } from './support/http-apps.js'
import { OKTA_ATTRIBUTES } from './support/inputs.js'
import {
  APPLICATION,
  inPackage,
  inLibrary,
  inRepo,
  isGc,
  selfTimeByGroup,
  topFunctions,
  type ModuleGroup,
} from './support/profile.js'
import { fmtMs, machineLine, markdownTable } from './support/stats.js'

const CONCURRENCY = 8
/** Responses stay valid this long after signing, so the whole run fits in their window. */
const VALID_FOR_MS = 20 * 60_000
const RETURN_TO = '/home'
const REPO_ROOT = new URL('..', import.meta.url).href

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`${name} must be a positive integer, got "${raw}"`)
  return n
}

type AppName = 'ours' | 'peer'

/** One app in its child process, with request/answer over IPC. */
class AppProcess {
  private nextId = 1
  private readonly waiting = new Map<number, (answer: Record<string, unknown>) => void>()
  started!: StartedApp

  private constructor(
    readonly name: AppName,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (answer: Record<string, unknown> & { id: number }) => {
      this.waiting.get(answer.id)?.(answer)
      this.waiting.delete(answer.id)
    })
  }

  static async start(name: AppName, record?: StartedApp['record']): Promise<AppProcess> {
    const child = fork(new URL('./support/http-apps.ts', import.meta.url), [name], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const app = new AppProcess(name, child)
    child.once('exit', (code) => {
      for (const fail of app.waiting.values()) fail({ error: `the ${name} app exited (code ${code})` })
    })
    app.started = (await app.ask({ type: 'start', ...(record && { record }) })) as unknown as StartedApp
    return app
  }

  async ask(message: DistributiveOmit<AppMessage, 'id'>): Promise<Record<string, unknown>> {
    const id = this.nextId++
    const answer = new Promise<Record<string, unknown>>((resolve) => this.waiting.set(id, resolve))
    this.child.send({ ...message, id })
    const body = await answer
    if (typeof body.error === 'string') throw new Error(`bench http: ${this.name} app: ${body.error}`)
    return body
  }

  /** User + system CPU time of the app's process so far (µs), and its GC pauses (ms). */
  async usage(): Promise<{ cpuUs: number; gcMs: number }> {
    const { usage, gcMs } = (await this.ask({ type: 'cpu' })) as unknown as {
      usage: NodeJS.CpuUsage
      gcMs: number
    }
    return { cpuUs: usage.user + usage.system, gcMs }
  }

  async close(): Promise<void> {
    const exited = once(this.child, 'exit')
    await this.ask({ type: 'close' }).catch(() => {})
    await exited
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** One app as the client sees it: where to post, its pool of request bodies, its keep-alive agent. */
interface Target {
  readonly app: AppProcess
  readonly agent: Agent
  readonly bodies: Buffer[]
  next: number
}

/** Latencies and totals of one round. */
interface Round {
  readonly latenciesMs: number[]
  readonly wallMs: number
  readonly cpuUs: number
  readonly gcMs: number
}

/** Posts one login; resolves with its latency, or rejects when it was not accepted. */
function postLogin(target: Target, body: Buffer): Promise<number> {
  const { port, cookieName } = target.app.started
  return new Promise((resolve, reject) => {
    const start = hrtime.bigint()
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/saml/acme/acs',
        agent: target.agent,
        headers: {
          host: `localhost:${port}`,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': body.length,
          accept: 'text/html',
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const ms = Number(hrtime.bigint() - start) / 1e6
          const cookies = res.headers['set-cookie'] ?? []
          if (
            res.statusCode === 302 &&
            res.headers.location === RETURN_TO &&
            cookies.some((c) => c.startsWith(`${cookieName}=`))
          ) {
            return resolve(ms)
          }
          reject(
            new Error(
              `bench http: ${target.app.name} did not accept a login: ${res.statusCode} location=${String(res.headers.location)} cookies=${cookies.length} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`,
            ),
          )
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** How long a round lasts: a number of logins, or a duration (no login starts after it). */
type RoundLimit = { readonly count: number } | { readonly durationMs: number }

/** Logins at concurrency 8, each with the next unused response of the target's pool. */
async function runRound(target: Target, limit: RoundLimit): Promise<Round> {
  const end = 'count' in limit ? target.next + limit.count : target.bodies.length
  if (end > target.bodies.length) throw new Error('bench http: the response pool ran out')
  const latenciesMs: number[] = []
  const before = await target.app.usage()
  const start = hrtime.bigint()
  const durationMs = 'durationMs' in limit ? limit.durationMs : undefined
  const deadline = durationMs === undefined ? undefined : start + BigInt(Math.round(durationMs * 1e6))
  const worker = async () => {
    while (target.next < end && (deadline === undefined || hrtime.bigint() < deadline)) {
      latenciesMs.push(await postLogin(target, target.bodies[target.next++]!))
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const wallMs = Number(hrtime.bigint() - start) / 1e6
  const after = await target.app.usage()
  if (durationMs !== undefined && wallMs < durationMs) {
    throw new Error(
      `bench http: ${target.app.name} used up its ${target.bodies.length} responses before the round's end`,
    )
  }
  return { latenciesMs, wallMs, cpuUs: after.cpuUs - before.cpuUs, gcMs: after.gcMs - before.gcMs }
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

/** The summary of one app's timed rounds. */
interface Summary {
  readonly logins: number
  /** Median over rounds of accepted logins per second. */
  readonly perSecond: number
  readonly perSecondRange: readonly [number, number]
  readonly medianMs: number
  readonly p95Ms: number
  /** Server process CPU (user + system) per login. */
  readonly cpuMs: number
  /** Server main-thread garbage collection pauses per login. */
  readonly gcMs: number
}

function summarize(rounds: readonly Round[]): Summary {
  const rates = rounds.map(rate)
  const all = rounds.flatMap((r) => r.latenciesMs)
  return {
    logins: all.length,
    perSecond: quantile(rates, 0.5),
    perSecondRange: [Math.min(...rates), Math.max(...rates)],
    medianMs: quantile(all, 0.5),
    p95Ms: quantile(all, 0.95),
    cpuMs: rounds.reduce((s, r) => s + r.cpuUs, 0) / 1000 / all.length,
    gcMs: rounds.reduce((s, r) => s + r.gcMs, 0) / all.length,
  }
}

/** Groups of the server profile: where a login's CPU time goes, by module. */
const SERVER_GROUPS: ModuleGroup[] = [
  {
    label: 'SAML validation (lib/xml, lib/validate, lib/xmldsig, xmldom, xml-crypto; RSA and SHA included)',
    match: (url) =>
      inLibrary('xml/')(url) ||
      inLibrary('validate/')(url) ||
      inLibrary('xmldsig/')(url) ||
      inPackage('@xmldom/xmldom')(url) ||
      inPackage('xml-crypto')(url),
  },
  {
    label: 'library around it (lib/core, lib/strategy, lib/express, lib/store, lib/cache, lib/profile, …)',
    match: (url) => inLibrary('')(url),
  },
  { label: 'PGlite (IdP store)', match: inPackage('@electric-sql/pglite') },
  {
    label: 'express-session (incl. its JSON hashing) and cookies',
    match: (url) =>
      ['express-session', 'cookie', 'cookie-signature', 'uid-safe', 'random-bytes', 'on-headers'].some((p) =>
        inPackage(p)(url),
      ),
  },
  { label: 'passport', match: (url) => inPackage('passport')(url) || inPackage('passport-strategy')(url) },
  {
    label: 'body parsing (body-parser, raw-body, iconv-lite, qs)',
    match: (url) => ['body-parser', 'raw-body', 'iconv-lite', 'qs', 'type-is'].some((p) => inPackage(p)(url)),
  },
  {
    label: 'Express and its helpers (router, send, negotiator, …)',
    match: (url) => url.includes('/node_modules/'),
  },
  { label: 'the demo (demo/)', match: inRepo('demo/') },
  {
    label: 'Node HTTP, net and streams',
    match: (url) => /^node:(internal\/)?(http|_http|net|stream|streams)/.test(url),
  },
  { label: 'garbage collection', match: isGc },
]

/** The server-side breakdown of one profiled round: ms per login by group and the top functions. */
function printServerProfile(name: string, profile: Profiler.Profile, logins: number, cpuMs: number): void {
  const groups = selfTimeByGroup(profile, SERVER_GROUPS, 'other Node internals', APPLICATION)
  const total = groups.reduce((s, g) => s + g.us, 0)
  console.log(
    `\nWhere the ${name} server's time goes (V8 sampling profile of ${logins} logins, self time of its main thread; ${fmtMs(total / 1000 / logins)} ms per login in all, against ${fmtMs(cpuMs)} ms of process CPU per login in that round: the profiler's clock is wall time, so on a busy machine read the shares):\n`,
  )
  console.log(
    markdownTable(
      ['group', 'ms per login', 'share'],
      groups
        .filter((g) => g.us > 0)
        .map((g) => [g.label, fmtMs(g.us / 1000 / logins), `${((g.us / total) * 100).toFixed(1)}%`]),
    ),
  )
  console.log(`\nTop functions of the ${name} server by self time:\n`)
  console.log(
    markdownTable(
      ['function', 'ms per login', 'share'],
      topFunctions(profile, 20, REPO_ROOT, APPLICATION).map((f) => [
        f.label,
        fmtMs(f.us / 1000 / logins),
        `${((f.us / total) * 100).toFixed(1)}%`,
      ]),
    ),
  )
}

/** Profiles one round of `target` in its process and prints where the time went. */
async function profileRound(target: Target, count: number, keepDir: string | undefined): Promise<void> {
  const dir = keepDir ?? (await mkdtemp(join(tmpdir(), 'bench-http-profile-')))
  const file = join(dir, `http-${target.app.name}-${Date.now()}.cpuprofile`)
  await target.app.ask({ type: 'profile-start' })
  const round = await runRound(target, { count })
  await target.app.ask({ type: 'profile-stop', file })
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profiler.Profile
  printServerProfile(target.app.name, profile, count, round.cpuUs / 1000 / count)
  if (keepDir) console.log(`\nprofile kept: ${file}`)
  else await rm(dir, { recursive: true, force: true })
}

/** The urlencoded form a browser posts for one response. */
function formBody(samlResponse: string): Buffer {
  return Buffer.from(
    `SAMLResponse=${encodeURIComponent(samlResponse)}&RelayState=${encodeURIComponent(RETURN_TO)}`,
  )
}

/** Signs `count` responses of the acme tenant for `app` (its own ACS and SP entityID). */
async function signBodies(idp: TestIdp, app: AppProcess, count: number, now: Date): Promise<Buffer[]> {
  const options: ResponseOptions = {
    spEntityId: `${app.started.url}/saml/acme/metadata`,
    acsUrl: `${app.started.url}/saml/acme/acs`,
    namespaceStyle: 'saml2',
    inclusiveNamespacesPrefixList: 'xs',
    nameId: 'alice@acme.test',
    attributes: OKTA_ATTRIBUTES,
    signAssertion: true,
    validForMs: VALID_FOR_MS,
    now,
  }
  const out: Buffer[] = []
  for (let i = 0; i < count; i++) out.push(formBody((await idp.createResponse(options)).base64))
  return out
}

/** Logins per second of a round. */
function rate(round: Round): number {
  return (round.latenciesMs.length / round.wallMs) * 1000
}

export async function run(): Promise<void> {
  const roundMs = positiveInt('BENCH_HTTP_ROUND_MS', 1500)
  const rounds = positiveInt('BENCH_HTTP_ROUNDS', 8)
  const warmup = positiveInt('BENCH_HTTP_WARMUP', 1000)
  const profiled = positiveInt('BENCH_HTTP_PROFILE_N', 300)
  const profileDir = process.env.BENCH_HTTP_PROFILE_DIR || undefined
  const started = Date.now()
  console.log('\n## HTTP: the demo app vs a passport-saml MultiSamlStrategy app, whole logins\n')
  console.log(machineLine())
  console.log(
    `${rounds} timed rounds of ${roundMs} ms per app, alternating, after ${warmup} warm-up logins each; concurrency ${CONCURRENCY}, keep-alive; every login posts a different freshly signed IdP-initiated response\n`,
  )

  const ours = await AppProcess.start('ours')
  const { record, signing } = ours.started
  if (!record || !signing) throw new Error('bench http: the demo gave no acme record or key')
  const peer = await AppProcess.start('peer', record)
  const targets: Record<AppName, Target> = {
    ours: { app: ours, agent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }), bodies: [], next: 0 },
    peer: { app: peer, agent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }), bodies: [], next: 0 },
  }
  const apps = ['ours', 'peer'] as const
  try {
    // The demo's embedded IdP, signing with the key it keeps in its data dir, registered in both apps.
    const idp = new TestIdp({
      entityId: record.entityId,
      ssoUrl: record.ssoUrls.redirect ?? record.ssoUrls.post ?? '',
      signing,
    })
    const now = new Date()
    let t = performance.now()
    for (const name of apps)
      targets[name].bodies.push(...(await signBodies(idp, targets[name].app, warmup, now)))
    const sample = Buffer.from(
      decodeURIComponent(/SAMLResponse=([^&]*)/.exec(targets.ours.bodies[0]!.toString())![1]!),
      'base64',
    )
    console.log(
      `signed ${2 * warmup} warm-up responses (acme, Okta-like, ${(sample.length / 1024).toFixed(1)} KB of XML, ${(targets.ours.bodies[0]!.length / 1024).toFixed(1)} KB form) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    )
    console.log(
      `ours: the demo (${ours.started.url}), IdP store PGlite, cache and sessions in memory; peer: passport-saml MultiSamlStrategy (${peer.started.url}), SqlIdpStore on PGlite, sessions in memory\n`,
    )

    // Warm-up (JIT, the IdP store's lookup cache, compiled IdP state, sockets), whose second half
    // tells how many responses the timed rounds need.
    const need: Record<AppName, number> = { ours: 0, peer: 0 }
    for (const name of apps) {
      await runRound(targets[name], { count: warmup - Math.floor(warmup / 2) })
      const second = await runRound(targets[name], { count: Math.floor(warmup / 2) })
      // Twice the warm-up rate: an app may still speed up, and running out aborts the run.
      need[name] = Math.ceil((2 * rate(second) * roundMs * rounds) / 1000) + (name === 'ours' ? profiled : 0)
    }
    t = performance.now()
    for (const name of apps)
      targets[name].bodies.push(...(await signBodies(idp, targets[name].app, need[name], now)))
    console.log(
      `signed ${need.ours} + ${need.peer} responses for the timed rounds in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    )
    // Both apps sat idle while signing: a short burst each before timing.
    for (const name of apps) await runRound(targets[name], { count: 100 })

    // Rounds of equal duration, so each app idles as long as the other between its rounds.
    const timed: Record<AppName, Round[]> = { ours: [], peer: [] }
    for (let r = 0; r < rounds; r++) {
      for (const name of apps) {
        const round = await runRound(targets[name], { durationMs: roundMs })
        timed[name].push(round)
        const n = round.latenciesMs.length
        process.stdout.write(
          `round ${r + 1} ${name}: ${n} logins, ${rate(round).toFixed(0)} logins/s, server CPU ${fmtMs(round.cpuUs / 1000 / n)} ms/login, GC ${fmtMs(round.gcMs / n)} ms/login\n`,
        )
      }
    }
    const o = summarize(timed.ours)
    const p = summarize(timed.peer)
    const ratio = o.perSecond / p.perSecond

    console.log(
      `\nAccepted logins (302 to ${RETURN_TO} with a session cookie; every one was), median over rounds of logins/s (range), latency over every timed login (${o.logins} ours, ${p.logins} peer), server process CPU (user + system, all threads) and main-thread GC pauses per login:\n`,
    )
    const row = (name: string, s: Summary, r: string) => [
      name,
      `${s.perSecond.toFixed(0)} (${s.perSecondRange[0].toFixed(0)}–${s.perSecondRange[1].toFixed(0)})`,
      fmtMs(s.medianMs),
      fmtMs(s.p95Ms),
      fmtMs(s.cpuMs),
      fmtMs(s.gcMs),
      r,
    ]
    console.log(
      markdownTable(
        ['app', 'logins/s', 'median ms', 'p95 ms', 'CPU ms/login', 'GC ms/login', 'ratio (×)'],
        [
          row(
            'ours: the demo (MultiIdpSamlStrategy + samlRouter)',
            o,
            `${ratio.toFixed(1)}× (≥5×) ${ratio >= 5 ? 'met' : 'not met'}`,
          ),
          row('peer: passport-saml MultiSamlStrategy app', p, '1.0×'),
        ],
      ),
    )
    console.log(`\nServer CPU per login, peer ÷ ours: ${(p.cpuMs / o.cpuMs).toFixed(1)}×`)

    await profileRound(targets.ours, profiled, profileDir)
  } finally {
    for (const target of Object.values(targets)) target.agent.destroy()
    await Promise.all([ours.close(), peer.close()])
  }
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`)
}

// Installing the package into throwaway apps with npm, pnpm and yarn, against the local registry
// (local-registry.ts), with no network, and checking what the app then loads.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { root, run, tempDir, type RunResult } from './consumer-kit.js'
import type { LocalRegistry } from './local-registry.js'

export const ENTRIES = ['', '/core', '/express', '/sql', '/redis', '/testing'].map(
  (sub) => `passport-saml-multi-idp${sub}`,
)

/** Stand-ins for versions that are not in this repo's node_modules: the version is what counts. */
export const standIn = (name: string, version: string) => ({
  manifest: { name, version, main: 'index.js' },
  files: {
    'index.js': `module.exports = function standIn() { throw new Error('${name}@${version} stand-in') }\n`,
  },
})

export type PackageManager = 'npm' | 'pnpm' | 'yarn 1' | 'yarn 4'

/** Writes an app's package.json (and the package manager's settings) into a new folder. */
export function makeApp(
  name: string,
  manager: PackageManager,
  registry: LocalRegistry,
  dependencies: Record<string, string>,
): string {
  const dir = tempDir(`apps/${name}`)
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', private: true, dependencies }, null, 2),
  )
  if (manager === 'yarn 4') {
    writeFileSync(
      join(dir, '.yarnrc.yml'),
      [
        `npmRegistryServer: "${registry.url}"`,
        'unsafeHttpWhitelist: ["127.0.0.1"]',
        'nodeLinker: node-modules',
        'enableGlobalCache: false',
        `cacheFolder: "${join(homeOf(dir), 'yarn4-cache')}"`,
        'enableTelemetry: false',
        'enableProgressBars: false',
        // The local registry gives no publish times; without them Yarn takes every version as new.
        'npmMinimalAgeGate: 0',
        // Each app starts with an empty lockfile; under CI=true Yarn would refuse to write it.
        'enableImmutableInstalls: false',
        '',
      ].join('\n'),
    )
    writeFileSync(join(dir, 'yarn.lock'), '')
  }
  return dir
}

/**
 * No way out but to the local registry: every other address goes to a proxy that is not there, so
 * a package manager that tried the network would fail rather than quietly download.
 */
const DEAD_PROXY = 'http://127.0.0.1:9'
const LOCAL = '127.0.0.1,localhost'
const OFFLINE = {
  HTTP_PROXY: DEAD_PROXY,
  HTTPS_PROXY: DEAD_PROXY,
  http_proxy: DEAD_PROXY,
  https_proxy: DEAD_PROXY,
  NO_PROXY: LOCAL,
  no_proxy: LOCAL,
}

/** A home folder per app: its caches and stores (Yarn 1's cache is not safe to share between runs at once). */
function homeOf(appDir: string): string {
  return tempDir(`homes/${basename(appDir)}`)
}

/**
 * `<manager> install` in `dir` against the registry, with a home, cache and store of its own.
 * `args` are extra arguments (npm: what to install).
 */
export function install(
  manager: PackageManager,
  dir: string,
  registry: LocalRegistry,
  args: string[] = [],
): Promise<RunResult> {
  const home = homeOf(dir)
  const env = { HOME: home, ...OFFLINE }
  switch (manager) {
    case 'npm':
      return run(
        'npm',
        [
          'install',
          ...args,
          `--registry=${registry.url}`,
          `--cache=${join(home, 'npm-cache')}`,
          '--no-audit',
          '--no-fund',
          '--update-notifier=false',
        ],
        { cwd: dir, env },
      )
    case 'pnpm':
      return run(
        process.execPath,
        [
          join(root, 'node_modules/pnpm/bin/pnpm.cjs'),
          'install',
          ...args,
          `--registry=${registry.url}`,
          `--store-dir=${join(home, 'pnpm-store')}`,
          '--strict-peer-dependencies',
          // No lockfile yet; under CI=true pnpm would otherwise insist on a frozen one.
          '--no-frozen-lockfile',
          '--config.update-notifier=false',
          '--reporter=append-only',
        ],
        { cwd: dir, env },
      )
    case 'yarn 1':
      return run(
        process.execPath,
        [
          join(root, 'node_modules/yarn/bin/yarn.js'),
          'install',
          ...args,
          '--registry',
          registry.url,
          '--cache-folder',
          join(home, 'yarn1-cache'),
          '--non-interactive',
          '--no-progress',
          '--disable-self-update-check',
        ],
        { cwd: dir, env },
      )
    case 'yarn 4':
      return run(
        process.execPath,
        [join(root, 'node_modules/@yarnpkg/cli-dist/bin/yarn.js'), 'install', ...args],
        {
          cwd: dir,
          env,
        },
      )
  }
}

export function output(result: RunResult): string {
  return `exit ${result.code}\n${result.stdout}\n${result.stderr}`
}

/** What each package manager says about peer ranges that do not fit. */
export const PEER_COMPLAINT =
  /ERESOLVE|ERR_PNPM_PEER_DEP_ISSUES|unmet peer|incorrect peer|YN0060|YN0086|YN0002/

/** The install succeeded and no peer range was complained about. */
export function assertInstalled(result: RunResult): void {
  assert.equal(result.code, 0, output(result))
  assert.doesNotMatch(`${result.stdout}\n${result.stderr}`, PEER_COMPLAINT, output(result))
}

/** Each entry loads from the app, with require and with import, and exports something. */
export async function assertEntriesLoad(dir: string, entries = ENTRIES): Promise<void> {
  const list = JSON.stringify(entries)
  const cjs = await run(
    process.execPath,
    ['-e', `console.log(JSON.stringify(${list}.map((e) => Object.keys(require(e)).length)))`],
    { cwd: dir },
  )
  const esm = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const counts = []; for (const e of ${list}) counts.push(Object.keys(await import(e)).length); console.log(JSON.stringify(counts))`,
    ],
    { cwd: dir },
  )
  for (const [how, result] of [
    ['require', cjs],
    ['import', esm],
  ] as const) {
    assert.equal(result.code, 0, `${how}: ${output(result)}`)
    const counts = JSON.parse(result.stdout) as number[]
    entries.forEach((entry, i) => assert.ok(counts[i]! > 0, `${how}('${entry}') exports nothing`))
  }
}

/**
 * The app's own Express and Passport run the SAML routes: the router, built with the app's
 * Passport, answers an unknown IdP's metadata with 404 ERR_SAML_UNKNOWN_IDP, and the package's
 * Express entry loads the app's one copy of Express.
 */
export async function assertRouterRuns(dir: string): Promise<void> {
  const script = `
    const express = require('express')
    const passport = require('passport')
    const { MemoryIdpStore, MultiIdpSamlStrategy } = require('passport-saml-multi-idp')
    const { samlRouter } = require('passport-saml-multi-idp/express')
    const strategy = new MultiIdpSamlStrategy(
      { store: new MemoryIdpStore(), sp: { baseUrl: 'http://127.0.0.1' } },
      (profile, done) => done(null, { id: profile.nameID }),
    )
    passport.use(strategy)
    const app = express()
    app.use('/saml', samlRouter({ strategy, passport }))
    const entry = require.resolve('passport-saml-multi-idp/express')
    const sameExpress = require.resolve('express', { paths: [entry] }) === require.resolve('express')
    const server = app.listen(0, '127.0.0.1', async () => {
      try {
        const res = await fetch('http://127.0.0.1:' + server.address().port + '/saml/nobody/metadata', {
          headers: { accept: 'application/json' },
        })
        console.log(JSON.stringify({ status: res.status, body: await res.json(), sameExpress }))
      } finally {
        server.close()
      }
    })`
  const result = await run(process.execPath, ['-e', script], { cwd: dir })
  assert.equal(result.code, 0, output(result))
  const answer = JSON.parse(result.stdout) as {
    status: number
    body: { error: { code: string } }
    sameExpress: boolean
  }
  assert.equal(answer.status, 404)
  assert.equal(answer.body.error.code, 'ERR_SAML_UNKNOWN_IDP')
  assert.equal(answer.sameExpress, true, "the package's Express entry loads the app's Express")
}

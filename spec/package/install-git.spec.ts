// The package installs from a git URL, as `npm install git+file://…` (and a GitHub URL) does it: npm
// clones the repository, installs its devDependencies, runs `prepare` (the build) and installs what
// `npm pack` would ship. The repository is a snapshot of this working tree; every package comes
// from the local registry (local-registry.ts), with no network. It is the slowest install spec:
// `prepare` needs all devDependencies and a full build.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { after, before, it } from 'node:test'
import { removeWorkDir, root, tempDir } from './consumer-kit.js'
import { assertEntriesLoad, assertInstalled, assertRouterRuns, install, makeApp } from './install-kit.js'
import { startLocalRegistry, type LocalRegistry } from './local-registry.js'

let registry: LocalRegistry
before(async () => {
  registry = await startLocalRegistry()
})
after(async () => {
  await registry?.close()
  removeWorkDir()
})

/** A git repository with this working tree's files (tracked and new, not ignored), committed. */
function snapshotRepository(): string {
  const repo = tempDir('repo')
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
  for (const file of listed.split('\0')) {
    if (!file || !existsSync(join(root, file))) continue // deleted, not yet committed
    mkdirSync(dirname(join(repo, file)), { recursive: true })
    cpSync(join(root, file), join(repo, file))
  }
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=spec', '-c', 'user.email=spec@example.invalid', ...args], {
      cwd: repo,
    })
  git('init', '-q')
  git('add', '-A')
  git('commit', '-q', '--no-verify', '-m', 'snapshot')
  return repo
}

it(
  "npm install git+file://…: prepare builds offline; every entry loads, the router runs on the app's Express",
  { timeout: 15 * 60_000 },
  async () => {
    const repo = snapshotRepository()
    const dir = makeApp('npm-git', 'npm', registry, { express: '^5.0.0', passport: '^0.7.0' })
    const result = await install('npm', dir, registry, [`git+file://${repo}`])
    assertInstalled(result)
    const installed = join(dir, 'node_modules/passport-saml-multi-idp')
    assert.ok(
      existsSync(join(installed, 'dist/esm/index.js')) && existsSync(join(installed, 'dist/cjs/index.js')),
    )
    for (const unshipped of ['lib', 'spec', 'scripts', 'node_modules/typescript'])
      assert.ok(!existsSync(join(installed, unshipped)), `${unshipped} is not installed`)
    await assertEntriesLoad(dir)
    await assertRouterRuns(dir)
  },
)

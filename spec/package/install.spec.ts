// The packed package installs into existing apps with npm, pnpm (strict peers), Yarn 4 and Yarn 1,
// with no network: a registry on 127.0.0.1 serves this repo's node_modules (local-registry.ts).
// Express 5 and passport 0.7 apps get the real packages and run the SAML router; Express 4.21 and
// passport 0.6 are stand-ins that carry only their version (neither is in node_modules), which is
// what peer resolution looks at. Runs after `npm run build` (npm test builds first).
//
// Yarn 1 does not check optional peers' ranges at all (an Express 4.16 app installs without a
// word), so for it the spec proves the install and the loading only.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { packedTarball, removeWorkDir } from './consumer-kit.js'
import {
  assertEntriesLoad,
  assertInstalled,
  assertRouterRuns,
  install,
  makeApp,
  output,
  standIn,
  type PackageManager,
} from './install-kit.js'
import { startLocalRegistry, type LocalRegistry } from './local-registry.js'

let registry: LocalRegistry
let tarball: string
before(async () => {
  tarball = packedTarball()
  registry = await startLocalRegistry([
    { tarball },
    standIn('express', '4.21.2'),
    standIn('passport', '0.6.0'),
    standIn('express', '4.16.4'),
  ])
})
after(async () => {
  await registry?.close()
  removeWorkDir()
})

const APPS = {
  express5: { express: '^5.0.0', passport: '^0.7.0' },
  express4: { express: '4.21.2', passport: '0.6.0' },
  // Below the peer range (>=4.17.0): the control, so a silent pass above means something.
  express416: { express: '4.16.4', passport: '0.6.0' },
}

/** How each manager turns down the Express 4.16 app: npm and pnpm fail, Yarn 4 warns. */
const REFUSAL: Partial<Record<PackageManager, { fails: boolean; says: RegExp }>> = {
  npm: { fails: true, says: /ERESOLVE/ },
  pnpm: { fails: true, says: /ERR_PNPM_PEER_DEP_ISSUES[\s\S]*express@">=4\.17\.0 <6"/ },
  'yarn 4': { fails: false, says: /YN0060[^\n]*express[^\n]*4\.16\.4/ },
}

/** npm installs the tarball by path (`npm install <tarball>`); the others take it in package.json. */
async function installInto(manager: PackageManager, app: keyof typeof APPS) {
  const name = `${manager.replace(' ', '')}-${app}`
  if (manager === 'npm') {
    const dir = makeApp(name, manager, registry, APPS[app])
    return { dir, result: await install(manager, dir, registry, [tarball]) }
  }
  const dependencies = { ...APPS[app], 'passport-saml-multi-idp': `file:${tarball}` }
  const dir = makeApp(name, manager, registry, dependencies)
  return { dir, result: await install(manager, dir, registry) }
}

const HANG_GUARD = { timeout: 5 * 60_000 }

describe('installing the packed package into an app', { concurrency: 2 }, () => {
  for (const manager of ['npm', 'pnpm', 'yarn 4', 'yarn 1'] as const) {
    it(
      `${manager}: an Express 5 + passport 0.7 app; every entry loads, the router runs on the app's Express`,
      HANG_GUARD,
      async () => {
        const { dir, result } = await installInto(manager, 'express5')
        assertInstalled(result)
        await assertEntriesLoad(dir)
        await assertRouterRuns(dir)
      },
    )

    it(
      `${manager}: an Express 4.21 + passport 0.6 app, with no peer complaint; every entry loads`,
      HANG_GUARD,
      async () => {
        const { dir, result } = await installInto(manager, 'express4')
        assertInstalled(result)
        await assertEntriesLoad(dir)
      },
    )

    const refusal = REFUSAL[manager]
    if (refusal) {
      it(
        `${manager}: the control, an Express 4.16 app, is ${refusal.fails ? 'refused' : 'warned about'}`,
        HANG_GUARD,
        async () => {
          const { result } = await installInto(manager, 'express416')
          assert.equal(result.code !== 0, refusal.fails, output(result))
          assert.match(`${result.stdout}\n${result.stderr}`, refusal.says, output(result))
        },
      )
    }
  }
})

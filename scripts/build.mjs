// Dual build with the TypeScript compiler alone: ESM in dist/esm, CommonJS in dist/cjs, each with
// its own declarations. dist/cjs/package.json marks that folder CommonJS (the package is "type":
// "module"), so Node loads either build by the "exports" conditions in package.json. Declarations
// keep their doc comments (editors show them); the JavaScript is written without comments, which
// would otherwise be a third of what users install.
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
rmSync('dist', { recursive: true, force: true })
for (const project of ['tsconfig.build.json', 'tsconfig.build-cjs.json']) {
  for (const flags of [['--emitDeclarationOnly'], ['--declaration', 'false', '--removeComments']]) {
    const result = spawnSync(process.execPath, [tsc, '-p', project, ...flags], { stdio: 'inherit' })
    if (result.status !== 0) process.exit(result.status ?? 1)
  }
}
mkdirSync('dist/cjs', { recursive: true })
writeFileSync('dist/cjs/package.json', `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`)

// Runs every spec under spec/ with Node's test runner and tsx, so `npm test` needs no globbing from the
// shell; then runs the HTTP e2e specs (those built on spec/support/app.ts's startTestApp, in process or
// in the app instances they spawn) a second time on Express 4: `express` resolves to the `express-4`
// devDependency for the specs, the test app and the library's router alike (spec/support/express-4.mjs).
//
//   node scripts/run-specs.mjs [--express=4|5] [path filter …]
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

function findSpecs(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return findSpecs(path)
    return name.endsWith('.spec.ts') ? [path] : []
  })
}

const args = process.argv.slice(2)
const only = args.find((a) => a.startsWith('--express='))?.slice('--express='.length)
const filter = args.filter((a) => !a.startsWith('--'))
const specs = findSpecs('spec')
  .filter((p) => filter.length === 0 || filter.some((f) => p.includes(f)))
  .sort()
const onExpress = (p) =>
  /\bstartTestApp\(|support\/instance\.ts|\/sp-driver\.js/.test(readFileSync(p, 'utf8'))

function run(files, env = process.env) {
  if (files.length === 0) return 0
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', ...files],
    {
      stdio: 'inherit',
      env,
    },
  )
  return result.status ?? 1
}

let status = 0
if (only !== '4') status ||= run(specs)
if (only !== '5') {
  const hook = pathToFileURL('spec/support/express-4.mjs').href
  console.log('# The HTTP e2e specs again, on Express 4 (express resolves to the express-4 devDependency)')
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --import=${hook}`.trim()
  status =
    run(specs.filter(onExpress), { ...process.env, NODE_OPTIONS: nodeOptions, SPEC_EXPRESS_MAJOR: '4' }) ||
    status
}
process.exit(status)

// Runs every spec under spec/ with Node's test runner and tsx, so `npm test` needs no globbing from the shell.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function findSpecs(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return findSpecs(path)
    return name.endsWith('.spec.ts') ? [path] : []
  })
}

const filter = process.argv.slice(2)
const specs = findSpecs('spec')
  .filter((p) => filter.length === 0 || filter.some((f) => p.includes(f)))
  .sort()
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...specs], {
  stdio: 'inherit',
})
process.exit(result.status ?? 1)

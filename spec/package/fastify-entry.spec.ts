// The Fastify edge as users load it: `passport-saml-multi-idp/fastify` from the built package, by
// name, from CommonJS and ESM. It loads no framework of its own: Fastify and @fastify/passport are
// the app's (optional peers), and neither Express nor Passport comes along.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'

const root = new URL('../../', import.meta.url).pathname
const run = (args: string[]): string => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' })

describe('passport-saml-multi-idp/fastify (built)', () => {
  it('require() and import() expose the same API', () => {
    const cjs = run([
      '-e',
      `console.log(JSON.stringify(Object.keys(require('passport-saml-multi-idp/fastify')).sort()))`,
    ])
    const esm = run([
      '--input-type=module',
      '-e',
      `console.log(JSON.stringify(Object.keys(await import('passport-saml-multi-idp/fastify')).sort()))`,
    ])
    assert.deepEqual(JSON.parse(cjs), JSON.parse(esm))
    assert.deepEqual(JSON.parse(cjs), ['SAML_SESSION_KEY', 'samlPlugin', 'toSamlRequest'])
  })

  it('loads none of fastify, @fastify/*, express, passport', () => {
    const loaded = run([
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module'
      await import('passport-saml-multi-idp/fastify')
      createRequire(import.meta.url)('passport-saml-multi-idp/fastify')
      const cache = Object.keys(createRequire(import.meta.url).cache)
      console.log(JSON.stringify(cache.filter((f) => /\\/node_modules\\/(fastify|@fastify\\/[^/]+|express|passport)\\//.test(f))))`,
    ])
    assert.deepEqual(JSON.parse(loaded), [])
  })

  it("the main entry's declarations name no Fastify module (only /fastify's do)", () => {
    const files = (readdirSync(`${root}dist/esm`, { recursive: true }) as string[]).filter(
      (f) => f.endsWith('.d.ts') && !/^(fastify\/|entries\/fastify\.d\.ts$)/.test(f),
    )
    assert.ok(files.includes('index.d.ts'))
    const naming = files.filter((f) =>
      /from '(fastify|@fastify\/[^']+)'/.test(readFileSync(`${root}dist/esm/${f}`, 'utf8')),
    )
    assert.deepEqual(naming, [])
    assert.match(readFileSync(`${root}dist/esm/entries/fastify.d.ts`, 'utf8'), /samlPlugin/)
  })
})

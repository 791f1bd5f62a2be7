// Which Express the HTTP e2e specs ran on. `npm test` runs the specs built on startTestApp twice:
// on Express 5 (the `express` devDependency), then on Express 4 (scripts/run-specs.mjs sets
// SPEC_EXPRESS_MAJOR=4 and preloads spec/support/express-4.mjs). This spec is part of both passes
// and proves each is what it says: `express`, as the library's router imports it, is that major,
// and the test app served its requests without loading any other Express.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import { startTestApp, type TestApp } from '../support/app.js'

const expected = process.env.SPEC_EXPRESS_MAJOR ?? '5'
const packageDir = { '4': 'express-4', '5': 'express' }[expected]

describe(`the HTTP e2e specs on Express ${expected}`, () => {
  let app: TestApp
  before(async () => {
    app = await startTestApp()
  })
  after(() => app.close())

  it(`'express' resolves to Express ${expected}.x`, () => {
    const entry = new URL(import.meta.resolve('express'))
    const { version } = JSON.parse(readFileSync(new URL('package.json', entry), 'utf8')) as {
      version: string
    }
    assert.equal(version.split('.')[0], expected)
    assert.match(entry.pathname, new RegExp(`/node_modules/${packageDir}/`))
  })

  it(`the test app and samlRouter answer through Express ${expected} alone`, async () => {
    const res = await fetch(`${app.baseUrl}/saml/nobody/metadata`, {
      headers: { accept: 'application/json' },
    })
    assert.equal(res.status, 404)
    assert.equal(res.headers.get('x-powered-by'), 'Express')
    const loaded = new Set(
      Object.keys(createRequire(import.meta.url).cache).flatMap((f) => {
        const m = /\/node_modules\/(express|express-4)\//.exec(f)
        return m ? [m[1]] : []
      }),
    )
    assert.deepEqual([...loaded], [packageDir])
  })
})

// The built package as users load it: by its own name, through the "exports" map, from CommonJS and
// from ESM, for each entry point. Runs after `npm run build` (npm test builds first).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'

const root = new URL('../../', import.meta.url).pathname
const entries = {
  'passport-saml-multi-idp': ['MultiIdpSamlStrategy', 'MemoryIdpStore', 'FileIdpStore', 'SamlError'],
  'passport-saml-multi-idp/express': ['samlRouter', 'samlErrorHandler', 'SAML_SESSION_KEY', 'toSamlRequest'],
  'passport-saml-multi-idp/core': ['SamlServiceProvider', 'normalizeIdpRecord', 'IDP_RECORD_FIELDS'],
  'passport-saml-multi-idp/sql': ['SqlIdpStore', 'SqlSamlCache'],
  'passport-saml-multi-idp/redis': ['RedisSamlCache'],
  'passport-saml-multi-idp/testing': ['idpStoreConformance', 'samlCacheConformance', 'CERTS'],
  'passport-saml-multi-idp/migrate': [
    'migratePassportSamlOptions',
    'PassportSamlMigrationError',
    'toPassportSamlProfile',
    'adaptPassportSamlVerify',
  ],
}

function run(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' })
}

describe('built package (dist/esm and dist/cjs)', () => {
  it('has been built', () => {
    assert.ok(
      existsSync(`${root}dist/esm/index.js`) && existsSync(`${root}dist/cjs/index.js`),
      'run npm run build',
    )
  })

  for (const [name, exported] of Object.entries(entries)) {
    it(`require('${name}') and import('${name}') expose the same API`, () => {
      const cjs = JSON.parse(
        run(['-e', `console.log(JSON.stringify(Object.keys(require('${name}')).sort()))`]),
      )
      const esm = JSON.parse(
        run([
          '--input-type=module',
          '-e',
          `console.log(JSON.stringify(Object.keys(await import('${name}')).sort()))`,
        ]),
      )
      assert.deepEqual(cjs, esm)
      for (const key of exported) assert.ok(cjs.includes(key), `${name} exports ${key}`)
    })
  }

  it('the main, core and migrate entries load neither Express nor Passport (Fastify and custom edges need neither)', () => {
    const loaded = (load: string) =>
      JSON.parse(
        run([
          '--input-type=module',
          '-e',
          `import { createRequire } from 'node:module'
          ${load}
          const cache = Object.keys(createRequire(import.meta.url).cache)
          console.log(JSON.stringify(['express', 'passport', 'passport-strategy'].filter((p) => cache.some((f) => f.includes(\`/node_modules/\${p}/\`)))))`,
        ]),
      ) as string[]
    for (const entry of [
      'passport-saml-multi-idp',
      'passport-saml-multi-idp/core',
      'passport-saml-multi-idp/migrate',
    ]) {
      assert.deepEqual(loaded(`await import('${entry}')`), [], `import('${entry}')`)
      assert.deepEqual(loaded(`createRequire(import.meta.url)('${entry}')`), [], `require('${entry}')`)
    }
    // The control: the Express entry does load Express.
    assert.ok(loaded(`await import('passport-saml-multi-idp/express')`).includes('express'))
  })

  it('the testing entry inlines exactly the fixture certificates', () => {
    const certs = JSON.parse(
      run(['-e', `console.log(JSON.stringify(require('passport-saml-multi-idp/testing').CERTS))`]),
    )
    const files = { acme: 'idp-acme', acmeNext: 'idp-acme-next', globex: 'idp-globex', ec: 'idp-ec' }
    for (const [name, file] of Object.entries(files)) {
      assert.equal(
        certs[name].trim(),
        readFileSync(`${root}spec/fixtures/keys/${file}.cert.pem`, 'utf8').trim(),
        name,
      )
    }
  })

  it('the CommonJS build runs: an embedded SQL store opens, stores and reads a record', () => {
    const script = `
      const { SqlIdpStore } = require('passport-saml-multi-idp/sql')
      const { SamlError } = require('passport-saml-multi-idp')
      ;(async () => {
        const store = await SqlIdpStore.open()
        const pem = require('fs').readFileSync('spec/fixtures/keys/idp-acme.cert.pem', 'utf8')
        await store.put({ id: 'acme', entityId: 'https://idp.acme.test', ssoUrl: 'https://idp.acme.test/sso', signingCerts: [pem] })
        const record = await store.get('acme')
        const err = await store.put({ id: 'bad' }).catch((e) => e)
        console.log(JSON.stringify([store.driverKind, record.version, err instanceof SamlError, err.code]))
        await store.close()
      })()`
    assert.deepEqual(JSON.parse(run(['-e', script])), ['pglite', 1, true, 'ERR_SAML_IDP_CONFIG'])
  })
})

// The README's example runs as written: its ```ts block, completed only by a prelude that gives its
// free names values, is started as an app of its own (the built package imported by name, a fresh
// PostgreSQL database, Redis) and logs a user in through the demo's embedded IdP.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import express from 'express'
import pg from 'pg'
import { EmbeddedIdp } from '../../demo/idp/embedded-idp.js'
import { DEMO_TENANTS } from '../../demo/idp/tenants.js'
import { loginAtIdp, postToAcs, TestBrowser } from '../demo/demo-client.js'
import { setTimeout as pause } from 'node:timers/promises'
import { keys } from '../support/test-idp.js'

const root = new URL('../../', import.meta.url)
const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** The first ```ts block of README.md. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(new URL('README.md', root), 'utf8')
  const block = /```ts\n([\s\S]*?)```/.exec(readme)
  assert.ok(block, 'README.md has a TypeScript example')
  return block[1]!
}

/** Values for the example's free names, from the environment the spec gives the child. */
const PRELUDE = `
const acmeMetadataUrl = process.env.ACME_METADATA_URL!
const baseUrl = process.env.BASE_URL!
const port = Number(process.env.PORT)
const signingKey = process.env.SP_KEY!
const signingCert = process.env.SP_CERT!
const sessionSecret = 'readme-example'
`

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  probe.close()
  await once(probe, 'close')
  return port
}

describe('the README example', () => {
  let idpServer: Server
  let idpUrl: string
  let app: ChildProcess
  let appUrl: string
  let dataDir: string
  let output = ''
  const database = `readme_${randomBytes(6).toString('hex')}`

  before(
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'saml-readme-'))
      // The demo's embedded IdP on a server of its own; it learns the app's SP metadata from the app.
      idpServer = createServer().listen(0, '127.0.0.1')
      await once(idpServer, 'listening')
      idpUrl = `http://127.0.0.1:${(idpServer.address() as AddressInfo).port}`
      const port = await freePort()
      appUrl = `http://127.0.0.1:${port}`
      const idp = EmbeddedIdp.create({
        baseUrl: idpUrl,
        dataDir,
        tenants: DEMO_TENANTS,
        spMetadata: async () => (await fetch(`${appUrl}/saml/acme/metadata`)).text(),
      })
      idpServer.on('request', express().use('/idp', idp.router()))

      const admin = new pg.Client({ connectionString: PG_URL })
      await admin.connect()
      await admin.query(`CREATE DATABASE ${database}`)
      await admin.end()

      // Inside the repo, so the example's imports resolve as an app's would: the package by its own
      // name (built), express, passport and the rest from node_modules.
      const dir = new URL('dist/readme-example/', root)
      await mkdir(dir, { recursive: true })
      const file = new URL('app.ts', dir)
      await writeFile(file, `${PRELUDE}\n${await readmeExample()}`)
      const databaseUrl = new URL(PG_URL)
      databaseUrl.pathname = `/${database}`
      app = spawn(process.execPath, ['--import', 'tsx', file.pathname], {
        cwd: root.pathname,
        env: {
          ...process.env,
          NODE_ENV: 'development',
          DATABASE_URL: databaseUrl.href,
          REDIS_URL,
          ACME_METADATA_URL: `${idpUrl}/idp/acme/metadata`,
          BASE_URL: appUrl,
          PORT: String(port),
          SP_KEY: keys.sp.key,
          SP_CERT: keys.sp.cert,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      app.stdout!.on('data', (chunk: Buffer) => (output += chunk))
      app.stderr!.on('data', (chunk: Buffer) => (output += chunk))
      // Ready when it answers (the example registers the IdP before it listens). The loop polls for
      // readiness; the hook's timeout only guards against a hang.
      for (;;) {
        assert.equal(app.exitCode, null, `the example exited: ${output}`)
        if ((await fetch(`${appUrl}/saml/acme/metadata`).catch(() => undefined))?.status === 200) break
        await pause(50)
      }
    },
    { timeout: 180_000 },
  )

  after(async () => {
    if (app && app.exitCode === null) {
      app.kill()
      await once(app, 'exit')
    }
    idpServer?.closeAllConnections()
    idpServer?.close()
    const admin = new pg.Client({ connectionString: PG_URL })
    await admin.connect()
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    await admin.end()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('logs alice in through the embedded IdP, SP-initiated, and keeps her in the session', async () => {
    const browser = new TestBrowser()
    const start = await browser.get(`${appUrl}/saml/acme/login`)
    assert.equal(start.status, 302, output)
    const ssoUrl = start.headers.get('location')!
    assert.ok(ssoUrl.startsWith(`${idpUrl}/idp/acme/sso`), ssoUrl)
    const form = await browser.get(ssoUrl)
    assert.equal(form.status, 200)
    const post = await loginAtIdp(
      browser,
      await form.text(),
      `${idpUrl}/idp/acme/login`,
      'alice@acme.test',
      'alice-demo',
    )
    assert.equal(post.action, `${appUrl}/saml/acme/acs`)
    const acs = await postToAcs(browser, post, post.action, false)
    assert.equal(acs.status, 302, await acs.text())
    const me = await browser.get(`${appUrl}/me`, true)
    assert.equal(me.status, 200)
    assert.deepEqual(await me.json(), { id: 'acme:alice@acme.test', email: 'alice@acme.test' })
  })
})

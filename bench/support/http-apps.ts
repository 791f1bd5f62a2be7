/**
 * Child process of `npm run bench -- http`: runs one app on 127.0.0.1 (port 0) and answers the bench
 * over IPC (see {@link AppMessage}). `node --import tsx bench/support/http-apps.ts ours|peer`.
 *
 * - `ours`: the demo itself (`startDemo`, default backends: PGlite IdP store, memory cache,
 *   express-session MemoryStore) in a fresh temporary data dir, with its seeded `acme` tenant.
 * - `peer`: the same kind of app on `@node-saml/passport-saml`'s `MultiSamlStrategy`: Express,
 *   express-session (MemoryStore), passport 0.7 serializing the whole user, a urlencoded parser, and
 *   a `SqlIdpStore` on PGlite holding the demo's acme record, which `getSamlOptions` reads and turns
 *   into passport-saml options on every request.
 *
 * Both run in a process of their own so that neither app's heap, timers or event loop touch the
 * other's, nor the client's.
 *
 * @module
 */
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { Session } from 'node:inspector/promises'
import { PerformanceObserver } from 'node:perf_hooks'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MultiSamlStrategy, ValidateInResponseTo, type PassportSamlConfig } from '@node-saml/passport-saml'
import type { Profile } from '@node-saml/passport-saml'
import express from 'express'
import session from 'express-session'
import passport from 'passport'
import { startDemo } from '../../demo/app.js'
import type { IdpRecord, IdpRecordFields } from '../../lib/index.js'
import { SqlIdpStore } from '../../lib/entries/sql.js'
import { sharedCacheProvider } from './strategies.js'

/** The bench's requests to a child; each is answered by a message with the same `id`. */
export type AppMessage =
  | { readonly id: number; readonly type: 'start'; readonly record?: IdpRecordFields }
  | { readonly id: number; readonly type: 'cpu' }
  | { readonly id: number; readonly type: 'profile-start' }
  | { readonly id: number; readonly type: 'profile-stop'; readonly file: string }
  | { readonly id: number; readonly type: 'close' }

/** What a started app tells the bench. */
export interface StartedApp {
  /** Public origin (`http://localhost:<port>`), which SP URLs are derived from. */
  readonly url: string
  readonly port: number
  /** Name of the session cookie a login sets. */
  readonly cookieName: string
  /** The acme IdP record as stored (ours), to register in the peer. */
  readonly record?: IdpRecordFields
  /** The key pair the acme IdP signs with (ours: the demo's embedded IdP key in its data dir). */
  readonly signing?: { readonly key: string; readonly cert: string }
}

/** A user like the demo's `DemoUser`: identity, mapped fields and raw attributes. */
interface PeerUser {
  idp: string
  nameID: string
  nameIDFormat: string | null
  sessionIndex: string | null
  profile: Record<string, string | string[] | undefined>
  attributes: Record<string, string[]>
}

const CLOCK_SKEW_MS = 180_000

/** The acme record's fields as passport-saml options (what a multi-tenant passport-saml app writes). */
function samlOptionsOf(record: IdpRecord, baseUrl: string): Partial<PassportSamlConfig> {
  const spEntityId = record.spEntityId ?? `${baseUrl}/saml/${encodeURIComponent(record.id)}/metadata`
  return {
    issuer: spEntityId,
    audience: spEntityId,
    callbackUrl: `${baseUrl}/saml/${encodeURIComponent(record.id)}/acs`,
    entryPoint: record.ssoUrls.redirect ?? record.ssoUrls.post,
    idpIssuer: record.entityId,
    idpCert: [...record.signingCerts],
    wantAssertionsSigned: record.wantAssertionsSigned,
    wantAuthnResponseSigned: record.wantResponseSigned,
    acceptedClockSkewMs: record.clockSkewMs ?? CLOCK_SKEW_MS,
    // SP- and IdP-initiated, as the demo: InResponseTo is checked when there is one.
    validateInResponseTo: ValidateInResponseTo.ifPresent,
  }
}

/** The attribute map of the acme record, by hand, as a passport-saml app has to do it. */
function peerUser(idp: string, profile: Profile): PeerUser {
  const attributes: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(profile.attributes ?? {})) {
    attributes[name] = (Array.isArray(value) ? value : [value]).map(String)
  }
  const one = (name: string) => attributes[name]?.[0]
  return {
    idp,
    nameID: profile.nameID,
    nameIDFormat: profile.nameIDFormat ?? null,
    sessionIndex: profile.sessionIndex ?? null,
    profile: {
      email: one('email'),
      firstName: one('firstName'),
      lastName: one('lastName'),
      displayName: one('displayName'),
      groups: attributes.groups,
      department: one('department'),
    },
    attributes,
  }
}

/** Same check as the demo's: a local path, else `/`. */
function localPath(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : '/'
}

async function startPeer(record: IdpRecordFields): Promise<{ started: StartedApp; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-http-peer-'))
  const store = await SqlIdpStore.open({ dataDir: join(dataDir, 'idps') })
  await store.put(record)
  const server: Server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  const baseUrl = `http://localhost:${port}`
  const cacheProvider = sharedCacheProvider()

  const strategy = new MultiSamlStrategy(
    {
      passReqToCallback: true,
      getSamlOptions(req, done) {
        const id = String((req.params as Record<string, unknown>).idp ?? '')
        store.get(id).then(
          (found) =>
            found
              ? done(null, { ...samlOptionsOf(found, baseUrl), cacheProvider })
              : done(new Error(`unknown IdP ${id}`)),
          (err: unknown) => done(err as Error),
        )
      },
    },
    (req, profile, done) => {
      if (!profile) return done(new Error('no profile'))
      done(null, peerUser(String((req.params as Record<string, unknown>).idp), profile) as never)
    },
    (_req, _profile, done) => done(null, {}),
  )
  const auth = new passport.Passport()
  // passport-saml bundles its own @types/express, whose Request differs from this project's.
  auth.use('saml', strategy as unknown as passport.Strategy)
  auth.serializeUser((user, done) => done(null, user))
  auth.deserializeUser((user: Express.User, done) => done(null, user))

  const app = express()
  app.disable('x-powered-by')
  app.use(
    session({
      name: 'peer.sid',
      secret: 'bench-peer-session-secret',
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: false, maxAge: 8 * 3600 * 1000 },
    }),
  )
  app.use(auth.session())
  app.post(
    '/saml/:idp/acs',
    express.urlencoded({ extended: false, limit: '400kb', parameterLimit: 10 }),
    auth.authenticate('saml', { session: true }),
    (req, res) => res.redirect(302, localPath((req.body as Record<string, unknown>).RelayState)),
  )
  server.on('request', app)
  return {
    started: { url: baseUrl, port, cookieName: 'peer.sid' },
    close: async () => {
      server.closeAllConnections()
      server.close()
      await store.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

async function startOurs(): Promise<{ started: StartedApp; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-http-demo-'))
  const demo = await startDemo({ dataDir, port: 0, host: '127.0.0.1' })
  const stored = await demo.store.get('acme')
  if (!stored) throw new Error('bench http: the demo did not seed its acme tenant')
  const { version: _version, updatedAt: _updatedAt, ...record } = stored
  const keys = join(dataDir, 'keys')
  return {
    started: {
      url: demo.url,
      port: demo.port,
      cookieName: 'demo.sid',
      record,
      signing: {
        key: readFileSync(join(keys, 'idp-acme.key.pem'), 'utf8'),
        cert: readFileSync(join(keys, 'idp-acme.cert.pem'), 'utf8'),
      },
    },
    close: async () => {
      await demo.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

const which = process.argv[2]
if (which !== 'ours' && which !== 'peer') throw new Error('usage: http-apps.ts ours|peer')
if (!process.send) throw new Error('http-apps.ts runs as a child of the bench (IPC channel)')
const reply = (id: number, body: object) => process.send!({ id, ...body })

let app: { started: StartedApp; close(): Promise<void> } | undefined
let profiler: Session | undefined
/** Main-thread garbage collection pauses so far, in ms. */
let gcMs = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration
}).observe({ entryTypes: ['gc'] })

process.on('message', (message: AppMessage) => {
  const handle = async (): Promise<object> => {
    switch (message.type) {
      case 'start':
        app = which === 'ours' ? await startOurs() : await startPeer(message.record!)
        return app.started
      case 'cpu':
        return { usage: process.cpuUsage(), gcMs }
      case 'profile-start':
        profiler = new Session()
        profiler.connect()
        await profiler.post('Profiler.enable')
        await profiler.post('Profiler.setSamplingInterval', { interval: 100 })
        await profiler.post('Profiler.start')
        return {}
      case 'profile-stop': {
        const { profile } = await profiler!.post('Profiler.stop')
        profiler!.disconnect()
        profiler = undefined
        await writeFile(message.file, JSON.stringify(profile))
        return {}
      }
      case 'close':
        await app?.close()
        setImmediate(() => process.exit(0))
        return {}
    }
  }
  handle().then(
    (body) => reply(message.id, body),
    (err: unknown) => reply(message.id, { error: err instanceof Error ? err.stack : String(err) }),
  )
})

/**
 * The demo app: a multi-tenant SaaS that signs users in through SAML with the strategy, an embedded
 * IdP with two tenants, a self-service admin (JSON API and pages) and a test-connection view.
 * `demo/server.ts` runs it from the environment; specs call {@link startDemo} on port 0.
 *
 * HTTP contract (issue #3):
 *
 * - `PUT /admin/idps/:id`, `GET /admin/idps`, `GET /admin/idps/:id`, `DELETE /admin/idps/:id`
 *   (`Authorization: Bearer ADMIN_TOKEN`)
 * - `GET /saml/:id/metadata`, `GET /saml/:id/login?returnTo=`, `POST /saml/:id/acs`, `POST /saml/acs`,
 *   `GET /saml/login?email=`
 * - `GET /me`
 *
 * @module
 */
import { once } from 'node:events'
import { existsSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import express, { type NextFunction, type Request, type Response } from 'express'
import session from 'express-session'
import passport from 'passport'
import {
  isSamlError,
  MultiIdpSamlStrategy,
  samlErrorHandler,
  samlRouter,
  SAML_SESSION_KEY,
  safeReturnTo,
  type IdpRecord,
  type IdpStore,
  type SamlProfile,
} from '../lib/index.js'
import { AdminAuth, sendJsonError } from './admin-auth.js'
import { adminPages } from './admin/router.js'
import { AttemptLog } from './attempts.js'
import { openBackends, type Backends } from './backends.js'
import { ensureDir, loadOrCreateKeyPair, loadOrCreateSecret } from './data-dir.js'
import { html, layout } from './html.js'
import { EmbeddedIdp } from './idp/embedded-idp.js'
import { DEMO_TENANTS, type IdpTenant } from './idp/tenants.js'
import { deepLinkPage, homePage, loginPage, type DemoUser } from './pages.js'
import { DemoHttpError, registerIdp, type MetadataFetchPolicy } from './register-idp.js'

/** Options of {@link startDemo}. Everything but `dataDir` is optional. */
export interface StartDemoOptions {
  /** Keys, secrets and the embedded database. Created if missing. */
  dataDir: string
  /** Default 3000; 0 picks a free port. */
  port?: number
  /** Interface to listen on. Default: every interface. */
  host?: string
  /** Public origin. Default `http://localhost:<port>`. */
  baseUrl?: string
  /** Default: generated once and kept in `dataDir/session-secret`. */
  sessionSecret?: string
  /** Bearer token of the admin API. Default: generated once and kept in `dataDir/admin-token`. */
  adminToken?: string
  /** Password of the admin pages. Default: generated once and kept in `dataDir/admin-password`. */
  adminPassword?: string
  /** PostgreSQL for the IdP store instead of the embedded PGlite. */
  databaseUrl?: string
  /** PostgreSQL schema for the IdP store (to share a database). */
  databaseSchema?: string
  /** Redis for the request/replay cache and the sessions instead of process memory. */
  redisUrl?: string
  /** Prefix of every Redis key. Default `demo:`. */
  redisKeyPrefix?: string
  /** Register the embedded IdP's tenants on first start. Default true. */
  seed?: boolean
  /** Metadata URLs outside the demo's own origin: allow http / private addresses. Default false. */
  metadataAllowHttp?: boolean
  metadataAllowPrivateNetwork?: boolean
  /** Trust `X-Forwarded-*` from one proxy hop. Default: true when `baseUrl` is https. */
  trustProxy?: boolean
}

/** Where a secret came from; `generated` ones are printed by the server. */
export interface DemoSecret {
  readonly value: string
  readonly source: 'option' | 'file' | 'generated'
}

/** A running demo. */
export interface RunningDemo {
  /** The public origin (`baseUrl`). */
  readonly url: string
  /** The port it listens on. */
  readonly port: number
  readonly adminToken: DemoSecret
  readonly adminPassword: DemoSecret
  /** Which backends are in use, one line each. */
  readonly backends: readonly string[]
  readonly store: IdpStore
  readonly idp: EmbeddedIdp
  /** Stops accepting connections, closes open ones and the backends. */
  close(): Promise<void>
}

const SEED_MARKER = 'seeded'

function secret(dataDir: string, file: string, given: string | undefined): DemoSecret {
  if (given !== undefined && given !== '') return { value: given, source: 'option' }
  const loaded = loadOrCreateSecret(dataDir, file)
  return { value: loaded.value, source: loaded.generated ? 'generated' : 'file' }
}

function rawAttributes(profile: SamlProfile): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>
  for (const attribute of profile.attributes) {
    out[attribute.name] = [...(out[attribute.name] ?? []), ...attribute.values]
  }
  return { ...out }
}

/** Registers (first start) or refreshes (the demo's origin changed) the embedded tenants' records. */
async function seedTenants(store: IdpStore, idp: EmbeddedIdp, dataDir: string, seed: boolean): Promise<void> {
  const marker = join(dataDir, SEED_MARKER)
  const firstStart = !existsSync(marker)
  for (const tenant of idp.tenants) {
    const metadataXml = idp.metadataXml(tenant.id)
    const metadataUrl = idp.metadataUrl(tenant.id)
    const existing = await store.get(tenant.id)
    if (existing) {
      // A record the demo registered from its own IdP: follow the IdP if BASE_URL or keys changed.
      const ours = existing.metadataUrl?.endsWith(`/idp/${tenant.id}/metadata`) ?? false
      if (ours && existing.metadataXml !== metadataXml)
        await store.put(tenantRecord(tenant, metadataXml, metadataUrl))
    } else if (firstStart && seed) {
      await store.put(tenantRecord(tenant, metadataXml, metadataUrl))
    }
  }
  if (firstStart) writeFileSync(marker, `${new Date().toISOString()}\n`)
}

function tenantRecord(tenant: IdpTenant, metadataXml: string, metadataUrl: string) {
  return { id: tenant.id, metadataXml, metadataUrl, ...tenant.record }
}

/**
 * Starts the demo. Resolves once it listens.
 *
 * @example
 * ```ts
 * const demo = await startDemo({ dataDir: await mkdtemp(join(tmpdir(), 'demo-')), port: 0 })
 * const res = await fetch(`${demo.url}/me`) // 401
 * await demo.close()
 * ```
 */
export async function startDemo(options: StartDemoOptions): Promise<RunningDemo> {
  const dataDir = ensureDir(options.dataDir)
  // Listen first (port 0 and BASE_URL need the port); until the app is ready, answer 503.
  const starting = (_req: unknown, res: ServerResponse) => {
    res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '1' }).end('starting\n')
  }
  const server: Server = createServer(starting)
  server.listen(options.port ?? 3000, options.host)
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  const baseUrl = (options.baseUrl ?? `http://localhost:${port}`).replace(/\/+$/, '')
  const https = baseUrl.startsWith('https:')

  let backends: Backends | undefined
  try {
    const sessionSecret = secret(dataDir, 'session-secret', options.sessionSecret)
    const adminToken = secret(dataDir, 'admin-token', options.adminToken)
    const adminPassword = secret(dataDir, 'admin-password', options.adminPassword)
    const host = new URL(baseUrl).hostname
    const spSigning = loadOrCreateKeyPair(dataDir, 'sp-signing', `${host} SAML signing`)
    const spEncryption = loadOrCreateKeyPair(dataDir, 'sp-encryption', `${host} SAML encryption`)

    backends = await openBackends({
      dataDir,
      databaseUrl: options.databaseUrl,
      databaseSchema: options.databaseSchema,
      redisUrl: options.redisUrl,
      redisKeyPrefix: options.redisKeyPrefix,
    })
    const { store } = backends
    const attempts = new AttemptLog()

    const strategy = new MultiIdpSamlStrategy(
      {
        store,
        cache: backends.cache,
        sp: {
          baseUrl,
          signingKey: spSigning.key,
          signingCert: spSigning.cert,
          decryptionKey: spEncryption.key,
          decryptionCert: spEncryption.cert,
        },
        onAttempt: (attempt) => attempts.record(attempt),
      },
      async (profile) => {
        const user: DemoUser = {
          idp: profile.idp,
          nameID: profile.nameID,
          nameIDFormat: profile.nameIDFormat ?? null,
          sessionIndex: profile.sessionIndex ?? null,
          profile: { ...profile.mapped },
          attributes: rawAttributes(profile),
        }
        return user as Express.User
      },
    )
    const auth = new passport.Passport()
    auth.use(strategy)
    auth.serializeUser((user, done) => done(null, user))
    auth.deserializeUser((user: Express.User, done) => done(null, user))

    const idp = EmbeddedIdp.create({
      baseUrl,
      dataDir,
      tenants: DEMO_TENANTS,
      spMetadata: async (idpEntityId) => {
        const record = await store.findByEntityId(idpEntityId)
        return record ? strategy.serviceProvider.metadataFor(record) : undefined
      },
    })
    await seedTenants(store, idp, dataDir, options.seed ?? true)

    const metadataPolicy: MetadataFetchPolicy = {
      ownOrigin: baseUrl,
      allowHttp: options.metadataAllowHttp,
      allowPrivateNetwork: options.metadataAllowPrivateNetwork,
    }
    const admin = new AdminAuth({
      token: adminToken.value,
      password: adminPassword.value,
      secret: sessionSecret.value,
      secure: https,
    })

    const app = express()
    app.disable('x-powered-by')
    if (options.trustProxy ?? https) app.set('trust proxy', 1)
    app.use(
      session({
        name: 'demo.sid',
        secret: sessionSecret.value,
        store: backends.sessionStore,
        resave: false,
        saveUninitialized: false,
        cookie: { httpOnly: true, sameSite: 'lax', secure: https, maxAge: 8 * 3600 * 1000 },
      }),
    )
    app.use(auth.session())

    const currentUser = (req: Request): DemoUser | undefined => req.user as DemoUser | undefined
    const returnToOf = (value: unknown): string =>
      safeReturnTo(value, { baseUrl, allowedHosts: [], fallback: '/' })

    // --- SAML (the strategy's router) and the embedded IdP -------------------------------------
    app.use('/saml', samlRouter({ strategy, passport: auth }))
    app.use('/idp', idp.router())

    // --- the contract's JSON endpoints ---------------------------------------------------------
    app.get('/me', (req, res) => {
      res.setHeader('Cache-Control', 'no-store')
      const user = currentUser(req)
      if (!user) return sendJsonError(res, 401, 'ERR_NOT_SIGNED_IN', 'no user is signed in')
      res.json(user)
    })

    const api = express.Router()
    api.use(admin.bearer())
    api.use(express.json({ limit: '2mb', type: () => true }))
    const sendRecord = (res: Response, status: number, record: IdpRecord) =>
      void res.status(status).setHeader('Cache-Control', 'no-store').json(record)
    api.get('/', async (_req, res, next) => {
      try {
        const all: IdpRecord[] = []
        for (let after: string | undefined; ;) {
          const batch = await store.list({ limit: 500, after })
          all.push(...batch)
          if (batch.length < 500) break
          after = batch[batch.length - 1]!.id
        }
        res.setHeader('Cache-Control', 'no-store')
        res.json(all)
      } catch (err) {
        next(err)
      }
    })
    api.get('/:id', async (req, res, next) => {
      try {
        const record = await store.get(req.params.id)
        if (!record) return unknownIdp(res, req.params.id)
        sendRecord(res, 200, record)
      } catch (err) {
        next(err)
      }
    })
    api.put('/:id', async (req, res, next) => {
      try {
        const { record, created } = await registerIdp(store, req.params.id, req.body, metadataPolicy)
        if (created) res.setHeader('Location', `/admin/idps/${encodeURIComponent(record.id)}`)
        sendRecord(res, created ? 201 : 200, record)
      } catch (err) {
        next(err)
      }
    })
    api.delete('/:id', async (req, res, next) => {
      try {
        if (!(await store.delete(req.params.id))) return unknownIdp(res, req.params.id)
        attempts.clear(req.params.id)
        res.status(204).end()
      } catch (err) {
        next(err)
      }
    })
    api.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) return next(err)
      if (err instanceof DemoHttpError) return sendJsonError(res, err.status, err.code, err.message)
      if (isSamlError(err)) {
        // The admin's input was refused: 400, whatever status the code has at the ACS. An unreachable
        // store is not the admin's fault. The contract (docs/demo.md) names three codes for a refused
        // record, so a record that claims another's entityID or domain is answered as invalid too.
        const status = err.code === 'ERR_SAML_STORE_UNAVAILABLE' ? 503 : 400
        const code = err.code === 'ERR_SAML_IDP_CONFLICT' ? 'ERR_SAML_IDP_CONFIG' : err.code
        return sendJsonError(res, status, code, err.message)
      }
      const status = (err as { status?: unknown }).status
      if (typeof status === 'number' && status >= 400 && status < 500) {
        return sendJsonError(res, status, 'ERR_BAD_REQUEST', 'the request body is not valid JSON')
      }
      next(err)
    })
    app.use('/admin/idps', api)

    // --- pages ---------------------------------------------------------------------------------
    app.use(
      '/admin',
      adminPages({
        strategy,
        store,
        auth: admin,
        attempts,
        metadataPolicy,
        exampleMetadataUrls: idp.tenants.map((t) => idp.metadataUrl(t.id)),
        userName: (req) => currentUser(req)?.nameID,
      }),
    )

    app.get('/', (req, res) => {
      res.setHeader('Cache-Control', 'no-store')
      res.type('html').send(homePage(currentUser(req)))
    })

    app.get('/login', async (req, res, next) => {
      try {
        const idps = await store.list({ limit: 100 })
        const error = typeof req.query.error === 'string' ? req.query.error.slice(0, 200) : undefined
        res.type('html').send(loginPage(idps, returnToOf(req.query.returnTo), error))
      } catch (err) {
        next(err)
      }
    })

    // Discovery: ask for the work email, then let the strategy route by domain (GET /saml/login?email=).
    app.get('/login/sso', async (req, res, next) => {
      try {
        const email = typeof req.query.email === 'string' ? req.query.email.trim() : ''
        const returnTo = returnToOf(req.query.returnTo)
        const domain = /^[^@\s]+@([^@\s]+)$/.exec(email)?.[1]
        const record = domain ? await store.findByEmailDomain(domain) : undefined
        if (!record) {
          const idps = await store.list({ limit: 100 })
          const message = domain
            ? `No company is set up for "${domain}". Pick one below or ask your admin.`
            : 'Enter your work email address.'
          return void res
            .status(404)
            .type('html')
            .send(loginPage(idps, returnTo, message, email))
        }
        res.redirect(
          302,
          `/saml/login?email=${encodeURIComponent(email)}&returnTo=${encodeURIComponent(returnTo)}`,
        )
      } catch (err) {
        next(err)
      }
    })

    app.get(/^\/deep(\/.*)?$/, (req, res) => {
      const user = currentUser(req)
      if (!user) return res.redirect(302, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`)
      res.setHeader('Cache-Control', 'no-store')
      res.type('html').send(deepLinkPage(user, req.originalUrl))
    })

    // Sign out: through the IdP (Single Logout) after a SAML login, else just the local session.
    app.post('/logout', (req, res, next) => {
      const saml = (req.session as unknown as Record<string, unknown>)[SAML_SESSION_KEY] as
        { idp?: unknown } | undefined
      if (typeof saml?.idp === 'string') {
        return res.redirect(303, `/saml/${encodeURIComponent(saml.idp)}/logout?returnTo=%2F`)
      }
      req.logout((err) => {
        if (err) return next(err)
        req.session.destroy(() => res.redirect(303, '/'))
      })
    })

    app.use((req, res) => {
      if (req.accepts(['html', 'json']) === 'json')
        return sendJsonError(res, 404, 'ERR_NOT_FOUND', 'no such page')
      res
        .status(404)
        .type('html')
        .send(
          layout({
            title: 'Not found',
            body: html`<h1>Not found</h1>
              <p><a href="/">Home</a></p>`,
          }),
        )
    })
    app.use(samlErrorHandler())
    app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
      console.error(err)
      if (res.headersSent) return res.end()
      if (req.accepts(['html', 'json']) === 'json')
        return sendJsonError(res, 500, 'ERR_INTERNAL', 'internal error')
      res
        .status(500)
        .type('html')
        .send(layout({ title: 'Error', body: html`<h1>Something went wrong</h1>` }))
    })
    server.off('request', starting)
    server.on('request', app)

    const opened = backends
    let closing: Promise<void> | undefined
    return {
      url: baseUrl,
      port,
      adminToken,
      adminPassword,
      backends: opened.description,
      store,
      idp,
      close: () =>
        (closing ??= (async () => {
          server.closeAllConnections()
          server.close()
          await once(server, 'close').catch(() => {})
          await opened.close()
        })()),
    }
  } catch (err) {
    server.close()
    await backends?.close()
    throw err
  }
}

function unknownIdp(res: Response, id: string): void {
  sendJsonError(res, 404, 'ERR_SAML_UNKNOWN_IDP', `no IdP is registered for id "${id.slice(0, 80)}"`)
}

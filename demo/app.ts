/**
 * The demo app: a multi-tenant SaaS that signs users in through SAML with the strategy, an embedded
 * IdP with two tenants (whose records the metadata refresher keeps fresh, key rotations included),
 * local password accounts for a tenant without SSO, an audited break-glass login, a self-service
 * admin (JSON API and pages) and a test-connection view.
 * `demo/server.ts` runs it from the environment; specs call {@link startDemo} on port 0.
 *
 * This file only composes the pieces: the server (`listen.ts`), secrets and keys (`secrets.ts`),
 * backends (`backends.ts`), the strategy (`routes/saml.ts`), the embedded IdP and its seeding, the
 * session, then the routes in the order they are tried. While it starts, only the embedded IdP
 * answers (the seed fetches the IdP's metadata from its URL); everything else is 503.
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
import express, { type Express } from 'express'
import type passport from 'passport'
import type { IdpStore, MultiIdpSamlStrategy } from '../lib/index.js'
import { AdminAuth } from './admin-auth.js'
import { adminPages } from './admin/router.js'
import { AttemptLog } from './attempts.js'
import { openBackends, type Backends } from './backends.js'
import { ensureDir } from './data-dir.js'
import { EmbeddedIdp } from './idp/embedded-idp.js'
import { DEMO_TENANTS } from './idp/tenants.js'
import { listenWhileStarting } from './listen.js'
import { BreakGlassAudit } from './local/break-glass-audit.js'
import { LocalUsers } from './local/local-users.js'
import { loginSession } from './login-session.js'
import { DEMO_REFRESH_INTERVALS, DemoMetadataRefresh, type DemoRefreshIntervals } from './metadata-refresh.js'
import type { MetadataFetchPolicy } from './register-idp.js'
import { adminApi } from './routes/admin-api.js'
import { errorHandlers, notFound } from './routes/errors.js'
import { expireBreakGlass, localLoginRoutes } from './routes/local-login.js'
import { createPassport, createSamlStrategy, samlRoutes } from './routes/saml.js'
import { currentUser, returnToGuard, siteRoutes } from './routes/site.js'
import { seedTenants } from './seed-tenants.js'
import { loadSecrets, type DemoSecret, type DemoSecrets } from './secrets.js'

export type { DemoSecret } from './secrets.js'

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
  /**
   * The metadata refresher's timing (`startMetadataRefresh` options of those names). Default
   * {@link DEMO_REFRESH_INTERVALS}: short, to watch a key rotation reach the records.
   */
  metadataRefresh?: Partial<DemoRefreshIntervals>
  /**
   * The embedded IdP's key rotation: how long a new signing certificate is published before it
   * signs, and the replaced one after. Default 300000 (5 minutes).
   */
  idpKeyRolloverMs?: number
  /** How long a break-glass session lasts, in ms. Default 900000 (15 minutes). */
  breakGlassTtlMs?: number
  /** Where audit lines (break-glass attempts) are logged. Default `console.warn`. */
  auditLog?: (line: string) => void
  /** Current time in epoch ms, for the break-glass session's end and the login rate limits (tests). */
  now?: () => number
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
  /** The running metadata refresher. */
  readonly refresh: DemoMetadataRefresh
  /** Stops accepting connections, the refresher, open connections and the backends. */
  close(): Promise<void>
}

/** What the routes are built from. */
interface DemoParts {
  readonly baseUrl: string
  readonly https: boolean
  readonly secrets: DemoSecrets
  readonly backends: Backends
  readonly attempts: AttemptLog
  readonly strategy: MultiIdpSamlStrategy
  readonly passport: passport.Authenticator
  readonly idp: EmbeddedIdp
  readonly metadataPolicy: MetadataFetchPolicy
  readonly localUsers: LocalUsers
  readonly audit: BreakGlassAudit
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
  // Listen first (port 0 and BASE_URL need the port); until the app is ready, it answers 503.
  const listening = await listenWhileStarting(options.port ?? 3000, options.host)
  const baseUrl = (options.baseUrl ?? `http://localhost:${listening.port}`).replace(/\/+$/, '')
  let backends: Backends | undefined
  let refresh: DemoMetadataRefresh | undefined
  try {
    const secrets = loadSecrets(dataDir, baseUrl, options)
    backends = await openBackends({
      dataDir,
      databaseUrl: options.databaseUrl,
      databaseSchema: options.databaseSchema,
      redisUrl: options.redisUrl,
      redisKeyPrefix: options.redisKeyPrefix,
    })
    const parts = await createParts(options, dataDir, baseUrl, secrets, backends)
    // The seed fetches the embedded IdP's metadata from its URL: serve the IdP meanwhile.
    listening.serve(startingApp(parts.idp))
    const { minIntervalMs, maxIntervalMs } = refreshIntervals(options)
    await seedTenants(backends.store, parts.idp, dataDir, options.seed ?? true, {
      minIntervalMs,
      maxIntervalMs,
      fetch: { allowHttp: true, allowPrivateNetwork: true, timeoutMs: 5_000 },
    })
    refresh = new DemoMetadataRefresh({
      store: backends.store,
      policy: parts.metadataPolicy,
      intervals: refreshIntervals(options),
    })
    listening.serve(createApp(parts, refresh, options))
    const opened = backends
    const running = refresh
    let closing: Promise<void> | undefined
    return {
      url: baseUrl,
      port: listening.port,
      adminToken: secrets.adminToken,
      adminPassword: secrets.adminPassword,
      backends: opened.description,
      store: opened.store,
      idp: parts.idp,
      refresh: running,
      close: () =>
        (closing ??= (async () => {
          running.stop()
          await listening.close()
          await opened.close()
        })()),
    }
  } catch (err) {
    refresh?.stop()
    listening.server.close()
    await backends?.close()
    throw err
  }
}

/** The refresher's timing: the demo's short defaults, with the caller's overrides. */
function refreshIntervals(options: StartDemoOptions): DemoRefreshIntervals {
  return { ...DEMO_REFRESH_INTERVALS, ...options.metadataRefresh }
}

/** While the demo starts: the embedded IdP answers (the seed fetches its metadata), the rest is 503. */
function startingApp(idp: EmbeddedIdp): Express {
  const app = express()
  app.disable('x-powered-by')
  app.use('/idp', idp.router())
  app.use((_req, res) => {
    res.status(503).setHeader('Retry-After', '1')
    res.type('text/plain').send('starting\n')
  })
  return app
}

/** The strategy and its Passport, the embedded IdP, the local accounts and the break-glass audit. */
async function createParts(
  options: StartDemoOptions,
  dataDir: string,
  baseUrl: string,
  secrets: DemoSecrets,
  backends: Backends,
): Promise<DemoParts> {
  const { store, cache } = backends
  const attempts = new AttemptLog()
  const { spSigning, spEncryption } = secrets
  const strategy = createSamlStrategy({ baseUrl, store, cache, spSigning, spEncryption, attempts })
  const passport = createPassport(strategy)
  const idp = EmbeddedIdp.create({
    baseUrl,
    dataDir,
    tenants: DEMO_TENANTS,
    // The SP metadata the IdP's admin would have uploaded, looked up in-process.
    spMetadata: async (idpEntityId) => {
      const record = await store.findByEntityId(idpEntityId)
      return record ? strategy.serviceProvider.metadataFor(record) : undefined
    },
    ...(options.idpKeyRolloverMs !== undefined && { keyRolloverMs: options.idpKeyRolloverMs }),
  })
  const https = baseUrl.startsWith('https:')
  const metadataPolicy: MetadataFetchPolicy = {
    ownOrigin: baseUrl,
    allowHttp: options.metadataAllowHttp,
    allowPrivateNetwork: options.metadataAllowPrivateNetwork,
  }
  const localUsers = await LocalUsers.open(dataDir, options.seed ?? true)
  const audit = new BreakGlassAudit(dataDir, options.auditLog)
  return {
    baseUrl,
    https,
    secrets,
    backends,
    attempts,
    strategy,
    passport,
    idp,
    metadataPolicy,
    localUsers,
    audit,
  }
}

/** The Express app: session, then the routes in the order they are tried, then 404 and errors. */
function createApp(parts: DemoParts, refresh: DemoMetadataRefresh, options: StartDemoOptions): Express {
  const { baseUrl, https, secrets, backends, attempts, strategy, idp, metadataPolicy } = parts
  const { store } = backends
  const { localUsers, audit } = parts
  const now = options.now ?? Date.now
  const auth = new AdminAuth({
    token: secrets.adminToken.value,
    password: secrets.adminPassword.value,
    secret: secrets.sessionSecret.value,
    secure: https,
  })
  const app = express()
  app.disable('x-powered-by')
  if (options.trustProxy ?? https) app.set('trust proxy', 1)
  app.use(
    loginSession({
      secret: secrets.sessionSecret.value,
      store: backends.sessionStore,
      secure: https,
      passport: parts.passport,
    }),
    expireBreakGlass(now),
  )
  app.use('/saml', samlRoutes(strategy, parts.passport))
  app.use('/idp', idp.router())
  app.use('/admin/idps', adminApi({ store, auth, attempts, metadataPolicy }))
  app.use(
    '/admin',
    adminPages({
      strategy,
      store,
      auth,
      attempts,
      metadataPolicy,
      exampleMetadataUrls: idp.tenants.map((t) => idp.metadataUrl(t.id)),
      userName: (req) => currentUser(req)?.nameID,
      idp,
      refresh,
      audit,
    }),
  )
  app.use(
    localLoginRoutes({
      store,
      localUsers,
      auth,
      audit,
      returnToOf: returnToGuard(baseUrl),
      breakGlassTtlMs: options.breakGlassTtlMs ?? 15 * 60_000,
      now,
    }),
  )
  app.use(siteRoutes({ store, baseUrl, localUsers }))
  app.use(notFound())
  app.use(errorHandlers())
  return app
}

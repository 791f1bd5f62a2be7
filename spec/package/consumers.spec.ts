// The package's types as apps see them: throwaway consumer projects with the packed package under
// their node_modules (see consumer-kit.ts), compiled with this repo's TypeScript, strict, with
// skipLibCheck false, so every declaration file of the package and of the app's type packages is
// checked, and resolves its imports from the consumer's node_modules only. (skipDefaultLibCheck
// skips TypeScript's own lib.*.d.ts, which no package can change, and halves the time.)
// Runs after `npm run build` (npm test builds first).
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { makeConsumer, removeWorkDir, typecheck, type ConsumerOptions } from './consumer-kit.js'

after(removeWorkDir)

const NODE = { '@types/node': 'node_modules/@types/node' }
const EXPRESS_TYPES = { 5: 'node_modules/@types/express', 4: 'node_modules/@types/express-4' }

/** An Express + Passport app's dependencies, with Express 4's or 5's types. */
function expressApp(version: 4 | 5): ConsumerOptions['dependencies'] {
  return {
    ...NODE,
    '@types/express': EXPRESS_TYPES[version],
    '@types/passport': 'node_modules/@types/passport',
    express: 'node_modules/express',
    passport: 'node_modules/passport',
  }
}

/** How each module setup imports a CommonJS module's default export. */
const importDefault = {
  interop: (name: string, from: string) => `import ${name} from '${from}'`,
  // node10 without esModuleInterop: the only form that works, and what such apps write.
  require: (name: string, from: string) => `import ${name} = require('${from}')`,
}

/**
 * An app on every entry: the strategy with a `(req: express.Request, profile, done)` verify and
 * `passReqToCallback: true`, `passport.use(strategy)`, the router (given the Passport instance) and
 * the error handler mounted, the core on its own, the SQL and Redis adapters, and an adapter spec.
 */
function fullApp(style: keyof typeof importDefault): string {
  const def = importDefault[style]
  return `${def('express', 'express')}
${def('passport', 'passport')}
import {
  MemoryIdpStore,
  MultiIdpSamlStrategy,
  isSamlError,
  samlErrorStatus,
  type SamlAuthInfo,
  type SamlProfile,
} from 'passport-saml-multi-idp'
import { SamlServiceProvider, type SamlHttpRequest } from 'passport-saml-multi-idp/core'
import { samlErrorHandler, samlRouter, toSamlRequest, SAML_SESSION_KEY } from 'passport-saml-multi-idp/express'
import { SqlIdpStore, SqlSamlCache } from 'passport-saml-multi-idp/sql'
import { RedisSamlCache } from 'passport-saml-multi-idp/redis'
import { idpStoreConformance, samlCacheConformance } from 'passport-saml-multi-idp/testing'

interface User { id: string; idp: string; ip: string | undefined }

export async function main(): Promise<void> {
  const app = express()
  const store = new MemoryIdpStore()
  const strategy = new MultiIdpSamlStrategy(
    { store, sp: { baseUrl: 'https://app.example.com' }, passReqToCallback: true },
    (req: express.Request, profile, done) => {
      const user: User = { id: profile.nameID, idp: profile.idp, ip: req.ip }
      done(null, user)
    },
  )
  passport.use(strategy)
  const router: express.Router = samlRouter({
    strategy,
    passport,
    onSuccess: (req: express.Request, res: express.Response, info: SamlAuthInfo) => {
      res.json({ user: req.user, idp: info.idp, returnTo: info.returnTo })
    },
  })
  app.use(passport.initialize())
  app.use('/saml', router)
  app.use(samlErrorHandler())
  app.get('/saml/:idp/metadata.xml', async (req, res, next) => {
    const outcome = await strategy.serviceProvider.metadata(toSamlRequest(req))
    if (outcome.type === 'error') return next(outcome.error)
    res.type(outcome.contentType).send(outcome.body)
  })
  app.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (isSamlError(err)) res.status(samlErrorStatus(err.code)).send(err.code)
    else next(err)
  })

  // Without the request, async, as passport-saml's users write it.
  const plain = new MultiIdpSamlStrategy(
    { name: 'saml-plain', store, sp: { baseUrl: 'https://app.example.com' } },
    async (profile: SamlProfile) => ({ id: profile.nameID }),
  )
  passport.use(plain)

  // The core alone, the adapters with their own connections, a session key.
  const core = new SamlServiceProvider({ store, sp: { baseUrl: 'https://app.example.com' } })
  const request: SamlHttpRequest = { method: 'GET', url: '/saml/acme/metadata', headers: {} }
  await core.metadata(request)
  const sql = await SqlIdpStore.open({ connectionString: 'postgres://localhost/app' })
  const sqlCache = await SqlSamlCache.open({ dataDir: '.data' })
  const redis = await RedisSamlCache.connect('redis://localhost:6379')
  await Promise.all([sql.close(), sqlCache.close(), redis.close()])
  const key: string = SAML_SESSION_KEY
  app.listen(3000, () => console.log(key))
}

// An adapter's specs.
export function adapterSpecs(): void {
  idpStoreConformance('memory', async () => new MemoryIdpStore())
  samlCacheConformance('redis', () => RedisSamlCache.connect('redis://localhost:6379'))
}
`
}

const setups = {
  'ESM, moduleResolution node16': {
    type: 'module',
    compilerOptions: { module: 'node16', moduleResolution: 'node16' },
    style: 'interop',
  },
  'ESM, moduleResolution bundler': {
    type: 'module',
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler' },
    style: 'interop',
  },
  'CommonJS, moduleResolution node16': {
    type: 'commonjs',
    compilerOptions: { module: 'node16', moduleResolution: 'node16' },
    style: 'interop',
  },
  'CommonJS, moduleResolution node10, no esModuleInterop': {
    type: 'commonjs',
    compilerOptions: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: false },
    style: 'require',
  },
} as const

function compile(name: string, options: ConsumerOptions): string {
  const dir = makeConsumer(name, {
    ...options,
    compilerOptions: { skipDefaultLibCheck: true, ...options.compilerOptions },
  })
  return typecheck(dir)
}

function expectCompiles(name: string, options: ConsumerOptions): void {
  assert.equal(compile(name, options), '', `${name} must compile`)
}

describe('an app compiles against the packed package (strict, skipLibCheck false)', () => {
  for (const [setup, { type, compilerOptions, style }] of Object.entries(setups)) {
    for (const version of [5, 4] as const) {
      it(`${setup}, Express ${version} types: every entry, passport.use, samlRouter, verify with req`, () => {
        const name = `${type}-${compilerOptions.moduleResolution}-express${version}`
        expectCompiles(name, {
          type,
          compilerOptions,
          dependencies: expressApp(version),
          files: { 'app.ts': fullApp(style) },
        })
      })
    }
  }

  it("the control: with a second copy of @types/express under the package, the issue's errors come back", () => {
    // What `@types/express@5` in the package's dependencies did to an Express 4 app.
    const errors = compile('control-two-express-copies', {
      type: 'module',
      compilerOptions: setups['ESM, moduleResolution node16'].compilerOptions,
      dependencies: expressApp(4),
      packageDependencies: { '@types/express': EXPRESS_TYPES[5] },
      files: { 'app.ts': fullApp('interop') },
    })
    assert.match(errors, /error TS(2345|2769):/)
  })

  it('an app with pg (and @types/pg) only: /sql on its own pg.Pool, the strategy from the main entry', () => {
    expectCompiles('pg-only', {
      type: 'module',
      compilerOptions: { module: 'node16', moduleResolution: 'node16' },
      dependencies: { ...NODE, pg: 'node_modules/pg', '@types/pg': 'node_modules/@types/pg' },
      files: {
        'app.ts': `import pg from 'pg'
import { MultiIdpSamlStrategy } from 'passport-saml-multi-idp'
import { SqlIdpStore, SqlSamlCache, type PgPool } from 'passport-saml-multi-idp/sql'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
const asPool: PgPool = pool
const store = await SqlIdpStore.open({ pool: asPool, schema: 'sso' })
const cache = await SqlSamlCache.open({ pool, poolOptions: { max: 4 } })
export const strategy = new MultiIdpSamlStrategy(
  { store, cache, sp: { baseUrl: 'https://app.example.com' } },
  async (profile) => ({ id: profile.nameID }),
)
`,
      },
    })
  })

  it('an app with no database, Redis, Express or Passport: the main entry and /core (a custom edge)', () => {
    expectCompiles('no-peers', {
      type: 'commonjs',
      compilerOptions: { module: 'node16', moduleResolution: 'node16' },
      dependencies: NODE,
      files: {
        'edge.ts': `import { createServer } from 'node:http'
import { FileIdpStore, MemorySamlCache, MultiIdpSamlStrategy, type SamlProfile } from 'passport-saml-multi-idp'
import { SamlServiceProvider, normalizeIdpRecord } from 'passport-saml-multi-idp/core'

export async function main(): Promise<void> {
  const store = await FileIdpStore.open({ dir: 'idps' })
  const sp = { baseUrl: 'https://app.example.com' }
  const core = new SamlServiceProvider({ store, cache: new MemorySamlCache(), sp })
  const strategy = new MultiIdpSamlStrategy({ store, sp }, (profile: SamlProfile, done) =>
    done(null, { id: profile.nameID }),
  )
  void [strategy, normalizeIdpRecord]
  createServer(async (req, res) => {
    const outcome = await core.metadata({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers })
    if (outcome.type === 'document') res.writeHead(200, { 'Content-Type': outcome.contentType }).end(outcome.body)
    else res.writeHead(500).end()
  }).listen(3000)
}
`,
      },
    })
  })

  it('an app using /redis without ioredis installed (its own client type, or the URL)', () => {
    expectCompiles('redis-without-ioredis', {
      type: 'module',
      compilerOptions: { module: 'node16', moduleResolution: 'node16' },
      dependencies: NODE,
      files: {
        'cache.ts': `import { RedisSamlCache, type RedisSamlCacheClient } from 'passport-saml-multi-idp/redis'

export const fromUrl = await RedisSamlCache.connect('redis://localhost:6379', { keyPrefix: 'app:' })
export const fromClient = (client: RedisSamlCacheClient) => new RedisSamlCache({ client, commandTimeoutMs: 500 })
`,
      },
    })
  })

  // (PGlite's own declarations need @types/emscripten, which it does not install, so an app with
  // PGlite compiles only with skipLibCheck; its instance fitting PGliteInstance is checked by the
  // repo's own typecheck, in spec/store.)
  it('an app with ioredis: its client fits the Redis cache', () => {
    expectCompiles('ioredis', {
      type: 'module',
      compilerOptions: { module: 'node16', moduleResolution: 'node16' },
      dependencies: {
        ...NODE,
        ioredis: 'node_modules/ioredis',
      },
      files: {
        'app.ts': `import { Redis } from 'ioredis'
import { RedisSamlCache } from 'passport-saml-multi-idp/redis'

export const cache = new RedisSamlCache({ client: new Redis({ enableOfflineQueue: false }) })
`,
      },
    })
  })
})

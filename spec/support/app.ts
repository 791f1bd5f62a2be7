import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import session from 'express-session'
import passport from 'passport'
import {
  MemoryIdpStore,
  MultiIdpSamlStrategy,
  type IdpStore,
  type MultiIdpSamlStrategyOptions,
  type SamlProfile,
  type VerifyFunction,
} from '../../lib/index.js'
import { samlRouter, type SamlRouterOptions } from '../../lib/entries/express.js'
import { keys } from './test-idp.js'

export interface TestApp {
  readonly baseUrl: string
  readonly store: IdpStore
  readonly strategy: MultiIdpSamlStrategy
  /** Profiles verify saw, newest last. */
  readonly verified: SamlProfile[]
  close(): Promise<void>
}

export interface TestAppOptions {
  strategy?: Partial<Omit<MultiIdpSamlStrategyOptions, 'store' | 'sp'>> & {
    sp?: Partial<MultiIdpSamlStrategyOptions['sp']>
  }
  verify?: VerifyFunction
  store?: IdpStore
  /** Extra samlRouter options. */
  router?: Partial<Omit<SamlRouterOptions, 'strategy' | 'passport'>>
  /** Routes of the app's own, added before the SAML router (e.g. a login with per-call options). */
  routes?: (app: express.Express, auth: passport.Authenticator) => void
}

/**
 * A real Express app with real Passport and sessions, the strategy and its router mounted at /saml,
 * and `/me` answering with the session's profile. Listens on an ephemeral port.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const server: Server = createServer()
  // Idle keep-alive sockets are closed by the client only. With the server closing them too (after
  // 5 s by default), a stalled event loop on a busy machine can let both happen at once: the client
  // reuses a socket the server is closing, and the request fails with "fetch failed".
  server.keepAliveTimeout = 0
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const store = options.store ?? new MemoryIdpStore()
  const verified: SamlProfile[] = []
  const { sp: spOverrides, ...strategyOverrides } = options.strategy ?? {}
  const strategy = new MultiIdpSamlStrategy(
    {
      store,
      sp: { baseUrl, signingKey: keys.sp.key, signingCert: keys.sp.cert, ...spOverrides },
      ...strategyOverrides,
    },
    options.verify ??
      (async (profile: SamlProfile) => {
        verified.push(profile)
        return { idp: profile.idp, nameID: profile.nameID, mapped: profile.mapped }
      }),
  )
  const auth = new passport.Passport()
  auth.use(strategy)
  auth.serializeUser((user, done) => done(null, user))
  auth.deserializeUser((user: Express.User, done) => done(null, user))

  const app = express()
  app.use(session({ secret: 'test-secret', resave: false, saveUninitialized: false }))
  app.use(auth.session())
  options.routes?.(app, auth)
  app.use('/saml', samlRouter({ strategy, passport: auth, ...options.router }))
  app.get('/me', (req, res) => {
    if (!req.user)
      return void res.status(401).json({ error: { code: 'ERR_NOT_SIGNED_IN', message: 'sign in first' } })
    res.json(req.user)
  })
  app.get(/.*/, (req, res) => void res.type('text').send(`page ${req.path}`))
  server.on('request', app)
  return {
    baseUrl,
    store,
    strategy,
    verified,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

/** A tiny browser: keeps cookies per origin-less jar, never follows redirects by itself. */
export class TestBrowser {
  private readonly cookies = new Map<string, string>()

  async request(
    url: string,
    init: RequestInit & { form?: Record<string, string>; json?: boolean } = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    if (init.json) headers.set('accept', 'application/json')
    let body = init.body
    if (init.form) {
      body = new URLSearchParams(init.form).toString()
      headers.set('content-type', 'application/x-www-form-urlencoded')
    }
    const res = await fetch(url, { ...init, headers, body, redirect: 'manual' })
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim())
    }
    return res
  }

  get(url: string, json = false): Promise<Response> {
    return this.request(url, { json })
  }

  post(url: string, form: Record<string, string>, json = true): Promise<Response> {
    return this.request(url, { method: 'POST', form, json })
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name)
  }
}

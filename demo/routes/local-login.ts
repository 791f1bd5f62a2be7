/**
 * The non-SAML logins, beside SAML:
 *
 * - `GET|POST /login/password`: a local password account, for users of a tenant without SSO
 *   (discovery by email sends their domain here). An email whose domain has an IdP is refused
 *   before any password is checked: a SAML tenant's users sign in through their IdP only.
 * - `GET|POST /login/break-glass`: the admin's way in when an IdP is down (Okta's "backdoor"): the
 *   admin password, a reason and a typed confirmation; audited (logged and shown on the admin page)
 *   and time-limited.
 *
 * Failed attempts are rate-limited in process memory (per email and per IP address for passwords,
 * per IP address and overall for break-glass). `expireBreakGlass` ends a break-glass session once
 * its time is up.
 *
 * @module
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express'
import type { IdpStore } from '../../lib/index.js'
import type { AdminAuth } from '../admin-auth.js'
import { AttemptLimiter } from '../local/attempt-limiter.js'
import type { BreakGlassAudit, BreakGlassOutcome } from '../local/break-glass-audit.js'
import { BREAK_GLASS_PHRASE, breakGlassPage, passwordPage } from '../local/local-login-pages.js'
import type { LocalUser, LocalUsers } from '../local/local-users.js'
import type { DemoUser } from '../pages.js'

/** Options of {@link localLoginRoutes}. */
export interface LocalLoginOptions {
  store: IdpStore
  localUsers: LocalUsers
  auth: AdminAuth
  audit: BreakGlassAudit
  /** A local path to go back to after signing in, `/` when `value` is not one. */
  returnToOf: (value: unknown) => string
  /** How long a break-glass session lasts, in ms. */
  breakGlassTtlMs: number
  /** Current time in epoch ms (tests). Default `Date.now`. */
  now?: () => number
}

const WINDOW_MS = 15 * 60_000

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' ? value : ''
}

function domainOf(email: string): string | undefined {
  return /^[^@\s]+@([^@\s]+)$/.exec(email.trim())?.[1]?.toLowerCase()
}

function tooMany(res: Response, waitMs: number): void {
  res.status(429).setHeader('Retry-After', String(Math.ceil(waitMs / 1000)))
}

/** Logs `user` in (a new session id, as for SAML logins), then goes to `to`. */
function logIn(req: Request, res: Response, user: DemoUser, to: string, next: (err: unknown) => void): void {
  req.login(user as Express.User, (err) => (err ? next(err) : res.redirect(303, to)))
}

function localSession(user: LocalUser): DemoUser {
  return {
    idp: null,
    nameID: user.email,
    nameIDFormat: null,
    sessionIndex: null,
    profile: {
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      displayName: user.displayName,
      groups: [...user.groups],
    },
    attributes: {},
    login: 'password',
  }
}

/**
 * Middleware: a break-glass session whose time is up is ended before the request goes on (the
 * request then runs signed out).
 *
 * @example
 * ```ts
 * app.use(loginSession(…), expireBreakGlass())
 * ```
 */
export function expireBreakGlass(now: () => number = Date.now): RequestHandler {
  return (req, _res, next) => {
    const user = req.user as DemoUser | undefined
    if (user?.login !== 'break-glass' || Date.parse(user.expiresAt ?? '') > now()) return next()
    req.logout((err) => next(err))
  }
}

/**
 * Router of the password and break-glass logins, to mount at `/`.
 *
 * @example
 * ```ts
 * app.use(localLoginRoutes({ store, localUsers, auth, audit, returnToOf, breakGlassTtlMs: 15 * 60_000 }))
 * ```
 */
export function localLoginRoutes(options: LocalLoginOptions): Router {
  const { store, localUsers, auth, audit, returnToOf, breakGlassTtlMs } = options
  const now = options.now ?? Date.now
  const byEmail = new AttemptLimiter({ maxFailures: 5, windowMs: WINDOW_MS, now })
  const byIp = new AttemptLimiter({ maxFailures: 20, windowMs: WINDOW_MS, now })
  const glassByIp = new AttemptLimiter({ maxFailures: 5, windowMs: WINDOW_MS, now })
  const glassOverall = new AttemptLimiter({ maxFailures: 20, windowMs: WINDOW_MS, now })
  const ttlMinutes = Math.round(breakGlassTtlMs / 60_000)
  const router = express.Router()
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 10 })

  /** Where a user of `domain` signs in with SSO, if its domain has an IdP. */
  const ssoFor = async (email: string, returnTo: string): Promise<string | undefined> => {
    const domain = domainOf(email)
    if (!domain || !(await store.findByEmailDomain(domain))) return undefined
    return `/saml/login?email=${encodeURIComponent(email.trim())}&returnTo=${encodeURIComponent(returnTo)}`
  }

  router.get('/login/password', async (req, res, next) => {
    try {
      const email = typeof req.query.email === 'string' ? req.query.email.trim().slice(0, 200) : ''
      const returnTo = returnToOf(req.query.returnTo)
      const sso = await ssoFor(email, returnTo)
      if (sso) return res.redirect(302, sso)
      res.setHeader('Cache-Control', 'no-store')
      res.type('html').send(passwordPage({ email, returnTo }))
    } catch (err) {
      next(err)
    }
  })

  router.post('/login/password', form, async (req, res, next) => {
    try {
      const email = field(req, 'email').trim().toLowerCase().slice(0, 200)
      const returnTo = returnToOf(field(req, 'returnTo'))
      const again = (status: number, error: string) =>
        void res.status(status).type('html').send(passwordPage({ email, returnTo, error }))
      // A SAML tenant's user never signs in with a password, whatever accounts exist.
      if (await ssoFor(email, returnTo)) {
        return again(403, `${domainOf(email)} signs in through its identity provider, not with a password.`)
      }
      const ip = `ip:${req.ip ?? ''}`
      const wait = Math.max(byEmail.retryAfterMs(email), byIp.retryAfterMs(ip))
      if (wait > 0) {
        tooMany(res, wait)
        return again(429, `Too many failed attempts. Try again in ${Math.ceil(wait / 60_000)} minutes.`)
      }
      const user = await localUsers.verify(email, field(req, 'password'))
      if (!user) {
        byEmail.recordFailure(email)
        byIp.recordFailure(ip)
        return again(401, 'Wrong email or password.')
      }
      byEmail.reset(email)
      logIn(req, res, localSession(user), returnTo, next)
    } catch (err) {
      next(err)
    }
  })

  router.get('/login/break-glass', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store')
    res.type('html').send(breakGlassPage({ ttlMinutes }))
  })

  router.post('/login/break-glass', form, (req, res, next) => {
    const ip = req.ip ?? ''
    const reason = field(req, 'reason').trim()
    const at = new Date(now()).toISOString()
    const userAgent = req.get('user-agent') ?? ''
    const record = (outcome: BreakGlassOutcome, expiresAt?: string) =>
      audit.record({ at, outcome, reason, ip, userAgent, ...(expiresAt && { expiresAt }) })
    const again = (status: number, error: string) =>
      void res.status(status).type('html').send(breakGlassPage({ ttlMinutes, error }))
    const wait = Math.max(glassByIp.retryAfterMs(ip), glassOverall.retryAfterMs('all'))
    if (wait > 0) {
      record('rate-limited')
      tooMany(res, wait)
      return again(429, `Too many failed attempts. Try again in ${Math.ceil(wait / 60_000)} minutes.`)
    }
    if (field(req, 'confirm').trim() !== BREAK_GLASS_PHRASE || reason.length < 10) {
      record('not-confirmed')
      return again(400, `Give a reason (at least 10 characters) and type ${BREAK_GLASS_PHRASE} to confirm.`)
    }
    if (!auth.checkPassword(field(req, 'password'))) {
      glassByIp.recordFailure(ip)
      glassOverall.recordFailure('all')
      record('wrong-password')
      return again(401, 'Wrong admin password.')
    }
    const expiresAt = new Date(now() + breakGlassTtlMs).toISOString()
    record('granted', expiresAt)
    const user: DemoUser = {
      idp: null,
      nameID: 'break-glass-admin',
      nameIDFormat: null,
      sessionIndex: null,
      profile: { displayName: 'Break-glass admin', groups: ['admin'] },
      attributes: {},
      login: 'break-glass',
      expiresAt,
    }
    req.login(user as Express.User, (err) => {
      if (err) return next(err)
      // The cookie ends with the session; expireBreakGlass ends it on the server as well.
      req.session.cookie.maxAge = breakGlassTtlMs
      req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect(303, '/')))
    })
  })
  return router
}

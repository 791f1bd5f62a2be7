/**
 * The app's own pages around the SAML login: home, sign-in with discovery by email (an SSO domain
 * goes to its IdP, a domain of local accounts to the password form), the deep link that needs a
 * signed-in user, `/me` (the session as JSON) and sign-out.
 *
 * @module
 */
import express, { type Request, type RequestHandler, type Router } from 'express'
import { safeReturnTo, searchIdps, type IdpStore } from '../../lib/index.js'
import { SAML_SESSION_KEY } from '../../lib/entries/express.js'
import { sendJsonError } from '../admin-auth.js'
import type { LocalUsers } from '../local/local-users.js'
import { deepLinkPage, homePage, loginPage, type DemoUser, type LoginIdp } from '../pages.js'

/** Options of {@link siteRoutes}. */
export interface SiteRoutesOptions {
  store: IdpStore
  /** The public origin: `returnTo` must stay on it. */
  baseUrl: string
  /** Local password accounts: discovery sends their domains to the password form. */
  localUsers: LocalUsers
}

/** A local path to go back to after signing in, `/` when `value` is not one. */
export type ReturnToOf = (value: unknown) => string

/**
 * The `returnTo` check of every sign-in route: a path on `baseUrl`, else `/`.
 *
 * @example
 * ```ts
 * returnToGuard('http://localhost:3000')('https://evil.example/') // '/'
 * ```
 */
export function returnToGuard(baseUrl: string): ReturnToOf {
  return (value) => safeReturnTo(value, { baseUrl, allowedHosts: [], fallback: '/' })
}

/** The signed-in user of this request, if any. */
export function currentUser(req: Request): DemoUser | undefined {
  return req.user as DemoUser | undefined
}

const me: RequestHandler = (req, res) => {
  res.setHeader('Cache-Control', 'no-store')
  const user = currentUser(req)
  if (!user) return sendJsonError(res, 401, 'ERR_NOT_SIGNED_IN', 'no user is signed in')
  res.json(user)
}

const home: RequestHandler = (req, res) => {
  res.setHeader('Cache-Control', 'no-store')
  res.type('html').send(homePage(currentUser(req)))
}

/** Shown on the sign-in page when nothing is searched: the first IdPs by id. */
const LISTED = 100

/**
 * The IdPs the sign-in page lists: those matching `?q=` (display name, domain or entityID, through
 * `searchIdps`, so a federation of thousands stays usable), else the first {@link LISTED}.
 */
async function idpsToList(store: IdpStore, query: string): Promise<LoginIdp[]> {
  if (query !== '') {
    // A short index age: an IdP an admin just added is findable within seconds.
    const found = await searchIdps(store, query, { limit: 50, maxAgeMs: 5_000 })
    return found.map((r) => ({ id: r.id, name: r.displayName ?? r.id, domains: r.domains }))
  }
  const records = await store.list({ limit: LISTED })
  return records.map((r) => ({ id: r.id, name: r.displayName ?? r.id, domains: r.emailDomains }))
}

function signIn(store: IdpStore, returnToOf: ReturnToOf): RequestHandler {
  return async (req, res, next) => {
    try {
      const query = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : ''
      const idps = await idpsToList(store, query)
      const error = typeof req.query.error === 'string' ? req.query.error.slice(0, 200) : undefined
      res.type('html').send(loginPage(idps, returnToOf(req.query.returnTo), error, undefined, query))
    } catch (err) {
      next(err)
    }
  }
}

/**
 * Discovery: ask for the work email, then let the strategy route by domain (GET /saml/login?email=).
 * A domain without an IdP whose users have local accounts goes to the password form instead.
 */
function discovery(store: IdpStore, localUsers: LocalUsers, returnToOf: ReturnToOf): RequestHandler {
  return async (req, res, next) => {
    try {
      const email = typeof req.query.email === 'string' ? req.query.email.trim() : ''
      const returnTo = returnToOf(req.query.returnTo)
      const domain = /^[^@\s]+@([^@\s]+)$/.exec(email)?.[1]
      const record = domain ? await store.findByEmailDomain(domain) : undefined
      if (!record && domain && localUsers.hasDomain(domain)) {
        return res.redirect(
          302,
          `/login/password?email=${encodeURIComponent(email)}&returnTo=${encodeURIComponent(returnTo)}`,
        )
      }
      if (!record) {
        const idps = await idpsToList(store, '')
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
  }
}

const deepLink: RequestHandler = (req, res) => {
  const user = currentUser(req)
  if (!user) return res.redirect(302, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`)
  res.setHeader('Cache-Control', 'no-store')
  res.type('html').send(deepLinkPage(user, req.originalUrl))
}

/** Sign out: through the IdP (Single Logout) after a SAML login, else (password, break-glass) just the local session. */
const logout: RequestHandler = (req, res, next) => {
  const saml = (req.session as unknown as Record<string, unknown>)[SAML_SESSION_KEY] as
    { idp?: unknown } | undefined
  if (typeof saml?.idp === 'string') {
    return res.redirect(303, `/saml/${encodeURIComponent(saml.idp)}/logout?returnTo=%2F`)
  }
  req.logout((err) => {
    if (err) return next(err)
    req.session.destroy(() => res.redirect(303, '/'))
  })
}

/**
 * Router of the site's pages, to mount at `/`.
 *
 * @example
 * ```ts
 * app.use(siteRoutes({ store, baseUrl: 'http://localhost:3000', localUsers }))
 * ```
 */
export function siteRoutes(options: SiteRoutesOptions): Router {
  const returnToOf = returnToGuard(options.baseUrl)
  const router = express.Router()
  router.get('/me', me)
  router.get('/', home)
  router.get('/login', signIn(options.store, returnToOf))
  router.get('/login/sso', discovery(options.store, options.localUsers, returnToOf))
  router.get(/^\/deep(\/.*)?$/, deepLink)
  router.post('/logout', logout)
  return router
}

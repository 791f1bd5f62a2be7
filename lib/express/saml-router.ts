import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express'
import passport from 'passport'
import { SamlError } from '../errors/saml-error.js'
import type { LogoutInput } from '../logout/validate-logout.js'
import { safeReturnTo } from '../relay-state/safe-return-to.js'
import type { SamlSessionInfo } from '../sp/service-provider.js'
import type { MultiIdpSamlStrategy, SamlAuthInfo } from '../strategy/multi-idp-saml-strategy.js'
import { samlErrorHandler, sendSamlError } from './error-handler.js'

/** Options of {@link samlRouter}. */
export interface SamlRouterOptions {
  /** The strategy instance (registered with `passport.use`). */
  strategy: MultiIdpSamlStrategy
  /** The Passport instance the strategy is registered with. Default: the `passport` module. */
  passport?: passport.Authenticator
  /** Establish a login session (`req.logIn` with session). Default true. */
  session?: boolean
  /**
   * Called after a successful login instead of redirecting to the return target, e.g. to issue a
   * JWT for a single-page app. `info.returnTo` is the checked deep link.
   */
  onSuccess?: (req: Request, res: Response, info: SamlAuthInfo) => void | Promise<void>
  /**
   * Status of the redirect to the return target after login. Default 302, what browsers and
   * Passport's `successRedirect` use; 303 says "follow with GET" explicitly. Either way the browser
   * follows with a GET and never re-posts the SAMLResponse.
   */
  successRedirectStatus?: 302 | 303
  /**
   * Called when the IdP asks to end a user's sessions (IdP-initiated Single Logout), after the
   * current browser session, if it is that user's, was logged out. Use it to end the user's other
   * sessions (in other browsers) in your session store.
   */
  onLogoutRequest?: (
    req: Request,
    request: { idp: string; nameID: string; sessionIndexes: readonly string[] },
  ) => void | Promise<void>
}

/** Key under which the router keeps the SAML session details Single Logout needs. */
export const SAML_SESSION_KEY = 'saml'

type SessionHolder = { session?: Record<string, unknown> }

function samlSession(req: Request): SamlSessionInfo | undefined {
  const value = (req as unknown as SessionHolder).session?.[SAML_SESSION_KEY] as SamlSessionInfo | undefined
  return value && typeof value.idp === 'string' && typeof value.nameID === 'string' ? value : undefined
}

function logoutLocally(req: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    if (typeof req.logout !== 'function' || !(req as unknown as SessionHolder).session) return resolve()
    req.logout((err?: unknown) => (err ? reject(err) : resolve()))
  })
}

/**
 * Express router with the SAML endpoints for every IdP. Mount it at the strategy's `sp.pathPrefix`
 * (default `/saml`):
 *
 * - `GET  /:idp/login?returnTo=/path` — SP-initiated login at that IdP
 * - `GET  /login?email=alice@acme.com` — discovery: login at the IdP for that email domain
 * - `POST /:idp/acs` — assertion consumer service for one IdP
 * - `POST /acs` — shared ACS; the IdP is chosen by the response's Issuer
 * - `GET  /:idp/metadata` — SP metadata to give that IdP
 * - `GET  /:idp/logout?returnTo=/path` — end the session, and at the IdP too when it has an SLO endpoint
 * - `GET|POST /:idp/slo` — the SP's SingleLogoutService (LogoutResponse, or IdP-initiated LogoutRequest)
 *
 * @example
 * ```ts
 * app.use('/saml', samlRouter({ strategy }))
 * ```
 */
export function samlRouter(options: SamlRouterOptions): Router {
  const { strategy } = options
  if (!strategy || typeof strategy.authenticate !== 'function' || !strategy.serviceProvider) {
    throw new TypeError('"options.strategy" must be a MultiIdpSamlStrategy instance')
  }
  const authenticator = options.passport ?? passport
  const session = options.session ?? true
  const successRedirectStatus = options.successRedirectStatus ?? 302
  if (successRedirectStatus !== 302 && successRedirectStatus !== 303) {
    throw new TypeError('"options.successRedirectStatus" must be 302 or 303')
  }
  const router = express.Router()
  const limit = Math.ceil((strategy.options.limits.maxBytes * 4) / 3) + 16 * 1024
  const form = express.urlencoded({ extended: false, limit, parameterLimit: 10 })

  const login: RequestHandler = (req, res, next) =>
    authenticator.authenticate(strategy.name, { session })(req, res, next)

  const acs: RequestHandler = (req, res, next) => {
    authenticator.authenticate(
      strategy.name,
      { session },
      (
        err: unknown,
        user: Express.User | false,
        info: SamlAuthInfo | { message?: string; code?: string } | undefined,
      ) => {
        if (err) return next(err)
        if (!user) {
          const challenge = (info ?? {}) as { message?: string; code?: string }
          return sendSamlError(
            req,
            res,
            401,
            challenge.code ?? 'ERR_SAML_ACCESS_DENIED',
            challenge.message ?? 'sign-in was refused',
          )
        }
        const authInfo = info as SamlAuthInfo
        req.logIn(user, { session }, (loginErr?: unknown) => {
          if (loginErr) return next(loginErr)
          const holder = req as unknown as SessionHolder
          if (session && holder.session) {
            const p = authInfo.profile
            const info: SamlSessionInfo = {
              idp: authInfo.idp,
              nameID: p.nameID,
              ...(p.nameIDFormat !== undefined && { nameIDFormat: p.nameIDFormat }),
              ...(p.nameQualifier !== undefined && { nameQualifier: p.nameQualifier }),
              ...(p.spNameQualifier !== undefined && { spNameQualifier: p.spNameQualifier }),
              ...(p.sessionIndex !== undefined && { sessionIndex: p.sessionIndex }),
            }
            holder.session[SAML_SESSION_KEY] = info
          }
          ;(req as Request & { authInfo?: unknown }).authInfo = authInfo
          if (options.onSuccess) {
            const onSuccess = options.onSuccess
            // A throw inside onSuccess, sync or async, goes to the error handler, never up the stack.
            Promise.resolve()
              .then(() => onSuccess(req, res, authInfo))
              .catch(next)
            return
          }
          res.redirect(successRedirectStatus, authInfo.returnTo)
        })
      },
    )(req, res, next)
  }

  const recordOf = async (req: Request) => {
    const id = String(req.params.idp)
    const record = await strategy.options.store.get(id)
    if (!record)
      throw new SamlError(`no IdP is registered for id "${id.slice(0, 80)}"`, 'ERR_SAML_UNKNOWN_IDP')
    return record
  }
  const metadata = async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.type('application/samlmetadata+xml').send(strategy.serviceProvider.metadata(await recordOf(req)))
    } catch (err) {
      next(err)
    }
  }

  // SP-initiated Single Logout: end the local session, then tell the IdP (when it has an SLO endpoint).
  const logout = async (req: Request, res: Response, next: NextFunction) => {
    try {
      // Another site must not be able to sign the user out (here, at the IdP and at every SP of
      // its session): browsers say where a navigation came from.
      if (req.get('sec-fetch-site') === 'cross-site') {
        throw new SamlError('logout must start on this site', 'ERR_SAML_BAD_REQUEST')
      }
      const record = await recordOf(req)
      const current = samlSession(req)
      const returnTo = req.query.returnTo
      await logoutLocally(req)
      const url =
        current && current.idp === record.id
          ? await strategy.serviceProvider.startLogout(record, current, { returnTo })
          : undefined
      res.setHeader('Cache-Control', 'no-store')
      res.redirect(302, url ?? safeReturnTo(returnTo, strategy.serviceProvider.settings.returnTo))
    } catch (err) {
      next(err)
    }
  }

  // The SP's SingleLogoutService: the IdP's LogoutResponse, or its LogoutRequest (IdP-initiated).
  const slo = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const record = await recordOf(req)
      const input: LogoutInput =
        req.method === 'POST'
          ? { binding: 'post', body: (req.body ?? {}) as Record<string, unknown> }
          : { binding: 'redirect', rawQuery: req.originalUrl.split('?')[1] ?? '' }
      const outcome = await strategy.serviceProvider.consumeLogout(record, input)
      res.setHeader('Cache-Control', 'no-store')
      if (outcome.kind === 'response') return void res.redirect(302, outcome.returnTo)
      const { request } = outcome
      const current = samlSession(req)
      if (
        current &&
        current.idp === record.id &&
        current.nameID === request.nameID &&
        (request.sessionIndexes.length === 0 ||
          (current.sessionIndex !== undefined && request.sessionIndexes.includes(current.sessionIndex)))
      ) {
        await logoutLocally(req)
      }
      await options.onLogoutRequest?.(req, {
        idp: record.id,
        nameID: request.nameID,
        sessionIndexes: request.sessionIndexes,
      })
      res.redirect(302, await strategy.serviceProvider.logoutResponseUrl(record, request, true))
    } catch (err) {
      next(err)
    }
  }

  router.get('/login', login)
  router.post('/acs', form, acs)
  router.get('/:idp/login', login)
  router.post('/:idp/acs', form, acs)
  router.get('/:idp/metadata', metadata)
  router.get('/:idp/logout', logout)
  router.get('/:idp/slo', slo)
  router.post('/:idp/slo', form, slo)
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    // Body-parser errors (too large, bad encoding) are bad input too.
    const status = (err as { status?: unknown }).status
    if (
      !(err instanceof SamlError) &&
      typeof status === 'number' &&
      status >= 400 &&
      status < 500 &&
      !res.headersSent
    ) {
      const code = status === 413 ? 'ERR_SAML_TOO_LARGE' : 'ERR_SAML_BAD_REQUEST'
      return sendSamlError(req, res, status, code, 'the request could not be read')
    }
    next(err)
  })
  router.use(samlErrorHandler())
  return router
}

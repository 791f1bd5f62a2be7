import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express'
import passport from 'passport'
import type { SamlLogoutRequest } from '../core/logout.js'
import type { SamlLogoutOutcome, SamlMetadataOutcome, SamlSessionInfo } from '../core/outcome.js'
import { SamlError } from '../errors/saml-error.js'
import { tokenHandoffOption, type TokenHandoff } from '../handoff/token-handoff.js'
import { appendSetCookies, toSamlRequest } from '../strategy/passport-request.js'
import { SAML_SESSION_KEY, samlSessionInfoOf } from '../strategy/session-key.js'
import type {
  MultiIdpSamlStrategy,
  SamlAuthenticateOptions,
  SamlAuthInfo,
} from '../strategy/multi-idp-saml-strategy.js'
import { samlErrorHandler, sendSamlError } from './error-handler.js'

/**
 * The Passport instance the router authenticates with: the `passport` module or a
 * `new passport.Passport()` (any version from 0.6).
 */
export interface PassportAuthenticator {
  authenticate(
    strategy: string,
    options: object,
    // Passport's own callback type is this loose too: (err, user, info, status).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    callback?: (...args: any[]) => void,
  ): (req: Request, res: Response, next: NextFunction) => unknown
}

/** Options of {@link samlRouter}. */
export interface SamlRouterOptions {
  /** The strategy instance (registered with `passport.use`). */
  strategy: MultiIdpSamlStrategy
  /** The Passport instance the strategy is registered with. Default: the `passport` module. */
  passport?: PassportAuthenticator
  /** Establish a login session (`req.logIn` with session). Default true. */
  session?: boolean
  /**
   * Called after a successful login instead of redirecting to the return target, e.g. to issue a
   * JWT for a single-page app. `info.returnTo` is the checked deep link.
   */
  onSuccess?: (req: Request, res: Response, info: SamlAuthInfo) => void | Promise<void>
  /**
   * After a successful login, send the browser to the front end with a short-lived signed token in
   * the URL fragment (`createTokenHandoff`), instead of redirecting to the return target; the
   * return target travels beside the token. Not together with `onSuccess`.
   */
  tokenHandoff?: TokenHandoff
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
  onLogoutRequest?: (req: Request, request: SamlLogoutRequest) => void | Promise<void>
}

type SessionHolder = { session?: Record<string, unknown> }

function samlSession(req: Request): SamlSessionInfo | undefined {
  return samlSessionInfoOf((req as unknown as SessionHolder).session?.[SAML_SESSION_KEY])
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
  if (!strategy || typeof strategy.authenticate !== 'function' || !strategy.serviceProvider?.acs) {
    throw new TypeError('"options.strategy" must be a MultiIdpSamlStrategy instance')
  }
  const authenticator = options.passport ?? passport
  const session = options.session ?? true
  const successRedirectStatus = options.successRedirectStatus ?? 302
  if (successRedirectStatus !== 302 && successRedirectStatus !== 303) {
    throw new TypeError('"options.successRedirectStatus" must be 302 or 303')
  }
  const tokenHandoff = tokenHandoffOption(options)
  const saml = strategy.serviceProvider
  const router = express.Router()
  const limit = Math.ceil((saml.maxMessageBytes * 4) / 3) + 16 * 1024
  const form = express.urlencoded({ extended: false, limit, parameterLimit: 10 })

  // Passport hands these on to the strategy's authenticate; `flow` says which route this is.
  const loginOptions: { session: boolean } & SamlAuthenticateOptions = { session, flow: 'login' }
  const acsOptions: { session: boolean } & SamlAuthenticateOptions = { session, flow: 'acs' }
  const login: RequestHandler = (req, res, next) =>
    authenticator.authenticate(strategy.name, loginOptions)(req, res, next)

  const acs: RequestHandler = (req, res, next) => {
    authenticator.authenticate(
      strategy.name,
      acsOptions,
      (
        err: unknown,
        user: Express.User | false,
        info: SamlAuthInfo | { message?: string; code?: string } | undefined,
      ) => {
        if (err) return next(err)
        if (!user) {
          const challenge = (info ?? {}) as { message?: string; code?: string; traceId?: string }
          return sendSamlError(
            req,
            res,
            401,
            challenge.code ?? 'ERR_SAML_ACCESS_DENIED',
            challenge.message ?? 'sign-in was refused',
            challenge.traceId,
          )
        }
        const authInfo = info as SamlAuthInfo
        const logIn = (then: () => void) =>
          req.logIn(user, { session }, (loginErr?: unknown) => {
            if (loginErr) return next(loginErr)
            const holder = req as unknown as SessionHolder
            if (session && holder.session) holder.session[SAML_SESSION_KEY] = authInfo.session
            ;(req as Request & { authInfo?: unknown }).authInfo = authInfo
            then()
          })
        if (tokenHandoff) {
          // The token first: a hand-off that cannot happen (a front end on a foreign host) signs no one in.
          // A throw anywhere after it (logIn, serializeUser, the redirect) reaches the error handler too.
          tokenHandoff
            .issue({ user, profile: authInfo.profile, returnTo: authInfo.returnTo })
            .then((handoff) =>
              logIn(() => {
                // The token is in the fragment; keep the answer out of caches and the URL out of Referer.
                res.setHeader('Cache-Control', 'no-store')
                res.setHeader('Referrer-Policy', 'no-referrer')
                res.redirect(successRedirectStatus, handoff.location)
              }),
            )
            .catch(next)
          return
        }
        logIn(() => {
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

  /** Sends a core outcome of the metadata, logout and SLO routes. */
  const send = (
    req: Request,
    res: Response,
    next: NextFunction,
    outcome: SamlLogoutOutcome | SamlMetadataOutcome,
  ) => {
    if (outcome.type === 'error') return next(outcome.error)
    res.setHeader('Cache-Control', 'no-store')
    if (outcome.type === 'document') return void res.type(outcome.contentType).send(outcome.body)
    appendSetCookies(req, outcome.setCookies)
    if (outcome.type === 'redirect') return res.redirect(302, outcome.location)
    res.type('html').send(outcome.html)
  }
  const endSession = (req: Request) => () => logoutLocally(req)

  const metadata: RequestHandler = (req, res, next) => {
    saml.metadata(toSamlRequest(req)).then((outcome) => send(req, res, next, outcome), next)
  }

  // SP-initiated Single Logout: end the local session, then tell the IdP (when it has an SLO endpoint).
  const logout: RequestHandler = (req, res, next) => {
    const current = samlSession(req)
    saml
      .logout(toSamlRequest(req), { ...(current && { session: current }), endSession: endSession(req) })
      .then((outcome) => send(req, res, next, outcome), next)
  }

  // The SP's SingleLogoutService: the IdP's LogoutResponse, or its LogoutRequest (IdP-initiated).
  const slo: RequestHandler = (req, res, next) => {
    const current = samlSession(req)
    const onLogoutRequest = options.onLogoutRequest
    saml
      .slo(toSamlRequest(req), {
        ...(current && { session: current }),
        endSession: endSession(req),
        ...(onLogoutRequest && {
          onLogoutRequest: (request: SamlLogoutRequest) => onLogoutRequest(req, request),
        }),
      })
      .then((outcome) => send(req, res, next, outcome), next)
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

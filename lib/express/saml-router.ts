import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express'
import passport from 'passport'
import { SamlError } from '../errors/saml-error.js'
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
          ;(req as Request & { authInfo?: unknown }).authInfo = authInfo
          if (options.onSuccess) {
            Promise.resolve(options.onSuccess(req, res, authInfo)).catch(next)
            return
          }
          res.redirect(successRedirectStatus, authInfo.returnTo)
        })
      },
    )(req, res, next)
  }

  const metadata = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const record = await strategy.options.store.get(String(req.params.idp))
      if (!record)
        throw new SamlError(
          `no IdP is registered for id "${String(req.params.idp).slice(0, 80)}"`,
          'ERR_SAML_UNKNOWN_IDP',
        )
      res.type('application/samlmetadata+xml').send(strategy.serviceProvider.metadata(record))
    } catch (err) {
      next(err)
    }
  }

  router.get('/login', login)
  router.post('/acs', form, acs)
  router.get('/:idp/login', login)
  router.post('/:idp/acs', form, acs)
  router.get('/:idp/metadata', metadata)
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

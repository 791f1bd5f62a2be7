import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SamlLogoutRequest } from '../core/logout.js'
import type { SamlLoginOutcome, SamlLogoutOutcome, SamlMetadataOutcome } from '../core/outcome.js'
import { SamlError } from '../errors/saml-error.js'
import { tokenHandoffOption, type TokenHandoff } from '../handoff/token-handoff.js'
import { samlErrorBody, samlErrorPage } from '../http/saml-error-page.js'
import { samlErrorStatus } from '../http/saml-error-status.js'
import type {
  MultiIdpSamlStrategy,
  SamlAuthenticateOptions,
  SamlAuthInfo,
} from '../strategy/multi-idp-saml-strategy.js'
import { toSamlRequest } from '../strategy/passport-request.js'
import { SAML_SESSION_KEY, samlSessionInfoOf } from '../strategy/session-key.js'

/**
 * What the plugin uses of `@fastify/passport`'s `Authenticator` (its default export, or a
 * `new Authenticator()`): `authenticate` with a callback, as `@fastify/passport` 4 has it.
 */
export interface FastifyPassportAuthenticator {
  authenticate(
    strategy: MultiIdpSamlStrategy,
    options: object,
    callback: (
      request: FastifyRequest,
      reply: FastifyReply,
      err: Error | null,
      user?: unknown,
      info?: unknown,
      status?: number,
    ) => Promise<void>,
  ): (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
}

/** Options of {@link samlPlugin}; register it with `{ prefix: '/saml' }` (the strategy's `sp.pathPrefix`). */
export interface SamlPluginOptions {
  /** The strategy instance. The plugin hands it to `passport.authenticate` itself. */
  strategy: MultiIdpSamlStrategy
  /** `@fastify/passport`'s Authenticator, registered with `initialize()` (and `secureSession()` for sessions). */
  passport: FastifyPassportAuthenticator
  /** Establish a login session (`request.logIn` with session). Default true. */
  session?: boolean
  /**
   * Called after a successful login instead of redirecting to the return target, e.g. to issue a
   * token. `info.returnTo` is the checked deep link. Send the reply from it.
   */
  onSuccess?: (request: FastifyRequest, reply: FastifyReply, info: SamlAuthInfo) => void | Promise<unknown>
  /**
   * After a successful login, send the browser to the front end with a short-lived signed token in
   * the URL fragment (`createTokenHandoff`), instead of redirecting to the return target; the
   * return target travels beside the token. Not together with `onSuccess`.
   */
  tokenHandoff?: TokenHandoff
  /** Status of the redirect to the return target after login: 302 (default) or 303. */
  successRedirectStatus?: 302 | 303
  /**
   * Called when the IdP asks to end a user's sessions (IdP-initiated Single Logout), after the
   * current browser session, if it is that user's, was logged out: end the user's other sessions.
   */
  onLogoutRequest?: (request: FastifyRequest, logoutRequest: SamlLogoutRequest) => void | Promise<void>
}

/** The parts of a request that `@fastify/passport` and a session plugin decorate, as the plugin uses them. */
interface SessionRequest {
  logIn?: (user: unknown, options: { session: boolean }) => Promise<void>
  logOut?: () => Promise<void>
  authInfo?: unknown
  session?: { get(key: string): unknown; set(key: string, value: unknown): void }
}

const FORM = 'application/x-www-form-urlencoded'
const MAX_FORM_FIELDS = 10

interface MediaRangeMatch {
  /** q-value of the range that matched. */
  q: number
  /** How specific the range was: 3 for `type/subtype`, 2 for `type/*` and 0 for any type. */
  s: number
  /** Position of the range in the header. */
  o: number
}

/** The range of an Accept header that governs `type/subtype`, as Express's `req.accepts` finds it. */
function matchMediaRange(accept: string, type: string, subtype: string): MediaRangeMatch | undefined {
  let best: MediaRangeMatch | undefined
  accept.split(',').forEach((range, o) => {
    const [media = '', ...params] = range.trim().toLowerCase().split(';')
    const [t, st] = media.trim().split('/')
    const typeScore = t === type ? 2 : t === '*' ? 0 : -1
    const subtypeScore = st === subtype ? 1 : st === '*' ? 0 : -1
    if (typeScore < 0 || subtypeScore < 0) return
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    const q = qParam === undefined ? 1 : Number(qParam.slice(2)) || 0
    const s = typeScore + subtypeScore
    if (!best || s > best.s || (s === best.s && q > best.q)) best = { q, s, o }
  })
  return best && best.q > 0 ? best : undefined
}

/** JSON rather than HTML for this Accept header: Express's `req.accepts(['html', 'json']) === 'json'`. */
function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false
  const json = matchMediaRange(accept, 'application', 'json')
  const html = matchMediaRange(accept, 'text', 'html')
  if (!json) return false
  if (!html) return true
  return json.q !== html.q ? json.q > html.q : json.s !== html.s ? json.s > html.s : json.o < html.o
}

function sendSamlError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  traceId?: string,
): FastifyReply {
  reply.code(status).header('cache-control', 'no-store')
  if (prefersJson(request.headers.accept)) return reply.send(samlErrorBody(code, message, traceId))
  return reply.type('text/html; charset=utf-8').send(samlErrorPage(code, message, traceId))
}

/** Sends an outcome of login, metadata, logout or SLO; an error outcome is thrown to the error handler. */
function send(reply: FastifyReply, outcome: SamlLoginOutcome | SamlLogoutOutcome | SamlMetadataOutcome) {
  if (outcome.type === 'error') throw outcome.error
  reply.header('cache-control', 'no-store')
  if (outcome.type === 'document') return reply.type(outcome.contentType).send(outcome.body)
  for (const cookie of outcome.setCookies) reply.header('set-cookie', cookie)
  if (outcome.type === 'redirect') return reply.redirect(outcome.location, 302)
  return reply.code(200).type('text/html; charset=utf-8').send(outcome.html)
}

/**
 * Fastify plugin with the SAML endpoints for every IdP, the Fastify counterpart of `samlRouter`.
 * Register it at the strategy's `sp.pathPrefix` (default `/saml`), after `@fastify/passport`'s
 * `initialize()` and `secureSession()` and a session plugin:
 *
 * - `GET  /:idp/login?returnTo=/path`, `GET /login?email=…` — SP-initiated login (and discovery)
 * - `POST /:idp/acs`, `POST /acs` — the ACS of one IdP, and the shared ACS
 * - `GET  /:idp/metadata` — SP metadata to give that IdP
 * - `GET  /:idp/logout?returnTo=/path` — end the session, and at the IdP too
 * - `GET|POST /:idp/slo` — the SP's SingleLogoutService
 *
 * The ACS runs the strategy through `passport.authenticate`, so verify, `logIn` and the session
 * serializers are Passport's. Login, metadata, logout and SLO answer with cookies and pages, which
 * `@fastify/passport` gives a strategy no way to send, so the plugin runs them on
 * `strategy.serviceProvider` and sends the outcome itself. It parses the ACS and SLO forms itself
 * (capped from `limits.maxBytes`), and answers SAML errors on its routes with their status
 * (`samlErrorStatus`) and `{ error: { code, message } }` (a small page for browsers); other
 * errors go on to your error handler.
 *
 * @example
 * ```ts
 * import fastifyPassport from '@fastify/passport'
 * import { samlPlugin } from 'passport-saml-multi-idp/fastify'
 *
 * await app.register(samlPlugin, { prefix: '/saml', strategy, passport: fastifyPassport })
 * ```
 */
export async function samlPlugin(fastify: FastifyInstance, options: SamlPluginOptions): Promise<void> {
  const { strategy, passport } = options ?? {}
  if (!strategy || typeof strategy.authenticate !== 'function' || !strategy.serviceProvider?.acs) {
    throw new TypeError('"options.strategy" must be a MultiIdpSamlStrategy instance')
  }
  if (!passport || typeof passport.authenticate !== 'function') {
    throw new TypeError('"options.passport" must be the @fastify/passport Authenticator (its default export)')
  }
  const session = options.session ?? true
  const successRedirectStatus = options.successRedirectStatus ?? 302
  if (successRedirectStatus !== 302 && successRedirectStatus !== 303) {
    throw new TypeError('"options.successRedirectStatus" must be 302 or 303')
  }
  const tokenHandoff = tokenHandoffOption(options)
  const saml = strategy.serviceProvider

  // SAML forms, within this plugin only: first value of each field, no more than a few fields.
  const bodyLimit = Math.ceil((saml.maxMessageBytes * 4) / 3) + 16 * 1024
  if (fastify.hasContentTypeParser(FORM)) fastify.removeContentTypeParser(FORM)
  fastify.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit }, (_request, text, done) => {
    const fields: Record<string, string> = Object.create(null) as Record<string, string>
    let count = 0
    for (const [key, value] of new URLSearchParams(text as string)) {
      if (++count > MAX_FORM_FIELDS) {
        return done(new SamlError('the form has too many fields', 'ERR_SAML_TOO_LARGE'), undefined)
      }
      if (!(key in fields)) fields[key] = value
    }
    done(null, fields)
  })

  fastify.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    if (reply.sent) throw err
    if (err instanceof SamlError) {
      return sendSamlError(request, reply, samlErrorStatus(err.code), err.code, err.message, err.traceId)
    }
    // Fastify's own 4xx (body too large, unsupported media type, bad encoding) are bad input too.
    const status = err.statusCode
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = status === 413 ? 'ERR_SAML_TOO_LARGE' : 'ERR_SAML_BAD_REQUEST'
      return sendSamlError(request, reply, status, code, 'the request could not be read')
    }
    throw err // to the application's error handler
  })

  const sessionOf = (request: FastifyRequest) => (request as unknown as SessionRequest).session
  const endSession = (request: FastifyRequest) => async () => {
    const holder = request as unknown as SessionRequest
    if (typeof holder.logOut !== 'function' || !holder.session) return
    await holder.logOut()
    holder.session.set(SAML_SESSION_KEY, undefined)
  }
  const current = (request: FastifyRequest) => samlSessionInfoOf(sessionOf(request)?.get(SAML_SESSION_KEY))

  const login = async (request: FastifyRequest, reply: FastifyReply) =>
    send(reply, await saml.login(toSamlRequest(request)))

  const acsOptions: { session: boolean } & SamlAuthenticateOptions = { session, flow: 'acs' }
  const acs = passport.authenticate(strategy, acsOptions, async (request, reply, err, user, info) => {
    if (err) throw err
    if (!user) {
      const challenge = (info ?? {}) as { message?: string; code?: string; traceId?: string }
      sendSamlError(
        request,
        reply,
        401,
        challenge.code ?? 'ERR_SAML_ACCESS_DENIED',
        challenge.message ?? 'sign-in was refused',
        challenge.traceId,
      )
      return
    }
    const authInfo = info as SamlAuthInfo
    const holder = request as unknown as SessionRequest
    if (typeof holder.logIn !== 'function') {
      throw new Error('request.logIn is missing: register fastifyPassport.initialize() before samlPlugin')
    }
    // The token first: a hand-off that cannot happen (a front end on a foreign host) signs no one in.
    const handoff = await tokenHandoff?.issue({
      user,
      profile: authInfo.profile,
      returnTo: authInfo.returnTo,
    })
    await holder.logIn(user, { session })
    if (session) holder.session?.set(SAML_SESSION_KEY, authInfo.session)
    holder.authInfo = authInfo
    if (handoff) {
      // The token is in the fragment; keep the answer out of caches and the URL out of Referer.
      reply.header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer')
      reply.redirect(handoff.location, successRedirectStatus)
      return
    }
    if (options.onSuccess) {
      await options.onSuccess(request, reply, authInfo)
      return
    }
    reply.redirect(authInfo.returnTo, successRedirectStatus)
  })

  const metadata = async (request: FastifyRequest, reply: FastifyReply) =>
    send(reply, await saml.metadata(toSamlRequest(request)))

  const logout = async (request: FastifyRequest, reply: FastifyReply) => {
    const info = current(request)
    const outcome = await saml.logout(toSamlRequest(request), {
      ...(info && { session: info }),
      endSession: endSession(request),
    })
    return send(reply, outcome)
  }

  const slo = async (request: FastifyRequest, reply: FastifyReply) => {
    const info = current(request)
    const onLogoutRequest = options.onLogoutRequest
    const outcome = await saml.slo(toSamlRequest(request), {
      ...(info && { session: info }),
      endSession: endSession(request),
      ...(onLogoutRequest && {
        onLogoutRequest: (logoutRequest: SamlLogoutRequest) => onLogoutRequest(request, logoutRequest),
      }),
    })
    return send(reply, outcome)
  }

  fastify.get('/login', login)
  fastify.post('/acs', acs)
  fastify.get('/:idp/login', login)
  fastify.post('/:idp/acs', acs)
  fastify.get('/:idp/metadata', metadata)
  fastify.get('/:idp/logout', logout)
  fastify.get('/:idp/slo', slo)
  fastify.post('/:idp/slo', slo)
}

import type { SamlError } from '../errors/saml-error.js'
import type { SamlVerdict } from '../core/acs.js'
import type { SamlServiceProviderOptions } from '../core/core-options.js'
import type { SamlSessionInfo } from '../core/outcome.js'
import type { SamlLoginOptions } from '../core/login.js'
import { SamlServiceProvider } from '../core/saml-service-provider.js'
import type { SamlProfile } from '../core/saml-profile.js'
import {
  appendSetCookies,
  hasSamlResponse,
  sendPostForm,
  toSamlRequest,
  type PassportRequest,
} from './passport-request.js'

/**
 * Passport's verify callback: `done(err)`, `done(null, false, info)` to refuse, `done(null, user, info)`.
 * The user is whatever your app keeps (Passport's `req.user`); `false`, `null` or none refuse.
 */
export type VerifyDone = (err: Error | null, user?: unknown, info?: Record<string, unknown>) => void

/**
 * `(profile, done)`, or an async `(profile)` returning the user (or `false` to refuse): the shape of
 * every Passport strategy's verify, passport-saml's included. `profile.context` holds the IdP
 * record and the return path.
 */
export type VerifyFunction = (profile: SamlProfile, done: VerifyDone) => void | Promise<unknown>

/**
 * With `passReqToCallback: true`: `(req, profile, done)`, or async `(req, profile)`. `Req` is your
 * framework's request type (`express.Request`), inferred from how you annotate `req`.
 */
export type VerifyFunctionWithRequest<Req extends PassportRequest = PassportRequest> = (
  req: Req,
  profile: SamlProfile,
  done: VerifyDone,
) => void | Promise<unknown>

/** Options of {@link MultiIdpSamlStrategy}: the core's, plus what Passport needs. */
export interface MultiIdpSamlStrategyOptions extends SamlServiceProviderOptions {
  /** Strategy name for `passport.authenticate(name)`. Default `'saml'`. */
  name?: string
  /** Call verify as `(req, profile, done)`. Default false. */
  passReqToCallback?: boolean
}

/**
 * Per-call options of `passport.authenticate('saml', options)`: the login's return target and
 * request options (`forceAuthn`, `isPassive`, `requestedAuthnContext`, `loginHint`, …; see
 * {@link SamlLoginOptions}), which override the IdP record's.
 */
export interface SamlAuthenticateOptions extends SamlLoginOptions {
  /**
   * Which flow this route is: `'acs'` takes posted SAML responses only (anything else is 400
   * `ERR_SAML_BAD_REQUEST`), `'login'` starts logins. Default: `'acs'` when the request carries a
   * SAMLResponse, else `'login'`. `samlRouter` sets it on its routes.
   */
  flow?: 'login' | 'acs'
}

/** Info passed to `success` (Passport sets it as `req.authInfo`). */
export interface SamlAuthInfo {
  readonly idp: string
  readonly returnTo: string
  readonly profile: SamlProfile
  /** What Single Logout needs to keep from this login (`samlRouter` puts it in the session). */
  readonly session: SamlSessionInfo
  readonly [key: string]: unknown
}

/** The user verify gives, as the core's verdict; verify's own failure rejects. */
function runVerify(call: (done: VerifyDone) => void | Promise<unknown>): Promise<SamlVerdict<unknown>> {
  return new Promise((resolve, reject) => {
    let settled = false
    const done: VerifyDone = (err, user, info) => {
      if (settled) return
      settled = true
      if (err) reject(err)
      else resolve(info === undefined ? { user } : { user, info })
    }
    try {
      const result = call(done)
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        ;(result as Promise<unknown>).then(
          (user) => done(null, user),
          (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
        )
      }
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)))
    }
  })
}

/**
 * Passport strategy for SAML 2.0 SSO with many IdPs: a thin translator between Passport and the
 * framework-free core ({@link SamlServiceProvider}), which resolves the IdP, starts the login or
 * checks the posted response. Every `authenticate` ends in exactly one of `success`, `fail`,
 * `redirect` or `error`.
 *
 * @example
 * ```ts
 * import passport from 'passport'
 * import { MultiIdpSamlStrategy, MemoryIdpStore } from 'passport-saml-multi-idp'
 *
 * const store = new MemoryIdpStore()
 * passport.use(new MultiIdpSamlStrategy(
 *   { store, sp: { baseUrl: 'https://app.example.com', signingKey, signingCert } },
 *   async (profile) => findOrCreateUser(profile.idp, profile.nameID, profile.mapped),
 * ))
 * ```
 */
export class MultiIdpSamlStrategy<Req extends PassportRequest = PassportRequest> {
  name: string
  /** The framework-free core the strategy translates for; the router and other edges share it. */
  readonly serviceProvider: SamlServiceProvider
  /** Verify, called the way `passReqToCallback` says. */
  private readonly callVerify: (
    req: PassportRequest,
    profile: SamlProfile,
    done: VerifyDone,
  ) => void | Promise<unknown>

  // Passport's actions: Passport (or @fastify/passport) sets them on the copy of the strategy it
  // makes for each request (`Object.create(strategy)`); `authenticate` ends in exactly one of them.
  declare success: (user: unknown, info?: object) => void
  declare fail: (challenge?: unknown, status?: number) => void
  declare redirect: (url: string, status?: number) => void
  declare pass: () => void
  declare error: (err: Error) => void

  constructor(options: MultiIdpSamlStrategyOptions & { passReqToCallback?: false }, verify: VerifyFunction)
  constructor(
    options: MultiIdpSamlStrategyOptions & { passReqToCallback: true },
    verify: VerifyFunctionWithRequest<Req>,
  )
  constructor(options: MultiIdpSamlStrategyOptions, verify: VerifyFunction | VerifyFunctionWithRequest<Req>)
  constructor(options: MultiIdpSamlStrategyOptions, verify: VerifyFunction | VerifyFunctionWithRequest<Req>) {
    if (typeof verify !== 'function')
      throw new TypeError('MultiIdpSamlStrategy requires a verify function as its second argument')
    if (!options || typeof options !== 'object')
      throw new TypeError('options are required: { store, sp: { baseUrl } }')
    const { name = 'saml', passReqToCallback = false, ...core } = options
    if (typeof name !== 'string' || name === '')
      throw new TypeError('"options.name" must be a non-empty string')
    if (typeof passReqToCallback !== 'boolean')
      throw new TypeError('"options.passReqToCallback" must be true or false')
    this.serviceProvider = new SamlServiceProvider(core)
    this.name = name
    this.callVerify = passReqToCallback
      ? (req, profile, done) => (verify as VerifyFunctionWithRequest<Req>)(req as Req, profile, done)
      : (_req, profile, done) => (verify as VerifyFunction)(profile, done)
  }

  /** Passport calls this for every request; it ends in exactly one of Passport's actions. */
  authenticate(req: Req, options?: SamlAuthenticateOptions): void {
    this.handle(req, options ?? {}).catch((err: unknown) =>
      this.error(err instanceof Error ? err : new Error(String(err))),
    )
  }

  private async handle(req: Req, options: SamlAuthenticateOptions): Promise<void> {
    const request = toSamlRequest(req)
    const flow = options.flow ?? (hasSamlResponse(req) ? 'acs' : 'login')
    if (flow === 'acs') return this.acs(req, request)
    // The core reads the login's own options and leaves Passport's (successRedirect, …) alone.
    const outcome = await this.serviceProvider.login(request, options)
    if (outcome.type === 'error') return this.error(outcome.error)
    appendSetCookies(req, outcome.setCookies)
    if (outcome.type === 'redirect') return this.redirect(outcome.location)
    // The HTTP-POST binding's auto-submitting form is its redirect; Passport has no action for a
    // page, so it is written directly and no further action is taken.
    sendPostForm(req, outcome.html)
  }

  private async acs(req: Req, request: ReturnType<typeof toSamlRequest>): Promise<void> {
    const outcome = await this.serviceProvider.acs(request, (profile) =>
      runVerify((done) => this.callVerify(req, profile, done)),
    )
    switch (outcome.type) {
      case 'accepted': {
        const authInfo: SamlAuthInfo = {
          ...outcome.info,
          idp: outcome.profile.idp,
          returnTo: outcome.returnTo,
          profile: outcome.profile,
          session: outcome.session,
        }
        return this.success(outcome.user, authInfo)
      }
      case 'denied':
        return this.fail(
          {
            message: outcome.error.message,
            idp: outcome.error.idp,
            ...outcome.info,
            code: codeOf(outcome),
            ...(outcome.error.traceId !== undefined && { traceId: outcome.error.traceId }),
          },
          401,
        )
      default:
        return this.error(outcome.error)
    }
  }
}

/** The failure's code: the application's own, when its refusal named one. */
function codeOf(outcome: { error: SamlError; info: Readonly<Record<string, unknown>> }): string {
  return typeof outcome.info.code === 'string' ? outcome.info.code : outcome.error.code
}

import { randomBytes } from 'node:crypto'
import { XMLSerializer } from '@xmldom/xmldom'
import { parseCookie, stringifySetCookie } from 'cookie'
import type { Request } from 'express'
import { Strategy } from 'passport-strategy'
import { SamlError } from '../errors/saml-error.js'
import type { SamlProfile } from '../profile/types.js'
import { resolveIdp, type ResolveInput } from '../resolve/resolvers.js'
import { attemptChecks, type SamlAttempt } from '../sp/attempt.js'
import { SamlServiceProvider } from '../sp/service-provider.js'
import type { IdpRecord } from '../record/record-fields.js'
import { decodeSamlResponse, peekIssuer } from '../validate/validate-response.js'
import {
  resolveStrategyOptions,
  type MultiIdpSamlStrategyOptions,
  type ResolvedStrategyOptions,
} from './strategy-options.js'

/** What verify learns besides the profile. */
export interface VerifyContext {
  /** The IdP record the response was validated against. */
  readonly idp: IdpRecord
  /** Where the user will be sent after login (already checked to be safe). */
  readonly returnTo: string
}

/** Passport's verify callback: `done(err)`, `done(null, false, info)` to refuse, `done(null, user, info)`. */
export type VerifyDone = (
  err: Error | null,
  user?: Express.User | false | null,
  info?: Record<string, unknown>,
) => void

/** `(profile, context, done)`, or an async function returning the user (or `false` to refuse). */
export type VerifyFunction = (
  profile: SamlProfile,
  context: VerifyContext,
  done: VerifyDone,
) => void | Promise<Express.User | false | null | undefined>

/** With `passReqToCallback: true`: `(req, profile, context, done)`, or async. */
export type VerifyFunctionWithRequest = (
  req: Request,
  profile: SamlProfile,
  context: VerifyContext,
  done: VerifyDone,
) => void | Promise<Express.User | false | null | undefined>

/** Per-call options of `passport.authenticate('saml', options)`. */
export interface SamlAuthenticateOptions {
  /** Deep link to return to after login (checked: same origin or an allowed host). Default: `?returnTo=`. */
  returnTo?: string
}

/** Info passed to `success` (Passport sets it as `req.authInfo`). */
export interface SamlAuthInfo {
  readonly idp: string
  readonly returnTo: string
  readonly profile: SamlProfile
  readonly [key: string]: unknown
}

/** Any thrown value as an Error, even one whose `String()` throws. */
function toError(value: unknown): Error {
  if (value instanceof Error) return value
  try {
    return new Error(String(value))
  } catch {
    return new Error('a non-Error value was thrown')
  }
}

/** The posted SAMLResponse as text, for diagnostics only; nothing over the size cap is decoded. */
function decodedXml(value: unknown, maxBytes: number): { responseXml: string } | undefined {
  if (typeof value !== 'string' || value.length > Math.ceil((maxBytes * 4) / 3) + 4) return undefined
  return { responseXml: Buffer.from(value, 'base64').toString('utf8') }
}

function bodyOf(req: Request): Record<string, unknown> {
  return req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {}
}

/**
 * Passport strategy for SAML 2.0 SSO with many IdPs. For each request it resolves the IdP, loads its
 * record from the store and then either starts SP-initiated login (no SAML message) or validates a
 * posted `SAMLResponse` and calls verify with the mapped profile.
 *
 * @example
 * ```ts
 * import passport from 'passport'
 * import { MultiIdpSamlStrategy, MemoryIdpStore } from 'passport-saml-multi-idp'
 *
 * const store = new MemoryIdpStore()
 * await store.put({ id: 'acme', metadataXml, attributeMap: 'okta' })
 * passport.use(new MultiIdpSamlStrategy(
 *   { store, sp: { baseUrl: 'https://app.example.com', signingKey, signingCert } },
 *   async (profile) => findOrCreateUser(profile.idp, profile.nameID, profile.mapped),
 * ))
 * ```
 */
export class MultiIdpSamlStrategy extends Strategy {
  name: string
  readonly options: ResolvedStrategyOptions
  /** The framework-neutral core, for routes that need it (metadata). */
  readonly serviceProvider: SamlServiceProvider
  protected readonly verify: VerifyFunction | VerifyFunctionWithRequest

  constructor(options: MultiIdpSamlStrategyOptions & { passReqToCallback?: false }, verify: VerifyFunction)
  constructor(
    options: MultiIdpSamlStrategyOptions & { passReqToCallback: true },
    verify: VerifyFunctionWithRequest,
  )
  constructor(options: MultiIdpSamlStrategyOptions, verify: VerifyFunction | VerifyFunctionWithRequest)
  constructor(options: MultiIdpSamlStrategyOptions, verify: VerifyFunction | VerifyFunctionWithRequest) {
    super()
    if (typeof verify !== 'function')
      throw new TypeError('MultiIdpSamlStrategy requires a verify function as its second argument')
    this.options = resolveStrategyOptions(options)
    this.name = this.options.name
    this.verify = verify
    this.serviceProvider = new SamlServiceProvider({
      sp: this.options.sp,
      cache: this.options.cache,
      clockSkewMs: this.options.clockSkewMs,
      clock: this.options.clock,
      requestTtlMs: this.options.requestTtlMs,
      returnTo: {
        baseUrl: this.options.sp.baseUrl,
        allowedHosts: this.options.allowedRedirectHosts,
        fallback: this.options.defaultReturnTo,
      },
      limits: this.options.limits,
      bindToBrowser: this.options.bindRequestsToBrowser,
    })
  }

  override authenticate(req: Request, options?: SamlAuthenticateOptions): void {
    this.handle(req, options ?? {}).catch((err: unknown) => this.error(toError(err)))
  }

  /** Resolves the IdP a request is for, by the configured resolvers. */
  async resolveIdp(req: Request, doc?: Document): Promise<IdpRecord> {
    let issuer: string | undefined | null = null
    const input: ResolveInput = {
      params: (req.params ?? {}) as Record<string, string | undefined>,
      query: (req.query ?? {}) as Record<string, unknown>,
      body: bodyOf(req),
      host: req.hostname?.toLowerCase(),
      responseIssuer: () => (issuer === null ? (issuer = doc ? peekIssuer(doc) : undefined) : issuer),
    }
    return resolveIdp(this.options.resolvers, input, this.options.store)
  }

  private async handle(req: Request, options: SamlAuthenticateOptions): Promise<void> {
    const body = bodyOf(req)
    if (body.SAMLResponse !== undefined) return this.acs(req, body)
    if ((req.query as Record<string, unknown> | undefined)?.SAMLResponse !== undefined) {
      throw new SamlError('SAML responses must be POSTed (HTTP-POST binding)', 'ERR_SAML_BAD_REQUEST')
    }
    if (
      body.SAMLRequest !== undefined ||
      (req.query as Record<string, unknown> | undefined)?.SAMLRequest !== undefined
    ) {
      throw new SamlError('this endpoint does not accept SAML requests', 'ERR_SAML_BAD_REQUEST')
    }
    return this.login(req, options)
  }

  private async login(req: Request, options: SamlAuthenticateOptions): Promise<void> {
    const record = await this.resolveIdp(req)
    const returnTo =
      options.returnTo ?? (req.query as Record<string, unknown> | undefined)?.returnTo ?? bodyOf(req).returnTo
    const browserToken = this.options.bindRequestsToBrowser ? this.bindingToken(req, true) : undefined
    const start = await this.serviceProvider.startLogin(record, { returnTo, browserToken })
    if (start.kind === 'redirect') return this.redirect(start.url)
    // HTTP-POST binding: an auto-submitting form is this binding's redirect. Passport has no action for
    // it, so the page is written directly and no further action is taken.
    const res = req.res
    if (!res)
      throw new SamlError('the HTTP-POST binding needs an Express response (req.res)', 'ERR_SAML_BAD_REQUEST')
    res.setHeader('Content-Type', 'text/html; charset=utf-8')
    res.setHeader('Cache-Control', 'no-store')
    res.end(start.html)
  }

  private async acs(req: Request, body: Record<string, unknown>): Promise<void> {
    const report = this.options.onAttempt ? this.attemptReporter(body.SAMLResponse) : undefined
    let idp: string | undefined
    try {
      const doc = decodeSamlResponse(body.SAMLResponse, this.options.limits)
      const record = await this.resolveIdp(req, doc)
      idp = record.id
      let accepted
      try {
        accepted = await this.serviceProvider.consumeResponse(doc, record, {
          relayState: body.RelayState,
          browserToken: this.options.bindRequestsToBrowser ? this.bindingToken(req, false) : undefined,
        })
      } catch (err) {
        // The IdP saying "not authenticated" is a denial, not an attack: fail, not error.
        if (err instanceof SamlError && err.code === 'ERR_SAML_STATUS') {
          report?.(idp, err)
          return this.fail({ message: err.message, code: err.code, idp: record.id }, 401)
        }
        throw err
      }
      const { profile, returnTo, assertionElement } = accepted
      await this.callVerify(req, record, profile, returnTo, (refusal) =>
        report?.(idp, refusal, profile, assertionElement),
      )
    } catch (err) {
      report?.(idp, err)
      throw err
    }
  }

  /** Runs verify and ends in success, fail or error; `settled` learns the outcome for onAttempt. */
  private async callVerify(
    req: Request,
    record: IdpRecord,
    profile: SamlProfile,
    returnTo: string,
    settled: (refusal: unknown) => void,
  ): Promise<void> {
    const context: VerifyContext = { idp: record, returnTo }
    await new Promise<void>((resolve, reject) => {
      let finished = false
      // Ends the request exactly once. Passport's success/fail/error run the app's code
      // synchronously; if that throws, the throw rejects this promise (and so reaches `error`, as a
      // throw in a synchronous strategy would) instead of becoming an unhandled rejection or a hang.
      const done: VerifyDone = (err, user, info) => {
        if (finished) return
        finished = true
        try {
          if (err) {
            settled(err)
            this.error(err)
          } else if (!user) {
            const message =
              typeof info?.message === 'string' ? info.message : 'the application refused this user'
            settled(new SamlError(message, 'ERR_SAML_ACCESS_DENIED', { idp: record.id }))
            this.fail({ message: 'the application refused this user', ...info }, 401)
          } else {
            settled(undefined)
            const authInfo: SamlAuthInfo = { ...info, idp: record.id, returnTo, profile }
            this.success(user, authInfo)
          }
          resolve()
        } catch (thrown) {
          reject(toError(thrown))
        }
      }
      try {
        const result = this.options.passReqToCallback
          ? (this.verify as VerifyFunctionWithRequest)(req, profile, context, done)
          : (this.verify as VerifyFunction)(profile, context, done)
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          ;(result as Promise<Express.User | false | null | undefined>).then(
            (user) => done(null, user),
            (err: unknown) => done(toError(err)),
          )
        }
      } catch (err) {
        done(toError(err))
      }
    })
  }

  /** Builds the `onAttempt` report for one posted response; reports once, and never throws. */
  private attemptReporter(
    samlResponse: unknown,
  ): (idp: string | undefined, err: unknown, profile?: SamlProfile, assertion?: Element) => void {
    const at = new Date(this.options.clock())
    let reported = false
    return (idp, err, profile, assertion) => {
      if (reported) return
      reported = true
      const code = err instanceof SamlError ? err.code : undefined
      const attempt: SamlAttempt = {
        ...(idp !== undefined && { idp }),
        at,
        ok: err === undefined,
        ...(err !== undefined && {
          error: {
            code: code ?? 'ERR_VERIFY',
            message: err instanceof Error ? err.message : String(err),
          },
        }),
        ...(decodedXml(samlResponse, this.options.limits.maxBytes) ?? {}),
        ...(profile !== undefined && { profile }),
        ...(assertion !== undefined && { assertionXml: new XMLSerializer().serializeToString(assertion) }),
        checks: attemptChecks(code, err !== undefined),
      }
      try {
        this.options.onAttempt?.(attempt)
      } catch {
        // A diagnostics hook must never change the outcome of a login.
      }
    }
  }

  /**
   * The browser binding token from its HttpOnly cookie; at login start a missing one is created.
   * SameSite=None (https only) lets it ride along on the IdP's cross-site POST to the ACS.
   */
  private bindingToken(req: Request, create: boolean): string | undefined {
    const header = req.headers?.cookie
    const existing = header ? parseCookie(header)[this.options.bindingCookieName] : undefined
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing
    if (!create) return undefined
    const token = randomBytes(32).toString('base64url')
    const https = this.options.sp.baseUrl.startsWith('https:')
    const cookie = stringifySetCookie(this.options.bindingCookieName, token, {
      httpOnly: true,
      secure: https,
      sameSite: https ? 'none' : 'lax',
      path: '/',
      ...(this.options.bindingCookieDomain !== undefined && { domain: this.options.bindingCookieDomain }),
      maxAge: 30 * 24 * 3600,
    })
    const res = req.res
    if (res) {
      const previous = res.getHeader('Set-Cookie')
      res.setHeader(
        'Set-Cookie',
        previous === undefined
          ? [cookie]
          : [...(Array.isArray(previous) ? previous : [String(previous)]), cookie],
      )
    }
    return token
  }
}

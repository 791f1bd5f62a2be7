import type { IdpRecord } from '../record/record-fields.js'
import { consumeResponse, type SamlVerify } from './acs.js'
import { CompiledIdpCache, spEndpointsFor, type SpEndpoints } from './compile-idp.js'
import { resolveCompiled, toError, type CoreContext } from './core-context.js'
import { resolveCoreOptions, type SamlServiceProviderOptions } from './core-options.js'
import { observeFlow } from './instrument.js'
import { startLogin, type SamlLoginOptions } from './login.js'
import { consumeLogout, startLogout, type SamlSessionHooks, type SamlSloHooks } from './logout.js'
import type { SamlAcsOutcome, SamlLoginOutcome, SamlLogoutOutcome, SamlMetadataOutcome } from './outcome.js'
import type { SamlHttpRequest } from './saml-request.js'
import { SamlError, withIdp } from '../errors/saml-error.js'

/**
 * The SAML service provider without Passport or any framework: every flow (login start, ACS,
 * logout, SLO, SP metadata) for any number of IdPs, each resolved through the configured resolvers
 * and compiled once per record revision. A flow takes a small description of the request and
 * returns an outcome for the edge to send; it never throws. The Passport strategy and the Express
 * router are such edges; another (Fastify, a Web `Request` handler) takes a few dozen lines.
 *
 * @example
 * ```ts
 * import { SamlServiceProvider } from 'passport-saml-multi-idp/core'
 *
 * const saml = new SamlServiceProvider({ store, sp: { baseUrl: 'https://app.example.com' } })
 * const outcome = await saml.login({ method: 'GET', url: '/saml/acme/login', params: { idp: 'acme' } })
 * if (outcome.type === 'redirect') console.log(outcome.location) // the IdP, with the AuthnRequest
 * ```
 */
export class SamlServiceProvider {
  private readonly ctx: CoreContext

  constructor(options: SamlServiceProviderOptions) {
    const resolved = resolveCoreOptions(options)
    this.ctx = {
      options: resolved,
      compiled: new CompiledIdpCache({
        sp: resolved.sp,
        clockSkewMs: resolved.clockSkewMs,
        limits: resolved.limits,
        logoutMaxAgeMs: resolved.requestTtlMs,
      }),
      bindingCookie: {
        name: resolved.bindingCookieName,
        domain: resolved.bindingCookieDomain,
        https: resolved.sp.baseUrl.startsWith('https:'),
      },
      returnTo: {
        baseUrl: resolved.sp.baseUrl,
        allowedHosts: resolved.allowedRedirectHosts,
        fallback: resolved.defaultReturnTo,
      },
    }
  }

  /** Where the SAML routes live: `sp.pathPrefix` (default `/saml`). */
  get pathPrefix(): string {
    return this.ctx.options.sp.pathPrefix
  }

  /** Caps on posted SAML messages (a body parser in front of the ACS may use `maxBytes`). */
  get maxMessageBytes(): number {
    return this.ctx.options.limits.maxBytes
  }

  /** Starts SP-initiated login at the IdP the request resolves to. */
  login(request: SamlHttpRequest, options?: SamlLoginOptions): Promise<SamlLoginOutcome> {
    const observer = this.ctx.options.observer
    if (!observer) return startLogin(this.ctx, request, options)
    return observeFlow(this.ctx, observer, 'login', (ctx) => startLogin(ctx, request, options))
  }

  /**
   * Consumes a posted SAMLResponse; `verify` is the application's decision about the verified
   * profile. Reports the attempt to `onAttempt`.
   */
  acs<User>(request: SamlHttpRequest, verify: SamlVerify<User>): Promise<SamlAcsOutcome<User>> {
    const observer = this.ctx.options.observer
    if (!observer) return consumeResponse(this.ctx, request, verify)
    return observeFlow(this.ctx, observer, 'acs', (ctx) => consumeResponse(ctx, request, verify))
  }

  /** SP-initiated logout: ends the session through `hooks`, then Single Logout at the IdP. */
  logout(request: SamlHttpRequest, hooks: SamlSessionHooks): Promise<SamlLogoutOutcome> {
    const observer = this.ctx.options.observer
    if (!observer) return startLogout(this.ctx, request, hooks)
    return observeFlow(this.ctx, observer, 'logout', (ctx) => startLogout(ctx, request, hooks))
  }

  /** The SP's SingleLogoutService: the IdP's LogoutResponse, or its LogoutRequest. */
  slo(request: SamlHttpRequest, hooks: SamlSloHooks): Promise<SamlLogoutOutcome> {
    const observer = this.ctx.options.observer
    if (!observer) return consumeLogout(this.ctx, request, hooks)
    return observeFlow(this.ctx, observer, 'slo', (ctx) => consumeLogout(ctx, request, hooks))
  }

  /** The SP metadata for the IdP the request resolves to. */
  metadata(request: SamlHttpRequest): Promise<SamlMetadataOutcome> {
    const observer = this.ctx.options.observer
    if (!observer) return spMetadata(this.ctx, request)
    return observeFlow(this.ctx, observer, 'metadata', (ctx) => spMetadata(ctx, request))
  }

  /**
   * The SP metadata to give one IdP. Throws `SamlError` `ERR_SAML_IDP_UNUSABLE` when the record
   * cannot be used with these SP settings.
   */
  metadataFor(record: IdpRecord): string {
    return this.ctx.compiled.get(record).metadataXml(this.ctx.options.clock())
  }

  /** This SP's URLs for one IdP: what an admin gives the IdP (entityID, ACS URL, …). */
  endpointsFor(record: IdpRecord): SpEndpoints {
    return spEndpointsFor(record, this.ctx.options.sp)
  }
}

/** The SP metadata flow: the document for the IdP the request resolves to. */
async function spMetadata(ctx: CoreContext, request: SamlHttpRequest): Promise<SamlMetadataOutcome> {
  try {
    const compiled = await resolveCompiled(ctx, request)
    try {
      return {
        type: 'document',
        contentType: 'application/samlmetadata+xml',
        body: compiled.metadataXml(ctx.options.clock()),
      }
    } catch (err) {
      throw err instanceof SamlError ? withIdp(err, compiled.record.id) : err
    }
  } catch (err) {
    return { type: 'error', error: toError(err) }
  }
}

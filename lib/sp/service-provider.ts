import { createHash, timingSafeEqual } from 'node:crypto'
import { SamlError } from '../errors/saml-error.js'
import type { SamlCache } from '../cache/saml-cache.js'
import { mapProfile } from '../profile/map-profile.js'
import type { SamlProfile } from '../profile/types.js'
import { safeReturnTo, type ReturnToPolicy } from '../relay-state/safe-return-to.js'
import type { IdpRecord } from '../record/record-fields.js'
import {
  validateLogoutMessage,
  type LogoutInput,
  type ValidatedLogoutRequest,
  type ValidatedLogoutResponse,
} from '../logout/validate-logout.js'
import { validateResponse } from '../validate/validate-response.js'
import type { XmlLimits } from '../xml/parse-xml.js'
import { CompiledIdpCache, newRequestId, requestIdContext, type CompiledIdp } from './compile-idp.js'
import type { ResolvedServiceProvider } from './sp-options.js'
import { withSingleLogout } from './sp-metadata.js'

/** Framework-neutral settings of the SAML service provider core. */
export interface ServiceProviderSettings {
  readonly sp: ResolvedServiceProvider
  readonly cache: SamlCache
  readonly clockSkewMs: number
  readonly clock: () => number
  /** How long an issued AuthnRequest may be answered. */
  readonly requestTtlMs: number
  readonly returnTo: ReturnToPolicy
  readonly limits: XmlLimits
  /** Bind each AuthnRequest to the browser that started it (the binding cookie). */
  readonly bindToBrowser: boolean
}

/** How to send the browser to the IdP. */
export type LoginStart =
  { readonly kind: 'redirect'; readonly url: string } | { readonly kind: 'form'; readonly html: string }

/** What Single Logout needs to remember of a SAML login (kept in the session by the router). */
export interface SamlSessionInfo {
  readonly idp: string
  readonly nameID: string
  readonly nameIDFormat?: string
  readonly nameQualifier?: string
  readonly spNameQualifier?: string
  readonly sessionIndex?: string
}

/** A verified logout message. */
export type LogoutOutcome =
  | { readonly kind: 'response'; readonly response: ValidatedLogoutResponse; readonly returnTo: string }
  | { readonly kind: 'request'; readonly request: ValidatedLogoutRequest }

/** The outcome of a valid response. */
export interface AcceptedResponse {
  readonly profile: SamlProfile
  readonly returnTo: string
  readonly compiled: CompiledIdp
  /** The verified (decrypted) Assertion element, for diagnostics. */
  readonly assertionElement: Element
}

interface PendingRequest {
  /** SHA-256 of the browser binding token, or '' when requests are not bound to a browser. */
  b: string
  /** Validated return target. */
  r: string
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Cache keys: partitioned per IdP, never built from unbounded attacker text. */
export function requestKey(idp: string, requestId: string): string {
  return `saml:req:${idp}:${hashToken(requestId)}`
}

export function logoutKey(idp: string, requestId: string): string {
  return `saml:logout:${idp}:${hashToken(requestId)}`
}

export function replayKey(idp: string, issuer: string, assertionId: string): string {
  return `saml:replay:${idp}:${hashToken(`${issuer}\u0000${assertionId}`)}`
}

/**
 * The SAML service provider without Passport or Express: starts logins, consumes responses and
 * writes SP metadata, for any number of IdPs, with compiled per-IdP state cached by revision.
 */
export class SamlServiceProvider {
  readonly compiledIdps: CompiledIdpCache
  /** SP metadata per compiled IdP revision: written once, gone with the revision. */
  private readonly metadataByIdp = new WeakMap<CompiledIdp, string>()

  constructor(readonly settings: ServiceProviderSettings) {
    this.compiledIdps = new CompiledIdpCache({
      sp: settings.sp,
      clockSkewMs: settings.clockSkewMs,
      limits: settings.limits,
      logoutMaxAgeMs: settings.requestTtlMs,
    })
  }

  /**
   * Starts SP-initiated login: stores the request ID (bound to this IdP and, when enabled, to the
   * browser's binding token) and returns where to send the browser.
   */
  async startLogin(
    record: IdpRecord,
    params: { returnTo?: unknown; browserToken?: string },
  ): Promise<LoginStart> {
    const compiled = this.compiledIdps.get(record)
    if (this.settings.bindToBrowser && !params.browserToken) {
      throw new SamlError('a browser binding token is required to start a login', 'ERR_SAML_BAD_REQUEST')
    }
    const returnTo = safeReturnTo(params.returnTo, this.settings.returnTo)
    const id = newRequestId()
    const pending: PendingRequest = {
      b: params.browserToken ? hashToken(params.browserToken) : '',
      r: returnTo,
    }
    await this.cacheCall(() =>
      this.settings.cache.set(requestKey(record.id, id), JSON.stringify(pending), this.settings.requestTtlMs),
    )
    // RelayState carries the deep link for IdPs that show it; the trusted copy is the cached one.
    return requestIdContext.run(id, async () => {
      if (record.authnRequestBinding === 'post') {
        return { kind: 'form', html: await compiled.saml.getAuthorizeFormAsync(returnTo, undefined, {}) }
      }
      return { kind: 'redirect', url: await compiled.saml.getAuthorizeUrlAsync(returnTo, undefined, {}) }
    })
  }

  /**
   * Validates a parsed response for `record` and enforces InResponseTo (consumed once, bound to the
   * IdP and browser that started it) and assertion replay. Throws `SamlError` on any failure.
   */
  async consumeResponse(
    doc: Document,
    record: IdpRecord,
    params: { relayState?: unknown; browserToken?: string },
  ): Promise<AcceptedResponse> {
    try {
      return await this.consume(doc, record, params)
    } catch (err) {
      // Name the IdP on every error, so logs and error pages say which tenant failed.
      if (err instanceof SamlError && err.idp === undefined) {
        const named = new SamlError(err.message, err.code, { cause: err.cause, idp: record.id })
        named.stack = err.stack
        throw named
      }
      throw err
    }
  }

  private async consume(
    doc: Document,
    record: IdpRecord,
    params: { relayState?: unknown; browserToken?: string },
  ): Promise<AcceptedResponse> {
    const compiled = this.compiledIdps.get(record)
    const now = this.settings.clock()
    const assertion = validateResponse(doc, compiled.policy, now)

    let returnTo: string
    if (assertion.inResponseTo !== undefined) {
      const stored = await this.cacheCall(() =>
        this.settings.cache.take(requestKey(record.id, assertion.inResponseTo!)),
      )
      if (stored === undefined) {
        throw new SamlError(
          `InResponseTo names no pending request of IdP "${record.id}": it expired, was already used, or was started for another IdP`,
          'ERR_SAML_IN_RESPONSE_TO',
          { idp: record.id },
        )
      }
      const pending = JSON.parse(stored) as PendingRequest
      if (pending.b !== '' && !(params.browserToken && sameHash(pending.b, hashToken(params.browserToken)))) {
        throw new SamlError(
          'this response answers a login started in another browser',
          'ERR_SAML_IN_RESPONSE_TO',
          { idp: record.id },
        )
      }
      returnTo = pending.r
    } else {
      if (!record.allowIdpInitiated) {
        throw new SamlError(
          `IdP "${record.id}" sent an unsolicited response and IdP-initiated login is off for it (allowIdpInitiated)`,
          'ERR_SAML_UNSOLICITED',
          { idp: record.id },
        )
      }
      returnTo = safeReturnTo(params.relayState, this.settings.returnTo)
    }

    const ttl = Math.max(1000, assertion.expiresAt - now)
    const fresh = await this.cacheCall(() =>
      this.settings.cache.add(
        replayKey(record.id, assertion.issuer, assertion.assertionId),
        String(now),
        ttl,
      ),
    )
    if (!fresh) {
      throw new SamlError('this assertion was already used (replay)', 'ERR_SAML_REPLAY', { idp: record.id })
    }

    const profile: SamlProfile = Object.freeze({
      idp: record.id,
      issuer: assertion.issuer,
      nameID: assertion.nameID,
      nameIDFormat: assertion.nameIDFormat,
      nameQualifier: assertion.nameQualifier,
      spNameQualifier: assertion.spNameQualifier,
      sessionIndex: assertion.sessionIndex,
      sessionNotOnOrAfter: assertion.sessionNotOnOrAfter,
      authnInstant: assertion.authnInstant,
      authnContextClassRef: assertion.authnContextClassRef,
      inResponseTo: assertion.inResponseTo,
      assertionId: assertion.assertionId,
      mapped: mapProfile(compiled.attributeMap, assertion.attributes, { idp: record.id }),
      attributes: assertion.attributes,
    })
    return { profile, returnTo, compiled, assertionElement: assertion.assertionElement }
  }

  /**
   * Starts SP-initiated Single Logout: returns the IdP's SLO URL with a (signed) LogoutRequest for
   * the session, and remembers the request so the IdP's LogoutResponse can be matched; `undefined`
   * when the IdP has no HTTP-Redirect SLO endpoint (then only the local session ends).
   */
  async startLogout(
    record: IdpRecord,
    session: SamlSessionInfo,
    params: { returnTo?: unknown } = {},
  ): Promise<string | undefined> {
    const compiled = this.compiledIdps.get(record)
    if (!compiled.logoutSaml) return undefined
    const returnTo = safeReturnTo(params.returnTo, this.settings.returnTo)
    const id = newRequestId()
    await this.cacheCall(() =>
      this.settings.cache.set(
        logoutKey(record.id, id),
        JSON.stringify({ r: returnTo }),
        this.settings.requestTtlMs,
      ),
    )
    const logoutSaml = compiled.logoutSaml
    return requestIdContext.run(id, () =>
      logoutSaml.getLogoutUrlAsync(
        {
          issuer: record.entityId,
          nameID: session.nameID,
          nameIDFormat: session.nameIDFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
          ...(session.nameQualifier !== undefined && { nameQualifier: session.nameQualifier }),
          ...(session.spNameQualifier !== undefined && { spNameQualifier: session.spNameQualifier }),
          ...(session.sessionIndex !== undefined && { sessionIndex: session.sessionIndex }),
        },
        returnTo,
        {},
      ),
    )
  }

  /**
   * Verifies a logout message the IdP sent to this SP's SLO endpoint. A LogoutResponse must answer a
   * LogoutRequest this SP sent to the same IdP (consumed once) and yields where to send the user; a
   * LogoutRequest is accepted once (replay-checked) and yields whom to log out.
   */
  async consumeLogout(record: IdpRecord, input: LogoutInput): Promise<LogoutOutcome> {
    const compiled = this.compiledIdps.get(record)
    const now = this.settings.clock()
    const message = validateLogoutMessage(input, compiled.logoutPolicy, now)
    if (message.kind === 'response') {
      const stored = await this.cacheCall(() =>
        this.settings.cache.take(logoutKey(record.id, message.inResponseTo)),
      )
      if (stored === undefined) {
        throw new SamlError(
          `the LogoutResponse answers no pending logout of IdP "${record.id}"`,
          'ERR_SAML_IN_RESPONSE_TO',
          { idp: record.id },
        )
      }
      return { kind: 'response', response: message, returnTo: (JSON.parse(stored) as { r: string }).r }
    }
    const fresh = await this.cacheCall(() =>
      this.settings.cache.add(
        replayKey(record.id, message.issuer, `logout\u0000${message.id}`),
        String(now),
        Math.max(1000, message.expiresAt - now),
      ),
    )
    if (!fresh) {
      throw new SamlError('this LogoutRequest was already used (replay)', 'ERR_SAML_REPLAY', {
        idp: record.id,
      })
    }
    return { kind: 'request', request: message }
  }

  /** The IdP's SLO URL with a (signed) LogoutResponse answering `request`. */
  async logoutResponseUrl(
    record: IdpRecord,
    request: ValidatedLogoutRequest,
    success: boolean,
  ): Promise<string> {
    const compiled = this.compiledIdps.get(record)
    if (!compiled.logoutSaml) {
      throw new SamlError(
        `IdP "${record.id}" sent a LogoutRequest but has no HTTP-Redirect SingleLogoutService to answer`,
        'ERR_SAML_IDP_UNUSABLE',
        { idp: record.id },
      )
    }
    return compiled.logoutSaml.getLogoutResponseUrlAsync(
      {
        ID: request.id,
        issuer: request.issuer,
        nameID: request.nameID,
        nameIDFormat: request.nameIDFormat ?? '',
      },
      request.relayState ?? '',
      {},
      success,
    )
  }

  /** SP metadata for one IdP: entityID, ACS, SLO when the IdP has one, signing and encryption certs. */
  metadata(record: IdpRecord): string {
    const compiled = this.compiledIdps.get(record)
    let xml = this.metadataByIdp.get(compiled)
    if (xml === undefined) {
      const { sp } = this.settings
      xml = compiled.saml.generateServiceProviderMetadata(sp.decryptionCert ?? null, sp.signingCert ?? null)
      if (compiled.logoutSaml) xml = withSingleLogout(xml, sp.signingCert)
      this.metadataByIdp.set(compiled, xml)
    }
    return xml
  }

  private async cacheCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      if (err instanceof SamlError) throw err
      throw new SamlError(
        'the request/replay cache is unavailable; logins are refused until it is back',
        'ERR_SAML_CACHE_UNAVAILABLE',
        {
          cause: err,
        },
      )
    }
  }
}

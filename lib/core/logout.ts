import { SamlError, withIdp } from '../errors/saml-error.js'
import { buildLogoutRequest } from '../messages/logout-request.js'
import { buildLogoutResponse, LOGOUT_STATUS } from '../messages/logout-response.js'
import { newMessageId } from '../messages/message-id.js'
import { safeReturnTo } from '../relay-state/safe-return-to.js'
import { validateLogoutMessage, type LogoutInput } from '../validate/validate-logout.js'
import type { CompiledIdp } from './compile-idp.js'
import { resolveCompiled, toError, type CoreContext } from './core-context.js'
import type { SamlLogoutOutcome, SamlSessionInfo } from './outcome.js'
import {
  cacheCall,
  logoutKey,
  parsePending,
  remember,
  replayKey,
  type PendingLogout,
} from './pending-requests.js'
import { bodyOf, headerOf, queryOf, rawQueryOf, type SamlHttpRequest } from './saml-request.js'
import { sendToIdp } from './send-message.js'

/** What the edge knows of the current browser session, and how to end it. */
export interface SamlSessionHooks {
  /** The SAML login of the current session, if it has one (see `SamlAccepted.session`). */
  readonly session?: SamlSessionInfo
  /** Ends the current browser session (e.g. Passport's `req.logout`). */
  readonly endSession: () => Promise<void>
}

/** An IdP's request to end a user's sessions (IdP-initiated Single Logout), once verified. */
export interface SamlLogoutRequest {
  readonly idp: string
  readonly nameID: string
  /** The IdP sessions to end; empty means every session of `nameID`. */
  readonly sessionIndexes: readonly string[]
}

/** Options of the SLO endpoint. */
export interface SamlSloHooks extends SamlSessionHooks {
  /**
   * Called for a verified LogoutRequest, after the current session (if it is that user's) was
   * ended: end the user's other sessions (in other browsers) here.
   */
  readonly onLogoutRequest?: (request: SamlLogoutRequest) => void | Promise<void>
}

function named(err: unknown, compiled: CompiledIdp | undefined): Error {
  const error = toError(err)
  return error instanceof SamlError && compiled ? withIdp(error, compiled.record.id) : error
}

/**
 * SP-initiated logout: ends the local session (always, even when the IdP then cannot be resolved),
 * then sends a (signed) LogoutRequest to the IdP when the session came from it and it has a
 * SingleLogoutService; else straight to the return path.
 * Refused when the navigation comes from another site, which must not be able to sign the user out
 * (here, at the IdP and at every SP of its session).
 */
export async function startLogout(
  ctx: CoreContext,
  request: SamlHttpRequest,
  hooks: SamlSessionHooks,
): Promise<SamlLogoutOutcome> {
  let compiled: CompiledIdp | undefined
  try {
    if (headerOf(request, 'sec-fetch-site') === 'cross-site') {
      throw new SamlError('logout must start on this site', 'ERR_SAML_BAD_REQUEST')
    }
    const returnTo = safeReturnTo(queryOf(request).returnTo ?? bodyOf(request).returnTo, ctx.returnTo)
    const session = hooks.session
    // The local session ends first: a logout link naming an unknown or broken IdP still signs the
    // user out here, and only Single Logout at the IdP is lost (the error says why).
    await hooks.endSession()
    compiled = await resolveCompiled(ctx, request)
    if (!session || session.idp !== compiled.record.id || !compiled.slo) {
      return { type: 'redirect', location: returnTo, setCookies: [] }
    }
    const id = newMessageId()
    const pending: PendingLogout = { returnTo }
    await remember(ctx.options.cache, logoutKey(compiled.record.id, id), pending, ctx.options.requestTtlMs)
    const xml = buildLogoutRequest({
      id,
      issueInstant: ctx.options.clock(),
      destination: compiled.slo.url,
      issuer: compiled.endpoints.entityId,
      nameID: session.nameID,
      ...(session.nameIDFormat !== undefined && { nameIDFormat: session.nameIDFormat }),
      ...(session.nameQualifier !== undefined && { nameQualifier: session.nameQualifier }),
      ...(session.spNameQualifier !== undefined && { spNameQualifier: session.spNameQualifier }),
      ...(session.sessionIndex !== undefined && { sessionIndex: session.sessionIndex }),
    })
    return sendToIdp(ctx.options.sp, compiled.slo, {
      type: 'SAMLRequest',
      xml,
      relayState: returnTo,
      sign: true,
    })
  } catch (err) {
    return { type: 'error', error: named(err, compiled) }
  }
}

/**
 * The SP's SingleLogoutService, on both bindings. A LogoutResponse must answer a LogoutRequest this
 * SP sent to the same IdP (taken once) and leads to its return path. A LogoutRequest is verified,
 * accepted once (replay-checked), ends the current session when it is that user's, goes to
 * `onLogoutRequest`, and is answered with a signed LogoutResponse on the IdP's SLO binding.
 */
export async function consumeLogout(
  ctx: CoreContext,
  request: SamlHttpRequest,
  hooks: SamlSloHooks,
): Promise<SamlLogoutOutcome> {
  let compiled: CompiledIdp | undefined
  try {
    compiled = await resolveCompiled(ctx, request)
    const { record } = compiled
    const input: LogoutInput =
      request.method.toUpperCase() === 'POST'
        ? { binding: 'post', body: bodyOf(request) }
        : { binding: 'redirect', rawQuery: rawQueryOf(request) }
    const now = ctx.options.clock()
    const message = validateLogoutMessage(input, compiled.logoutPolicy, now)
    if (message.kind === 'response') {
      const stored = await cacheCall(() => ctx.options.cache.take(logoutKey(record.id, message.inResponseTo)))
      const pending = stored === undefined ? undefined : parsePending<PendingLogout>(stored, 'returnTo')
      if (!pending) {
        throw new SamlError(
          `the LogoutResponse answers no pending logout of IdP "${record.id}"`,
          'ERR_SAML_IN_RESPONSE_TO',
        )
      }
      return { type: 'redirect', location: pending.returnTo, setCookies: [] }
    }
    const fresh = await cacheCall(() =>
      ctx.options.cache.add(
        replayKey(record.id, message.issuer, `logout\u0000${message.id}`),
        String(now),
        Math.max(1000, message.expiresAt - now),
      ),
    )
    if (!fresh) throw new SamlError('this LogoutRequest was already used (replay)', 'ERR_SAML_REPLAY')
    if (!compiled.slo) {
      throw new SamlError(
        `IdP "${record.id}" sent a LogoutRequest but has no SingleLogoutService to answer`,
        'ERR_SAML_IDP_UNUSABLE',
      )
    }
    const session = hooks.session
    if (
      session &&
      session.idp === record.id &&
      session.nameID === message.nameID &&
      (message.sessionIndexes.length === 0 ||
        (session.sessionIndex !== undefined && message.sessionIndexes.includes(session.sessionIndex)))
    ) {
      await hooks.endSession()
    }
    await hooks.onLogoutRequest?.({
      idp: record.id,
      nameID: message.nameID,
      sessionIndexes: message.sessionIndexes,
    })
    const xml = buildLogoutResponse({
      id: newMessageId(),
      issueInstant: ctx.options.clock(),
      destination: compiled.slo.url,
      issuer: compiled.endpoints.entityId,
      inResponseTo: message.id,
      statusCode: LOGOUT_STATUS.success,
    })
    return sendToIdp(ctx.options.sp, compiled.slo, {
      type: 'SAMLResponse',
      xml,
      ...(message.relayState !== undefined && { relayState: message.relayState }),
      sign: true,
    })
  } catch (err) {
    return { type: 'error', error: named(err, compiled) }
  }
}

import { SamlError, withIdp, type SamlErrorCode } from '../errors/saml-error.js'
import { mapProfile } from '../profile/map-profile.js'
import { safeReturnTo } from '../relay-state/safe-return-to.js'
import { CheckLog, type SamlCheckName } from '../validate/check-log.js'
import {
  decodeSamlResponse,
  peekIssuer,
  validateResponse,
  type ValidatedAssertion,
} from '../validate/validate-response.js'
import { describeAttempt, serializeAssertion } from './attempt.js'
import { readBindingToken, hashToken, sameHash } from './browser-binding.js'
import type { CompiledIdp } from './compile-idp.js'
import { checkMetadataCurrent, resolveCompiled, toError, type CoreContext } from './core-context.js'
import type { SamlAcsOutcome, SamlSessionInfo } from './outcome.js'
import { cacheCall, loginKey, parsePending, replayKey, type PendingLogin } from './pending-requests.js'
import { bodyOf, headerOf, queryOf, type SamlHttpRequest } from './saml-request.js'
import type { XmlDocument } from '../xml/tree.js'
import { buildProfile, type SamlProfile } from './saml-profile.js'

/** What the application decides about a verified user: the user, or a refusal (`false`, `null`). */
export interface SamlVerdict<User> {
  readonly user: User | false | null | undefined
  /** Passport's `info`: with a refusal, your own `code` and `message` for the answer. */
  readonly info?: Readonly<Record<string, unknown>>
}

/** The application's decision about a verified profile; a rejection is an application error. */
export type SamlVerify<User> = (profile: SamlProfile) => Promise<SamlVerdict<User>>

/** Codes that mean "this user is not signed in", answered as a denial (Passport `fail`). */
const DENIALS: ReadonlySet<SamlErrorCode> = new Set([
  'ERR_SAML_STATUS',
  'ERR_SAML_NO_PASSIVE',
  'ERR_SAML_AUTHN_CONTEXT',
])

/** `fn`'s value, computed on the first call only (the profile's XML views are rarely read). */
function once(fn: () => string): () => string {
  let value: string | undefined
  return () => (value ??= fn())
}

/** Runs an async step of the flow as one check of the log. */
async function step<T>(log: CheckLog, name: SamlCheckName, fn: () => Promise<T>): Promise<T> {
  try {
    const value = await fn()
    log.pass(name)
    return value
  } catch (err) {
    log.fail(name, err)
    throw err
  }
}

/** The posted SAMLResponse, parsed: an ACS takes a POSTed response and nothing else. */
function decodePosted(ctx: CoreContext, request: SamlHttpRequest): XmlDocument {
  const body = bodyOf(request)
  const query = queryOf(request)
  if (request.method.toUpperCase() !== 'POST' || query.SAMLResponse !== undefined) {
    throw new SamlError('SAML responses must be POSTed (HTTP-POST binding)', 'ERR_SAML_BAD_REQUEST')
  }
  if (body.SAMLResponse === undefined) {
    throw new SamlError(
      body.SAMLRequest !== undefined
        ? 'an assertion consumer service takes SAML responses, not requests'
        : 'no SAMLResponse was posted: an assertion consumer service takes SAML responses only',
      'ERR_SAML_BAD_REQUEST',
    )
  }
  return decodeSamlResponse(body.SAMLResponse, ctx.options.limits)
}

/**
 * Where a solicited response may send the user: its request must be pending for this IdP (taken
 * once) and, when requests are bound to browsers, started by this browser. An unsolicited one is
 * allowed only when the IdP record allows IdP-initiated login, with RelayState as the deep link.
 * Returns what the login start remembered (for an unsolicited response: what the record says).
 */
async function matchRequest(
  ctx: CoreContext,
  request: SamlHttpRequest,
  compiled: CompiledIdp,
  assertion: ValidatedAssertion,
): Promise<PendingLogin> {
  const { record } = compiled
  if (assertion.inResponseTo === undefined) {
    if (!record.allowIdpInitiated) {
      throw new SamlError(
        `IdP "${record.id}" sent an unsolicited response and IdP-initiated login is off for it (allowIdpInitiated)`,
        'ERR_SAML_UNSOLICITED',
      )
    }
    const context = record.authnRequestOptions?.requestedAuthnContext
    return {
      browserTokenHash: '',
      returnTo: safeReturnTo(bodyOf(request).RelayState, ctx.returnTo),
      ...(context?.enforce === true && { authnContextClassRefs: context.classRefs }),
    }
  }
  const stored = await cacheCall(() => ctx.options.cache.take(loginKey(record.id, assertion.inResponseTo!)))
  const pending = stored === undefined ? undefined : parsePending<PendingLogin>(stored, 'browserTokenHash')
  if (pending === undefined) {
    throw new SamlError(
      `InResponseTo names no pending request of IdP "${record.id}": it expired, was already used, or was started for another IdP`,
      'ERR_SAML_IN_RESPONSE_TO',
    )
  }
  if (pending.browserTokenHash !== '') {
    const token = readBindingToken(headerOf(request, 'cookie'), ctx.bindingCookie)
    if (token === undefined) throw missingBindingCookie(ctx)
    if (!sameHash(pending.browserTokenHash, hashToken(token))) {
      throw new SamlError(
        'this response answers a login started in another browser',
        'ERR_SAML_IN_RESPONSE_TO',
      )
    }
  }
  return pending
}

/** An enforced RequestedAuthnContext: the assertion's AuthnContextClassRef must be one asked for. */
function checkAuthnContext(assertion: ValidatedAssertion, accepted: readonly string[]): void {
  const got = assertion.authnContextClassRef
  if (got !== undefined && accepted.includes(got)) return
  throw new SamlError(
    `the IdP authenticated the user with ${got === undefined ? 'no AuthnContextClassRef' : `"${got.slice(0, 200)}"`}, not one of the requested ${accepted.join(', ')}`,
    'ERR_SAML_AUTHN_CONTEXT',
  )
}

/** The binding cookie did not come back: say why that usually happens and what fixes it. */
function missingBindingCookie(ctx: CoreContext): SamlError {
  const overHttp = !ctx.bindingCookie.https
  return new SamlError(
    `this response answers a login, but the browser did not send the binding cookie "${ctx.bindingCookie.name}" set when the login started, so it may come from another browser.` +
      (overHttp
        ? " Over plain http the cookie is SameSite=Lax, which browsers leave out of the IdP's cross-site POST: serve the app over https (sp.baseUrl), or turn bindRequestsToBrowser off for local development."
        : ' If logins start on another host than the ACS, set bindingCookieDomain to a domain covering both.'),
    'ERR_SAML_IN_RESPONSE_TO',
  )
}

/** Records the assertion as used until it expires; a second use is a replay. */
async function checkReplay(
  ctx: CoreContext,
  compiled: CompiledIdp,
  assertion: ValidatedAssertion,
  now: number,
): Promise<void> {
  const key = replayKey(compiled.record.id, assertion.issuer, assertion.assertionId)
  const ttl = Math.max(1000, assertion.expiresAt - now)
  const fresh = await cacheCall(() => ctx.options.cache.add(key, String(now), ttl))
  if (!fresh) throw new SamlError('this assertion was already used (replay)', 'ERR_SAML_REPLAY')
}

function sessionInfoOf(profile: SamlProfile): SamlSessionInfo {
  // Assigned one by one: a conditional spread allocates a temporary object for each field present.
  const info: { -readonly [K in keyof SamlSessionInfo]: SamlSessionInfo[K] } = {
    idp: profile.idp,
    nameID: profile.nameID,
  }
  if (profile.nameIDFormat !== undefined) info.nameIDFormat = profile.nameIDFormat
  if (profile.nameQualifier !== undefined) info.nameQualifier = profile.nameQualifier
  if (profile.spNameQualifier !== undefined) info.spNameQualifier = profile.spNameQualifier
  if (profile.sessionIndex !== undefined) info.sessionIndex = profile.sessionIndex
  return info
}

/**
 * The assertion consumer service: decode → resolve the IdP → validate → InResponseTo and browser
 * binding → replay → attribute map → the application's verify. Every step is a check recorded as
 * it ran; the outcome carries them and `onAttempt` gets them once. Never throws.
 */
export async function consumeResponse<User>(
  ctx: CoreContext,
  request: SamlHttpRequest,
  verify: SamlVerify<User>,
): Promise<SamlAcsOutcome<User>> {
  const log = new CheckLog()
  const now = ctx.options.clock()
  let compiled: CompiledIdp | undefined
  let assertion: ValidatedAssertion | undefined
  let profile: SamlProfile | undefined
  let outcome: SamlAcsOutcome<User>
  try {
    const doc = log.run('message', () => decodePosted(ctx, request))
    compiled = await step(log, 'idp', async () => {
      const resolved = await resolveCompiled(ctx, request, () => peekIssuer(doc))
      checkMetadataCurrent(ctx, resolved, now)
      return resolved
    })
    assertion = validateResponse(doc, compiled.policy, now, log)
    const validated = assertion
    const idpState = compiled
    const pending = await step(log, 'in-response-to', () => matchRequest(ctx, request, idpState, validated))
    const { returnTo, authnContextClassRefs } = pending
    if (authnContextClassRefs !== undefined)
      log.run('authn-context', () => checkAuthnContext(validated, authnContextClassRefs))
    await step(log, 'replay', () => checkReplay(ctx, idpState, validated, now))
    const mapped = log.run('attributes', () =>
      mapProfile(idpState.attributeMap, validated.attributes, { idp: idpState.record.id }),
    )
    profile = buildProfile(validated, mapped, {
      idp: idpState.record,
      returnTo,
      assertionXml: once(() => serializeAssertion(validated.assertionElement)),
      responseXml: once(() => Buffer.from(String(bodyOf(request).SAMLResponse), 'base64').toString('utf8')),
    })
    const verdict = await step(log, 'verify', () => verify(profile!))
    if (verdict.user === false || verdict.user === null || verdict.user === undefined) {
      const info = verdict.info ?? {}
      const message = typeof info.message === 'string' ? info.message : 'the application refused this user'
      const refusal = new SamlError(message, 'ERR_SAML_ACCESS_DENIED', { idp: idpState.record.id })
      // The application said no: the verify check failed, with the refusal's code.
      log.checks.pop()
      log.fail('verify', refusal)
      outcome = { type: 'denied', error: refusal, info, checks: log.checks }
    } else {
      outcome = {
        type: 'accepted',
        user: verdict.user,
        info: verdict.info ?? {},
        profile,
        returnTo,
        session: sessionInfoOf(profile),
        checks: log.checks,
      }
    }
  } catch (err) {
    let error = toError(err)
    if (error instanceof SamlError && compiled) error = withIdp(error, compiled.record.id)
    outcome =
      error instanceof SamlError && DENIALS.has(error.code)
        ? // The IdP saying "not authenticated" (or not strongly enough) is a denial, not an attack.
          { type: 'denied', error, info: {}, checks: log.checks }
        : { type: 'error', error, checks: log.checks }
  }
  report(ctx, now, request, outcome, compiled, assertion, profile)
  return outcome
}

/** Tells `onAttempt` what happened, once; a diagnostics hook never changes the outcome. */
function report<User>(
  ctx: CoreContext,
  now: number,
  request: SamlHttpRequest,
  outcome: SamlAcsOutcome<User>,
  compiled: CompiledIdp | undefined,
  assertion: ValidatedAssertion | undefined,
  profile: SamlProfile | undefined,
): void {
  const onAttempt = ctx.options.onAttempt
  if (!onAttempt) return
  try {
    onAttempt(
      describeAttempt({
        at: now,
        ...(compiled && { idp: compiled.record.id }),
        outcome: outcome.type,
        ...(outcome.type !== 'accepted' && { error: outcome.error }),
        samlResponse: bodyOf(request).SAMLResponse,
        maxBytes: ctx.options.limits.maxBytes,
        ...(profile && { profile }),
        ...(assertion && { assertion: assertion.assertionElement }),
        checks: outcome.checks ?? [],
      }),
    )
  } catch {
    // A diagnostics hook must never change the outcome of a login.
  }
}

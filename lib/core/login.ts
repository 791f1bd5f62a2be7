import { SamlError, withIdp } from '../errors/saml-error.js'
import { buildAuthnRequest, type AuthnRequestXmlOptions } from '../messages/authn-request.js'
import { readLoginRequestOptions, type LoginRequestOptions } from '../record/authn-request-options.js'
import { newMessageId } from '../messages/message-id.js'
import { safeReturnTo } from '../relay-state/safe-return-to.js'
import { bindingTokenForLogin, hashToken } from './browser-binding.js'
import type { CompiledIdp } from './compile-idp.js'
import { checkMetadataCurrent, resolveCompiled, toError, type CoreContext } from './core-context.js'
import type { SamlLoginOutcome } from './outcome.js'
import { loginKey, remember, type PendingLogin } from './pending-requests.js'
import { sendToIdp } from './send-message.js'
import { bodyOf, headerOf, queryOf, type SamlHttpRequest } from './saml-request.js'

/** Per-login options: the return target, and request options over the IdP record's. */
export interface SamlLoginOptions extends LoginRequestOptions {
  /**
   * Deep link to return to after login, checked (same origin or an allowed host). Default: the
   * request's `returnTo` query or form field.
   */
  readonly returnTo?: string
}

/** A login's options, checked; a bad one (a login hint with control characters, …) is a 400. */
function loginRequestOptions(options: SamlLoginOptions): LoginRequestOptions {
  return readLoginRequestOptions('login options', options, (message) => {
    throw new SamlError(message, 'ERR_SAML_BAD_REQUEST')
  })
}

/**
 * SP-initiated login: resolves the IdP, remembers the request (bound to this IdP and, when enabled,
 * to the browser through the binding cookie) and answers with the AuthnRequest on the IdP's
 * binding: a redirect with a query signature, or an auto-submitting form with an enveloped one.
 */
export async function startLogin(
  ctx: CoreContext,
  request: SamlHttpRequest,
  options: SamlLoginOptions = {},
): Promise<SamlLoginOutcome> {
  let idp: string | undefined
  try {
    const query = queryOf(request)
    const body = bodyOf(request)
    if (query.SAMLResponse !== undefined || body.SAMLResponse !== undefined) {
      throw new SamlError('SAML responses go to an ACS, posted (HTTP-POST binding)', 'ERR_SAML_BAD_REQUEST')
    }
    if (query.SAMLRequest !== undefined || body.SAMLRequest !== undefined) {
      throw new SamlError(
        'this endpoint starts logins; it does not accept SAML requests',
        'ERR_SAML_BAD_REQUEST',
      )
    }
    const asked = loginRequestOptions(options)
    const compiled = await resolveCompiled(ctx, request)
    idp = compiled.record.id
    checkMetadataCurrent(ctx, compiled, ctx.options.clock())
    const returnTo = safeReturnTo(options.returnTo ?? query.returnTo ?? body.returnTo, ctx.returnTo)
    const binding = ctx.options.bindRequestsToBrowser
      ? bindingTokenForLogin(headerOf(request, 'cookie'), ctx.bindingCookie)
      : undefined
    const id = newMessageId()
    const now = ctx.options.clock()
    const { xml, queryParameters } = authnRequestOf(ctx, compiled, asked, id, now)
    const context = asked.requestedAuthnContext ?? compiled.record.authnRequestOptions?.requestedAuthnContext
    const pending: PendingLogin = {
      browserTokenHash: binding ? hashToken(binding.token) : '',
      returnTo,
      ...(context?.enforce === true && { authnContextClassRefs: context.classRefs }),
    }
    await remember(ctx.options.cache, loginKey(idp, id), pending, ctx.options.requestTtlMs)
    const setCookies = binding?.setCookie ? [binding.setCookie] : []
    // RelayState carries the deep link for IdPs that show it; the trusted copy is the cached one.
    return sendToIdp(ctx.options.sp, compiled.sso, {
      type: 'SAMLRequest',
      xml,
      relayState: returnTo,
      sign: compiled.sso.signed,
      setCookies,
      queryParameters,
    })
  } catch (err) {
    const error = toError(err)
    return { type: 'error', error: error instanceof SamlError && idp ? withIdp(error, idp) : error }
  }
}

/** The AuthnRequest for this login: the login's options over the record's, over the SP's. */
function authnRequestOf(
  ctx: CoreContext,
  compiled: CompiledIdp,
  asked: LoginRequestOptions,
  id: string,
  now: number,
): { xml: string; queryParameters: Readonly<Record<string, string>> | undefined } {
  const { record, endpoints, sso } = compiled
  const fromRecord = record.authnRequestOptions ?? {}
  const format = record.nameIdFormat ?? ctx.options.sp.nameIdFormat
  const policy = fromRecord.nameIdPolicy
  const hint = asked.loginHint
  const hintDelivery = fromRecord.loginHint ?? {}
  const request: AuthnRequestXmlOptions = {
    id,
    issueInstant: now,
    destination: sso.url,
    issuer: endpoints.entityId,
    assertionConsumerServiceUrl: endpoints.acsUrl,
    assertionConsumerServiceIndex: fromRecord.assertionConsumerServiceIndex,
    attributeConsumingServiceIndex:
      asked.attributeConsumingServiceIndex ?? fromRecord.attributeConsumingServiceIndex,
    ...((format !== undefined || policy !== undefined) && { nameIdPolicy: { format, ...policy } }),
    ...(hint !== undefined && hintDelivery.subject !== false && { subjectNameId: hint }),
    requestedAuthnContext: asked.requestedAuthnContext ?? fromRecord.requestedAuthnContext,
    scoping: asked.scoping ?? fromRecord.scoping,
    forceAuthn: asked.forceAuthn ?? record.forceAuthn,
    isPassive: asked.isPassive ?? fromRecord.isPassive,
  }
  const queryParameters = {
    ...fromRecord.queryParameters,
    ...asked.queryParameters,
    ...(hint !== undefined &&
      hintDelivery.queryParameter !== undefined && { [hintDelivery.queryParameter]: hint }),
  }
  return {
    xml: buildAuthnRequest(request),
    queryParameters: Object.keys(queryParameters).length > 0 ? queryParameters : undefined,
  }
}

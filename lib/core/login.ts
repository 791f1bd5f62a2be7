import { SamlError, withIdp } from '../errors/saml-error.js'
import { buildAuthnRequest } from '../messages/authn-request.js'
import { newMessageId } from '../messages/message-id.js'
import { safeReturnTo } from '../relay-state/safe-return-to.js'
import { bindingTokenForLogin, hashToken } from './browser-binding.js'
import type { CompiledIdp } from './compile-idp.js'
import { resolveCompiled, toError, type CoreContext } from './core-context.js'
import type { SamlLoginOutcome } from './outcome.js'
import { loginKey, remember, type PendingLogin } from './pending-requests.js'
import { sendToIdp } from './send-message.js'
import { bodyOf, headerOf, queryOf, type SamlHttpRequest } from './saml-request.js'

/** Per-login options. */
export interface SamlLoginOptions {
  /**
   * Deep link to return to after login, checked (same origin or an allowed host). Default: the
   * request's `returnTo` query or form field.
   */
  readonly returnTo?: string
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
    const compiled = await resolveCompiled(ctx, request)
    idp = compiled.record.id
    const returnTo = safeReturnTo(options.returnTo ?? query.returnTo ?? body.returnTo, ctx.returnTo)
    const binding = ctx.options.bindRequestsToBrowser
      ? bindingTokenForLogin(headerOf(request, 'cookie'), ctx.bindingCookie)
      : undefined
    const id = newMessageId()
    const now = ctx.options.clock()
    const pending: PendingLogin = {
      browserTokenHash: binding ? hashToken(binding.token) : '',
      returnTo,
    }
    await remember(ctx.options.cache, loginKey(idp, id), pending, ctx.options.requestTtlMs)
    const setCookies = binding?.setCookie ? [binding.setCookie] : []
    // RelayState carries the deep link for IdPs that show it; the trusted copy is the cached one.
    return authnRequestAnswer(ctx, compiled, id, now, returnTo, setCookies)
  } catch (err) {
    const error = toError(err)
    return { type: 'error', error: error instanceof SamlError && idp ? withIdp(error, idp) : error }
  }
}

function authnRequestAnswer(
  ctx: CoreContext,
  compiled: CompiledIdp,
  id: string,
  now: number,
  relayState: string,
  setCookies: readonly string[],
): SamlLoginOutcome {
  const { sp } = ctx.options
  const { record, endpoints, sso } = compiled
  const format = record.nameIdFormat ?? sp.nameIdFormat
  const xml = buildAuthnRequest({
    id,
    issueInstant: now,
    destination: sso.url,
    issuer: endpoints.entityId,
    assertionConsumerServiceUrl: endpoints.acsUrl,
    ...(format !== undefined && { nameIdPolicy: { format } }),
    forceAuthn: record.forceAuthn,
  })
  return sendToIdp(sp, sso, { type: 'SAMLRequest', xml, relayState, sign: sso.signed, setCookies })
}

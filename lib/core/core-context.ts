import type { ReturnToPolicy } from '../relay-state/safe-return-to.js'
import { resolveIdp } from '../resolve/resolvers.js'
import type { IdpRecord } from '../record/record-fields.js'
import type { BindingCookieSettings } from './browser-binding.js'
import type { CompiledIdp, CompiledIdpCache } from './compile-idp.js'
import type { ResolvedCoreOptions } from './core-options.js'
import { resolveInputOf, type SamlHttpRequest } from './saml-request.js'

/** What every flow shares: the options, the compiled IdPs and the policies derived from them. */
export interface CoreContext {
  readonly options: ResolvedCoreOptions
  readonly compiled: CompiledIdpCache
  readonly bindingCookie: BindingCookieSettings
  readonly returnTo: ReturnToPolicy
}

/** The IdP a request is for, by the configured resolvers, and its compiled state. */
export async function resolveCompiled(
  ctx: CoreContext,
  request: SamlHttpRequest,
  responseIssuer?: () => string | undefined,
): Promise<CompiledIdp> {
  const record: IdpRecord = await resolveIdp(
    ctx.options.resolvers,
    resolveInputOf(request, responseIssuer),
    ctx.options.store,
  )
  return ctx.compiled.get(record)
}

/** Any thrown value as an Error, even one whose `String()` throws. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value
  try {
    return new Error(String(value))
  } catch {
    return new Error('a non-Error value was thrown')
  }
}

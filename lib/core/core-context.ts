import { SamlError } from '../errors/saml-error.js'
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
  /** Per call, when the flow is observed: what the flow learned that its outcome does not say. */
  readonly note?: FlowNote
}

/** What an observed flow notes as it runs (see instrument.ts). */
export interface FlowNote {
  /** The IdP the request resolved to. */
  idp?: string
}

/** The IdP a request is for, by the configured resolvers, and its compiled state. */
export async function resolveCompiled(
  ctx: CoreContext,
  request: SamlHttpRequest,
  responseIssuer?: () => string | undefined,
): Promise<CompiledIdp> {
  let record: IdpRecord
  try {
    record = await resolveIdp(
      ctx.options.resolvers,
      resolveInputOf(request, responseIssuer),
      ctx.options.store,
    )
  } catch (err) {
    if (err instanceof SamlError) throw err
    // A custom resolver that fails is a lookup that failed: the same as the store being away (503),
    // never an untyped error that would read as the application's.
    throw new SamlError(
      `an IdP resolver failed, so no IdP can be chosen for this request: ${err instanceof Error ? err.message : String(err)}`,
      'ERR_SAML_STORE_UNAVAILABLE',
      { cause: err },
    )
  }
  if (ctx.note) ctx.note.idp = record.id
  return ctx.compiled.get(record)
}

/**
 * Refuses an IdP whose stored metadata expired more than `metadataExpiryGraceMs` ago: its keys and
 * endpoints are no longer vouched for, and the refresher has not found newer ones. Login start and
 * ACS call it; logout and SP metadata keep working so users can still sign out and admins can still
 * read what to give the IdP.
 */
export function checkMetadataCurrent(ctx: CoreContext, compiled: CompiledIdp, now: number): void {
  const validUntil = compiled.metadataValidUntil
  if (validUntil === undefined || now <= validUntil + ctx.options.metadataExpiryGraceMs) return
  const { record } = compiled
  const ago = Math.round((now - validUntil) / 60_000)
  const source =
    record.metadataUrl === undefined
      ? 'paste current metadata from the IdP'
      : `check that ${new URL(record.metadataUrl).origin} serves current metadata and that the metadata refresher runs (its onResult reports each failure), or paste current metadata`
  throw new SamlError(
    `the metadata of IdP "${record.id}" expired at ${new Date(validUntil).toISOString()} (${ago} min ago) and no newer metadata has been stored; sign-in with it is refused: ${source}`,
    'ERR_SAML_METADATA_EXPIRED',
    { idp: record.id },
  )
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

import { SamlError } from '../errors/saml-error.js'
import type { IdpRecord } from '../record/record-fields.js'
import type { IdpStore } from '../store/idp-store.js'

/** What a resolver may look at: a framework-neutral view of the request. */
export interface ResolveInput {
  /** Route parameters (`/saml/:idp/...`). */
  readonly params: Readonly<Record<string, string | undefined>>
  readonly query: Readonly<Record<string, unknown>>
  readonly body: Readonly<Record<string, unknown>>
  /** The request's host (`acme.app.example.com`), lower-cased, without port. */
  readonly host: string | undefined
  /** Issuer of the posted SAMLResponse, read WITHOUT verification (selection only), if any. */
  readonly responseIssuer: () => string | undefined
}

/**
 * Picks the IdP for a request. Returns `undefined` when it does not apply (its input is absent), so
 * the next resolver is tried; throws `ERR_SAML_UNKNOWN_IDP` when it applies but names no IdP.
 */
export type IdpResolver = (input: ResolveInput, store: IdpStore) => Promise<IdpRecord | undefined>

function unknown(what: string): SamlError {
  return new SamlError(`no IdP is registered for ${what}`, 'ERR_SAML_UNKNOWN_IDP')
}

function clip(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
}

/**
 * By route parameter (default `idp`, as in `/saml/:idp/acs`).
 *
 * @example
 * ```ts
 * new MultiIdpSamlStrategy({ ..., resolve: [byPathParam('tenant')] }, verify)
 * ```
 */
export function byPathParam(name = 'idp'): IdpResolver {
  return async (input, store) => {
    const id = input.params[name]
    if (id === undefined || id === '') return undefined
    const record = await store.get(id)
    if (!record) throw unknown(`id ${clip(id)}`)
    return record
  }
}

/**
 * By host name: a map from host to IdP id, or a function (e.g. the first label of a subdomain).
 *
 * @example
 * ```ts
 * byHost((host) => host.endsWith('.app.example.com') ? host.split('.')[0] : undefined)
 * ```
 */
export function byHost(
  hosts: Readonly<Record<string, string>> | ((host: string) => string | undefined),
): IdpResolver {
  const lookup =
    typeof hosts === 'function'
      ? hosts
      : (host: string) => (Object.hasOwn(hosts, host) ? hosts[host] : undefined)
  return async (input, store) => {
    if (!input.host) return undefined
    const id = lookup(input.host)
    if (id === undefined) return undefined
    const record = await store.get(id)
    if (!record) throw unknown(`host ${clip(input.host)}`)
    return record
  }
}

/**
 * By the posted response's Issuer: one shared ACS for every IdP. The Issuer is read before any
 * verification and only selects whose keys check the response; validation then requires the signed
 * assertion's Issuer to equal that IdP's entityID.
 */
export function byResponseIssuer(): IdpResolver {
  return async (input, store) => {
    const issuer = input.responseIssuer()
    if (issuer === undefined) return undefined
    const record = await store.findByEntityId(issuer)
    if (!record) throw unknown(`the response Issuer ${clip(issuer)}`)
    return record
  }
}

/**
 * By the domain of an email address the user typed (IdP discovery at login start), read from the
 * query or form field `field` (default `email`).
 */
export function byEmailDomain(field = 'email'): IdpResolver {
  return async (input, store) => {
    const value = input.query[field] ?? input.body[field]
    if (typeof value !== 'string' || value.trim() === '') return undefined
    const at = value.lastIndexOf('@')
    const domain = value
      .slice(at + 1)
      .trim()
      .toLowerCase()
    if (at < 1 || domain === '' || domain.length > 253) {
      throw new SamlError(`${clip(value)} is not an email address`, 'ERR_SAML_BAD_REQUEST')
    }
    const record = await store.findByEmailDomain(domain)
    if (!record) throw unknown(`the email domain ${clip(domain)}`)
    return record
  }
}

/** The default order: path parameter, then the response Issuer, then an email domain. */
export function defaultResolvers(): IdpResolver[] {
  return [byPathParam(), byResponseIssuer(), byEmailDomain()]
}

/**
 * Runs resolvers in order; the first that applies decides. None applying is a bad request.
 */
export async function resolveIdp(
  resolvers: readonly IdpResolver[],
  input: ResolveInput,
  store: IdpStore,
): Promise<IdpRecord> {
  for (const resolve of resolvers) {
    const record = await resolve(input, store)
    if (record) return record
  }
  throw new SamlError(
    'cannot tell which IdP this request is for: no route parameter, response Issuer or email matched a resolver',
    'ERR_SAML_BAD_REQUEST',
  )
}

/**
 * What the embedded IdP's request handlers get: one tenant with its samlify entity and the SP it
 * serves, and the error they throw to answer with the IdP's error page.
 *
 * @module
 */
import type { IdentityProviderInstance, ServiceProviderInstance } from 'samlify'
import type { IdpTenant } from './tenants.js'

/** One tenant of the embedded IdP, resolved from the request's `:tenant`. */
export interface TenantIdp {
  readonly tenant: IdpTenant
  /** The tenant's base URL, e.g. `http://localhost:3000/idp/acme`. */
  readonly url: string
  /** The tenant's entity ID (its base URL). */
  readonly entityId: string
  /** The tenant's samlify IdP: its key, metadata and message builders. */
  readonly entity: IdentityProviderInstance
  /** The SP as this tenant knows it, from the app's SP metadata; an {@link IdpError} 409 if unknown. */
  serviceProvider(): Promise<ServiceProviderInstance>
}

/** A request the IdP refuses; the router answers with its error page and `status`. */
export class IdpError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}

import { SamlError } from '../errors/saml-error.js'
import { hasFederationStatus, hasMetadataStatus, type IdpStore } from './idp-store.js'

/** A read that turns any failure other than a SamlError into `ERR_SAML_STORE_UNAVAILABLE`. */
function guarded<A, R>(read: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  // One argument, not a rest parameter: every read takes one, and `get` runs on every login.
  return async (arg) => {
    try {
      return await read(arg)
    } catch (err) {
      if (err instanceof SamlError) throw err
      throw new SamlError(
        'the IdP store is unavailable; sign-in is refused until it is back',
        'ERR_SAML_STORE_UNAVAILABLE',
        { cause: err },
      )
    }
  }
}

/**
 * Wraps a store so a read failure that is not already a {@link SamlError} (a driver error, a
 * dropped connection, a bug in a custom adapter) becomes `ERR_SAML_STORE_UNAVAILABLE` with the
 * original as `cause`. The strategy reads through this, so a custom store that throws plain errors
 * still gives a 503 at the edge and never a crash or a 500 with driver details. Writes go to the
 * store unchanged: their errors are the admin's to see.
 */
export function guardStore(store: IdpStore): IdpStore {
  return {
    get: guarded((id) => store.get(id)),
    findByEntityId: guarded((entityId) => store.findByEntityId(entityId)),
    findByEmailDomain: guarded((domain) => store.findByEmailDomain(domain)),
    list: guarded((options) => store.list(options)),
    put: (input) => store.put(input),
    delete: (id) => store.delete(id),
    ...(store.putMany && { putMany: (inputs) => store.putMany!(inputs) }),
    ...(store.close && { close: () => store.close!() }),
    ...(hasMetadataStatus(store) && {
      getMetadataStatus: guarded((id: string) => store.getMetadataStatus(id)),
      claimMetadataRefresh: (id, holder, now, leaseMs) =>
        store.claimMetadataRefresh(id, holder, now, leaseMs),
      saveMetadataStatus: (id, status, holder) => store.saveMetadataStatus(id, status, holder),
    }),
    ...(hasFederationStatus(store) && {
      getFederationStatus: guarded((source: string) => store.getFederationStatus(source)),
      claimFederationRefresh: (source, holder, now, leaseMs) =>
        store.claimFederationRefresh(source, holder, now, leaseMs),
      saveFederationStatus: (source, status, holder) => store.saveFederationStatus(source, status, holder),
    }),
  }
}

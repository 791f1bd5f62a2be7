import { SamlError } from '../errors/saml-error.js'
import type { IdpStore } from './idp-store.js'

const READS = ['get', 'findByEntityId', 'findByEmailDomain', 'list'] as const

/**
 * Wraps a store so a failure that is not already a {@link SamlError} (a driver error, a dropped
 * connection, a bug in a custom adapter) becomes `ERR_SAML_STORE_UNAVAILABLE` with the original as
 * `cause`. The strategy reads through this, so a custom store that throws plain errors still gives
 * a 503 at the edge and never a crash or a 500 with driver details.
 */
export function guardStore(store: IdpStore): IdpStore {
  const guarded = Object.create(store) as IdpStore
  // Writes and close run on the store itself (its `this`, its private state, its write queue).
  for (const method of ['put', 'delete', 'close'] as const) {
    const original = store[method]
    if (typeof original === 'function') {
      Object.defineProperty(guarded, method, {
        value: (original as (...a: unknown[]) => unknown).bind(store),
      })
    }
  }
  for (const method of READS) {
    const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>
    Object.defineProperty(guarded, method, {
      value: async (...args: unknown[]) => {
        try {
          return await original(...args)
        } catch (err) {
          if (err instanceof SamlError) throw err
          throw new SamlError(
            'the IdP store is unavailable; sign-in is refused until it is back',
            'ERR_SAML_STORE_UNAVAILABLE',
            { cause: err },
          )
        }
      },
    })
  }
  return guarded
}

/**
 * The two strategies under test, configured for the same IdPs, keys, clock and SP URLs:
 * this library's `MultiIdpSamlStrategy` and `@node-saml/passport-saml`'s `MultiSamlStrategy` (v5).
 *
 * @module
 */
import {
  MultiSamlStrategy,
  ValidateInResponseTo,
  type PassportSamlConfig,
  type VerifyWithoutRequest,
} from '@node-saml/passport-saml'
import { MemoryIdpStore, MemorySamlCache, MultiIdpSamlStrategy } from '../../lib/index.js'
import type { IdpRecordInput, ServiceProviderOptions } from '../../lib/index.js'
import { keys } from '../../spec/support/test-idp.js'
import { BASE_URL, entraIdp, oktaIdp, rotatingIdps, spFor } from './inputs.js'

/** Clock skew both strategies accept. */
export const CLOCK_SKEW_MS = 180_000

/** The IdP records of the benchmark: the four inputs' IdPs plus the rotation variants. */
export const IDP_RECORDS: IdpRecordInput[] = [
  {
    id: 'okta',
    entityId: oktaIdp.entityId,
    ssoUrl: oktaIdp.ssoUrl,
    signingCerts: [keys.idpAcme.cert],
    attributeMap: 'okta',
    allowIdpInitiated: true,
  },
  {
    id: 'entra',
    entityId: entraIdp.entityId,
    ssoUrl: entraIdp.ssoUrl,
    signingCerts: [keys.idpGlobex.cert],
    attributeMap: 'entra',
    allowIdpInitiated: true,
  },
  {
    id: 'rotate1',
    entityId: rotatingIdps.rotate1.entityId,
    ssoUrl: rotatingIdps.rotate1.ssoUrl,
    signingCerts: [keys.idpAcmeNext.cert],
    attributeMap: 'okta',
    allowIdpInitiated: true,
  },
  {
    // Oldest first, the signing (newest) key last: the worst order for a key-by-key search.
    id: 'rotate3',
    entityId: rotatingIdps.rotate3.entityId,
    ssoUrl: rotatingIdps.rotate3.ssoUrl,
    signingCerts: [keys.idpAcme.cert, keys.idpGlobex.cert, keys.idpAcmeNext.cert],
    attributeMap: 'okta',
    allowIdpInitiated: true,
  },
]

/** This library's strategy, with a fresh in-memory replay cache. */
export async function createOurs(): Promise<{
  strategy: MultiIdpSamlStrategy
  cache: MemorySamlCache
  store: MemoryIdpStore
  sp: ServiceProviderOptions
}> {
  const store = new MemoryIdpStore()
  for (const record of IDP_RECORDS) await store.put(record)
  const cache = new MemorySamlCache()
  const sp: ServiceProviderOptions = { baseUrl: BASE_URL, signingKey: keys.sp.key, signingCert: keys.sp.cert }
  const strategy = new MultiIdpSamlStrategy(
    {
      store,
      sp,
      cache,
      clockSkewMs: CLOCK_SKEW_MS,
      clock: Date.now,
    },
    (profile, done) => done(null, { id: `${profile.idp}:${profile.nameID}` }),
  )
  return { strategy, cache, store, sp }
}

/**
 * passport-saml's MultiSamlStrategy, set up as its README says for many IdPs: `getSamlOptions`
 * looks up the tenant's options (here from a prebuilt map, the cheapest possible lookup) and the
 * strategy builds a `SAML` for each request. IdP-initiated responses: `validateInResponseTo: 'never'`
 * and one shared `cacheProvider`, so no per-request request-ID cache is involved.
 */
export function createPassportSaml(): MultiSamlStrategy {
  const perIdp = new Map<string, Partial<PassportSamlConfig>>()
  for (const record of IDP_RECORDS) {
    const { spEntityId, acsUrl } = spFor(record.id)
    perIdp.set(record.id, {
      issuer: spEntityId,
      audience: spEntityId,
      callbackUrl: acsUrl,
      idpIssuer: record.entityId,
      idpCert: [...(record.signingCerts ?? [])],
      entryPoint: record.ssoUrl,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      decryptionPvk: keys.sp.key,
      acceptedClockSkewMs: CLOCK_SKEW_MS,
      validateInResponseTo: ValidateInResponseTo.never,
    })
  }
  const signon: VerifyWithoutRequest = (profile, done) =>
    done(null, { id: `${String(profile?.issuer)}:${String(profile?.nameID)}` })
  const logout: VerifyWithoutRequest = (_profile, done) => done(null, {})
  return new MultiSamlStrategy(
    {
      cacheProvider: sharedCacheProvider(),
      getSamlOptions(req, done) {
        const idp = (req.params as Record<string, string | undefined>).idp ?? ''
        const options = perIdp.get(idp)
        if (!options) return done(new Error(`unknown IdP ${idp}`))
        done(null, options)
      },
    },
    signon,
    logout,
  )
}

/** A CacheProvider shared by every request (node-saml's interface); unused with `validateInResponseTo: 'never'`. */
export function sharedCacheProvider() {
  const entries = new Map<string, { value: string; createdAt: number }>()
  return {
    async saveAsync(key: string, value: string) {
      if (entries.has(key)) return null
      const item = { value, createdAt: Date.now() }
      entries.set(key, item)
      return item
    },
    async getAsync(key: string) {
      return entries.get(key)?.value ?? null
    },
    async removeAsync(key: string | null) {
      if (key === null || !entries.has(key)) return null
      entries.delete(key)
      return key
    },
  }
}

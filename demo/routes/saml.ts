/**
 * SAML sign-in: the strategy (one per app, every IdP in the store), the Passport instance it is
 * registered with, and the strategy's own router under `/saml` (metadata, login, ACS, logout, SLO).
 *
 * @module
 */
import type { Router } from 'express'
import passport from 'passport'
import { MultiIdpSamlStrategy, type IdpStore, type SamlCache, type SamlProfile } from '../../lib/index.js'
import { samlRouter } from '../../lib/entries/express.js'
import type { AttemptLog } from '../attempts.js'
import type { PemKeyPair } from '../idp/self-signed-certificate.js'
import type { DemoUser } from '../pages.js'

/** Options of {@link createSamlStrategy}. */
export interface DemoStrategyOptions {
  /** The public origin; every SP URL is under `${baseUrl}/saml`. */
  baseUrl: string
  store: IdpStore
  cache: SamlCache
  spSigning: PemKeyPair
  spEncryption: PemKeyPair
  /** Gets every login attempt, for the admin's test-connection view. */
  attempts: AttemptLog
}

/** Every attribute as sent, name → values (an attribute sent twice keeps both values). */
function rawAttributes(profile: SamlProfile): Record<string, string[]> {
  // Null prototype: attribute names are data, and one named like an Object member stays a key.
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>
  for (const attribute of profile.attributes) {
    const values = out[attribute.name]
    if (values) values.push(...attribute.values)
    else out[attribute.name] = [...attribute.values]
  }
  return out
}

/** What the session keeps of a SAML login; `/me` answers with it as is. */
function toDemoUser(profile: SamlProfile): DemoUser {
  return {
    idp: profile.idp,
    nameID: profile.nameID,
    nameIDFormat: profile.nameIDFormat ?? null,
    sessionIndex: profile.sessionIndex ?? null,
    // Already a fresh, JSON-ready object (null prototype): kept as is, not copied per login.
    profile: profile.mapped,
    attributes: rawAttributes(profile),
  }
}

/**
 * The demo's strategy: SP keys from `DATA_DIR`, IdPs from the store, every attempt logged.
 *
 * @example
 * ```ts
 * const strategy = createSamlStrategy({ baseUrl, store, cache, spSigning, spEncryption, attempts })
 * strategy.serviceProvider.metadataFor(record) // the SP metadata to give that IdP
 * ```
 */
export function createSamlStrategy(options: DemoStrategyOptions): MultiIdpSamlStrategy {
  return new MultiIdpSamlStrategy(
    {
      store: options.store,
      cache: options.cache,
      sp: {
        baseUrl: options.baseUrl,
        signingKey: options.spSigning.key,
        signingCert: options.spSigning.cert,
        decryptionKey: options.spEncryption.key,
        decryptionCert: options.spEncryption.cert,
      },
      ...options.attempts.strategyOptions(),
    },
    async (profile) => toDemoUser(profile) as Express.User,
  )
}

/**
 * A Passport instance of the demo's own (not the `passport` singleton) with the strategy, keeping
 * the whole {@link DemoUser} in the session.
 *
 * @example
 * ```ts
 * const auth = createPassport(strategy)
 * app.use(auth.session())
 * ```
 */
export function createPassport(strategy: MultiIdpSamlStrategy): passport.Authenticator {
  const auth = new passport.Passport()
  auth.use(strategy)
  auth.serializeUser((user, done) => done(null, user))
  auth.deserializeUser((user: Express.User, done) => done(null, user))
  return auth
}

/**
 * The strategy's router, to mount at `/saml`.
 *
 * @example
 * ```ts
 * app.use('/saml', samlRoutes(strategy, auth))
 * ```
 */
export function samlRoutes(strategy: MultiIdpSamlStrategy, auth: passport.Authenticator): Router {
  return samlRouter({ strategy, passport: auth })
}

import { randomUUID, type KeyObject } from 'node:crypto'
import type { SamlProfile } from '../core/saml-profile.js'
import { SamlError } from '../errors/saml-error.js'
import { isAllowedHost } from '../relay-state/safe-return-to.js'
import { isPlainObject } from '../values/plain-values.js'
import { isHandoffAlgorithm, signingKeyFor, type HandoffAlgorithm, type HandoffKey } from './handoff-key.js'
import { loadJose } from './load-jose.js'

/** What a hand-off token is issued for: the user verify gave, and the login's profile and return path. */
export interface HandoffLogin {
  /** The user your verify returned (Passport's `req.user`). */
  readonly user: unknown
  readonly profile: SamlProfile
  /** The checked deep link of this login; the front end gets it beside the token. */
  readonly returnTo: string
}

/** What the `claims` hook gets: the login, and the claims the hand-off would send. */
export interface HandoffClaimsContext extends HandoffLogin {
  /** `sub` (the NameID), `idp`, and `email`, `preferred_username`, `given_name`, `family_name`, `name`, `groups` when mapped. */
  readonly claims: Readonly<Record<string, unknown>>
}

/** Options of {@link createTokenHandoff} (django-saml2-auth's `USE_JWT`, `JWT_*` and `FRONTEND_URL`). */
export interface TokenHandoffOptions {
  /** `HS256`/`384`/`512`, `RS*`, `PS*`, `ES256`/`384`/`512` or `EdDSA`. */
  algorithm: HandoffAlgorithm
  /** The HMAC secret (`HS*`; at least as many bytes as the hash), or the private key (PEM or `KeyObject`). */
  key: HandoffKey
  /** Passphrase of an encrypted PEM private key. */
  passphrase?: string
  /** `kid` of the token header, so APIs can pick the key during a rotation. */
  keyId?: string
  /**
   * Where the browser goes with the token, for every IdP whose record names no `frontendUrl` of
   * its own. https (http only on localhost). Its host is allowed.
   */
  frontendUrl?: string
  /** Further hosts a record's `frontendUrl` may be on (`app.example.com`, `*.example.com`). */
  allowedHosts?: readonly string[]
  /** Token lifetime in seconds, 1–3600. Default 60: long enough to be exchanged, too short to be kept. */
  lifetimeSeconds?: number
  /** `iss` of the token. */
  issuer?: string
  /** `aud` of the token. */
  audience?: string | readonly string[]
  /**
   * The token's claims, from the defaults (`context.claims`) and the login: return the claims to
   * send (spread `context.claims` to keep the defaults). `iss`, `aud`, `iat`, `exp` and `jti` are
   * always the hand-off's own.
   */
  claims?: (context: HandoffClaimsContext) => Record<string, unknown> | Promise<Record<string, unknown>>
  /** Current time; for tests. Default `Date.now`. */
  clock?: () => number | Date
}

/** Where to send the browser after a login: the front end, with the token in the URL fragment. */
export interface HandoffRedirect {
  /** `frontendUrl#token=…&returnTo=…` (inside the fragment's own query for hash-routed front ends). */
  readonly location: string
  readonly token: string
  /** When the token expires, in seconds since the epoch (`exp`). */
  readonly expiresAt: number
}

/** A configured hand-off: `samlRouter({ tokenHandoff })` uses it, or call `issue` from any edge. */
export interface TokenHandoff {
  /** Signs a token for this login and says where to send it; fails with a typed error, never a redirect elsewhere. */
  issue(login: HandoffLogin): Promise<HandoffRedirect>
}

const REGISTERED = ['iss', 'aud', 'iat', 'exp', 'nbf', 'jti'] as const
const HOST = /^(\*\.)?[a-z0-9.-]+(:\d+)?$/i
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Why `url` cannot receive tokens, or undefined when it can. */
function frontendProblem(url: string, allowedHosts: readonly string[]): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'is not an absolute URL'
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)))
    return 'must be https (http only on localhost): the token would travel in the clear'
  if (parsed.username || parsed.password) return 'must not carry credentials'
  if (!isAllowedHost(parsed.host, allowedHosts))
    return `is on host "${parsed.host}", which is not an allowed host`
  return undefined
}

function fail(option: string, message: string): never {
  throw new TypeError(`"options.${option}" ${message}`)
}

/** The default claims: who, from which IdP, and the mapped profile under OpenID Connect's names. */
function defaultClaims(profile: SamlProfile): Record<string, unknown> {
  const m = profile.mapped
  const claims: Record<string, unknown> = { sub: profile.nameID, idp: profile.idp }
  if (m.email !== undefined) claims.email = m.email
  if (m.username !== undefined) claims.preferred_username = m.username
  if (m.firstName !== undefined) claims.given_name = m.firstName
  if (m.lastName !== undefined) claims.family_name = m.lastName
  if (m.displayName !== undefined) claims.name = m.displayName
  if (m.groups !== undefined) claims.groups = [...m.groups]
  return claims
}

/** `frontendUrl` with the parameters in its fragment (after a hash route's own `?` when it has one). */
function withFragment(frontendUrl: string, params: URLSearchParams): string {
  const url = new URL(frontendUrl)
  const hash = url.hash.slice(1)
  url.hash = hash === '' ? params.toString() : `${hash}${hash.includes('?') ? '&' : '?'}${params.toString()}`
  return url.href
}

/**
 * A JWT hand-off for single-page apps (django-saml2-auth's `USE_JWT` and `FRONTEND_URL`): after a
 * login, the browser goes to the front end with a short-lived signed token in the URL fragment,
 * never the query string (a fragment is not sent to servers, logged by proxies, or passed on in
 * `Referer`). The front end reads it from `location.hash` and exchanges it with your API, which
 * checks it with {@link verifyHandoffToken}. The front end is `frontendUrl`, or the IdP record's
 * `frontendUrl`, which must be on an allowed host. Options are checked here: misuse throws a
 * TypeError naming the option.
 *
 * @example
 * ```ts
 * import { createTokenHandoff } from 'passport-saml-multi-idp'
 * import { samlRouter } from 'passport-saml-multi-idp/express'
 *
 * const tokenHandoff = createTokenHandoff({
 *   algorithm: 'ES256',
 *   key: process.env.HANDOFF_PRIVATE_KEY!,
 *   frontendUrl: 'https://app.example.com/auth/callback',
 *   issuer: 'https://api.example.com',
 *   audience: 'app.example.com',
 * })
 * app.use('/saml', samlRouter({ strategy, session: false, tokenHandoff }))
 * ```
 */
export function createTokenHandoff(options: TokenHandoffOptions): TokenHandoff {
  if (!isPlainObject(options)) throw new TypeError('options are required: { algorithm, key, frontendUrl }')
  const { algorithm, passphrase, keyId, issuer, audience, claims, clock } = options
  if (!isHandoffAlgorithm(algorithm))
    fail(
      'algorithm',
      'must be one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA',
    )
  if (passphrase !== undefined && typeof passphrase !== 'string') fail('passphrase', 'must be a string')
  const key: KeyObject = signingKeyFor(algorithm, options.key, 'options.key', passphrase)
  if (keyId !== undefined && (typeof keyId !== 'string' || keyId === ''))
    fail('keyId', 'must be a non-empty string')
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer === ''))
    fail('issuer', 'must be a non-empty string')
  if (
    audience !== undefined &&
    !(typeof audience === 'string' && audience !== '') &&
    !(
      Array.isArray(audience) &&
      audience.length > 0 &&
      audience.every((a) => typeof a === 'string' && a !== '')
    )
  )
    fail('audience', 'must be a non-empty string or array of them')
  if (claims !== undefined && typeof claims !== 'function')
    fail('claims', 'must be a function returning the claims')
  if (clock !== undefined && typeof clock !== 'function')
    fail('clock', 'must be a function returning a Date or epoch milliseconds')
  const lifetime = options.lifetimeSeconds ?? 60
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 3600)
    fail('lifetimeSeconds', 'must be an integer number of seconds from 1 to 3600')
  const extraHosts = options.allowedHosts ?? []
  if (!Array.isArray(extraHosts) || !extraHosts.every((h) => typeof h === 'string' && HOST.test(h)))
    fail('allowedHosts', 'must be an array of host names like "app.example.com" or "*.example.com"')
  const frontendUrl = options.frontendUrl
  if (frontendUrl !== undefined && typeof frontendUrl !== 'string')
    fail('frontendUrl', 'must be an absolute https URL')
  let ownHost: string[] = []
  if (frontendUrl !== undefined) {
    try {
      ownHost = [new URL(frontendUrl).host]
    } catch {
      fail('frontendUrl', 'must be an absolute https URL')
    }
  }
  const allowedHosts = Object.freeze([...ownHost, ...extraHosts])
  if (frontendUrl === undefined && extraHosts.length === 0)
    fail(
      'frontendUrl',
      'is required, or "options.allowedHosts" for the hosts of the IdP records\' own frontendUrl',
    )
  if (frontendUrl !== undefined) {
    const problem = frontendProblem(frontendUrl, allowedHosts)
    if (problem) fail('frontendUrl', problem)
  }
  const now = clock ? () => Number(clock()) : Date.now
  const header = { alg: algorithm, typ: 'JWT', ...(keyId !== undefined && { kid: keyId }) }

  return Object.freeze({
    async issue(login: HandoffLogin): Promise<HandoffRedirect> {
      const record = login.profile.context.idp
      const target = record.frontendUrl ?? frontendUrl
      if (target === undefined) {
        throw new SamlError(
          `IdP "${record.id}" has no frontendUrl and the token hand-off has none either: set the record's frontendUrl or the hand-off's`,
          'ERR_SAML_IDP_UNUSABLE',
          { idp: record.id },
        )
      }
      const problem = frontendProblem(target, allowedHosts)
      if (problem) {
        throw new SamlError(
          `the frontendUrl of IdP "${record.id}" ${problem} for the token hand-off (its frontendUrl or allowedHosts): no token is sent there`,
          'ERR_SAML_IDP_UNUSABLE',
          { idp: record.id },
        )
      }
      const defaults = Object.freeze(defaultClaims(login.profile))
      const custom = claims === undefined ? defaults : await claims({ ...login, claims: defaults })
      if (!isPlainObject(custom))
        throw new TypeError('the token hand-off\'s "claims" hook must return a plain object')
      const iat = Math.floor(now() / 1000)
      const exp = iat + lifetime
      const payload: Record<string, unknown> = { ...custom }
      for (const name of REGISTERED) delete payload[name]
      Object.assign(payload, {
        ...(issuer !== undefined && { iss: issuer }),
        ...(audience !== undefined && { aud: typeof audience === 'string' ? audience : [...audience] }),
        iat,
        exp,
        jti: randomUUID(),
      })
      const { SignJWT } = await loadJose()
      const token = await new SignJWT(payload).setProtectedHeader(header).sign(key)
      const params = new URLSearchParams({ token, returnTo: login.returnTo })
      return { location: withFragment(target, params), token, expiresAt: exp }
    },
  })
}

/**
 * An edge's `tokenHandoff` option, checked once when the edge is built (the Express router and the
 * Fastify plugin): a hand-off from {@link createTokenHandoff}, and not beside `onSuccess`.
 */
export function tokenHandoffOption(options: {
  readonly tokenHandoff?: TokenHandoff
  readonly onSuccess?: unknown
}): TokenHandoff | undefined {
  const { tokenHandoff } = options
  if (tokenHandoff === undefined) return undefined
  if (typeof tokenHandoff?.issue !== 'function')
    throw new TypeError('"options.tokenHandoff" must be a TokenHandoff from createTokenHandoff')
  if (options.onSuccess !== undefined)
    throw new TypeError(
      '"options.tokenHandoff" and "options.onSuccess" both decide where a login goes: give one',
    )
  return tokenHandoff
}

import type { SamlVerdict, SamlVerify } from '../core/acs.js'
import type { SamlProfile } from '../core/saml-profile.js'
import { SamlError } from '../errors/saml-error.js'
import type { IdpRecord } from '../record/record-fields.js'
import { isPlainObject } from '../values/plain-values.js'
import type {
  NewSamlUser,
  SamlLoginDecision,
  SamlUserIdentity,
  SamlUserIdentityFields,
  UserHookSettings,
  UserVerifyOptions,
} from './user-hooks.js'

/**
 * A verify callback built from user hooks: pass it to `MultiIdpSamlStrategy` like any verify
 * (`(profile, done)`). `verdict` is the same decision in the core's shape, for
 * `SamlServiceProvider.acs(request, verify.verdict)`.
 */
export interface UserVerify<User> {
  (
    profile: SamlProfile,
    done: (err: Error | null, user?: unknown, info?: Record<string, unknown>) => void,
  ): void
  /** The same decision for the framework-free core. */
  readonly verdict: SamlVerify<User>
}

type HookName =
  'identify' | 'findUser' | 'createUser' | 'beforeLogin' | 'afterLogin' | 'userGroups' | 'setUserGroups'

const HOOKS: readonly HookName[] = [
  'identify',
  'findUser',
  'createUser',
  'beforeLogin',
  'afterLogin',
  'userGroups',
  'setUserGroups',
]
const SETTINGS = new Set<string>([
  ...HOOKS,
  'groups',
  'caseInsensitive',
  'jitProvisioning',
  'newUserDefaults',
])

/** Checks one set of hooks and settings (global or one IdP's); misuse is a TypeError naming the option. */
function checkSettings<User>(settings: unknown, at: string): UserHookSettings<User> {
  if (!isPlainObject(settings)) throw new TypeError(`"${at}" must be an object of user hooks and settings`)
  for (const key of Object.keys(settings)) {
    if (!SETTINGS.has(key) && !(at === 'options' && key === 'perIdp'))
      throw new TypeError(`"${at}.${key}" is not a user hook or setting (${[...SETTINGS].join(', ')})`)
  }
  const s = settings as Record<string, unknown>
  for (const hook of HOOKS) {
    if (s[hook] !== undefined && typeof s[hook] !== 'function')
      throw new TypeError(`"${at}.${hook}" must be a function`)
  }
  for (const flag of ['caseInsensitive', 'jitProvisioning'] as const) {
    if (s[flag] !== undefined && typeof s[flag] !== 'boolean')
      throw new TypeError(`"${at}.${flag}" must be true or false`)
  }
  if (s.groups !== undefined && s.groups !== 'replace' && s.groups !== 'merge')
    throw new TypeError(`"${at}.groups" must be 'replace' or 'merge'`)
  const defaults = s.newUserDefaults
  if (defaults !== undefined) {
    if (!isPlainObject(defaults)) throw new TypeError(`"${at}.newUserDefaults" must be a plain object`)
    const groups = (defaults as Record<string, unknown>).groups
    if (groups !== undefined && !(Array.isArray(groups) && groups.every((g) => typeof g === 'string')))
      throw new TypeError(`"${at}.newUserDefaults.groups" must be an array of group names`)
  }
  return settings as UserHookSettings<User>
}

/** The settings in force for one IdP: its overrides over the global ones, then its record's. */
function settingsFor<User>(
  global: UserHookSettings<User>,
  perIdp: UserVerifyOptions<User>['perIdp'],
  record: IdpRecord,
): UserHookSettings<User> {
  const own =
    typeof perIdp === 'function'
      ? perIdp(record)
      : perIdp !== undefined && Object.hasOwn(perIdp, record.id)
        ? perIdp[record.id]
        : undefined
  const merged =
    own === undefined ? global : { ...global, ...checkSettings<User>(own, `perIdp(${record.id})`) }
  return record.jitProvisioning === undefined
    ? merged
    : { ...merged, jitProvisioning: record.jitProvisioning }
}

/** Runs one hook; whatever it throws (but a SamlError) becomes `ERR_SAML_USER_HOOK` naming it. */
async function call<T>(hook: HookName, idp: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof SamlError) throw err
    throw new SamlError(
      `the user hook "${hook}" failed at a login from IdP "${idp}" (the hook's error is this error's cause)`,
      'ERR_SAML_USER_HOOK',
      { cause: err, idp },
    )
  }
}

function hookBug(hook: HookName, idp: string, what: string): SamlError {
  return new SamlError(`the user hook "${hook}" ${what} (IdP "${idp}")`, 'ERR_SAML_USER_HOOK', { idp })
}

/** Identity fields: the profile's mapped fields, then `identify`'s changes. */
function identityOf(
  profile: SamlProfile,
  fields: SamlUserIdentityFields | undefined | void,
  lower: boolean,
): SamlUserIdentity {
  const m = profile.mapped
  const base: Record<string, unknown> = {
    key: m.email ?? profile.nameID,
    idp: profile.idp,
    groups: m.groups ?? [],
  }
  for (const name of ['email', 'username', 'firstName', 'lastName', 'displayName'] as const) {
    if (m[name] !== undefined) base[name] = m[name]
  }
  const identity = { ...base, ...fields, idp: profile.idp, profile } as SamlUserIdentity & { key: unknown }
  if (typeof identity.key !== 'string' || identity.key === '')
    throw hookBug('identify', profile.idp, 'gave an empty or non-string key')
  if (!Array.isArray(identity.groups))
    throw hookBug('identify', profile.idp, 'gave groups that are not an array')
  if (lower) (identity as { key: string }).key = identity.key.toLowerCase()
  return Object.freeze(identity)
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])]
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a)
  return set.size === new Set(b).size && b.every((g) => set.has(g))
}

/** `beforeLogin`'s decision as a refusal's info; undefined allows, `'bad'` is a hook bug. */
function refusal(decision: SamlLoginDecision): Record<string, unknown> | undefined | 'bad' {
  if (decision === undefined || decision === true) return undefined
  if (decision === false)
    return { code: 'ERR_SAML_ACCESS_DENIED', message: 'sign-in was refused', reason: 'refused' }
  if (isPlainObject(decision) && typeof (decision as { refuse?: unknown }).refuse === 'string') {
    const { refuse, code } = decision as { refuse: string; code?: unknown }
    return {
      code: typeof code === 'string' ? code : 'ERR_SAML_ACCESS_DENIED',
      message: refuse,
      reason: 'refused',
    }
  }
  return 'bad'
}

/**
 * Builds a verify callback from user hooks, like django-saml2-auth's triggers: extract the identity,
 * find the user, create it on first login (just-in-time provisioning, switchable per IdP), decide
 * the login (`beforeLogin` may refuse with a reason), then `afterLogin`. The IdP's groups (renamed by
 * the record's `groupsMap`) can replace or merge into the app's. Every hook may be async; each IdP
 * may override any of them (`perIdp`, and the record's `jitProvisioning`).
 *
 * It is a verify like any other: a refusal is Passport's `fail` (401, `ERR_SAML_ACCESS_DENIED` or
 * your code), a hook that throws is an error with code `ERR_SAML_USER_HOOK` (its error as `cause`).
 * Options are checked here: misuse throws a TypeError naming the option.
 *
 * @example
 * ```ts
 * import { createUserVerify, MultiIdpSamlStrategy } from 'passport-saml-multi-idp'
 *
 * const verify = createUserVerify<AppUser>({
 *   findUser: (identity) => users.find(identity.idp, identity.key),
 *   createUser: (identity, newUser) => users.create({ idp: identity.idp, email: identity.key, groups: newUser.groups }),
 *   beforeLogin: (user) => (user.disabled ? { refuse: 'your account is disabled' } : true),
 *   caseInsensitive: true,
 *   perIdp: { globex: { jitProvisioning: false } },
 * })
 * passport.use(new MultiIdpSamlStrategy({ store, sp: { baseUrl } }, verify))
 * ```
 */
export function createUserVerify<User>(options: UserVerifyOptions<User>): UserVerify<User> {
  const global = checkSettings<User>(options, 'options')
  const perIdp = options.perIdp
  if (perIdp !== undefined && typeof perIdp !== 'function') {
    if (!isPlainObject(perIdp))
      throw new TypeError(
        '"options.perIdp" must be an object keyed by IdP id, or a function of the IdP record',
      )
    for (const [id, settings] of Object.entries(perIdp)) checkSettings(settings, `options.perIdp.${id}`)
  }
  if (global.findUser === undefined && (perIdp === undefined || typeof perIdp === 'object')) {
    const all = perIdp === undefined ? [] : Object.values(perIdp)
    if (all.length === 0 || all.some((s) => s.findUser === undefined))
      throw new TypeError('"options.findUser" is required: the hooks must be able to find your users')
  }
  const checkGroups = (s: UserHookSettings<User>, at: string) => {
    if (s.groups !== undefined && (s.userGroups === undefined || s.setUserGroups === undefined))
      throw new TypeError(
        `"${at}.groups" needs "userGroups" and "setUserGroups" hooks to read and store a user's groups`,
      )
  }
  checkGroups(global, 'options')
  if (isPlainObject(perIdp))
    for (const [id, s] of Object.entries(perIdp as Record<string, UserHookSettings<User>>))
      checkGroups({ ...global, ...s }, `options.perIdp.${id}`)

  const verdict = async (profile: SamlProfile): Promise<SamlVerdict<User>> => {
    const record = profile.context.idp
    const idp = record.id
    const s = settingsFor(global, perIdp, record)
    const identify = s.identify
    const fields = identify === undefined ? undefined : await call('identify', idp, () => identify(profile))
    const identity = identityOf(profile, fields, s.caseInsensitive === true)
    const findUser = s.findUser
    if (findUser === undefined) throw hookBug('findUser', idp, 'is not set for this IdP')
    let user = await call('findUser', idp, () => findUser(identity))
    let created = false
    if (user === null || user === undefined) {
      const createUser = s.createUser
      if (createUser === undefined || s.jitProvisioning === false) {
        return {
          user: false,
          info: {
            code: 'ERR_SAML_ACCESS_DENIED',
            message: `there is no account for this user here, and accounts are not created at sign-in from IdP "${idp}"`,
            reason: 'no-account',
          },
        }
      }
      const defaults = { ...s.newUserDefaults }
      const defaultGroups = defaults.groups ?? []
      delete defaults.groups
      const groups =
        s.groups === 'replace'
          ? [...identity.groups]
          : s.groups === 'merge'
            ? union(defaultGroups, identity.groups)
            : [...defaultGroups]
      const newUser: NewSamlUser = Object.freeze({
        groups: Object.freeze(groups),
        defaults: Object.freeze(defaults),
      })
      user = await call('createUser', idp, () => createUser(identity, newUser))
      if (user === null || user === undefined) throw hookBug('createUser', idp, 'returned no user')
      created = true
    }
    const login = Object.freeze({ created })
    const beforeLogin = s.beforeLogin
    if (beforeLogin !== undefined) {
      const current = user
      const decision = await call('beforeLogin', idp, () => beforeLogin(current, identity, login))
      const refused = refusal(decision)
      if (refused === 'bad')
        throw hookBug('beforeLogin', idp, 'returned something other than true, false or { refuse }')
      if (refused !== undefined) return { user: false, info: refused }
    }
    if (!created && s.groups !== undefined) {
      const { userGroups, setUserGroups } = s
      if (userGroups === undefined || setUserGroups === undefined)
        throw hookBug('setUserGroups', idp, 'and "userGroups" are needed by the groups setting')
      const current = user
      const had = await call('userGroups', idp, () => userGroups(current))
      const next = s.groups === 'replace' ? [...identity.groups] : union(had, identity.groups)
      if (!sameSet(had, next)) {
        const updated = await call('setUserGroups', idp, () =>
          setUserGroups(current, Object.freeze(next), identity),
        )
        if (updated !== undefined && updated !== null) user = updated
      }
    }
    const afterLogin = s.afterLogin
    if (afterLogin !== undefined) {
      const current = user
      await call('afterLogin', idp, () => afterLogin(current, identity, login))
    }
    return { user }
  }

  const verify = (
    profile: SamlProfile,
    done: (err: Error | null, user?: unknown, info?: Record<string, unknown>) => void,
  ): void => {
    verdict(profile).then(
      (v) => (v.info === undefined ? done(null, v.user) : done(null, v.user, { ...v.info })),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    )
  }
  return Object.assign(verify, { verdict }) as UserVerify<User>
}

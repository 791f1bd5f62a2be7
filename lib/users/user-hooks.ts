import type { SamlProfile } from '../core/saml-profile.js'
import type { IdpRecord } from '../record/record-fields.js'

/**
 * The user the IdP asserted, as the hooks see it: the key users are matched by and the fields to
 * create or update them with (django-saml2-auth's "user dict").
 */
export interface SamlUserIdentity {
  /**
   * What users are matched by: `identify`'s `key`, else the mapped email, else the NameID. Lower-cased
   * (locale-independent) when `caseInsensitive` is on. Unique within one IdP only: look users up by
   * `idp` and `key` together unless every IdP is trusted for the emails it asserts.
   */
  readonly key: string
  /** The IdP record's id (the tenant). */
  readonly idp: string
  readonly email?: string
  readonly username?: string
  readonly firstName?: string
  readonly lastName?: string
  readonly displayName?: string
  /** The IdP's groups as the record's `groupsMap` renamed them (`profile.mapped.groups`), or `[]`. */
  readonly groups: readonly string[]
  /** The verified profile, for anything else (`profile.attributes`, `profile.nameID`, …). */
  readonly profile: SamlProfile
}

/** The fields `identify` may set; the others keep their defaults from the profile. */
export type SamlUserIdentityFields = Partial<Omit<SamlUserIdentity, 'idp' | 'profile'>>

/** What a new user starts with: the `newUserDefaults` in force, and the groups worked out for it. */
export interface NewSamlUser {
  /** `newUserDefaults.groups`, with the IdP's groups added (`groups: 'merge'`) or instead (`'replace'`). */
  readonly groups: readonly string[]
  /** Every other default of `newUserDefaults` (`isActive`, `role`, …), as given. */
  readonly defaults: Readonly<Record<string, unknown>>
}

/** Whether this login goes ahead: nothing or `true` allows it; `false` or `{ refuse }` refuses it. */
export type SamlLoginDecision =
  | void
  | boolean
  | {
      /** Why, for the user: the 401 answer's message. */
      readonly refuse: string
      /** Your own code for the 401 answer (default `ERR_SAML_ACCESS_DENIED`). */
      readonly code?: string
    }

/** What the login hooks learn besides the user. */
export interface SamlLoginInfo {
  /** True when `createUser` made the user during this login. */
  readonly created: boolean
}

/** A value, or a promise of it: every hook may be sync or async. */
export type MaybePromise<T> = T | Promise<T>

/** The hooks and settings one IdP may override (`perIdp`); every field is optional there. */
export interface UserHookSettings<User> {
  /** Extracts the identity from the profile: return the fields to change (`key`, `email`, …). */
  identify?: (profile: SamlProfile) => MaybePromise<SamlUserIdentityFields | undefined | void>
  /** Finds the app's user for an identity; nothing means "no such user". */
  findUser?: (identity: SamlUserIdentity) => MaybePromise<User | null | undefined>
  /** Creates the user on first login (just-in-time provisioning); must return the new user. */
  createUser?: (identity: SamlUserIdentity, newUser: NewSamlUser) => MaybePromise<User>
  /** Decides the login, once the user is found or created: may refuse with a reason. */
  beforeLogin?: (
    user: User,
    identity: SamlUserIdentity,
    login: SamlLoginInfo,
  ) => MaybePromise<SamlLoginDecision>
  /** Runs once the login is decided, with the user Passport will sign in. It cannot refuse. */
  afterLogin?: (user: User, identity: SamlUserIdentity, login: SamlLoginInfo) => MaybePromise<void>
  /**
   * What the IdP's groups do to an existing user's groups at each login: `'replace'` them, or
   * `'merge'` into them (add, never remove). Needs `userGroups` and `setUserGroups`. Default: leave
   * them alone.
   */
  groups?: 'replace' | 'merge'
  /** The app's groups of a user (for `groups`). */
  userGroups?: (user: User) => MaybePromise<readonly string[]>
  /** Stores a user's new groups (for `groups`), called only when they change; may return the updated user. */
  setUserGroups?: (
    user: User,
    groups: readonly string[],
    identity: SamlUserIdentity,
  ) => MaybePromise<User | void>
  /** Match identities case-insensitively: `identity.key` is lower-cased. Default false. */
  caseInsensitive?: boolean
  /**
   * Create users who log in for the first time (with `createUser`). Default true when `createUser`
   * is given. An IdP record's `jitProvisioning` wins over this.
   */
  jitProvisioning?: boolean
  /** What new users start with (`groups`, and any field of yours), passed to `createUser`. */
  newUserDefaults?: Readonly<Record<string, unknown>> & { readonly groups?: readonly string[] }
}

/** Options of {@link createUserVerify}: the hooks for every IdP, and per-IdP overrides. */
export interface UserVerifyOptions<User> extends UserHookSettings<User> {
  /** Required (here or in every IdP's overrides): finds the app's user for an identity. */
  findUser?: (identity: SamlUserIdentity) => MaybePromise<User | null | undefined>
  /**
   * Overrides per IdP: an object keyed by IdP record id, or a function of the record (for IdPs
   * added at run time). An override replaces the global hook or setting it names; the rest stay.
   */
  perIdp?:
    | Readonly<Record<string, UserHookSettings<User>>>
    | ((idp: IdpRecord) => UserHookSettings<User> | undefined)
}

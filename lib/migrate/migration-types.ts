// The public vocabulary of the passport-saml migration: what migratePassportSamlOptions takes and
// gives, and the error it throws. Types only (and the error class), so every step can name them.
import type { ServiceProviderOptions } from '../core/sp-options.js'
import type { IdpRecordInput } from '../record/record-fields.js'
import type { MultiIdpSamlStrategyOptions } from '../strategy/multi-idp-saml-strategy.js'
import type { PassportSamlOptions } from './passport-saml-options.js'

/** What {@link migratePassportSamlOptions} takes: a passport-saml app's configuration. */
export interface PassportSamlMigrationInput {
  /**
   * This app's public origin, as users see it (`sp.baseUrl`): new IdPs get their URLs under it.
   * The migrated IdPs keep the URLs their options name.
   */
  baseUrl: string
  /**
   * Options every tenant shares: what `new MultiSamlStrategy(options, …)` (or `new SamlStrategy`)
   * was given. A tenant's own option wins, as in MultiSamlStrategy.
   */
  shared?: PassportSamlOptions
  /**
   * Each tenant's options (what `getSamlOptions` answered for it), by the IdP id its record gets:
   * 1–64 of `A–Z a–z 0–9 . _ -`. A single-IdP app has one tenant.
   */
  tenants: Readonly<Record<string, PassportSamlOptions>>
  /**
   * The certificate of `decryptionPvk` (what the app passed to
   * `generateServiceProviderMetadata(decryptionCert, …)`), for the SP metadata. Needed when
   * `decryptionPvk` is not `privateKey`.
   */
  decryptionCert?: string
  /**
   * Options to leave behind knowingly: instead of refusing them, the helper drops them and says so
   * in a note (e.g. `['authnContext']` when the IdP does not care which RequestedAuthnContext
   * arrives). Conflicts between tenants cannot be ignored.
   */
  ignore?: readonly string[]
}

/** The strategy options a migration carries (spread them into `new MultiIdpSamlStrategy({ … })`). */
export type PassportSamlStrategyOptions = Pick<
  MultiIdpSamlStrategyOptions,
  'name' | 'passReqToCallback' | 'requestTtlMs'
>

/** A behaviour that changes although the option was carried (or left at its default). */
export interface PassportSamlMigrationNote {
  /** The passport-saml option it is about. */
  readonly option: string
  /** The tenants it applies to (empty when it is about all of them at once). */
  readonly tenants: readonly string[]
  /** What differs, and what to do if it matters. */
  readonly message: string
}

/**
 * Why an option cannot be carried over:
 * - `not-yet-supported`: this library does not do it yet; `issue` names the open issue that brings it;
 * - `not-supported`: it does not do it, by design or with no plan yet; the message says what instead;
 * - `missing`: a value this library needs is not there;
 * - `invalid`: the value is not one passport-saml accepts either, or not one that can work;
 * - `conflict`: tenants disagree on what this library has one of (the SP's key, the strategy);
 * - `unknown`: not an option of passport-saml 5 or node-saml 5.
 */
export type PassportSamlMigrationReason =
  'not-yet-supported' | 'not-supported' | 'missing' | 'invalid' | 'conflict' | 'unknown'

/** One option that cannot be carried over, for the tenants named. */
export interface PassportSamlMigrationProblem {
  /** The passport-saml option (or `'(tenant id)'`, `'(record)'`, an input field like `decryptionCert`). */
  readonly option: string
  /** The tenants it applies to; empty for a field of the input itself (`decryptionCert`). */
  readonly tenants: readonly string[]
  readonly reason: PassportSamlMigrationReason
  /** What is wrong and what to do, without secrets. */
  readonly message: string
  /** For `not-yet-supported`: the open issue of this project that brings it. */
  readonly issue?: string
}

/** What a passport-saml configuration becomes. */
export interface PassportSamlMigration {
  /** `sp` of the strategy options: `baseUrl`, and the SP's keys and signature algorithm. */
  readonly sp: ServiceProviderOptions
  /** One IdP record input per tenant, for `store.put`; each keeps the tenant's URLs and entityIDs. */
  readonly records: readonly IdpRecordInput[]
  /** Strategy options passport-saml set per strategy: `name`, `passReqToCallback`, `requestTtlMs`. */
  readonly strategy: PassportSamlStrategyOptions
  /** Behaviour that differs from passport-saml's; read them once, then act or accept. */
  readonly notes: readonly PassportSamlMigrationNote[]
}

/**
 * Thrown by {@link migratePassportSamlOptions} when options cannot be carried over honestly.
 * `problems` has one entry per option and reason, naming the tenants; the message lists them all.
 *
 * @example
 * ```ts
 * import { migratePassportSamlOptions, PassportSamlMigrationError } from 'passport-saml-multi-idp/migrate'
 * try {
 *   migratePassportSamlOptions({ baseUrl: 'https://app.example.com', tenants })
 * } catch (err) {
 *   if (!(err instanceof PassportSamlMigrationError)) throw err
 *   for (const p of err.problems) console.error(p.option, p.tenants.join(', '), p.reason, p.issue ?? '')
 * }
 * ```
 */
export class PassportSamlMigrationError extends Error {
  /** Every option that cannot be carried over, one entry per option and reason. */
  readonly problems: readonly PassportSamlMigrationProblem[]

  constructor(problems: readonly PassportSamlMigrationProblem[]) {
    const lines = problems.map((p) => {
      const where =
        p.tenants.length === 0
          ? ''
          : ` (${p.tenants.length === 1 ? 'tenant' : 'tenants'} ${p.tenants.join(', ')})`
      return `- "${p.option}"${where}: ${p.message}`
    })
    super(
      `${problems.length} passport-saml option${problems.length === 1 ? '' : 's'} cannot be carried over:\n${lines.join('\n')}`,
    )
    this.name = 'PassportSamlMigrationError'
    this.problems = Object.freeze(
      problems.map((p) => Object.freeze({ ...p, tenants: Object.freeze([...p.tenants]) })),
    )
  }
}

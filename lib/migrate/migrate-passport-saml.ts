// The entry of the passport-saml migration: the input is checked, each tenant is read
// (migrate-tenant.ts), the tenants are merged into one SP and strategy (merge-tenants.ts,
// decryption-keys.ts), and the result is checked as a store would check it.
import type { ServiceProviderOptions } from '../core/sp-options.js'
import { normalizeIdpRecord } from '../record/normalize-idp-record.js'
import type { IdpRecordInput } from '../record/record-fields.js'
import { mergeDecryptionKeys } from './decryption-keys.js'
import { Findings } from './findings.js'
import { mergeTenantSp, noteSharedCallbackUrls, refuseSharedIdpIssuers } from './merge-tenants.js'
import { migrateTenants } from './migrate-tenant.js'
import {
  PassportSamlMigrationError,
  type PassportSamlMigration,
  type PassportSamlMigrationInput,
} from './migration-types.js'
import type { PassportSamlOptions } from './passport-saml-options.js'
import { isHttpUrl } from './tenant-options.js'

export type {
  PassportSamlMigration,
  PassportSamlMigrationInput,
  PassportSamlMigrationNote,
  PassportSamlMigrationProblem,
  PassportSamlMigrationReason,
  PassportSamlStrategyOptions,
} from './migration-types.js'

/** The input's shape, checked before anything is read: a wrong shape is a TypeError, not a problem. */
function checkInput(input: PassportSamlMigrationInput): {
  tenants: Readonly<Record<string, PassportSamlOptions>>
  shared: PassportSamlOptions
  ignore: readonly string[]
} {
  if (!input || typeof input !== 'object')
    throw new TypeError(
      'migratePassportSamlOptions needs { baseUrl, tenants, shared?, decryptionCert?, ignore? }',
    )
  if (typeof input.baseUrl !== 'string' || !isHttpUrl(input.baseUrl))
    throw new TypeError('"baseUrl" must be the absolute https or http URL users see the app at')
  const tenants = input.tenants
  if (!tenants || typeof tenants !== 'object' || Array.isArray(tenants) || Object.keys(tenants).length === 0)
    throw new TypeError(
      '"tenants" must be an object of passport-saml options by IdP id, with at least one tenant',
    )
  const shared = input.shared ?? {}
  if (typeof shared !== 'object' || Array.isArray(shared))
    throw new TypeError('"shared" must be an object of passport-saml options')
  const ignore = input.ignore ?? []
  if (!Array.isArray(ignore) || !ignore.every((o) => typeof o === 'string'))
    throw new TypeError('"ignore" must be an array of option names')
  return { tenants, shared, ignore }
}

/** Each record as a store will check it, so a bad one is named here rather than at store.put. */
function refuseInvalidRecords(f: Findings, records: readonly IdpRecordInput[]): void {
  for (const record of records) {
    try {
      normalizeIdpRecord(record)
    } catch (err) {
      f.refuse(record.id, '(record)', 'invalid', err instanceof Error ? err.message : String(err))
    }
  }
}

/**
 * Turns a passport-saml app's options (`SamlStrategy`, or `MultiSamlStrategy` with the options
 * `getSamlOptions` gives per tenant) into IdP record inputs and SP options, keeping every URL and
 * entityID the IdPs already know: `callbackUrl` becomes the record's `spAcsUrl`, `issuer` its
 * `spEntityId`, `idpIssuer` its `entityId`, and so on (docs/migrating-from-passport-saml.md has
 * the whole table). It maps plain objects and needs neither passport-saml nor node-saml.
 *
 * Options that cannot be carried over honestly (a feature this library lacks, a check it will not
 * skip, tenants that disagree on the SP's one key) throw one {@link PassportSamlMigrationError}
 * listing every option, the tenants and the reason, and, for a feature that is planned, the issue
 * that brings it. Behaviour that changes although nothing was refused comes back as `notes`.
 *
 * @example
 * ```ts
 * import { MemoryIdpStore, MultiIdpSamlStrategy } from 'passport-saml-multi-idp'
 * import { migratePassportSamlOptions } from 'passport-saml-multi-idp/migrate'
 *
 * const migration = migratePassportSamlOptions({
 *   baseUrl: 'https://app.example.com',
 *   shared: { privateKey: spKeyPem, publicCert: spCertPem, signatureAlgorithm: 'sha256' },
 *   tenants: { a: tenantAOptions, b: tenantBOptions }, // what getSamlOptions gave per tenant
 * })
 * for (const note of migration.notes) console.warn(`${note.option} (${note.tenants.join(', ')}): ${note.message}`)
 * const store = new MemoryIdpStore()
 * for (const record of migration.records) await store.put(record)
 * const strategy = new MultiIdpSamlStrategy({ store, sp: migration.sp, ...migration.strategy }, verify)
 * ```
 */
export function migratePassportSamlOptions(input: PassportSamlMigrationInput): PassportSamlMigration {
  const { tenants, shared, ignore } = checkInput(input)
  const f = new Findings(new Set(ignore))

  const { records, parts } = migrateTenants(tenants, shared, f)
  refuseSharedIdpIssuers(f, records)
  noteSharedCallbackUrls(f, records)
  const { signing, signatureAlgorithm, name, passReqToCallback, requestTtlMs, signMetadata } = mergeTenantSp(
    f,
    parts,
  )
  const { decryption, decryptionCert } = mergeDecryptionKeys(f, parts, signing, input)
  // Records are checked only when nothing else is wrong: a missing option is named once, as itself.
  if (f.problems.size === 0) refuseInvalidRecords(f, records)

  if (f.problems.size > 0) throw new PassportSamlMigrationError(f.problemList())

  const sp: ServiceProviderOptions = {
    baseUrl: input.baseUrl,
    ...(signing && { signingKey: signing.keyPem, signingCert: signing.certPem }),
    ...(decryption.length > 0 && {
      decryptionKey: decryption.length === 1 ? decryption[0]!.pem : decryption.map((d) => d.pem),
    }),
    ...(decryptionCert !== undefined && { decryptionCert }),
    ...(signatureAlgorithm !== undefined && { signatureAlgorithm }),
    ...(signMetadata === true && { metadata: { sign: true } }),
  }
  return Object.freeze({
    sp: Object.freeze(sp),
    records: Object.freeze(records.map((r) => Object.freeze(r))),
    strategy: Object.freeze({
      ...(name !== undefined && { name }),
      ...(passReqToCallback !== undefined && { passReqToCallback }),
      ...(requestTtlMs !== undefined && { requestTtlMs }),
    }),
    notes: f.noteList(),
  })
}

// Entry point `passport-saml-multi-idp/migrate`: the way over from passport-saml. It turns
// passport-saml option objects into IdP records and SP options, and adapts passport-saml verify
// functions and profiles. A subpath of its own, used once when an app moves: passport-saml's
// vocabulary stays out of the main and core API, and neither passport-saml nor node-saml is
// needed (plain objects in, plain objects out).
export { migratePassportSamlOptions } from '../migrate/migrate-passport-saml.js'
export { PassportSamlMigrationError } from '../migrate/migration-types.js'
export type {
  PassportSamlMigration,
  PassportSamlMigrationInput,
  PassportSamlMigrationNote,
  PassportSamlMigrationProblem,
  PassportSamlMigrationReason,
  PassportSamlStrategyOptions,
} from '../migrate/migration-types.js'
export { PASSPORT_SAML_OPTION_NAMES } from '../migrate/passport-saml-options.js'
export type { PassportSamlOptionName, PassportSamlOptions } from '../migrate/passport-saml-options.js'
export {
  adaptPassportSamlVerify,
  adaptPassportSamlVerifyWithRequest,
  toPassportSamlProfile,
} from '../migrate/passport-saml-profile.js'
export type {
  PassportSamlProfile,
  PassportSamlVerifiedCallback,
  PassportSamlVerify,
  PassportSamlVerifyWithRequest,
} from '../migrate/passport-saml-profile.js'

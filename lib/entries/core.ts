// Entry point `passport-saml-multi-idp/core`: the framework-free SAML core, for an edge of your own
// (Fastify, a Web `Request` handler, a NestJS controller without Passport), and the pieces store and
// admin-tool authors need. Apps using Passport need only the main entry.

// The core and its request/outcome model
export { SamlServiceProvider } from '../core/saml-service-provider.js'
export type { SamlServiceProviderOptions } from '../core/core-options.js'
export type { ServiceProviderOptions } from '../core/sp-options.js'
export type { SamlHttpRequest } from '../core/saml-request.js'
export type { SamlLoginOptions } from '../core/login.js'
export type { SamlVerdict, SamlVerify } from '../core/acs.js'
export type { SamlLogoutRequest, SamlSessionHooks, SamlSloHooks } from '../core/logout.js'
export type {
  SamlAccepted,
  SamlAcsOutcome,
  SamlDenied,
  SamlDocument,
  SamlFailure,
  SamlLoginOutcome,
  SamlLogoutOutcome,
  SamlMetadataOutcome,
  SamlPostForm,
  SamlRedirect,
  SamlSessionInfo,
} from '../core/outcome.js'
export type { SamlProfile, SamlLoginContext } from '../core/saml-profile.js'
export type { SpEndpoints } from '../core/compile-idp.js'
export type { SamlAttempt } from '../core/attempt.js'
export { SAML_CHECK_TITLES } from '../validate/check-log.js'
export type { SamlCheck, SamlCheckName } from '../validate/check-log.js'

// IdP records, for store adapters and admin tools
export { normalizeIdpRecord } from '../record/normalize-idp-record.js'
export { normalizeEmailDomain } from '../record/email-domain.js'
export { IDP_RECORD_FIELDS } from '../record/record-fields.js'
export type {
  IdpRecordFieldKind,
  IdpRecordFieldKinds,
  IdpRecordFieldName,
  IdpRecordFieldSpec,
} from '../record/record-fields.js'

// Attribute maps, compiled once and applied per login
export { compileAttributeMap, mapProfile } from '../profile/map-profile.js'
export type { CandidateRef, CompiledAttributeMap, CompiledField } from '../profile/map-profile.js'
export { normalizeAttributeMap, normalizeGroupsMap } from '../profile/attribute-map.js'

// Limits on untrusted XML
export { MESSAGE_XML_LIMITS, METADATA_XML_LIMITS } from '../xml/parse-xml.js'

// Entry point `passport-saml-multi-idp/core`: the framework-free SAML core, for an edge of your own
// (Fastify, a Web `Request` handler, a NestJS controller without Passport), and the pieces store and
// admin-tool authors need. Apps using Passport need only the main entry.

// The core and its request/outcome model
export { SamlServiceProvider } from '../core/saml-service-provider.js'
export type { SamlServiceProviderOptions } from '../core/core-options.js'
export type { ServiceProviderOptions, ServiceProviderUrls, SpUrlTemplate } from '../core/sp-options.js'
export type { SpMetadataSettings } from '../core/sp-metadata-settings.js'
export type { SpContact, SpOrganization, SpRequestedAttributes } from '../messages/sp-metadata.js'
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
export type { SamlAttempt, SamlAttemptOutcome } from '../core/attempt.js'
export type { SamlLogger } from '../observability/saml-logger.js'
export type {
  SamlMeter,
  SamlSpan,
  SamlTelemetryAttributes,
  SamlTelemetryOptions,
  SamlTelemetryValue,
  SamlTracer,
} from '../observability/telemetry-types.js'
export { SAML_CHECK_TITLES } from '../validate/check-log.js'
export type { SamlCheck, SamlCheckName } from '../validate/check-log.js'

// IdP records, for store adapters and admin tools
export { normalizeIdpRecord } from '../record/normalize-idp-record.js'
export { normalizeEmailDomain } from '../record/email-domain.js'
export { IDP_RECORD_FIELDS } from '../record/record-fields.js'
export type {
  AuthnContextComparison,
  AuthnRequestOptions,
  AuthnRequestScoping,
  LoginHintDelivery,
  LoginRequestOptions,
  RequestedAuthnContext,
  ScopingIdpEntry,
} from '../record/authn-request-options.js'
export type {
  IdpEndpoints,
  IdpRecord,
  IdpRecordFieldKind,
  IdpRecordFieldKinds,
  IdpRecordFieldName,
  IdpRecordFieldNamesStored,
  IdpRecordFieldSpec,
  IdpRecordFieldValues,
  IdpRecordFields,
  IdpRecordInput,
  SamlBinding,
} from '../record/record-fields.js'
export type { ParsedIdpMetadata } from '../metadata/parse-idp-metadata.js'

// Attribute maps, compiled once and applied per login
export { compileAttributeMap, mapProfile } from '../profile/map-profile.js'
export type { CandidateRef, CompiledAttributeMap, CompiledField } from '../profile/map-profile.js'
export { normalizeAttributeMap, normalizeGroupsMap } from '../profile/attribute-map.js'
export type { AttributePresetName } from '../profile/presets.js'
export type {
  AttributeFieldSpec,
  AttributeMap,
  AttributeTransform,
  GroupsMap,
  MappedProfile,
  SamlAttribute,
} from '../profile/types.js'

// Limits on untrusted XML
export { MESSAGE_XML_LIMITS, METADATA_XML_LIMITS } from '../xml/parse-xml.js'
export type { XmlLimits } from '../xml/parse-xml.js'

// Types the core's signatures name, from the main entry (the same declarations, for one import)
export { SamlError, SAML_ERROR_CODES, isSamlError } from '../errors/saml-error.js'
export type { SamlErrorCode, SamlErrorOptions } from '../errors/saml-error.js'
export { samlErrorStatus } from '../http/saml-error-status.js'
export { POST_FORM_SCRIPT_HASH } from '../bindings/post-binding.js'
export type { IdpStore, ListIdpsOptions, PutManyOutcome } from '../store/idp-store.js'
export type { IdpResolver, ResolveInput } from '../resolve/resolvers.js'
export type { SamlCache } from '../cache/saml-cache.js'
export type { SamlTraceStore, SamlTrace } from '../traces/saml-trace.js'
export type { SamlTracesOptions } from '../traces/trace-writer.js'
export type { ReturnToPolicy } from '../relay-state/safe-return-to.js'

// Public API of passport-saml-multi-idp. Values and types are listed separately.

export { MultiIdpSamlStrategy } from './strategy/multi-idp-saml-strategy.js'
export type {
  SamlAuthenticateOptions,
  SamlAuthInfo,
  VerifyContext,
  VerifyDone,
  VerifyFunction,
  VerifyFunctionWithRequest,
} from './strategy/multi-idp-saml-strategy.js'
export type { MultiIdpSamlStrategyOptions } from './strategy/strategy-options.js'

export { samlRouter, SAML_SESSION_KEY } from './express/saml-router.js'
export type { SamlRouterOptions } from './express/saml-router.js'
export { samlErrorHandler, sendSamlError } from './express/error-handler.js'

export { SamlError, SAML_ERROR_CODES, isSamlError } from './errors/saml-error.js'
export type { SamlErrorCode, SamlErrorOptions } from './errors/saml-error.js'
export { samlErrorStatus } from './http/saml-error-status.js'

export { MemoryIdpStore } from './store/memory-idp-store.js'
export { normalizeIdpRecord } from './record/normalize-idp-record.js'
export { normalizeEmailDomain } from './record/email-domain.js'
export { IDP_RECORD_FIELDS } from './record/record-fields.js'
export { FileIdpStore } from './store/file/file-idp-store.js'
export type { FileIdpStoreOptions } from './store/file/file-idp-store.js'
export type { IdpStore, ListIdpsOptions } from './store/idp-store.js'
export type {
  IdpEndpoints,
  IdpRecord,
  IdpRecordFields,
  IdpRecordInput,
  SamlBinding,
} from './record/record-fields.js'

export { MemorySamlCache } from './cache/memory-saml-cache.js'
export type { MemorySamlCacheOptions } from './cache/memory-saml-cache.js'
export type { SamlCache } from './cache/saml-cache.js'

export {
  byEmailDomain,
  byHost,
  byPathParam,
  byResponseIssuer,
  defaultResolvers,
} from './resolve/resolvers.js'
export type { IdpResolver, ResolveInput } from './resolve/resolvers.js'

export { parseIdpMetadata } from './metadata/parse-idp-metadata.js'
export type { ParsedIdpMetadata, ParseIdpMetadataOptions } from './metadata/parse-idp-metadata.js'
export { fetchIdpMetadata } from './metadata/fetch-idp-metadata.js'
export type { FetchIdpMetadataOptions } from './metadata/fetch-idp-metadata.js'
export { refreshIdpMetadata, startMetadataRefresh } from './refresh/refresh-idp-metadata.js'
export type {
  MetadataRefresher,
  MetadataRefreshOptions,
  MetadataRefreshResult,
} from './refresh/refresh-idp-metadata.js'
export { normalizeCertificate } from './metadata/certificate.js'

export { presets, defaultAttributeMap, ATTRIBUTE_PRESET_NAMES } from './profile/presets.js'
export type { AttributePresetName } from './profile/presets.js'
export { compileAttributeMap, mapProfile } from './profile/map-profile.js'
export type { CompiledAttributeMap } from './profile/map-profile.js'
export type {
  AttributeFieldSpec,
  AttributeMap,
  AttributeTransform,
  GroupsMap,
  MappedProfile,
  SamlAttribute,
  SamlProfile,
} from './profile/types.js'

export { safeReturnTo } from './relay-state/safe-return-to.js'
export type { ReturnToPolicy } from './relay-state/safe-return-to.js'

export { SamlServiceProvider } from './sp/service-provider.js'
export { ATTEMPT_CHECKS } from './sp/attempt.js'
export type { SamlAttempt, SamlAttemptCheck } from './sp/attempt.js'
export type {
  AcceptedResponse,
  LoginStart,
  LogoutOutcome,
  SamlSessionInfo,
  ServiceProviderSettings,
} from './sp/service-provider.js'
export type {
  LogoutInput,
  ValidatedLogoutRequest,
  ValidatedLogoutResponse,
} from './logout/validate-logout.js'
export type { ServiceProviderOptions } from './sp/sp-options.js'

export { decodeSamlResponse, peekIssuer, validateResponse } from './validate/validate-response.js'
export type { ResponsePolicy, ValidatedAssertion } from './validate/validate-response.js'
export { MESSAGE_XML_LIMITS, METADATA_XML_LIMITS } from './xml/parse-xml.js'
export type { XmlLimits } from './xml/parse-xml.js'

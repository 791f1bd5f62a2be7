// Public API of passport-saml-multi-idp: what an app uses. The framework-free core and the pieces
// adapter authors need are on `passport-saml-multi-idp/core`. Values and types are listed apart.

// The Passport strategy (the Express routes are on `passport-saml-multi-idp/express`)
export { MultiIdpSamlStrategy } from './strategy/multi-idp-saml-strategy.js'
export type {
  MultiIdpSamlStrategyOptions,
  SamlAuthenticateOptions,
  SamlAuthInfo,
  VerifyDone,
  VerifyFunction,
  VerifyFunctionWithRequest,
} from './strategy/multi-idp-saml-strategy.js'
export type { PassportRequest, PassportResponse } from './strategy/passport-request.js'

// User hooks: a verify callback built from find/create/before/after-login hooks
export { createUserVerify } from './users/create-user-verify.js'
export type { UserVerify } from './users/create-user-verify.js'
export type {
  MaybePromise,
  NewSamlUser,
  SamlLoginDecision,
  SamlLoginInfo,
  SamlUserIdentity,
  SamlUserIdentityFields,
  UserHookSettings,
  UserVerifyOptions,
} from './users/user-hooks.js'
export { POST_FORM_SCRIPT_HASH } from './bindings/post-binding.js'
export type { SamlServiceProviderOptions } from './core/core-options.js'
export type { ServiceProviderOptions, ServiceProviderUrls, SpUrlTemplate } from './core/sp-options.js'
export type { SpMetadataSettings } from './core/sp-metadata-settings.js'
export type { SpContact, SpOrganization, SpRequestedAttributes } from './messages/sp-metadata.js'
// The strategy's `serviceProvider`: the core that other edges (NestJS controllers, Fastify routes)
// share; its value and the rest of the core are on `passport-saml-multi-idp/core`.
export type { SamlServiceProvider } from './core/saml-service-provider.js'
export type { SamlHttpRequest } from './core/saml-request.js'
export type { SamlLoginOptions } from './core/login.js'
export type { SamlVerdict, SamlVerify } from './core/acs.js'
export type { SamlLogoutRequest, SamlSessionHooks, SamlSloHooks } from './core/logout.js'
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
} from './core/outcome.js'
export type { SpEndpoints } from './core/compile-idp.js'
export type { SamlProfile, SamlLoginContext } from './core/saml-profile.js'
export type { SamlAttempt, SamlAttemptOutcome } from './core/attempt.js'
export type { SamlLogger } from './observability/saml-logger.js'
export type {
  SamlMeter,
  SamlSpan,
  SamlTelemetryAttributes,
  SamlTelemetryOptions,
  SamlTelemetryValue,
  SamlTracer,
} from './observability/telemetry-types.js'
export type { SamlCheck, SamlCheckName } from './validate/check-log.js'
export type { XmlLimits } from './xml/parse-xml.js'

// Token hand-off to single-page apps: a short-lived JWT in the URL fragment, and its check for APIs
export { createTokenHandoff } from './handoff/token-handoff.js'
export type {
  HandoffClaimsContext,
  HandoffLogin,
  HandoffRedirect,
  TokenHandoff,
  TokenHandoffOptions,
} from './handoff/token-handoff.js'
export { verifyHandoffToken } from './handoff/verify-handoff-token.js'
export type { HandoffTokenClaims, VerifyHandoffTokenOptions } from './handoff/verify-handoff-token.js'
export { HANDOFF_ALGORITHMS } from './handoff/handoff-key.js'
export type { HandoffAlgorithm, HandoffKey } from './handoff/handoff-key.js'

// Errors
export { SamlError, SAML_ERROR_CODES, isSamlError } from './errors/saml-error.js'
export type { SamlErrorCode, SamlErrorOptions } from './errors/saml-error.js'
export { samlErrorStatus } from './http/saml-error-status.js'

// IdP records and stores
export { MemoryIdpStore } from './store/memory-idp-store.js'
export { FileIdpStore } from './store/file/file-idp-store.js'
export type { FileIdpStoreOptions } from './store/file/file-idp-store.js'
export type {
  FederationStatusStore,
  IdpStore,
  ListIdpsOptions,
  MetadataStatusStore,
  PutManyOutcome,
} from './store/idp-store.js'
export type { IdpMetadataStatus } from './store/metadata-status.js'
export { IDP_RECORD_FIELDS } from './record/record-fields.js'
export type {
  AuthnContextComparison,
  AuthnRequestOptions,
  AuthnRequestScoping,
  LoginHintDelivery,
  LoginRequestOptions,
  RequestedAuthnContext,
  ScopingIdpEntry,
} from './record/authn-request-options.js'
export type {
  IdpEndpoints,
  IdpRecord,
  IdpRecordFieldKinds,
  IdpRecordFieldNamesStored,
  IdpRecordFieldSpec,
  IdpRecordFieldValues,
  IdpRecordFields,
  IdpRecordInput,
  IdpRecordFieldKind,
  IdpRecordFieldName,
  SamlBinding,
} from './record/record-fields.js'

// Request/replay caches
export { MemorySamlCache } from './cache/memory-saml-cache.js'
export type { MemorySamlCacheOptions } from './cache/memory-saml-cache.js'
export type { SamlCache } from './cache/saml-cache.js'

// Login traces (docs/traces.md)
export { MemoryTraceStore } from './traces/memory-trace-store.js'
export { REDACTED } from './traces/saml-trace.js'
export { traceOfAttempt } from './traces/build-trace.js'
export type { TraceSource } from './traces/build-trace.js'
export type {
  ListTracesOptions,
  PruneTracesOptions,
  SamlTrace,
  SamlTraceFlow,
  SamlTraceOutcome,
  SamlTraceStore,
} from './traces/saml-trace.js'
export type { SamlTracesOptions } from './traces/trace-writer.js'

// Which IdP a request is for
export {
  byEmailDomain,
  byHost,
  byPathParam,
  byResponseIssuer,
  defaultResolvers,
} from './resolve/resolvers.js'
export type { IdpResolver, ResolveInput } from './resolve/resolvers.js'

// IdP metadata
export { parseIdpMetadata } from './metadata/parse-idp-metadata.js'
export { verifyIdpMetadataSignature } from './xmldsig/verify-metadata-signature.js'
export type { ParsedIdpMetadata, ParseIdpMetadataOptions } from './metadata/parse-idp-metadata.js'
export { fetchIdpMetadata, fetchIdpMetadataDocument } from './metadata/fetch-idp-metadata.js'
export type {
  FetchedIdpMetadata,
  FetchIdpMetadataDocumentOptions,
  FetchIdpMetadataOptions,
  MetadataValidators,
} from './metadata/fetch-idp-metadata.js'
export { normalizeCertificate } from './metadata/certificate.js'
export { refreshIdpMetadata, startMetadataRefresh } from './refresh/refresh-idp-metadata.js'
export type {
  MetadataRefresher,
  MetadataRefreshOptions,
  MetadataRefreshResult,
} from './refresh/refresh-idp-metadata.js'
export { putIdpRecord } from './refresh/put-idp-record.js'
export { checkIdpHealth, checkIdpRecordHealth } from './refresh/idp-health.js'
export type {
  IdpCertificateHealth,
  IdpHealth,
  IdpHealthOptions,
  IdpHealthReason,
  IdpHealthStatus,
  IdpHealthReasonStatus,
} from './refresh/idp-health.js'
export type { PutIdpRecordOptions } from './refresh/put-idp-record.js'
export type { MetadataFetchScheduleOptions } from './refresh/refresh-options.js'
export { withMdq } from './mdq/with-mdq.js'
export { mdqIdpId } from './mdq/mdq-urls.js'
export type { MdqLookup, MdqOptions, MdqRecordFields } from './mdq/mdq-options.js'

// Federations: signed aggregates of thousands of IdPs, and discovery over them
export { importFederation } from './federation/import-federation.js'
export type { FederationImportResult, ImportFederationOptions } from './federation/import-federation.js'
export { startFederationRefresh } from './federation/federation-refresh.js'
export type {
  FederationRefresher,
  FederationRefreshOptions,
  FederationRefreshOutcome,
} from './federation/federation-refresh.js'
export { REFEDS_RESEARCH_AND_SCHOLARSHIP, SIRTFI } from './federation/federation-source.js'
export type {
  FederationFetchOptions,
  FederationFilters,
  FederationOwnedField,
  FederationRecordDefaults,
  FederationSource,
} from './federation/federation-source.js'
export type { SkippedEntity } from './federation/read-signed-aggregate.js'
export { federationRecordId } from './federation/federation-record-id.js'
export { searchIdps } from './federation/search-idps.js'
export type { IdpSearchResult, SearchIdpsOptions } from './federation/search-idps.js'

// Attribute maps
export { ATTRIBUTE_PRESET_NAMES, defaultAttributeMap, presets } from './profile/presets.js'
export type { AttributePresetName } from './profile/presets.js'
export type {
  AttributeFieldSpec,
  AttributeMap,
  AttributeTransform,
  GroupsMap,
  MappedProfile,
  SamlAttribute,
} from './profile/types.js'

// Redirects after login
export { safeReturnTo } from './relay-state/safe-return-to.js'
export type { ReturnToPolicy } from './relay-state/safe-return-to.js'

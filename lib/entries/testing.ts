// Entry point `passport-saml-multi-idp/testing`: the conformance suites every IdpStore and SamlCache
// adapter must pass, for `node:test`. Import it from your adapter's specs, never from app code.
export { CERTS, idpMetadataXml, idpStoreConformance } from '../testing/idp-store-conformance.js'
export type { IdpStoreConformanceOptions, MakeIdpStore } from '../testing/idp-store-conformance.js'
export { samlCacheConformance } from '../testing/saml-cache-conformance.js'
export type { SamlCacheConformanceOptions } from '../testing/saml-cache-conformance.js'
export { traceStoreConformance } from '../testing/trace-store-conformance.js'
export type { MakeTraceStore } from '../testing/trace-store-conformance.js'

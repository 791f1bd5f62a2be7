// The suite ships in the package (passport-saml-multi-idp/testing); the specs import it from here.
export * from '../../lib/testing/idp-store-conformance.js'

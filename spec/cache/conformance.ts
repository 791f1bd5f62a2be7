// The suite ships in the package (passport-saml-multi-idp/testing); the specs import it from here.
export * from '../../lib/testing/saml-cache-conformance.js'

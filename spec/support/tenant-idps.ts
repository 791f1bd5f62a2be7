/**
 * The two test IdPs most specs sign responses with: acme and globex, each with its own key. Shared so
 * every spec means the same tenants by the same names.
 *
 * @module
 */
import { keys, TestIdp } from './test-idp.js'

export const acme = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  signing: keys.idpAcme,
})

export const globex = new TestIdp({
  entityId: 'https://idp.globex.test/saml',
  ssoUrl: 'https://idp.globex.test/sso',
  signing: keys.idpGlobex,
})

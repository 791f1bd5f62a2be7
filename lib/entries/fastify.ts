// Entry point `passport-saml-multi-idp/fastify`: the Fastify edge (the SAML routes as a plugin) for
// apps that use `@fastify/passport` with Fastify 5. Kept apart from the main entry so neither the
// strategy nor its types need Fastify; nothing here loads Fastify either (it is the app's).
export { samlPlugin } from '../fastify/saml-plugin.js'
export type { FastifyPassportAuthenticator, SamlPluginOptions } from '../fastify/saml-plugin.js'
export { SAML_SESSION_KEY } from '../strategy/session-key.js'
export { toSamlRequest } from '../strategy/passport-request.js'

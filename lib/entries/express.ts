// Entry point `passport-saml-multi-idp/express`: the Express edge (the SAML routes as a Router, the
// error handler) for apps that use Passport with Express 4 or 5. Kept apart from the main entry so
// the strategy loads without Express (Fastify, NestJS on Fastify, a custom edge).
export { samlRouter } from '../express/saml-router.js'
export { SAML_SESSION_KEY } from '../strategy/session-key.js'
export type { PassportAuthenticator, SamlRouterOptions } from '../express/saml-router.js'
export { samlErrorHandler } from '../express/error-handler.js'
export { toSamlRequest } from '../strategy/passport-request.js'

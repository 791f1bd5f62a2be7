import type { SamlSessionInfo } from '../core/outcome.js'

/**
 * Key under which the SAML edges (`samlRouter` for Express, `samlPlugin` for Fastify) keep, in the
 * login session, what Single Logout needs of the SAML login (a `SamlSessionInfo`).
 *
 * @example
 * ```ts
 * import { SAML_SESSION_KEY } from 'passport-saml-multi-idp/express'
 * app.get('/account', (req, res) => {
 *   const session = req.session as unknown as Record<string, unknown>
 *   res.json({ signedInWithSaml: session[SAML_SESSION_KEY] !== undefined })
 * })
 * ```
 */
export const SAML_SESSION_KEY = 'saml'

/** The `SamlSessionInfo` a session holds under {@link SAML_SESSION_KEY}, when it holds a well-formed one. */
export function samlSessionInfoOf(value: unknown): SamlSessionInfo | undefined {
  const info = value as Partial<SamlSessionInfo> | null | undefined
  return info && typeof info.idp === 'string' && typeof info.nameID === 'string'
    ? (info as SamlSessionInfo)
    : undefined
}

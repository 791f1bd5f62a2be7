/**
 * A logger the SAML core writes one line per flow to: the shape of pino (and of most structured
 * loggers), so a `pino()` instance, a `fastify.log` or a small adapter fits as it is. Each method
 * takes the fields first and an optional message, as pino does. `child`, when present, is called
 * once with `{ component: 'passport-saml-multi-idp' }` and the child gets every line.
 *
 * @example
 * ```ts
 * import type { SamlLogger } from 'passport-saml-multi-idp'
 *
 * const toConsole: SamlLogger = {
 *   debug: (fields, msg) => console.debug(msg, fields),
 *   info: (fields, msg) => console.info(msg, fields),
 *   warn: (fields, msg) => console.warn(msg, fields),
 *   error: (fields, msg) => console.error(msg, fields),
 * }
 * ```
 */
export interface SamlLogger {
  debug(fields: object, msg?: string): void
  info(fields: object, msg?: string): void
  warn(fields: object, msg?: string): void
  error(fields: object, msg?: string): void
  /** A logger that adds `bindings` to every line (pino's `child`). */
  child?(bindings: Record<string, unknown>): SamlLogger
}

import type { ResolveInput } from '../resolve/resolvers.js'

/**
 * The parts of an HTTP request the SAML flows read. Any framework fills it in a few lines: the
 * Passport strategy and the Express router do it for Express, and a Fastify or Web `Request` edge
 * does the same.
 *
 * @example
 * ```ts
 * import type { SamlHttpRequest } from 'passport-saml-multi-idp/core'
 * const request: SamlHttpRequest = {
 *   method: req.method,
 *   url: req.originalUrl, // path and raw query, as received
 *   host: req.hostname,
 *   params: req.params,
 *   body: req.body,
 *   headers: req.headers,
 * }
 * ```
 */
export interface SamlHttpRequest {
  /** `GET`, `POST`, … */
  readonly method: string
  /**
   * The request target as received: path and raw query (`/saml/acme/slo?SAMLRequest=…`). The
   * raw query is what HTTP-Redirect signatures cover, so pass it unparsed.
   */
  readonly url: string
  /** The host the request was sent to, without port (for `byHost`). */
  readonly host?: string
  /** Route parameters, e.g. `{ idp: 'acme' }` for `/saml/:idp/login`. */
  readonly params?: Readonly<Record<string, string | undefined>>
  /** Form fields of a POST (`application/x-www-form-urlencoded`), parsed. */
  readonly body?: unknown
  /** Request headers with lower-case names (Node's `IncomingHttpHeaders` fits). */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>
}

/** The request's query string as received, without the `?`. */
export function rawQueryOf(request: SamlHttpRequest): string {
  const q = request.url.indexOf('?')
  if (q === -1) return ''
  const hash = request.url.indexOf('#', q)
  return request.url.slice(q + 1, hash === -1 ? undefined : hash)
}

/** Query parameters, first value of each; an undecodable query reads as empty. */
export function queryOf(request: SamlHttpRequest): Readonly<Record<string, string>> {
  const raw = rawQueryOf(request)
  if (raw === '') return {}
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  for (const [key, value] of new URLSearchParams(raw)) if (!(key in out)) out[key] = value
  return out
}

/** Form fields as a plain record (an absent or non-object body reads as empty). */
export function bodyOf(request: SamlHttpRequest): Readonly<Record<string, unknown>> {
  return request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {}
}

/** One header's value; a repeated header reads as its first value. */
export function headerOf(request: SamlHttpRequest, name: string): string | undefined {
  const value = request.headers?.[name]
  return typeof value === 'string' ? value : value?.[0]
}

/** `host` lower-cased, without a port (the regex runs only when there is a colon). */
function hostWithoutPort(host: string | undefined): string | undefined {
  if (host === undefined) return undefined
  const lower = host.toLowerCase()
  return lower.includes(':') ? lower.replace(/:\d+$/, '') : lower
}

/** What the resolvers see of the request; `responseIssuer` reads the unverified Issuer lazily. */
export function resolveInputOf(
  request: SamlHttpRequest,
  responseIssuer: () => string | undefined = () => undefined,
): ResolveInput {
  return {
    params: request.params ?? {},
    query: queryOf(request),
    body: bodyOf(request),
    host: hostWithoutPort(request.host),
    responseIssuer,
  }
}

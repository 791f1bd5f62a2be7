import { SamlError } from '../errors/saml-error.js'
import type { SamlHttpRequest } from '../core/saml-request.js'

/** The response object Express and Connect hang on the request (`req.res`), as far as the strategy uses it. */
export interface PassportResponse {
  statusCode: number
  getHeader(name: string): unknown
  setHeader(name: string, value: string | readonly string[]): unknown
  end(body?: string): unknown
}

/**
 * What the strategy reads of the request Passport hands it: an Express or Connect request, or
 * another framework's that carries the same fields. Structural, so the package needs no Express
 * types: any version of `express.Request` fits.
 */
export interface PassportRequest {
  readonly method?: string
  readonly url?: string
  /** The URL as received, mount path included (Express); `url` when absent. */
  readonly originalUrl?: string
  readonly hostname?: string
  readonly params?: unknown
  readonly query?: unknown
  readonly body?: unknown
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** The response, where the framework gives one (Express, Connect). */
  readonly res?: PassportResponse
}

/**
 * The core's view of an Express-style request: method, the URL as received (mount path and raw
 * query, which Redirect-binding signatures cover), host, route parameters, parsed body and headers.
 *
 * @example
 * ```ts
 * import { toSamlRequest } from 'passport-saml-multi-idp/express'
 * app.get('/sso/:idp/metadata', async (req, res, next) => {
 *   const outcome = await strategy.serviceProvider.metadata(toSamlRequest(req))
 *   if (outcome.type === 'error') return next(outcome.error)
 *   res.type(outcome.contentType).send(outcome.body)
 * })
 * ```
 */
export function toSamlRequest(req: PassportRequest): SamlHttpRequest {
  const method = req.method ?? 'GET'
  const url = req.originalUrl ?? req.url ?? '/'
  const params = (req.params ?? {}) as Record<string, string | undefined>
  // Two literals rather than a conditional spread (a temporary object per request); `host` only
  // when known, in the same place either way.
  return req.hostname === undefined
    ? { method, url, params, body: req.body, headers: req.headers }
    : { method, url, host: req.hostname, params, body: req.body, headers: req.headers }
}

function responseOf(req: PassportRequest, what: string): PassportResponse {
  if (!req.res) {
    throw new SamlError(
      `${what}, but this framework gives the strategy no response object (req.res); see docs/frameworks.md`,
      'ERR_SAML_BAD_REQUEST',
    )
  }
  return req.res
}

/** Adds `Set-Cookie` values to the response, keeping any the app set already. */
export function appendSetCookies(req: PassportRequest, cookies: readonly string[]): void {
  if (cookies.length === 0) return
  const res = responseOf(req, 'the browser binding cookie must be set')
  const previous = res.getHeader('Set-Cookie')
  const list =
    previous === undefined ? [] : Array.isArray(previous) ? previous.map(String) : [String(previous)]
  res.setHeader('Set-Cookie', [...list, ...cookies])
}

/** Answers with an auto-submitting form page (the HTTP-POST binding). */
export function sendPostForm(req: PassportRequest, html: string): void {
  const res = responseOf(req, 'the HTTP-POST binding sends a page')
  res.statusCode = 200
  res.setHeader('Content-Type', 'text/html; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  res.end(html)
}

/** True when the request carries a SAMLResponse (form field or query parameter). */
export function hasSamlResponse(req: PassportRequest): boolean {
  const body = req.body as Record<string, unknown> | null | undefined
  const query = req.query as Record<string, unknown> | null | undefined
  return (
    (body !== null && typeof body === 'object' && body.SAMLResponse !== undefined) ||
    (query !== null && typeof query === 'object' && query.SAMLResponse !== undefined)
  )
}

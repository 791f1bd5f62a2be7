import type { Request } from 'express'
import { SamlError } from '../errors/saml-error.js'
import type { SamlHttpRequest } from '../core/saml-request.js'

/** The core's view of an Express (or Connect) request. */
export function samlRequestOf(req: Request): SamlHttpRequest {
  return {
    method: req.method,
    // originalUrl keeps the mount path and the raw query (what Redirect signatures cover).
    url: req.originalUrl ?? req.url,
    ...(req.hostname !== undefined && { host: req.hostname }),
    params: (req.params ?? {}) as Record<string, string | undefined>,
    body: req.body as unknown,
    headers: req.headers,
  }
}

/** Adds `Set-Cookie` values to the response, keeping any the app set already. */
export function appendSetCookies(req: Request, cookies: readonly string[]): void {
  if (cookies.length === 0) return
  const res = req.res
  if (!res) {
    throw new SamlError(
      'the browser binding cookie cannot be set: this framework gives the strategy no response object (req.res)',
      'ERR_SAML_BAD_REQUEST',
    )
  }
  const previous = res.getHeader('Set-Cookie')
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)]
  res.setHeader('Set-Cookie', [...list, ...cookies])
}

/** Answers with an auto-submitting form page (the HTTP-POST binding). */
export function sendPostForm(req: Request, html: string): void {
  const res = req.res
  if (!res)
    throw new SamlError('the HTTP-POST binding needs a response object (req.res)', 'ERR_SAML_BAD_REQUEST')
  res.statusCode = 200
  res.setHeader('Content-Type', 'text/html; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  res.end(html)
}

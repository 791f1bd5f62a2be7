/**
 * The last handlers of the app: 404 for anything no route took, then errors (the library's
 * `samlErrorHandler` for SAML errors, a plain 500 for the rest), as JSON or HTML by `Accept`.
 *
 * @module
 */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express'
import { samlErrorHandler } from '../../lib/entries/express.js'
import { sendJsonError } from '../admin-auth.js'
import { html, layout } from '../html.js'

/**
 * 404 for every request that reached it.
 *
 * @example
 * ```ts
 * app.use(notFound())
 * ```
 */
export function notFound(): RequestHandler {
  return (req, res) => {
    if (req.accepts(['html', 'json']) === 'json')
      return sendJsonError(res, 404, 'ERR_NOT_FOUND', 'no such page')
    res
      .status(404)
      .type('html')
      .send(
        layout({
          title: 'Not found',
          body: html`<h1>Not found</h1>
            <p><a href="/">Home</a></p>`,
        }),
      )
  }
}

function internalError(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  console.error(err)
  if (res.headersSent) return void res.end()
  if (req.accepts(['html', 'json']) === 'json')
    return sendJsonError(res, 500, 'ERR_INTERNAL', 'internal error')
  res
    .status(500)
    .type('html')
    .send(layout({ title: 'Error', body: html`<h1>Something went wrong</h1>` }))
}

/**
 * The error handlers, in order: SAML errors as 4xx with their code, anything else as 500.
 *
 * @example
 * ```ts
 * app.use(errorHandlers())
 * ```
 */
export function errorHandlers(): ErrorRequestHandler[] {
  return [samlErrorHandler(), internalError]
}

import type { ErrorRequestHandler, Request, Response } from 'express'
import { SamlError } from '../errors/saml-error.js'
import { samlErrorBody, samlErrorPage } from '../http/saml-error-page.js'
import { samlErrorStatus } from '../http/saml-error-status.js'

/**
 * Writes `{ error: { code, message, traceId? } }` for JSON clients, a small plain page otherwise;
 * `traceId` names the traced login attempt, when there is one.
 */
export function sendSamlError(
  req: Request,
  res: Response,
  status: number,
  code: string,
  message: string,
  traceId?: string,
): void {
  res.status(status)
  res.setHeader('Cache-Control', 'no-store')
  if (req.accepts(['html', 'json']) === 'json') {
    res.json(samlErrorBody(code, message, traceId))
    return
  }
  res.type('html').send(samlErrorPage(code, message, traceId))
}

/**
 * Express error handler that turns a {@link SamlError} into its 4xx (or 503) answer, with the
 * login attempt's trace id (`err.traceId`) when it has one, and passes every other error on. The SAML routes use it; mount it yourself to cover your own routes too.
 *
 * @example
 * ```ts
 * app.use(samlErrorHandler())
 * ```
 */
export function samlErrorHandler(): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (!(err instanceof SamlError) || res.headersSent) return next(err)
    sendSamlError(req, res, samlErrorStatus(err.code), err.code, err.message, err.traceId)
  }
}

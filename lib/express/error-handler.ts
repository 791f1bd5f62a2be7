import type { ErrorRequestHandler, Request, Response } from 'express'
import { SamlError } from '../errors/saml-error.js'
import { samlErrorStatus } from '../http/saml-error-status.js'

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** Writes `{ error: { code, message } }` for JSON clients, a small plain page otherwise. */
export function sendSamlError(
  req: Request,
  res: Response,
  status: number,
  code: string,
  message: string,
): void {
  res.status(status)
  res.setHeader('Cache-Control', 'no-store')
  if (req.accepts(['html', 'json']) === 'json') {
    res.json({ error: { code, message } })
    return
  }
  res
    .type('html')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><title>Sign-in failed</title></head><body>` +
        `<h1>Sign-in failed</h1><p>${escapeHtml(message)}</p><p><code>${escapeHtml(code)}</code></p></body></html>`,
    )
}

/**
 * Express error handler that turns a {@link SamlError} into its 4xx (or 503) answer and passes every
 * other error on. The SAML routes use it; mount it yourself to cover your own routes too.
 *
 * @example
 * ```ts
 * app.use(samlErrorHandler())
 * ```
 */
export function samlErrorHandler(): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (!(err instanceof SamlError) || res.headersSent) return next(err)
    sendSamlError(req, res, samlErrorStatus(err.code), err.code, err.message)
  }
}

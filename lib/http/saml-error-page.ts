function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * The small page the SAML routes answer a browser with when sign-in fails: the message, the code
 * and, for a traced login attempt, the trace id support can look the attempt up by; all escaped.
 * JSON clients get `{ error: { code, message, traceId? } }` instead ({@link samlErrorBody}).
 */
export function samlErrorPage(code: string, message: string, traceId?: string): string {
  const trace =
    traceId === undefined ? '' : `<p>Reference for support: <code>${escapeHtml(traceId)}</code></p>`
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>Sign-in failed</title></head><body>` +
    `<h1>Sign-in failed</h1><p>${escapeHtml(message)}</p><p><code>${escapeHtml(code)}</code></p>${trace}</body></html>`
  )
}

/** The JSON error body of the SAML routes: `traceId` only when the attempt has one. */
export function samlErrorBody(
  code: string,
  message: string,
  traceId?: string,
): { error: { code: string; message: string; traceId?: string } } {
  return { error: { code, message, ...(traceId !== undefined && { traceId }) } }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * The small page the SAML routes answer a browser with when sign-in fails: the message and the code,
 * escaped. JSON clients get `{ error: { code, message } }` instead.
 */
export function samlErrorPage(code: string, message: string): string {
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>Sign-in failed</title></head><body>` +
    `<h1>Sign-in failed</h1><p>${escapeHtml(message)}</p><p><code>${escapeHtml(code)}</code></p></body></html>`
  )
}

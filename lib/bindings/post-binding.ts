import { createHash } from 'node:crypto'
import { escapeXmlAttribute as escape } from '../xml/escape-xml.js'

/** A message to send with the HTTP-POST binding. */
export interface PostFormOptions {
  readonly type: 'SAMLRequest' | 'SAMLResponse'
  /** The message XML, signed with `signEnveloped` when it must be signed. */
  readonly xml: string
  /** Posted as is; the IdP returns it unchanged. */
  readonly relayState?: string
}

/** The page's only script: submits the form as soon as it is parsed. */
const SUBMIT_SCRIPT = 'document.forms[0].submit()'

/**
 * The CSP source that allows the page's inline script, for apps that send a Content-Security-Policy:
 * `script-src 'sha256-…'`. Without it a strict CSP blocks the auto-submit, and the `<noscript>`
 * button does not show either, because scripting is on.
 *
 * @example
 * res.setHeader('Content-Security-Policy', `default-src 'none'; script-src ${POST_FORM_SCRIPT_HASH}`)
 */
export const POST_FORM_SCRIPT_HASH = `'sha256-${createHash('sha256').update(SUBMIT_SCRIPT).digest('base64')}'`

/**
 * An HTML page that POSTs `xml` to `endpoint` with the HTTP-POST binding (SAML bindings 3.5): the
 * message base64-encoded and NOT deflated (3.5.4: DEFLATE is the Redirect binding's), `RelayState`
 * beside it, every value HTML-escaped. It submits itself from an inline script (see
 * {@link POST_FORM_SCRIPT_HASH}) and shows a Continue button when scripting is off. No external
 * resources.
 *
 * The endpoint must be an http(s) URL: any other scheme (`javascript:`) in a form action would run
 * on the app's origin. Differences from node-saml 5's `getAuthorizeFormAsync`: the message is not
 * deflated; no inline `onload` handler (a CSP hash cannot allow one).
 *
 * @example
 * res.setHeader('Cache-Control', 'no-store')
 * res.type('html').send(postForm('https://idp.example.com/sso', { type: 'SAMLRequest', xml: signedXml }))
 */
export function postForm(endpoint: string, options: PostFormOptions): string {
  if (!/^https?:\/\//i.test(endpoint)) throw new TypeError('the POST endpoint must be an http(s) URL')
  if (options.type !== 'SAMLRequest' && options.type !== 'SAMLResponse') {
    throw new TypeError('type must be SAMLRequest or SAMLResponse')
  }
  const message = Buffer.from(options.xml, 'utf8').toString('base64')
  const relayState =
    options.relayState === undefined
      ? ''
      : `\n<input type="hidden" name="RelayState" value="${escape(options.relayState, 'relayState')}">`
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Continuing sign-in</title>
</head>
<body>
<form method="post" action="${escape(endpoint, 'endpoint')}">
<input type="hidden" name="${options.type}" value="${escape(message)}">${relayState}
<noscript><p>JavaScript is off. Press Continue to go on.</p><button type="submit">Continue</button></noscript>
</form>
<script>${SUBMIT_SCRIPT}</script>
</body>
</html>
`
}

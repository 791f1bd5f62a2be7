import { postForm } from '../bindings/post-binding.js'
import { encodeRedirect } from '../bindings/redirect-binding.js'
import { signEnveloped } from '../xmldsig/sign-enveloped.js'
import type { IdpEndpoint } from './compile-idp.js'
import type { ResolvedServiceProvider } from './sp-options.js'
import type { SamlPostForm, SamlRedirect } from './outcome.js'

/** One outbound message and how to send it. */
export interface OutboundMessage {
  readonly type: 'SAMLRequest' | 'SAMLResponse'
  /** The unsigned message XML. */
  readonly xml: string
  readonly relayState?: string
  /** Sign it with the SP key: a query signature (Redirect) or an enveloped one (POST). */
  readonly sign: boolean
  readonly setCookies?: readonly string[]
  /** Extra query parameters for the IdP (vendor hints); added to the endpoint URL, never signed. */
  readonly queryParameters?: Readonly<Record<string, string>>
}

/** `url` with `parameters` added to its query (the binding's own parameters follow them). */
function withQueryParameters(url: string, parameters: Readonly<Record<string, string>> | undefined): string {
  if (!parameters) return url
  const names = Object.keys(parameters)
  if (names.length === 0) return url
  const out = new URL(url)
  for (const name of names) out.searchParams.append(name, parameters[name]!)
  return out.href
}

/**
 * Sends a message to an IdP endpoint on its binding: a redirect (DEFLATE, query signature) or an
 * auto-submitting form (not deflated, enveloped signature). Unsigned when the SP has no key.
 */
export function sendToIdp(
  sp: ResolvedServiceProvider,
  endpoint: IdpEndpoint,
  message: OutboundMessage,
): SamlRedirect | SamlPostForm {
  const signing = message.sign ? sp.signing : undefined
  const relayState = message.relayState
  const setCookies = message.setCookies ?? []
  const url = withQueryParameters(endpoint.url, message.queryParameters)
  if (endpoint.binding === 'redirect') {
    const location = encodeRedirect(url, {
      type: message.type,
      xml: message.xml,
      ...(relayState !== undefined && { relayState }),
      ...(signing && { signing: { privateKey: signing.key, algorithm: sp.signatureAlgorithm } }),
    })
    return { type: 'redirect', location, setCookies }
  }
  const xml = signing
    ? signEnveloped(message.xml, {
        privateKey: signing.key,
        certificate: signing.cert,
        algorithm: sp.signatureAlgorithm,
      })
    : message.xml
  const html = postForm(url, {
    type: message.type,
    xml,
    ...(relayState !== undefined && { relayState }),
  })
  return { type: 'post-form', html, setCookies }
}

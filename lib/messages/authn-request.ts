import { BINDING } from '../bindings/binding-uris.js'
import { escapeXmlAttribute as attr, escapeXmlText as text } from '../xml/escape-xml.js'
import { NS } from '../xml/namespaces.js'
import { samlInstant } from './message-id.js'

/** What one `samlp:AuthnRequest` says. The caller validates every value; this only writes them. */
export interface AuthnRequestXmlOptions {
  /** The request ID (see `newMessageId`); the IdP echoes it as InResponseTo. */
  readonly id: string
  /** When the request is issued, in ms since the epoch; written as `IssueInstant`. */
  readonly issueInstant: number
  /** The IdP's SingleSignOnService URL for the binding used; written as `Destination`. */
  readonly destination: string
  /** The SP's entityID; written as `saml:Issuer`. */
  readonly issuer: string
  /** Where the IdP posts the Response; written as `AssertionConsumerServiceURL`. */
  readonly assertionConsumerServiceUrl: string
  /** How the Response comes back: our ACS takes HTTP-POST only. Default HTTP-POST. */
  readonly protocolBinding?: typeof BINDING.post
  /**
   * Writes a `samlp:NameIDPolicy` when given: `Format` when `format` is set, `AllowCreate` always
   * (default true, as node-saml writes it, so IdPs may create a persistent ID on first login).
   */
  readonly nameIdPolicy?: { readonly format?: string; readonly allowCreate?: boolean }
  /** Ask the IdP to authenticate the user again even with a session. Written only when true. */
  readonly forceAuthn?: boolean
  /** Ask the IdP not to interact with the user (no login page). Written only when true. */
  readonly isPassive?: boolean
}

/**
 * Writes an unsigned `samlp:AuthnRequest` (SAML core 3.4.1). Sign it with `signEnveloped` for the
 * HTTP-POST binding (the signature goes right after Issuer), or send it with a query signature
 * through `encodeRedirect`.
 *
 * Attributes come in the order node-saml 5 writes them, which IdPs already accept. Deliberate
 * differences from node-saml: both namespaces are declared once on the root instead of again on
 * Issuer and NameIDPolicy (the same infoset); no XML declaration (UTF-8 is the default, and it
 * shortens the Redirect URL); no NameIDPolicy unless asked for, instead of always.
 *
 * @example
 * const xml = buildAuthnRequest({
 *   id: newMessageId(),
 *   issueInstant: Date.now(),
 *   destination: 'https://idp.example.com/sso',
 *   issuer: 'https://app.example.com/saml/acme/metadata',
 *   assertionConsumerServiceUrl: 'https://app.example.com/saml/acme/acs',
 *   nameIdPolicy: { format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' },
 * })
 */
export function buildAuthnRequest(options: AuthnRequestXmlOptions): string {
  const o = options
  const policy = o.nameIdPolicy
  return (
    `<samlp:AuthnRequest xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}"` +
    ` ID="${attr(o.id, 'id')}" Version="2.0" IssueInstant="${samlInstant(o.issueInstant, 'issueInstant')}"` +
    ` ProtocolBinding="${attr(o.protocolBinding ?? BINDING.post, 'protocolBinding')}"` +
    ` Destination="${attr(o.destination, 'destination')}"` +
    (o.isPassive === true ? ' IsPassive="true"' : '') +
    (o.forceAuthn === true ? ' ForceAuthn="true"' : '') +
    ` AssertionConsumerServiceURL="${attr(o.assertionConsumerServiceUrl, 'assertionConsumerServiceUrl')}">` +
    `<saml:Issuer>${text(o.issuer, 'issuer')}</saml:Issuer>` +
    // A signature for the POST binding goes here, between Issuer and the rest (core 3.2.1).
    (policy
      ? `<samlp:NameIDPolicy AllowCreate="${policy.allowCreate === false ? 'false' : 'true'}"` +
        (policy.format !== undefined ? ` Format="${attr(policy.format, 'nameIdPolicy.format')}"` : '') +
        '/>'
      : '') +
    '</samlp:AuthnRequest>'
  )
}

import { BINDING } from '../bindings/binding-uris.js'
import type { AuthnRequestScoping, RequestedAuthnContext } from '../record/authn-request-options.js'
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
  /**
   * Names the ACS by its index in the SP metadata instead: then neither
   * `AssertionConsumerServiceURL` nor `ProtocolBinding` is written (core 3.4.1 makes them exclusive).
   */
  readonly assertionConsumerServiceIndex?: number
  /** The SP metadata's AttributeConsumingService to use; written as `AttributeConsumingServiceIndex`. */
  readonly attributeConsumingServiceIndex?: number
  /** How the Response comes back: our ACS takes HTTP-POST only. Default HTTP-POST. */
  readonly protocolBinding?: typeof BINDING.post
  /** Who is to be authenticated: written as `saml:Subject/saml:NameID` (a login hint). */
  readonly subjectNameId?: string
  /**
   * Writes a `samlp:NameIDPolicy` when given: `Format` and `SPNameQualifier` when set, `AllowCreate`
   * always (default true, as node-saml writes it, so IdPs may create a persistent ID on first login).
   */
  readonly nameIdPolicy?: {
    readonly format?: string
    readonly allowCreate?: boolean
    readonly spNameQualifier?: string
  }
  /** Written as `samlp:RequestedAuthnContext` (`enforce` is the SP's own business, not written). */
  readonly requestedAuthnContext?: RequestedAuthnContext
  /** Written as `samlp:Scoping`. */
  readonly scoping?: AuthnRequestScoping
  /** Ask the IdP to authenticate the user again even with a session. Written only when true. */
  readonly forceAuthn?: boolean
  /** Ask the IdP not to interact with the user (no login page). Written only when true. */
  readonly isPassive?: boolean
}

function nameIdPolicyXml(policy: NonNullable<AuthnRequestXmlOptions['nameIdPolicy']>): string {
  return (
    `<samlp:NameIDPolicy AllowCreate="${policy.allowCreate === false ? 'false' : 'true'}"` +
    (policy.format !== undefined ? ` Format="${attr(policy.format, 'nameIdPolicy.format')}"` : '') +
    (policy.spNameQualifier !== undefined
      ? ` SPNameQualifier="${attr(policy.spNameQualifier, 'nameIdPolicy.spNameQualifier')}"`
      : '') +
    '/>'
  )
}

function authnContextXml(context: RequestedAuthnContext): string {
  return (
    `<samlp:RequestedAuthnContext Comparison="${attr(context.comparison ?? 'exact', 'comparison')}">` +
    context.classRefs
      .map(
        (ref) =>
          `<saml:AuthnContextClassRef>${text(ref, 'requestedAuthnContext.classRefs')}</saml:AuthnContextClassRef>`,
      )
      .join('') +
    '</samlp:RequestedAuthnContext>'
  )
}

function scopingXml(scoping: AuthnRequestScoping): string {
  const entries = (scoping.idpList ?? []).map(
    (e) =>
      `<samlp:IDPEntry ProviderID="${attr(e.providerId, 'scoping.idpList.providerId')}"` +
      (e.name !== undefined ? ` Name="${attr(e.name, 'scoping.idpList.name')}"` : '') +
      (e.loc !== undefined ? ` Loc="${attr(e.loc, 'scoping.idpList.loc')}"` : '') +
      '/>',
  )
  return (
    '<samlp:Scoping' +
    (scoping.proxyCount !== undefined
      ? ` ProxyCount="${integer(scoping.proxyCount, 'scoping.proxyCount')}"`
      : '') +
    '>' +
    (entries.length > 0 ? `<samlp:IDPList>${entries.join('')}</samlp:IDPList>` : '') +
    (scoping.requesterIds ?? [])
      .map((id) => `<samlp:RequesterID>${text(id, 'scoping.requesterIds')}</samlp:RequesterID>`)
      .join('') +
    '</samlp:Scoping>'
  )
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
  const byIndex = o.assertionConsumerServiceIndex !== undefined
  return (
    `<samlp:AuthnRequest xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}"` +
    ` ID="${attr(o.id, 'id')}" Version="2.0" IssueInstant="${samlInstant(o.issueInstant, 'issueInstant')}"` +
    (byIndex ? '' : ` ProtocolBinding="${attr(o.protocolBinding ?? BINDING.post, 'protocolBinding')}"`) +
    ` Destination="${attr(o.destination, 'destination')}"` +
    (o.isPassive === true ? ' IsPassive="true"' : '') +
    (o.forceAuthn === true ? ' ForceAuthn="true"' : '') +
    (byIndex
      ? ` AssertionConsumerServiceIndex="${integer(o.assertionConsumerServiceIndex, 'assertionConsumerServiceIndex')}"`
      : ` AssertionConsumerServiceURL="${attr(o.assertionConsumerServiceUrl, 'assertionConsumerServiceUrl')}"`) +
    (o.attributeConsumingServiceIndex !== undefined
      ? ` AttributeConsumingServiceIndex="${integer(o.attributeConsumingServiceIndex, 'attributeConsumingServiceIndex')}"`
      : '') +
    '>' +
    `<saml:Issuer>${text(o.issuer, 'issuer')}</saml:Issuer>` +
    // A signature for the POST binding goes here, between Issuer and the rest (core 3.2.1). The rest
    // comes in the schema's order: Subject, NameIDPolicy, (Conditions), RequestedAuthnContext, Scoping.
    (o.subjectNameId !== undefined
      ? `<saml:Subject><saml:NameID>${text(o.subjectNameId, 'subjectNameId')}</saml:NameID></saml:Subject>`
      : '') +
    (o.nameIdPolicy ? nameIdPolicyXml(o.nameIdPolicy) : '') +
    (o.requestedAuthnContext ? authnContextXml(o.requestedAuthnContext) : '') +
    (o.scoping ? scopingXml(o.scoping) : '') +
    '</samlp:AuthnRequest>'
  )
}

/** An unsigned 16-bit integer, as the schema's index attributes take. */
function integer(value: number | undefined, name: string): number {
  if (value === undefined || !Number.isInteger(value) || value < 0 || value > 65_535)
    throw new TypeError(`${name} must be an integer from 0 to 65535`)
  return value
}

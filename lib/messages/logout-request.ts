import { escapeXmlAttribute as attr, escapeXmlText as text } from '../xml/escape-xml.js'
import { NS } from '../xml/namespaces.js'
import { samlInstant } from './message-id.js'

/** What one `samlp:LogoutRequest` says. The caller validates every value; this only writes them. */
export interface LogoutRequestXmlOptions {
  /** The request ID (see `newMessageId`); the IdP's LogoutResponse echoes it as InResponseTo. */
  readonly id: string
  /** When the request is issued, in ms since the epoch; written as `IssueInstant`. */
  readonly issueInstant: number
  /** The IdP's SingleLogoutService URL for the binding used; written as `Destination`. */
  readonly destination: string
  /** The SP's entityID; written as `saml:Issuer`. */
  readonly issuer: string
  /** The NameID of the session, exactly as the IdP sent it at login. */
  readonly nameID: string
  /** The NameID's `Format`, as received at login; omitted when the login had none. */
  readonly nameIDFormat?: string
  /** The NameID's `NameQualifier`, as received at login. */
  readonly nameQualifier?: string
  /** The NameID's `SPNameQualifier`, as received at login. */
  readonly spNameQualifier?: string
  /** The IdP session to end (`SessionIndex` from the AuthnStatement); all of nameID's when omitted. */
  readonly sessionIndex?: string
  /** When the request stops being valid, in ms since the epoch; written as `NotOnOrAfter`. */
  readonly notOnOrAfter?: number
}

/**
 * Writes an unsigned `samlp:LogoutRequest` (SAML core 3.7.1). Sign it with `signEnveloped` for the
 * HTTP-POST binding, or send it with a query signature through `encodeRedirect`.
 *
 * Differences from node-saml 5: namespaces declared once on the root; `SessionIndex` in the
 * `samlp:` prefix like the rest (node-saml declares a second prefix, `saml2p:`, for it); `Format`
 * written only when the login had one, where node-saml writes whatever it is given; no XML declaration.
 *
 * @example
 * const xml = buildLogoutRequest({
 *   id: newMessageId(),
 *   issueInstant: Date.now(),
 *   destination: 'https://idp.example.com/slo',
 *   issuer: 'https://app.example.com/saml/acme/metadata',
 *   nameID: 'alice@example.com',
 *   nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
 *   sessionIndex: '_be9967abd904ddcae3c0eb4189adbe3f71e327cf93',
 * })
 */
export function buildLogoutRequest(options: LogoutRequestXmlOptions): string {
  const o = options
  const optional = (name: string, value: string | undefined, option: string) =>
    value === undefined ? '' : ` ${name}="${attr(value, option)}"`
  return (
    `<samlp:LogoutRequest xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}"` +
    ` ID="${attr(o.id, 'id')}" Version="2.0" IssueInstant="${samlInstant(o.issueInstant, 'issueInstant')}"` +
    ` Destination="${attr(o.destination, 'destination')}"` +
    (o.notOnOrAfter !== undefined ? ` NotOnOrAfter="${samlInstant(o.notOnOrAfter, 'notOnOrAfter')}"` : '') +
    '>' +
    `<saml:Issuer>${text(o.issuer, 'issuer')}</saml:Issuer>` +
    // A signature for the POST binding goes here, right after Issuer (core 3.2.1).
    '<saml:NameID' +
    optional('NameQualifier', o.nameQualifier, 'nameQualifier') +
    optional('SPNameQualifier', o.spNameQualifier, 'spNameQualifier') +
    optional('Format', o.nameIDFormat, 'nameIDFormat') +
    `>${text(o.nameID, 'nameID')}</saml:NameID>` +
    (o.sessionIndex !== undefined
      ? `<samlp:SessionIndex>${text(o.sessionIndex, 'sessionIndex')}</samlp:SessionIndex>`
      : '') +
    '</samlp:LogoutRequest>'
  )
}

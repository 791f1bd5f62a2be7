import { escapeXmlAttribute as attr, escapeXmlText as text } from '../xml/escape-xml.js'
import { NS } from '../xml/namespaces.js'
import { samlInstant } from './message-id.js'

/**
 * Status codes a LogoutResponse uses (SAML core 3.2.2.2). `success`, `requester` and `responder`
 * are top-level codes; `partialLogout` is a second-level one, so it goes in `subStatusCode`
 * (under `success` when this SP ended its own session but could not tell every other party).
 */
export const LOGOUT_STATUS = Object.freeze({
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  partialLogout: 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout',
} as const)

/** The four codes SAML core allows at the top level of a Status. */
const TOP_LEVEL = new Set<string>([
  LOGOUT_STATUS.success,
  LOGOUT_STATUS.requester,
  LOGOUT_STATUS.responder,
  'urn:oasis:names:tc:SAML:2.0:status:VersionMismatch',
])

/** What one `samlp:LogoutResponse` says. The caller validates every value; this only writes them. */
export interface LogoutResponseXmlOptions {
  /** The response ID (see `newMessageId`). */
  readonly id: string
  /** When the response is issued, in ms since the epoch; written as `IssueInstant`. */
  readonly issueInstant: number
  /** The IdP's SingleLogoutService URL (its ResponseLocation when it has one); `Destination`. */
  readonly destination: string
  /** The SP's entityID; written as `saml:Issuer`. */
  readonly issuer: string
  /** The ID of the LogoutRequest this answers. */
  readonly inResponseTo: string
  /** Top-level status code, a full URN: one of `LOGOUT_STATUS.success|requester|responder`. */
  readonly statusCode: string
  /** Optional second-level status code, a full URN, e.g. `LOGOUT_STATUS.partialLogout`. */
  readonly subStatusCode?: string
}

/**
 * Writes an unsigned `samlp:LogoutResponse` (SAML core 3.7.2, StatusResponseType). Sign it with
 * `signEnveloped` for the HTTP-POST binding, or send it with a query signature through
 * `encodeRedirect`. A second-level code given as the top-level one is a `TypeError`, since peers
 * would read it as a malformed status.
 *
 * Differences from node-saml 5: the caller chooses the status (node-saml writes Success or
 * Requester/UnknownPrincipal); no XML declaration.
 *
 * @example
 * const xml = buildLogoutResponse({
 *   id: newMessageId(),
 *   issueInstant: Date.now(),
 *   destination: 'https://idp.example.com/slo',
 *   issuer: 'https://app.example.com/saml/acme/metadata',
 *   inResponseTo: request.id,
 *   statusCode: LOGOUT_STATUS.success,
 * })
 */
export function buildLogoutResponse(options: LogoutResponseXmlOptions): string {
  const o = options
  if (!TOP_LEVEL.has(o.statusCode)) {
    throw new TypeError(
      `statusCode ${JSON.stringify(o.statusCode)} is not a top-level SAML status code; use LOGOUT_STATUS.success, requester or responder (PartialLogout goes in subStatusCode)`,
    )
  }
  const sub =
    o.subStatusCode === undefined
      ? ''
      : `<samlp:StatusCode Value="${attr(o.subStatusCode, 'subStatusCode')}"/>`
  return (
    `<samlp:LogoutResponse xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}"` +
    ` ID="${attr(o.id, 'id')}" Version="2.0" IssueInstant="${samlInstant(o.issueInstant, 'issueInstant')}"` +
    ` Destination="${attr(o.destination, 'destination')}"` +
    ` InResponseTo="${attr(o.inResponseTo, 'inResponseTo')}">` +
    `<saml:Issuer>${text(o.issuer, 'issuer')}</saml:Issuer>` +
    // A signature for the POST binding goes here, right after Issuer (core 3.2.2).
    '<samlp:Status>' +
    (sub === ''
      ? `<samlp:StatusCode Value="${o.statusCode}"/>`
      : `<samlp:StatusCode Value="${o.statusCode}">${sub}</samlp:StatusCode>`) +
    '</samlp:Status>' +
    '</samlp:LogoutResponse>'
  )
}

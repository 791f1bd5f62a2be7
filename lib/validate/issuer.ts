import { attr, trimmedText } from '../xml/read-element.js'
import type { ResponsePolicy } from './response-policy.js'
import { fail } from './validation-step.js'
import type { XmlElement } from '../xml/tree.js'

const ENTITY_FORMAT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity'

/**
 * `response-issuer` / `assertion-issuer`: the Issuer names the IdP's entityID (entity format only).
 * Returns the Issuer, or undefined when an optional one is absent.
 */
export function checkIssuer(
  issuerEl: XmlElement | undefined,
  policy: ResponsePolicy,
  where: string,
  required: boolean,
): string | undefined {
  if (!issuerEl) {
    if (required) fail('ERR_SAML_MALFORMED', `the ${where} has no Issuer`)
    return undefined
  }
  const format = attr(issuerEl, 'Format')
  if (format !== undefined && format !== ENTITY_FORMAT)
    fail('ERR_SAML_ISSUER_MISMATCH', `the ${where} Issuer has Format ${format}`)
  const issuer = trimmedText(issuerEl)
  if (issuer !== policy.entityId) {
    fail(
      'ERR_SAML_ISSUER_MISMATCH',
      `the ${where} was issued by "${issuer.slice(0, 200)}", not by IdP "${policy.idp}" (${policy.entityId})`,
    )
  }
  return issuer
}

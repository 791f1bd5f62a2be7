import { SamlError } from '../errors/saml-error.js'
import type { IdpRecordFields } from '../record/record-fields.js'

/**
 * Refuses a record whose entityID or an email domain already belongs to another record, given the
 * store's indexes (entityID → id, domain → id). In-memory adapters share it; SQL enforces the same
 * rule with unique indexes.
 */
export function checkUniqueClaims(
  fields: IdpRecordFields,
  byEntityId: ReadonlyMap<string, string>,
  byDomain: ReadonlyMap<string, string>,
): void {
  const owner = byEntityId.get(fields.entityId)
  if (owner !== undefined && owner !== fields.id) {
    throw new SamlError(
      `IdP "${fields.id}": entityID "${fields.entityId}" already belongs to IdP "${owner}"`,
      'ERR_SAML_IDP_CONFLICT',
      { idp: fields.id },
    )
  }
  for (const domain of fields.emailDomains) {
    const domainOwner = byDomain.get(domain)
    if (domainOwner !== undefined && domainOwner !== fields.id) {
      throw new SamlError(
        `IdP "${fields.id}": email domain "${domain}" already belongs to IdP "${domainOwner}"`,
        'ERR_SAML_IDP_CONFLICT',
        { idp: fields.id },
      )
    }
  }
}

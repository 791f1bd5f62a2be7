import { SamlError } from '../../errors/saml-error.js'
import type { IdpRecordFields } from '../../record/record-fields.js'
import type { SqlQueryable } from '../../sql/sql-driver.js'
import { UNIQUE_ENTITY_ID_INDEX } from './idp-store-schema.js'

/**
 * The `ERR_SAML_IDP_CONFLICT` for a unique violation on `put` of `fields`, naming the IdP that holds
 * the entityID or email domain. Looking the holder up is only for the message: should it fail, the
 * message falls back to the database's own detail.
 */
export async function conflictError(
  db: SqlQueryable,
  quotedSchema: string,
  fields: IdpRecordFields,
  err: Error & { constraint?: string; detail?: string },
): Promise<SamlError> {
  const id = fields.id
  const conflict = (message: string) =>
    new SamlError(`IdP "${id}": ${message}`, 'ERR_SAML_IDP_CONFLICT', { cause: err, idp: id })
  try {
    if (err.constraint === UNIQUE_ENTITY_ID_INDEX || /entity_id/.test(err.message + (err.detail ?? ''))) {
      const [owner] = await db.query<{ id: string }>(
        `SELECT id FROM ${quotedSchema}.idps WHERE entity_id = $1 AND id <> $2 LIMIT 1`,
        [fields.entityId, id],
      )
      return conflict(
        `entityID "${fields.entityId}" already belongs to IdP "${owner?.id ?? '(another record)'}"`,
      )
    }
    const [owner] = await db.query<{ domain: string; idp_id: string }>(
      `SELECT domain, idp_id FROM ${quotedSchema}.idp_email_domains WHERE domain = ANY($1::text[]) AND idp_id <> $2
         ORDER BY domain LIMIT 1`,
      [[...fields.emailDomains], id],
    )
    if (owner) return conflict(`email domain "${owner.domain}" already belongs to IdP "${owner.idp_id}"`)
  } catch {
    // The lookup is only for the message.
  }
  return conflict(
    `its entityID or an email domain already belongs to another IdP (${err.detail ?? err.message})`,
  )
}

import { createHash } from 'node:crypto'

/**
 * The record id of an imported entity: a readable slug of its entityID and 12 hex digits of its
 * SHA-256, so the same entity gets the same id in every import, on every instance, and two entities
 * whose slugs agree still differ. Within the record id rules (at most 64 of `A–Z a–z 0–9 . _ -`).
 *
 * @example
 * ```ts
 * import { federationRecordId } from 'passport-saml-multi-idp'
 * federationRecordId('https://idp.example.edu/idp/shibboleth') // 'idp.example.edu-idp-shibboleth-' + 12 hex digits
 * ```
 */
export function federationRecordId(entityId: string): string {
  const hash = createHash('sha256').update(entityId, 'utf8').digest('hex').slice(0, 12)
  const slug = entityId
    .replace(/^[a-z][a-z0-9+.-]*:(\/\/)?/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .slice(0, 40)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
  return `${slug || 'idp'}-${hash}`
}

import { createHash } from 'node:crypto'

/** The `{sha1}` hex of an entityID: the MDQ transformed identifier, and the tail of its record id. */
export function mdqEntityHash(entityId: string): string {
  return createHash('sha1').update(entityId, 'utf8').digest('hex')
}

/**
 * The id of the record an MDQ store wrapper ({@link withMdq}) keeps for an entity: `mdq-` and the
 * entity's SHA-1 hex, the same on every instance. Link to `/saml/${mdqIdpId(entityId)}/login` from a
 * discovery page: the wrapper's `get` fetches the entity by its `{sha1}` identifier on first use.
 *
 * @example
 * ```ts
 * import { mdqIdpId } from 'passport-saml-multi-idp'
 * const loginUrl = `/saml/${mdqIdpId('https://idp.example.edu/idp/shibboleth')}/login`
 * ```
 */
export function mdqIdpId(entityId: string): string {
  return `mdq-${mdqEntityHash(entityId)}`
}

/** The hash in an id {@link mdqIdpId} made, or undefined for any other id. */
export function hashOfMdqId(id: string): string | undefined {
  return /^mdq-([0-9a-f]{40})$/.exec(id)?.[1]
}

/** `GET {base}/entities/{percent-encoded entityID}` (draft-young-md-query). */
export function mdqEntityUrl(baseUrl: string, entityId: string): string {
  return `${baseUrl}/entities/${encodeURIComponent(entityId)}`
}

/** `GET {base}/entities/{sha1}{hex}`, the braces percent-encoded. */
export function mdqHashUrl(baseUrl: string, hash: string): string {
  return `${baseUrl}/entities/%7Bsha1%7D${hash}`
}

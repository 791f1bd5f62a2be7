import { IDP_RECORD_FIELDS, type IdpRecord, type IdpRecordInput } from './record-fields.js'

/**
 * The record as store input with the fields its metadata owns (entityID, endpoints, certificates,
 * NameID format: `metadata.owned` in `IDP_RECORD_FIELDS`) left to `metadataXml`; everything else
 * (attribute and groups maps, email domains, flags) is the admin's and is kept. The entityID stays
 * pinned: metadata that names another entity is refused, not applied.
 */
export function recordInputWithMetadata(record: IdpRecord, metadataXml: string): IdpRecordInput {
  const input: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(record)) {
    if (!Object.hasOwn(IDP_RECORD_FIELDS, name)) continue // version, updatedAt
    if (IDP_RECORD_FIELDS[name as keyof typeof IDP_RECORD_FIELDS].metadata?.owned) continue
    input[name] = value
  }
  return { ...(input as IdpRecordInput), id: record.id, metadataXml, entityId: record.entityId }
}

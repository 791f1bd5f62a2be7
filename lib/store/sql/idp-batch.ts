import { SamlError } from '../../errors/saml-error.js'
import type { IdpRecordFields } from '../../record/record-fields.js'
import type { SqlQueryable } from '../../sql/sql-driver.js'
import { IDP_ROW_VERSION_COLUMNS, type IdpRowVersion } from './idp-rows.js'

/** Rows per statement of a batch write: bounded, so no statement carries tens of MB. */
const ROWS_PER_STATEMENT = 100

/**
 * Which inputs of a batch `put` would refuse, given what the schema holds: goes through the inputs
 * in order as `put` would, each releasing its id's previous entityID and domains and claiming its
 * new ones. Returns, per input, the conflict or undefined. `sharedEntityIds`: entityIDs need not be
 * unique (the schema has no unique index on them).
 */
export async function findBatchConflicts(
  tx: SqlQueryable,
  quotedSchema: string,
  batch: readonly IdpRecordFields[],
  sharedEntityIds: boolean,
): Promise<(SamlError | undefined)[]> {
  const ids = [...new Set(batch.map((f) => f.id))]
  const entityOwner = new Map<string, string>()
  const domainOwner = new Map<string, string>()
  const held = new Map<string, { entityId?: string; domains: string[] }>()
  const heldBy = (id: string) => held.get(id) ?? held.set(id, { domains: [] }).get(id)!
  const entities = await tx.query<{ id: string; entity_id: string }>(
    `SELECT id, entity_id FROM ${quotedSchema}.idps WHERE id = ANY($1::text[]) OR entity_id = ANY($2::text[])`,
    [ids, sharedEntityIds ? [] : [...new Set(batch.map((f) => f.entityId))]],
  )
  for (const row of entities) {
    if (!sharedEntityIds) entityOwner.set(row.entity_id, row.id)
    heldBy(row.id).entityId = row.entity_id
  }
  const domains = await tx.query<{ domain: string; idp_id: string }>(
    `SELECT domain, idp_id FROM ${quotedSchema}.idp_email_domains WHERE domain = ANY($1::text[]) OR idp_id = ANY($2::text[])`,
    [[...new Set(batch.flatMap((f) => f.emailDomains))], ids],
  )
  for (const row of domains) {
    domainOwner.set(row.domain, row.idp_id)
    heldBy(row.idp_id).domains.push(row.domain)
  }
  const conflict = (fields: IdpRecordFields, message: string) =>
    new SamlError(`IdP "${fields.id}": ${message}`, 'ERR_SAML_IDP_CONFLICT', { idp: fields.id })
  return batch.map((fields) => {
    const entityHolder = entityOwner.get(fields.entityId)
    if (!sharedEntityIds && entityHolder !== undefined && entityHolder !== fields.id)
      return conflict(fields, `entityID "${fields.entityId}" already belongs to IdP "${entityHolder}"`)
    for (const domain of [...fields.emailDomains].sort()) {
      const owner = domainOwner.get(domain)
      if (owner !== undefined && owner !== fields.id)
        return conflict(fields, `email domain "${domain}" already belongs to IdP "${owner}"`)
    }
    const previous = held.get(fields.id)
    if (previous?.entityId !== undefined && entityOwner.get(previous.entityId) === fields.id)
      entityOwner.delete(previous.entityId)
    for (const domain of previous?.domains ?? [])
      if (domainOwner.get(domain) === fields.id) domainOwner.delete(domain)
    if (!sharedEntityIds) entityOwner.set(fields.entityId, fields.id)
    for (const domain of fields.emailDomains) domainOwner.set(domain, fields.id)
    held.set(fields.id, { entityId: fields.entityId, domains: [...fields.emailDomains] })
    return undefined
  })
}

/**
 * Writes validated records (one for `put`, a batch for `putMany`), in order, up to 100 rows per
 * statement (an id written twice starts a new statement: one statement cannot update a row twice):
 * upserts the `idps` rows, bumping each version, then replaces their email domains, sorted (one
 * lock order for every writer, so writers never deadlock). Returns each written row's id and
 * version in input order, not its record: the caller has it, and sending 100 records back (~1.4 MB)
 * for each statement only cost time and, on PGlite, peak memory.
 * Runs inside the caller's transaction; a unique violation (a concurrent writer) aborts it.
 */
export async function writeBatchRows(
  tx: SqlQueryable,
  quotedSchema: string,
  batch: readonly { fields: IdpRecordFields; text: string }[],
): Promise<IdpRowVersion[]> {
  const rows: IdpRowVersion[] = []
  for (let start = 0; start < batch.length;) {
    const chunk: { fields: IdpRecordFields; text: string }[] = []
    const ids = new Set<string>()
    while (start < batch.length && chunk.length < ROWS_PER_STATEMENT && !ids.has(batch[start]!.fields.id)) {
      ids.add(batch[start]!.fields.id)
      chunk.push(batch[start++]!)
    }
    const written = await tx.query<IdpRowVersion>(
      `INSERT INTO ${quotedSchema}.idps AS i (id, entity_id, record, version, updated_at)
       SELECT t.id, t.entity_id, t.record::jsonb, 1, date_trunc('milliseconds', clock_timestamp())
       FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, entity_id, record)
       ON CONFLICT (id) DO UPDATE SET
         entity_id = EXCLUDED.entity_id,
         record = EXCLUDED.record,
         version = i.version + 1,
         updated_at = date_trunc('milliseconds', clock_timestamp())
       RETURNING ${IDP_ROW_VERSION_COLUMNS}`,
      [chunk.map((w) => w.fields.id), chunk.map((w) => w.fields.entityId), chunk.map((w) => w.text)],
    )
    const byId = new Map(written.map((row) => [row.id, row]))
    for (const w of chunk) rows.push(byId.get(w.fields.id)!)
    await tx.query(`DELETE FROM ${quotedSchema}.idp_email_domains WHERE idp_id = ANY($1::text[])`, [[...ids]])
    const domains = chunk.flatMap((w) =>
      [...w.fields.emailDomains].sort().map((d) => [d, w.fields.id] as const),
    )
    if (domains.length > 0) {
      await tx.query(
        `INSERT INTO ${quotedSchema}.idp_email_domains (domain, idp_id) SELECT * FROM unnest($1::text[], $2::text[])`,
        [domains.map(([d]) => d), domains.map(([, id]) => id)],
      )
    }
  }
  return rows
}

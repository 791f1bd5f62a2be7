import { SamlError } from '../../errors/saml-error.js'
import { normalizeIdpRecord } from '../../record/normalize-idp-record.js'
import type { IdpRecord, IdpRecordFields, IdpRecordInput } from '../../record/record-fields.js'

/** A row of the `idps` table as the store selects it ({@link IDP_ROW_COLUMNS}). */
export interface IdpRow {
  id: string
  /** The JSONB record, as text. */
  record: string
  version: number
  /** ISO-8601 in UTC with milliseconds, as records carry `updatedAt`. */
  updated_at: string
}

/** A row's id and version: what a write needs back when it already has the record. */
export type IdpRowVersion = Omit<IdpRow, 'record'>

/** The select list of an {@link IdpRowVersion}, from the `idps` table aliased `i`. */
export const IDP_ROW_VERSION_COLUMNS = `i.id, i.version,
  to_char(i.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at`

/** The select list of an {@link IdpRow}, from the `idps` table aliased `i`. */
export const IDP_ROW_COLUMNS = `${IDP_ROW_VERSION_COLUMNS}, i.record::text AS record`

/** Records whose validated form is kept, keyed by id; each read still asks the database. */
const VALIDATED_RECORDS_SIZE = 10_000

/** The record a row stands for, given its validated fields. */
export function recordOfRow(fields: IdpRecordFields, row: IdpRowVersion): IdpRecord {
  return Object.freeze({ ...fields, version: row.version, updatedAt: row.updated_at })
}

/**
 * Turns rows into records, validating them again with `normalizeIdpRecord` (a row edited by hand
 * is `ERR_SAML_IDP_CORRUPT`, not a crash), and remembers each validated record while its row is
 * unchanged, so a lookup does not parse certificates every time.
 */
export class ValidatedRecords {
  private readonly byId = new Map<
    string,
    {
      readonly text: string
      readonly version: number
      readonly updatedAt: string
      readonly record: IdpRecord
    }
  >()

  toRecord(row: IdpRow): IdpRecord {
    const hit = this.byId.get(row.id)
    if (hit && hit.text === row.record && hit.version === row.version && hit.updatedAt === row.updated_at) {
      return hit.record
    }
    let fields: IdpRecordFields
    try {
      const stored = JSON.parse(row.record) as IdpRecordInput
      fields = normalizeIdpRecord(stored)
      if (fields.id !== row.id) throw new Error(`the record says its id is "${fields.id}"`)
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err)
      throw new SamlError(
        `stored IdP record "${row.id}" is invalid (${why}); fix or re-put it`,
        'ERR_SAML_IDP_CORRUPT',
        { cause: err, idp: row.id },
      )
    }
    const record = recordOfRow(fields, row)
    this.remember(row, record)
    return record
  }

  /** Remembers `record` as the validated form of `row`. */
  private remember(row: IdpRow, record: IdpRecord): void {
    // Re-inserted, so the oldest entry is the first to go when full.
    this.byId.delete(row.id)
    if (this.byId.size >= VALIDATED_RECORDS_SIZE) {
      this.byId.delete(this.byId.keys().next().value!)
    }
    this.byId.set(row.id, { text: row.record, version: row.version, updatedAt: row.updated_at, record })
  }

  forget(id: string): void {
    this.byId.delete(id)
  }

  clear(): void {
    this.byId.clear()
  }
}

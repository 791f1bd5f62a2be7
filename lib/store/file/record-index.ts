import type { SamlError } from '../../errors/saml-error.js'
import type { IdpRecord, IdpRecordFields } from '../../record/record-fields.js'
import { compareCodeUnits } from '../compare-code-units.js'
import { checkUniqueClaims } from '../unique-claims.js'
import { idpFileError } from './idp-file-error.js'

/** A record the file store serves, with the file it came from. */
export interface IndexedRecord {
  /** The normalized fields as JSON: what decides whether a reload changed the record. */
  readonly content: string
  readonly record: IdpRecord
  /** The file the record came from. */
  readonly file: string
}

/**
 * The file store's records in memory, by id, entityID and email domain. An entityID belongs to one
 * record, and so does an email domain.
 */
export class RecordIndex {
  private readonly byId = new Map<string, IndexedRecord>()
  private readonly idByEntityId = new Map<string, string>()
  private readonly idByDomain = new Map<string, string>()

  get(id: string): IndexedRecord | undefined {
    return this.byId.get(id)
  }

  findByEntityId(entityId: string): IdpRecord | undefined {
    const id = this.idByEntityId.get(entityId)
    return id === undefined ? undefined : this.byId.get(id)?.record
  }

  /** `domain` must already be normalized (`normalizeEmailDomain`). */
  findByEmailDomain(domain: string): IdpRecord | undefined {
    const id = this.idByDomain.get(domain)
    return id === undefined ? undefined : this.byId.get(id)?.record
  }

  /** Records with ids after `after`, at most `limit` of them, in code-unit order of id. */
  list(after: string | undefined, limit: number | undefined): IdpRecord[] {
    const ids = [...this.byId.keys()].filter((id) => after === undefined || id > after).sort(compareCodeUnits)
    return (limit === undefined ? ids : ids.slice(0, limit)).map((id) => this.byId.get(id)!.record)
  }

  /** Throws `ERR_SAML_IDP_CONFLICT` when another record holds `fields`' entityID or an email domain. */
  checkUniqueClaims(fields: IdpRecordFields): void {
    checkUniqueClaims(fields, this.idByEntityId, this.idByDomain)
  }

  /** Adds a record, or replaces the one with its id and frees what that one claimed. */
  set(entry: IndexedRecord): void {
    const previous = this.byId.get(entry.record.id)
    if (previous) this.release(previous.record)
    this.claim(entry)
  }

  delete(id: string): void {
    const previous = this.byId.get(id)
    if (!previous) return
    this.release(previous.record)
    this.byId.delete(id)
  }

  /**
   * Adds a record while a fresh index is built from the files, unless another record already holds
   * its entityID or an email domain: then nothing is added, and the conflict, naming the file, is
   * returned.
   */
  add(entry: IndexedRecord): SamlError | undefined {
    // One record per id: a second would leave the first's entityID and domains pointing at it.
    const existing = this.byId.get(entry.record.id)
    if (existing) {
      const message = `"${existing.file}" already defines IdP "${entry.record.id}"`
      return idpFileError(entry.file, entry.record.id, message, undefined, 'ERR_SAML_IDP_CONFLICT')
    }
    try {
      this.checkUniqueClaims(entry.record)
    } catch (err) {
      return idpFileError(entry.file, entry.record.id, (err as Error).message, err, 'ERR_SAML_IDP_CONFLICT')
    }
    this.claim(entry)
    return undefined
  }

  private claim(entry: IndexedRecord): void {
    this.byId.set(entry.record.id, entry)
    this.idByEntityId.set(entry.record.entityId, entry.record.id)
    for (const domain of entry.record.emailDomains) this.idByDomain.set(domain, entry.record.id)
  }

  private release(record: IdpRecord): void {
    if (this.idByEntityId.get(record.entityId) === record.id) this.idByEntityId.delete(record.entityId)
    for (const domain of record.emailDomains) {
      if (this.idByDomain.get(domain) === record.id) this.idByDomain.delete(domain)
    }
  }
}

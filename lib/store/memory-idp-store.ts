import { SamlError } from '../errors/saml-error.js'
import { normalizeEmailDomain } from '../record/email-domain.js'
import { normalizeIdpRecord } from '../record/normalize-idp-record.js'
import type { IdpRecord, IdpRecordFields, IdpRecordInput } from '../record/record-fields.js'
import { compareCodeUnits } from './compare-code-units.js'
import { checkListOptions, type IdpStore, type ListIdpsOptions, type PutManyOutcome } from './idp-store.js'
import {
  checkClaimArguments,
  checkMetadataStatus,
  checkSourceId,
  claimable,
  type IdpMetadataStatus,
} from './metadata-status.js'
import { checkUniqueClaims } from './unique-claims.js'

/**
 * The reference {@link IdpStore}: records in process memory, indexed by id, entityID and email
 * domain. Every write is validated with `normalizeIdpRecord` and happens in one synchronous step,
 * so concurrent `put`s never interleave. Good for tests, demos and apps whose IdPs are configured
 * in code; records are lost when the process exits.
 *
 * @example
 * ```ts
 * import { MemoryIdpStore } from 'passport-saml-multi-idp'
 * const store = new MemoryIdpStore()
 * await store.put({ id: 'acme', metadataXml: acmeMetadata, emailDomains: ['acme.com'] })
 * const idp = await store.findByEmailDomain('ACME.com') // the acme record
 * ```
 */
export class MemoryIdpStore implements IdpStore {
  private readonly byId = new Map<string, IdpRecord>()
  private readonly idByEntityId = new Map<string, string>()
  private readonly idByDomain = new Map<string, string>()
  /** Metadata status and refresh claim per IdP id. */
  private readonly refresh = new Map<
    string,
    { status?: IdpMetadataStatus; lease?: { holder: string; until: number } }
  >()
  /** Refresh status and import claim per federation source id. */
  private readonly federations = new Map<
    string,
    { status?: IdpMetadataStatus; lease?: { holder: string; until: number } }
  >()

  async get(id: string): Promise<IdpRecord | undefined> {
    return typeof id === 'string' ? this.byId.get(id) : undefined
  }

  async findByEntityId(entityId: string): Promise<IdpRecord | undefined> {
    const id = typeof entityId === 'string' ? this.idByEntityId.get(entityId) : undefined
    return id === undefined ? undefined : this.byId.get(id)
  }

  async findByEmailDomain(domain: string): Promise<IdpRecord | undefined> {
    const normalized = normalizeEmailDomain(domain)
    const id = normalized === undefined ? undefined : this.idByDomain.get(normalized)
    return id === undefined ? undefined : this.byId.get(id)
  }

  async list(options: ListIdpsOptions = {}): Promise<IdpRecord[]> {
    const { limit, after } = checkListOptions(options)
    // Plain code-unit order, the same as SQL's COLLATE "C" on ASCII ids.
    const ids = [...this.byId.keys()].filter((id) => after === undefined || id > after).sort(compareCodeUnits)
    return (limit === undefined ? ids : ids.slice(0, limit)).map((id) => this.byId.get(id)!)
  }

  async put(input: IdpRecordInput): Promise<IdpRecord> {
    return this.store(normalizeIdpRecord(input))
  }

  /** Every input validated first, then all written in one synchronous step (nothing interleaves). */
  async putMany(inputs: readonly IdpRecordInput[]): Promise<PutManyOutcome[]> {
    const validated = inputs.map((input): IdpRecordFields | SamlError => {
      try {
        return normalizeIdpRecord(input)
      } catch (err) {
        if (err instanceof SamlError) return err
        throw err
      }
    })
    return validated.map((fields) => {
      if (fields instanceof SamlError) return { error: fields }
      try {
        return { record: this.store(fields) }
      } catch (err) {
        if (err instanceof SamlError) return { error: err }
        throw err
      }
    })
  }

  private store(fields: IdpRecordFields): IdpRecord {
    checkUniqueClaims(fields, this.idByEntityId, this.idByDomain)
    const previous = this.byId.get(fields.id)
    const record: IdpRecord = Object.freeze({
      ...fields,
      version: (previous?.version ?? 0) + 1,
      updatedAt: new Date().toISOString(),
    })
    if (previous) this.unindex(previous)
    this.byId.set(record.id, record)
    this.idByEntityId.set(record.entityId, record.id)
    for (const domain of record.emailDomains) this.idByDomain.set(domain, record.id)
    return record
  }

  async delete(id: string): Promise<boolean> {
    const previous = typeof id === 'string' ? this.byId.get(id) : undefined
    if (!previous) return false
    this.unindex(previous)
    this.byId.delete(id)
    this.refresh.delete(id)
    return true
  }

  async getMetadataStatus(id: string): Promise<IdpMetadataStatus | undefined> {
    return typeof id === 'string' ? this.refresh.get(id)?.status : undefined
  }

  async claimMetadataRefresh(id: string, holder: string, now: number, leaseMs: number): Promise<boolean> {
    checkClaimArguments(holder, now, leaseMs)
    if (typeof id !== 'string' || !this.byId.has(id)) return false
    const state = this.refresh.get(id) ?? {}
    if (!claimable(state, holder, now)) return false
    this.refresh.set(id, { ...state, lease: { holder, until: now + leaseMs } })
    return true
  }

  async saveMetadataStatus(id: string, status: IdpMetadataStatus, holder?: string): Promise<boolean> {
    const checked = checkMetadataStatus(status)
    if (typeof id !== 'string' || !this.byId.has(id)) return false
    const lease = this.refresh.get(id)?.lease
    this.refresh.set(id, {
      status: checked,
      ...(lease && lease.holder !== holder && { lease }),
    })
    return true
  }

  async getFederationStatus(source: string): Promise<IdpMetadataStatus | undefined> {
    return typeof source === 'string' ? this.federations.get(source)?.status : undefined
  }

  async claimFederationRefresh(
    source: string,
    holder: string,
    now: number,
    leaseMs: number,
  ): Promise<boolean> {
    checkClaimArguments(holder, now, leaseMs)
    checkSourceId(source)
    const state = this.federations.get(source) ?? {}
    if (!claimable(state, holder, now)) return false
    this.federations.set(source, { ...state, lease: { holder, until: now + leaseMs } })
    return true
  }

  async saveFederationStatus(source: string, status: IdpMetadataStatus, holder?: string): Promise<void> {
    const checked = checkMetadataStatus(status)
    checkSourceId(source)
    const lease = this.federations.get(source)?.lease
    this.federations.set(source, { status: checked, ...(lease && lease.holder !== holder && { lease }) })
  }

  async close(): Promise<void> {}

  private unindex(record: IdpRecord): void {
    if (this.idByEntityId.get(record.entityId) === record.id) this.idByEntityId.delete(record.entityId)
    for (const domain of record.emailDomains) {
      if (this.idByDomain.get(domain) === record.id) this.idByDomain.delete(domain)
    }
  }
}

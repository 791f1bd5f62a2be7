import { SamlError } from '../../errors/saml-error.js'
import { normalizeEmailDomain } from '../../record/email-domain.js'
import { normalizeIdpRecord } from '../../record/normalize-idp-record.js'
import type { IdpRecord, IdpRecordFields, IdpRecordInput } from '../../record/record-fields.js'
import {
  checkConnectionOptions,
  isUniqueViolation,
  openSqlDriver,
  type SqlConnectionOptions,
  type SqlDriver,
} from '../../sql/sql-driver.js'
import { checkListOptions, type IdpStore, type ListIdpsOptions, type PutManyOutcome } from '../idp-store.js'
import {
  checkClaimArguments,
  checkMetadataStatus,
  checkSourceId,
  readMetadataStatus,
  type IdpMetadataStatus,
} from '../metadata-status.js'
import { findBatchConflicts, writeBatchRows } from './idp-batch.js'
import { conflictError } from './idp-conflict.js'
import { idpChangeChannel, IdpLookupCache } from './idp-lookup-cache.js'
import {
  IDP_ROW_COLUMNS,
  recordOfRow,
  ValidatedRecords,
  type IdpRow,
  type IdpRowVersion,
} from './idp-rows.js'
import { migrateIdpStore } from './idp-store-schema.js'

/** Options for {@link SqlIdpStore.open}: where the data lives, plus store settings. */
export interface SqlIdpStoreOptions extends SqlConnectionOptions {
  /**
   * Let several records share one entityID (e.g. one IdP registered for several tenants with
   * different SP settings). `findByEntityId` then returns a record only when exactly one has the
   * entityID, so IdP-initiated login by issuer never guesses a tenant. Default false: a second
   * record with a taken entityID is rejected. The setting lives in the schema (a unique index), so
   * give every instance sharing a schema the same value.
   */
  allowSharedEntityIds?: boolean
  /**
   * How long a looked-up record may be served from memory, in ms (default 60000; 0 turns the lookup
   * cache off, so every lookup queries). Every write notifies every store on the schema (PostgreSQL
   * LISTEN/NOTIFY), which drops its cache at once; while a store's notification connection is down
   * it does not use its cache at all. The TTL only bounds staleness should a connection die
   * silently.
   */
  cacheTtlMs?: number
}

/** Longest id and entityID `normalizeIdpRecord` accepts. */
const MAX_ID_LENGTH = 64
const MAX_ENTITY_ID_LENGTH = 1024

/**
 * An {@link IdpStore} in PostgreSQL: embedded PGlite (a data directory, or in memory) for a single
 * process, or a real PostgreSQL server through `pg` for several. One code path for both.
 *
 * Records are kept as JSONB next to indexed columns: `id` (primary key, `COLLATE "C"`, so `list`
 * orders like JavaScript strings), `entity_id` (unique unless `allowSharedEntityIds`), `version` and
 * `updated_at`; email domains live in their own table with a unique, lower-cased `domain` and a
 * foreign key that cascades on delete. The store creates and migrates its tables itself, under an
 * advisory lock, so several instances may start at once on an empty database.
 *
 * `put` validates with `normalizeIdpRecord` and bumps `version` in one statement (`INSERT … ON
 * CONFLICT DO UPDATE SET version = version + 1`), so concurrent writers never lose a version; a taken
 * entityID or email domain is `ERR_SAML_IDP_CONFLICT`. A record read back is validated again (the
 * result is remembered while the stored row is unchanged), and a bad one is `ERR_SAML_IDP_CORRUPT`.
 * Any database or connection failure is `ERR_SAML_STORE_UNAVAILABLE`; with `pg`, the pool reconnects
 * on its own once the server is back.
 *
 * @example
 * ```ts
 * import { SqlIdpStore } from 'passport-saml-multi-idp/sql'
 * const local = await SqlIdpStore.open({ dataDir: '.data/idps' }) // embedded PGlite
 * const shared = await SqlIdpStore.open({ connectionString: process.env.DATABASE_URL })
 * await shared.put({ id: 'acme', metadataXml, emailDomains: ['acme.com'] })
 * const idp = await shared.findByEmailDomain('acme.com')
 * await shared.close()
 * ```
 */
export class SqlIdpStore implements IdpStore {
  private readonly validatedRecords = new ValidatedRecords()
  private readonly lookupCache: IdpLookupCache
  private closed = false

  private constructor(
    private readonly driver: SqlDriver,
    /** The schema name, quoted for SQL: `"saml_multi_idp"`. */
    private readonly quotedSchema: string,
    /** The LISTEN/NOTIFY channel of this schema's changes. */
    private readonly channel: string,
    cacheTtlMs: number,
    /** Whether this store opened the schema without the unique entityID index. */
    private readonly sharedEntityIds: boolean,
  ) {
    this.lookupCache = new IdpLookupCache(cacheTtlMs)
  }

  /**
   * Opens (and creates or migrates) the store. With no `dataDir`, `pglite`, `connectionString` or
   * `pool` it is an in-memory PGlite database, gone when closed.
   *
   * @example
   * ```ts
   * const store = await SqlIdpStore.open({ pool, schema: 'sso' }) // your pg.Pool, not closed by close()
   * ```
   */
  static async open(options: SqlIdpStoreOptions = {}): Promise<SqlIdpStore> {
    const schema = checkConnectionOptions(options, 'SqlIdpStore.open')
    const { allowSharedEntityIds = false, cacheTtlMs = 60_000 } = options
    if (typeof allowSharedEntityIds !== 'boolean') {
      throw new TypeError('SqlIdpStore.open: "options.allowSharedEntityIds" must be true or false')
    }
    if (!Number.isInteger(cacheTtlMs) || cacheTtlMs < 0) {
      throw new TypeError(
        'SqlIdpStore.open: "options.cacheTtlMs" must be a non-negative integer of milliseconds',
      )
    }
    let driver: SqlDriver
    try {
      driver = await openSqlDriver(options)
    } catch (err) {
      if (err instanceof SamlError && err.code === 'ERR_SAML_PEER_MISSING') throw err
      throw unavailable('cannot open the IdP store', err)
    }
    try {
      await migrateIdpStore(driver, schema, allowSharedEntityIds)
    } catch (err) {
      await driver.close().catch(() => {})
      if (err instanceof SamlError) throw err
      throw unavailable(`cannot create or migrate the IdP store schema "${schema}"`, err)
    }
    const store = new SqlIdpStore(
      driver,
      `"${schema}"`,
      idpChangeChannel(schema),
      cacheTtlMs,
      allowSharedEntityIds,
    )
    // With no TTL the cache is never used, so there is nothing to keep honest.
    if (cacheTtlMs > 0) {
      try {
        await store.lookupCache.listen(driver, store.channel)
      } catch (err) {
        await driver.close().catch(() => {})
        throw unavailable('cannot listen for IdP changes', err)
      }
    }
    return store
  }

  /** `'pglite'` or `'pg'`: which driver the store runs on. */
  get driverKind(): 'pglite' | 'pg' {
    return this.driver.kind
  }

  async get(id: string): Promise<IdpRecord | undefined> {
    if (!storable(id, MAX_ID_LENGTH)) return undefined
    return this.lookupCache.lookup(`id:${id}`, async () => {
      const rows = await this.query<IdpRow>(
        `SELECT ${IDP_ROW_COLUMNS} FROM ${this.quotedSchema}.idps i WHERE i.id = $1`,
        [id],
      )
      return rows[0] && this.validatedRecords.toRecord(rows[0])
    })
  }

  async findByEntityId(entityId: string): Promise<IdpRecord | undefined> {
    if (!storable(entityId, MAX_ENTITY_ID_LENGTH)) return undefined
    return this.lookupCache.lookup(`entity:${entityId}`, async () => {
      const rows = await this.query<IdpRow>(
        `SELECT ${IDP_ROW_COLUMNS} FROM ${this.quotedSchema}.idps i WHERE i.entity_id = $1 LIMIT 2`,
        [entityId],
      )
      // With shared entityIDs an ambiguous issuer resolves to nothing rather than to a guess.
      return rows.length === 1 ? this.validatedRecords.toRecord(rows[0]!) : undefined
    })
  }

  async findByEmailDomain(domain: string): Promise<IdpRecord | undefined> {
    const normalized = normalizeEmailDomain(domain)
    if (normalized === undefined) return undefined
    return this.lookupCache.lookup(`domain:${normalized}`, async () => {
      const rows = await this.query<IdpRow>(
        `SELECT ${IDP_ROW_COLUMNS} FROM ${this.quotedSchema}.idp_email_domains d JOIN ${this.quotedSchema}.idps i ON i.id = d.idp_id
         WHERE d.domain = $1`,
        [normalized],
      )
      return rows[0] && this.validatedRecords.toRecord(rows[0])
    })
  }

  async list(options: ListIdpsOptions = {}): Promise<IdpRecord[]> {
    const { limit, after } = checkListOptions(options)
    const params: unknown[] = []
    let sql = `SELECT ${IDP_ROW_COLUMNS} FROM ${this.quotedSchema}.idps i`
    if (after !== undefined) sql += ` WHERE i.id > $${params.push(after)}`
    sql += ' ORDER BY i.id'
    if (limit !== undefined) sql += ` LIMIT $${params.push(limit)}`
    const rows = await this.query<IdpRow>(sql, params)
    return rows.map((row) => this.validatedRecords.toRecord(row))
  }

  async put(input: IdpRecordInput): Promise<IdpRecord> {
    const fields = normalizeIdpRecord(input)
    let row: IdpRowVersion
    try {
      row = await this.driver.transaction(async (tx) => {
        // Puts of one id wait for each other. Without this, two puts creating the same new id at once
        // could both miss the row, and the second would then trip the entityID index (not the id
        // constraint ON CONFLICT arbitrates) and be reported as a conflict with another record.
        await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          `${this.quotedSchema}.idps:${fields.id}`,
        ])
        const [written] = await writeBatchRows(tx, this.quotedSchema, [
          { fields, text: JSON.stringify(fields) },
        ])
        // Delivered on commit to every store listening on this schema, this one included.
        await tx.query('SELECT pg_notify($1, $2)', [this.channel, fields.id])
        return written!
      })
    } catch (err) {
      if (isUniqueViolation(err)) throw await conflictError(this.driver, this.quotedSchema, fields, err)
      throw unavailable(`cannot store IdP "${fields.id}"`, err, fields.id)
    }
    this.lookupCache.invalidate()
    // Validated again on its first read, as a batch-written record is: the row's text is not sent back.
    this.validatedRecords.forget(fields.id)
    return recordOfRow(fields, row)
  }

  /**
   * Validates every input once, then writes the accepted ones in one transaction: the conflicts
   * `put` would report are found first with two queries (under the per-id locks `put` takes), the
   * rows are upserted a few hundred per statement, and one notification drops every store's cache.
   * Should a concurrent writer take an entityID or domain meanwhile (a unique violation), nothing
   * of the batch is kept and its inputs are put one by one instead, each with `put`'s outcome.
   */
  async putMany(inputs: readonly IdpRecordInput[]): Promise<PutManyOutcome[]> {
    const outcomes: PutManyOutcome[] = new Array(inputs.length)
    const valid: { index: number; fields: IdpRecordFields; text: string }[] = []
    inputs.forEach((input, index) => {
      try {
        const fields = normalizeIdpRecord(input)
        valid.push({ index, fields, text: JSON.stringify(fields) })
      } catch (err) {
        if (!(err instanceof SamlError)) throw err
        outcomes[index] = { error: err }
      }
    })
    if (valid.length === 0) return outcomes
    if (this.closed) throw unavailable('the IdP store is closed', undefined)
    let written: { index: number; fields: IdpRecordFields; row: IdpRowVersion }[]
    try {
      written = await this.driver.transaction(async (tx) => {
        await tx.query(
          `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
           FROM (SELECT DISTINCT k FROM unnest($1::text[]) AS k ORDER BY k) AS keys`,
          [valid.map((v) => `${this.quotedSchema}.idps:${v.fields.id}`)],
        )
        const conflicts = await findBatchConflicts(
          tx,
          this.quotedSchema,
          valid.map((v) => v.fields),
          this.sharedEntityIds,
        )
        const accepted = valid.filter((v, i) => {
          const conflict = conflicts[i]
          if (conflict) outcomes[v.index] = { error: conflict }
          return !conflict
        })
        if (accepted.length === 0) return []
        const rows = await writeBatchRows(tx, this.quotedSchema, accepted)
        await tx.query('SELECT pg_notify($1, $2)', [this.channel, accepted[0]!.fields.id])
        return accepted.map((v, i) => ({ index: v.index, fields: v.fields, row: rows[i]! }))
      })
    } catch (err) {
      if (!isUniqueViolation(err)) throw unavailable('cannot store a batch of IdPs', err)
      // Raced by another writer: put one by one, which names each conflict exactly.
      for (const v of valid) {
        try {
          outcomes[v.index] = { record: await this.put(v.fields) }
        } catch (putErr) {
          if (!(putErr instanceof SamlError) || putErr.code === 'ERR_SAML_STORE_UNAVAILABLE') throw putErr
          outcomes[v.index] = { error: putErr }
        }
      }
      return outcomes
    }
    this.lookupCache.invalidate()
    for (const { index, fields, row } of written) {
      // Not remembered as validated (that needs the row's text, not sent back): a batch is mostly
      // records nobody reads soon, and each is validated on its first read.
      this.validatedRecords.forget(row.id)
      outcomes[index] = { record: recordOfRow(fields, row) }
    }
    return outcomes
  }

  async delete(id: string): Promise<boolean> {
    if (!storable(id, MAX_ID_LENGTH)) return false
    const rows = await this.query(
      `WITH deleted AS (DELETE FROM ${this.quotedSchema}.idps WHERE id = $1 RETURNING id)
       SELECT id, pg_notify($2, id) FROM deleted`,
      [id, this.channel],
    )
    this.lookupCache.invalidate()
    this.validatedRecords.forget(id)
    return rows.length > 0
  }

  async getMetadataStatus(id: string): Promise<IdpMetadataStatus | undefined> {
    if (!storable(id, MAX_ID_LENGTH)) return undefined
    const rows = await this.query<{ status: string | null }>(
      `SELECT status::text AS status FROM ${this.quotedSchema}.idp_metadata_status WHERE idp_id = $1`,
      [id],
    )
    const text = rows[0]?.status
    if (text === undefined || text === null) return undefined
    // A status is what the refresher worked out; one that does not read back is simply none.
    const status = readMetadataStatus(JSON.parse(text))
    return typeof status === 'string' ? undefined : status
  }

  /**
   * One statement: inserts the IdP's status row or updates it, only where the refresh is due and
   * no other holder's lease runs past `now`. Concurrent claims serialize on the row, and each
   * re-checks the condition against the row the previous one left, so at most one wins.
   */
  async claimMetadataRefresh(id: string, holder: string, now: number, leaseMs: number): Promise<boolean> {
    checkClaimArguments(holder, now, leaseMs)
    if (!storable(id, MAX_ID_LENGTH)) return false
    const at = new Date(now).toISOString()
    const until = new Date(now + leaseMs).toISOString()
    try {
      const rows = await this.query(
        `INSERT INTO ${this.quotedSchema}.idp_metadata_status AS m (idp_id, lease_holder, lease_until)
         SELECT i.id, $2, $4::timestamptz FROM ${this.quotedSchema}.idps i WHERE i.id = $1
         ON CONFLICT (idp_id) DO UPDATE SET lease_holder = EXCLUDED.lease_holder, lease_until = EXCLUDED.lease_until
         WHERE (m.next_refresh_at IS NULL OR m.next_refresh_at <= $3::timestamptz)
           AND (m.lease_until IS NULL OR m.lease_until <= $3::timestamptz OR m.lease_holder = $2)
         RETURNING 1`,
        [id, holder, at, until],
      )
      return rows.length > 0
    } catch (err) {
      // The IdP was deleted between the SELECT and the insert: nothing to claim.
      if (isForeignKeyViolation(err)) return false
      throw err
    }
  }

  async saveMetadataStatus(id: string, status: IdpMetadataStatus, holder?: string): Promise<boolean> {
    const checked = checkMetadataStatus(status)
    if (holder !== undefined && typeof holder !== 'string') throw new TypeError('"holder" must be a string')
    if (!storable(id, MAX_ID_LENGTH)) return false
    try {
      const rows = await this.query(
        `INSERT INTO ${this.quotedSchema}.idp_metadata_status AS m (idp_id, status, next_refresh_at)
         SELECT i.id, $2::jsonb, $3::timestamptz FROM ${this.quotedSchema}.idps i WHERE i.id = $1
         ON CONFLICT (idp_id) DO UPDATE SET
           status = EXCLUDED.status,
           next_refresh_at = EXCLUDED.next_refresh_at,
           lease_holder = CASE WHEN m.lease_holder = $4 THEN NULL ELSE m.lease_holder END,
           lease_until = CASE WHEN m.lease_holder = $4 THEN NULL ELSE m.lease_until END
         RETURNING 1`,
        [id, JSON.stringify(checked), checked.nextRefreshAt, holder ?? null],
      )
      return rows.length > 0
    } catch (err) {
      if (isForeignKeyViolation(err)) return false
      throw err
    }
  }

  async getFederationStatus(source: string): Promise<IdpMetadataStatus | undefined> {
    if (!storable(source, 256)) return undefined
    const rows = await this.query<{ status: string | null }>(
      `SELECT status::text AS status FROM ${this.quotedSchema}.federation_status WHERE source_id = $1`,
      [source],
    )
    const text = rows[0]?.status
    if (text === undefined || text === null) return undefined
    const status = readMetadataStatus(JSON.parse(text))
    return typeof status === 'string' ? undefined : status
  }

  /** One conditional upsert, as {@link SqlIdpStore.claimMetadataRefresh}: of concurrent claims at most one wins. */
  async claimFederationRefresh(
    source: string,
    holder: string,
    now: number,
    leaseMs: number,
  ): Promise<boolean> {
    checkClaimArguments(holder, now, leaseMs)
    checkSourceId(source)
    const rows = await this.query(
      `INSERT INTO ${this.quotedSchema}.federation_status AS m (source_id, lease_holder, lease_until)
       VALUES ($1, $2, $4::timestamptz)
       ON CONFLICT (source_id) DO UPDATE SET lease_holder = EXCLUDED.lease_holder, lease_until = EXCLUDED.lease_until
       WHERE (m.next_refresh_at IS NULL OR m.next_refresh_at <= $3::timestamptz)
         AND (m.lease_until IS NULL OR m.lease_until <= $3::timestamptz OR m.lease_holder = $2)
       RETURNING 1`,
      [source, holder, new Date(now).toISOString(), new Date(now + leaseMs).toISOString()],
    )
    return rows.length > 0
  }

  async saveFederationStatus(source: string, status: IdpMetadataStatus, holder?: string): Promise<void> {
    const checked = checkMetadataStatus(status)
    checkSourceId(source)
    if (holder !== undefined && typeof holder !== 'string') throw new TypeError('"holder" must be a string')
    await this.query(
      `INSERT INTO ${this.quotedSchema}.federation_status AS m (source_id, status, next_refresh_at)
       VALUES ($1, $2::jsonb, $3::timestamptz)
       ON CONFLICT (source_id) DO UPDATE SET
         status = EXCLUDED.status,
         next_refresh_at = EXCLUDED.next_refresh_at,
         lease_holder = CASE WHEN m.lease_holder = $4 THEN NULL ELSE m.lease_holder END,
         lease_until = CASE WHEN m.lease_holder = $4 THEN NULL ELSE m.lease_until END`,
      [source, JSON.stringify(checked), checked.nextRefreshAt, holder ?? null],
    )
  }

  /** Closes the connection pool or PGlite database the store opened (not one you passed in). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.validatedRecords.clear()
    await this.lookupCache.close()
    await this.driver.close()
  }

  private async query<R>(text: string, params: readonly unknown[]): Promise<R[]> {
    if (this.closed) throw unavailable('the IdP store is closed', undefined)
    try {
      return await this.driver.query<R>(text, params)
    } catch (err) {
      throw unavailable('IdP store query failed', err)
    }
  }
}

/** A foreign-key violation (SQLSTATE 23503), as the driver raised it or as the cause of ours. */
function isForeignKeyViolation(err: unknown): boolean {
  const raw = err instanceof SamlError ? err.cause : err
  return raw instanceof Error && (raw as { code?: unknown }).code === '23503'
}

/**
 * Whether a lookup key could be stored at all. Anything else is simply not found, without asking
 * the database, which would reject a NUL character as an error (and turn a 404 into a 503).
 */
function storable(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value !== '' && value.length <= maxLength && !value.includes('\0')
}

function unavailable(message: string, cause: unknown, idp?: string): SamlError {
  const why =
    cause instanceof Error ? `: ${cause.message || (cause as { code?: string }).code || cause.name}` : ''
  return new SamlError(`${message}${why}`, 'ERR_SAML_STORE_UNAVAILABLE', {
    cause,
    ...(idp !== undefined && { idp }),
  })
}

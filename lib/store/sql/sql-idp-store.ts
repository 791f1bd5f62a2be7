import { createHash } from 'node:crypto'
import { SamlError } from '../../errors/saml-error.js'
import type { IdpRecord, IdpRecordFields, IdpRecordInput } from '../../record/record-fields.js'
import { checkListOptions, type IdpStore, type ListIdpsOptions } from '../idp-store.js'
import { normalizeEmailDomain } from '../../record/email-domain.js'
import { normalizeIdpRecord } from '../../record/normalize-idp-record.js'
import { migrate, type Migration } from '../../sql/migrate.js'
import {
  checkConnectionOptions,
  isUniqueViolation,
  openSqlDriver,
  type SqlConnectionOptions,
  type SqlDriver,
} from '../../sql/sql-driver.js'

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

interface Row {
  id: string
  record: string
  version: number
  updated_at: string
}

interface Parsed {
  readonly text: string
  readonly version: number
  readonly updatedAt: string
  readonly record: IdpRecord
}

/** Records whose validated form is kept, keyed by id; each read still asks the database. */
const PARSED_CACHE_SIZE = 10_000
/** Cached lookups (by id, entityID and domain), each a reference to a record. */
const LOOKUP_CACHE_SIZE = 30_000

const UNIQUE_ENTITY_INDEX = 'idps_entity_id_unique'
/** Longest id and entityID `normalizeIdpRecord` accepts. */
const MAX_ID = 64
const MAX_ENTITY_ID = 1024

function migrations(s: string): Migration[] {
  return [
    {
      version: 1,
      statements: [
        `CREATE TABLE ${s}.idps (
          id text COLLATE "C" PRIMARY KEY,
          entity_id text NOT NULL,
          record jsonb NOT NULL,
          version integer NOT NULL CHECK (version > 0),
          updated_at timestamptz NOT NULL
        )`,
        `CREATE INDEX idps_entity_id_idx ON ${s}.idps (entity_id)`,
        `CREATE TABLE ${s}.idp_email_domains (
          domain text COLLATE "C" PRIMARY KEY CHECK (domain = lower(domain)),
          idp_id text COLLATE "C" NOT NULL REFERENCES ${s}.idps (id) ON DELETE CASCADE
        )`,
        `CREATE INDEX idp_email_domains_idp_id_idx ON ${s}.idp_email_domains (idp_id)`,
      ],
    },
  ]
}

const COLUMNS = `i.id, i.record::text AS record, i.version,
  to_char(i.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at`

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
  private readonly parsed = new Map<string, Parsed>()
  private closed = false
  /** Lookup results by `id:…`, `entity:…` and `domain:…`, trusted only while `cacheLive`. */
  private readonly lookups = new Map<string, { readonly record: IdpRecord; readonly at: number }>()
  /** Bumped on every invalidation: a lookup that started before one must not fill the cache. */
  private generation = 0
  private cacheLive = false
  private unlisten: (() => Promise<void>) | undefined

  private constructor(
    private readonly driver: SqlDriver,
    /** The schema, quoted for SQL. */
    private readonly s: string,
    /** The LISTEN/NOTIFY channel of this schema's changes. */
    private readonly channel: string,
    private readonly cacheTtlMs: number,
  ) {}

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
    const s = `"${schema}"`
    try {
      await migrate(driver, schema, 'idp-store', migrations(s), async (tx) => {
        const found = await tx.query('SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [
          schema,
          UNIQUE_ENTITY_INDEX,
        ])
        if (allowSharedEntityIds && found.length > 0) {
          await tx.query(`DROP INDEX ${s}.${UNIQUE_ENTITY_INDEX}`)
        } else if (!allowSharedEntityIds && found.length === 0) {
          try {
            await tx.query(`CREATE UNIQUE INDEX ${UNIQUE_ENTITY_INDEX} ON ${s}.idps (entity_id)`)
          } catch (err) {
            if (!isUniqueViolation(err)) throw err
            throw new SamlError(
              `IdP store schema "${schema}" has several records with one entityID (${err.detail ?? 'see the idps table'}); open it with allowSharedEntityIds: true or give each record its own entityID`,
              'ERR_SAML_IDP_CONFLICT',
              { cause: err },
            )
          }
        }
      })
    } catch (err) {
      await driver.close().catch(() => {})
      if (err instanceof SamlError) throw err
      throw unavailable(`cannot create or migrate the IdP store schema "${schema}"`, err)
    }
    const channel = `saml_idp_changes_${createHash('sha256').update(schema).digest('hex').slice(0, 24)}`
    const store = new SqlIdpStore(driver, s, channel, cacheTtlMs)
    if (cacheTtlMs > 0) {
      try {
        store.unlisten = await driver.listen(channel, {
          onNotify: () => store.invalidate(),
          onState: (listening) => {
            store.invalidate()
            store.cacheLive = listening
          },
        })
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
    if (!storable(id, MAX_ID)) return undefined
    return this.lookup(`id:${id}`, async () => {
      const rows = await this.query<Row>(`SELECT ${COLUMNS} FROM ${this.s}.idps i WHERE i.id = $1`, [id])
      return rows[0] && this.toRecord(rows[0])
    })
  }

  async findByEntityId(entityId: string): Promise<IdpRecord | undefined> {
    if (!storable(entityId, MAX_ENTITY_ID)) return undefined
    return this.lookup(`entity:${entityId}`, async () => {
      const rows = await this.query<Row>(
        `SELECT ${COLUMNS} FROM ${this.s}.idps i WHERE i.entity_id = $1 LIMIT 2`,
        [entityId],
      )
      // With shared entityIDs an ambiguous issuer resolves to nothing rather than to a guess.
      return rows.length === 1 ? this.toRecord(rows[0]!) : undefined
    })
  }

  async findByEmailDomain(domain: string): Promise<IdpRecord | undefined> {
    const normalized = normalizeEmailDomain(domain)
    if (normalized === undefined) return undefined
    return this.lookup(`domain:${normalized}`, async () => {
      const rows = await this.query<Row>(
        `SELECT ${COLUMNS} FROM ${this.s}.idp_email_domains d JOIN ${this.s}.idps i ON i.id = d.idp_id
         WHERE d.domain = $1`,
        [normalized],
      )
      return rows[0] && this.toRecord(rows[0])
    })
  }

  async list(options: ListIdpsOptions = {}): Promise<IdpRecord[]> {
    const { limit, after } = checkListOptions(options)
    const params: unknown[] = []
    let sql = `SELECT ${COLUMNS} FROM ${this.s}.idps i`
    if (after !== undefined) sql += ` WHERE i.id > $${params.push(after)}`
    sql += ' ORDER BY i.id'
    if (limit !== undefined) sql += ` LIMIT $${params.push(limit)}`
    const rows = await this.query<Row>(sql, params)
    return rows.map((row) => this.toRecord(row))
  }

  async put(input: IdpRecordInput): Promise<IdpRecord> {
    const fields = normalizeIdpRecord(input)
    const text = JSON.stringify(fields)
    // One lock order for every writer (idps row, then domains sorted), so writers never deadlock.
    const domains = [...fields.emailDomains].sort()
    let row: Row
    try {
      row = await this.driver.transaction(async (tx) => {
        const [written] = await tx.query<Row>(
          `INSERT INTO ${this.s}.idps AS i (id, entity_id, record, version, updated_at)
           VALUES ($1, $2, $3::jsonb, 1, date_trunc('milliseconds', clock_timestamp()))
           ON CONFLICT (id) DO UPDATE SET
             entity_id = EXCLUDED.entity_id,
             record = EXCLUDED.record,
             version = i.version + 1,
             updated_at = date_trunc('milliseconds', clock_timestamp())
           RETURNING ${COLUMNS}`,
          [fields.id, fields.entityId, text],
        )
        await tx.query(`DELETE FROM ${this.s}.idp_email_domains WHERE idp_id = $1`, [fields.id])
        if (domains.length > 0) {
          await tx.query(
            `INSERT INTO ${this.s}.idp_email_domains (domain, idp_id) SELECT unnest($1::text[]), $2`,
            [domains, fields.id],
          )
        }
        // Delivered on commit to every store listening on this schema, this one included.
        await tx.query('SELECT pg_notify($1, $2)', [this.channel, fields.id])
        return written!
      })
    } catch (err) {
      if (isUniqueViolation(err)) throw await this.conflict(fields, err)
      throw unavailable(`cannot store IdP "${fields.id}"`, err, fields.id)
    }
    const record: IdpRecord = Object.freeze({ ...fields, version: row.version, updatedAt: row.updated_at })
    this.invalidate()
    this.remember(row, record)
    return record
  }

  async delete(id: string): Promise<boolean> {
    if (!storable(id, MAX_ID)) return false
    const rows = await this.query(
      `WITH deleted AS (DELETE FROM ${this.s}.idps WHERE id = $1 RETURNING id)
       SELECT id, pg_notify($2, id) FROM deleted`,
      [id, this.channel],
    )
    this.invalidate()
    this.parsed.delete(id)
    return rows.length > 0
  }

  /** Closes the connection pool or PGlite database the store opened (not one you passed in). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.cacheLive = false
    this.invalidate()
    this.parsed.clear()
    await this.unlisten?.().catch(() => {})
    await this.driver.close()
  }

  /**
   * A lookup through the cache: served from memory while notifications are flowing and the entry
   * is younger than `cacheTtlMs`; otherwise queried, and remembered only if no change notification
   * arrived meanwhile (else a stale row read before the change could outlive it). Misses are not
   * cached, so lookups of made-up ids cannot fill memory.
   */
  private async lookup(
    key: string,
    fetch: () => Promise<IdpRecord | undefined>,
  ): Promise<IdpRecord | undefined> {
    const now = Date.now()
    if (this.cacheLive) {
      const hit = this.lookups.get(key)
      if (hit && now - hit.at < this.cacheTtlMs) return hit.record
    }
    const generation = this.generation
    const record = await fetch()
    if (record && this.cacheLive && generation === this.generation) {
      if (this.lookups.size >= LOOKUP_CACHE_SIZE) this.lookups.delete(this.lookups.keys().next().value!)
      this.lookups.set(key, { record, at: now })
    }
    return record
  }

  private invalidate(): void {
    this.generation++
    this.lookups.clear()
  }

  private async query<R>(text: string, params: readonly unknown[]): Promise<R[]> {
    if (this.closed) throw unavailable('the IdP store is closed', undefined)
    try {
      return await this.driver.query<R>(text, params)
    } catch (err) {
      throw unavailable('IdP store query failed', err)
    }
  }

  private toRecord(row: Row): IdpRecord {
    const hit = this.parsed.get(row.id)
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
    const record: IdpRecord = Object.freeze({ ...fields, version: row.version, updatedAt: row.updated_at })
    this.remember(row, record)
    return record
  }

  private remember(row: Row, record: IdpRecord): void {
    this.parsed.delete(row.id)
    if (this.parsed.size >= PARSED_CACHE_SIZE) {
      this.parsed.delete(this.parsed.keys().next().value!)
    }
    this.parsed.set(row.id, { text: row.record, version: row.version, updatedAt: row.updated_at, record })
  }

  /** The error for a unique violation on put, naming who holds the entityID or domain. */
  private async conflict(
    fields: IdpRecordFields,
    err: Error & { constraint?: string; detail?: string },
  ): Promise<SamlError> {
    const id = fields.id
    const fail = (message: string) =>
      new SamlError(`IdP "${id}": ${message}`, 'ERR_SAML_IDP_CONFLICT', { cause: err, idp: id })
    try {
      if (err.constraint === UNIQUE_ENTITY_INDEX || /entity_id/.test(err.message + (err.detail ?? ''))) {
        const [owner] = await this.driver.query<{ id: string }>(
          `SELECT id FROM ${this.s}.idps WHERE entity_id = $1 AND id <> $2 LIMIT 1`,
          [fields.entityId, id],
        )
        return fail(
          `entityID "${fields.entityId}" already belongs to IdP "${owner?.id ?? '(another record)'}"`,
        )
      }
      const [owner] = await this.driver.query<{ domain: string; idp_id: string }>(
        `SELECT domain, idp_id FROM ${this.s}.idp_email_domains WHERE domain = ANY($1::text[]) AND idp_id <> $2
         ORDER BY domain LIMIT 1`,
        [[...fields.emailDomains], id],
      )
      if (owner) return fail(`email domain "${owner.domain}" already belongs to IdP "${owner.idp_id}"`)
    } catch {
      // The lookup is only for the message.
    }
    return fail(
      `its entityID or an email domain already belongs to another IdP (${err.detail ?? err.message})`,
    )
  }
}

/**
 * Whether a lookup key could be stored at all. Anything else is simply not found, without asking
 * the database, which would reject a NUL character as an error (and turn a 404 into a 503).
 */
function storable(value: unknown, max: number): value is string {
  return typeof value === 'string' && value !== '' && value.length <= max && !value.includes('\0')
}

function unavailable(message: string, cause: unknown, idp?: string): SamlError {
  const why =
    cause instanceof Error ? `: ${cause.message || (cause as { code?: string }).code || cause.name}` : ''
  return new SamlError(`${message}${why}`, 'ERR_SAML_STORE_UNAVAILABLE', {
    cause,
    ...(idp !== undefined && { idp }),
  })
}

import { SamlError } from '../errors/saml-error.js'
import { migrate, type Migration } from '../sql/migrate.js'
import {
  checkConnectionOptions,
  openSqlDriver,
  type SqlConnectionOptions,
  type SqlDriver,
} from '../sql/sql-driver.js'
import {
  checkListTracesOptions,
  checkPruneOptions,
  checkTrace,
  type ListTracesOptions,
  type PruneTracesOptions,
  type SamlTrace,
  type SamlTraceStore,
} from './saml-trace.js'

/** The trace store's migrations (component `trace-store`), for the table quoted for SQL. */
function traceStoreMigrations(table: string): Migration[] {
  return [
    {
      version: 1,
      statements: [
        `CREATE TABLE ${table} (
          id text COLLATE "C" PRIMARY KEY,
          at timestamptz NOT NULL,
          idp text COLLATE "C",
          outcome text NOT NULL,
          trace jsonb NOT NULL
        )`,
        // Listing is newest first, by IdP or across all; pruning by age reads the same order.
        `CREATE INDEX saml_traces_at_idx ON ${table} (at DESC, id DESC)`,
        `CREATE INDEX saml_traces_idp_at_idx ON ${table} (idp, at DESC, id DESC)`,
      ],
    },
  ]
}

/**
 * A {@link SamlTraceStore} in PostgreSQL: embedded PGlite (a data directory, or in memory) or a real
 * server through `pg`, on the same connection options (and, if you like, the same database and
 * schema) as `SqlIdpStore`. One table `saml_traces` with the trace as JSONB beside indexed `at`,
 * `idp` and `outcome` columns; created and migrated by `open`. Failures are
 * `ERR_SAML_STORE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { SqlTraceStore } from 'passport-saml-multi-idp/sql'
 * const traces = await SqlTraceStore.open({ dataDir: '.data/idps' }) // beside the IdP store
 * const refused = await traces.list({ idp: 'acme', outcome: 'error', limit: 20 })
 * await traces.close()
 * ```
 */
export class SqlTraceStore implements SamlTraceStore {
  private closed = false

  private constructor(
    private readonly driver: SqlDriver,
    /** `"schema".saml_traces`, quoted for SQL. */
    private readonly table: string,
  ) {}

  /**
   * Opens (and creates or migrates) the trace table. With no `dataDir`, `pglite`, `connectionString`
   * or `pool` it is an in-memory PGlite database, gone when closed.
   *
   * @example
   * ```ts
   * const traces = await SqlTraceStore.open({ pool, schema: 'sso' }) // your pg.Pool, not closed by close()
   * ```
   */
  static async open(options: SqlConnectionOptions = {}): Promise<SqlTraceStore> {
    const schema = checkConnectionOptions(options, 'SqlTraceStore.open')
    let driver: SqlDriver
    try {
      driver = await openSqlDriver(options)
    } catch (err) {
      if (err instanceof SamlError && err.code === 'ERR_SAML_PEER_MISSING') throw err
      throw unavailable('cannot open the trace store', err)
    }
    const table = `"${schema}".saml_traces`
    try {
      await migrate(driver, schema, 'trace-store', traceStoreMigrations(table))
    } catch (err) {
      await driver.close().catch(() => {})
      throw unavailable(`cannot create the trace table in schema "${schema}"`, err)
    }
    return new SqlTraceStore(driver, table)
  }

  async add(trace: SamlTrace): Promise<void> {
    checkTrace(trace)
    await this.query(
      `INSERT INTO ${this.table} (id, at, idp, outcome, trace) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO NOTHING`,
      [trace.id, trace.at, trace.idp ?? null, trace.outcome, JSON.stringify(trace)],
    )
  }

  async get(id: string): Promise<SamlTrace | undefined> {
    if (typeof id !== 'string' || id.includes('\0')) return undefined
    const rows = await this.query<{ trace: SamlTrace }>(`SELECT trace FROM ${this.table} WHERE id = $1`, [id])
    return rows[0]?.trace
  }

  async list(options: ListTracesOptions = {}): Promise<SamlTrace[]> {
    const limit = checkListTracesOptions(options)
    const where: string[] = []
    const params: unknown[] = []
    const param = (value: unknown) => `$${params.push(value)}`
    if (options.idp !== undefined) where.push(`idp = ${param(options.idp)}`)
    if (options.outcome !== undefined) where.push(`outcome = ${param(options.outcome)}`)
    if (options.before !== undefined) {
      where.push(`(at, id) < (${param(options.before.at)}::timestamptz, ${param(options.before.id)})`)
    }
    const rows = await this.query<{ trace: SamlTrace }>(
      `SELECT trace FROM ${this.table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY at DESC, id DESC LIMIT ${param(limit)}`,
      params,
    )
    return rows.map((row) => row.trace)
  }

  async prune(options: PruneTracesOptions): Promise<number> {
    const { maxAgeMs, maxPerIdp, now } = checkPruneOptions(options)
    let deleted = 0
    if (maxAgeMs !== undefined) {
      const rows = await this.query(`DELETE FROM ${this.table} WHERE at < $1 RETURNING 1`, [
        new Date(now - maxAgeMs).toISOString(),
      ])
      deleted += rows.length
    }
    if (maxPerIdp !== undefined) {
      const rows = await this.query(
        `DELETE FROM ${this.table} WHERE id IN (
           SELECT id FROM (
             SELECT id, row_number() OVER (PARTITION BY idp ORDER BY at DESC, id DESC) AS n FROM ${this.table}
           ) ranked WHERE n > $1
         ) RETURNING 1`,
        [maxPerIdp],
      )
      deleted += rows.length
    }
    return deleted
  }

  /** Closes the pool or PGlite database the store opened (not yours). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.driver.close()
  }

  private async query<R = Record<string, unknown>>(text: string, params: readonly unknown[]): Promise<R[]> {
    if (this.closed) throw unavailable('the trace store is closed', undefined)
    try {
      return await this.driver.query<R>(text, params)
    } catch (err) {
      throw unavailable('trace store query failed', err)
    }
  }
}

function unavailable(message: string, cause: unknown): SamlError {
  const why =
    cause instanceof Error ? `: ${cause.message || (cause as { code?: string }).code || cause.name}` : ''
  return new SamlError(`${message}${why}`, 'ERR_SAML_STORE_UNAVAILABLE', { cause })
}

import { SamlError } from '../errors/saml-error.js'
import { migrate } from '../sql/migrate.js'
import {
  checkConnectionOptions,
  openSqlDriver,
  type SqlConnectionOptions,
  type SqlDriver,
} from '../sql/sql-driver.js'
import type { SamlCache } from './saml-cache.js'
import { checkCacheArgs, checkCacheKey } from './check-cache-args.js'

/** Options for {@link SqlSamlCache.open}: where the data lives, plus cache settings. */
export interface SqlSamlCacheOptions extends SqlConnectionOptions {
  /**
   * How often an unref'd timer deletes expired rows, in ms (default 60000; 0 turns it off). Expired
   * rows are invisible to reads whatever this is.
   */
  sweepIntervalMs?: number
}

/** Rows one sweep deletes at most, so a sweep never holds many locks at once. */
const SWEEP_BATCH = 5000

/**
 * A {@link SamlCache} in PostgreSQL (a real server through `pg`, or embedded PGlite), shared by every
 * instance that uses the same database and schema: the request and replay cache for apps running
 * several instances behind a load balancer.
 *
 * One table `(key text PRIMARY KEY, value text, expires_at timestamptz)`. Every check of expiry uses
 * the database's clock, so instances with skewed clocks agree. `take` is one `DELETE … RETURNING`
 * and `add` one `INSERT … ON CONFLICT DO UPDATE … WHERE expired`, both atomic across connections and
 * instances. Expired rows are deleted by an unref'd timer. Failures are `ERR_SAML_CACHE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { SqlSamlCache } from 'passport-saml-multi-idp/sql'
 * const cache = await SqlSamlCache.open({ connectionString: process.env.DATABASE_URL })
 * await cache.add('replay:acme:_a1b2', '1', 8 * 60_000) // true once, across every instance
 * await cache.close()
 * ```
 */
export class SqlSamlCache implements SamlCache {
  private timer: ReturnType<typeof setInterval> | undefined
  private closed = false

  private constructor(
    private readonly driver: SqlDriver,
    /** The cache table, schema-qualified and quoted for SQL: `"saml_multi_idp".saml_cache`. */
    private readonly cacheTable: string,
    sweepIntervalMs: number,
  ) {
    if (sweepIntervalMs > 0) {
      this.timer = setInterval(() => {
        this.sweep().catch(() => {})
      }, sweepIntervalMs)
      this.timer.unref()
    }
  }

  /**
   * Opens (and creates) the cache table. With no `dataDir`, `pglite`, `connectionString` or `pool`
   * it is an in-memory PGlite database (a single process only).
   *
   * @example
   * ```ts
   * const cache = await SqlSamlCache.open({ pool, schema: 'sso' }) // your pg.Pool, not closed by close()
   * ```
   */
  static async open(options: SqlSamlCacheOptions = {}): Promise<SqlSamlCache> {
    const schema = checkConnectionOptions(options, 'SqlSamlCache.open')
    const { sweepIntervalMs = 60_000 } = options
    if (typeof sweepIntervalMs !== 'number' || !Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0) {
      throw new TypeError(
        'SqlSamlCache.open: "options.sweepIntervalMs" must be a non-negative number of milliseconds',
      )
    }
    let driver: SqlDriver
    try {
      driver = await openSqlDriver(options)
    } catch (err) {
      if (err instanceof SamlError && err.code === 'ERR_SAML_PEER_MISSING') throw err
      throw unavailable('cannot open the SAML cache', err)
    }
    const cacheTable = `"${schema}".saml_cache`
    try {
      await migrate(driver, schema, 'saml-cache', [
        {
          version: 1,
          statements: [
            `CREATE TABLE ${cacheTable} (
              key text COLLATE "C" PRIMARY KEY,
              value text NOT NULL,
              expires_at timestamptz NOT NULL
            )`,
            `CREATE INDEX saml_cache_expires_at_idx ON ${cacheTable} (expires_at)`,
          ],
        },
      ])
    } catch (err) {
      await driver.close().catch(() => {})
      throw unavailable(`cannot create the SAML cache table in schema "${schema}"`, err)
    }
    return new SqlSamlCache(driver, cacheTable, sweepIntervalMs)
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    checkCacheArgs(key, value, ttlMs)
    await this.query(
      `INSERT INTO ${this.cacheTable} (key, value, expires_at)
       VALUES ($1, $2, now() + $3::double precision * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [key, value, ttlMs],
    )
  }

  async take(key: string): Promise<string | undefined> {
    checkCacheKey(key)
    // Deletes an expired row too, but hands out only a live value. Row locking makes concurrent
    // takes of one key see the row at most once between them.
    const rows = await this.query<{ value: string; live: boolean }>(
      `DELETE FROM ${this.cacheTable} WHERE key = $1 RETURNING value, expires_at > now() AS live`,
      [key],
    )
    const row = rows[0]
    return row?.live ? row.value : undefined
  }

  async add(key: string, value: string, ttlMs: number): Promise<boolean> {
    checkCacheArgs(key, value, ttlMs)
    // Inserts, or takes over a row that has expired; a live row is left alone and nothing returns.
    const rows = await this.query(
      `INSERT INTO ${this.cacheTable} AS c (key, value, expires_at)
       VALUES ($1, $2, now() + $3::double precision * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
       WHERE c.expires_at <= now()
       RETURNING 1 AS stored`,
      [key, value, ttlMs],
    )
    return rows.length === 1
  }

  /** Deletes expired rows (in batches); returns how many. The timer calls this. */
  async sweep(): Promise<number> {
    let total = 0
    for (;;) {
      const rows = await this.query(
        `DELETE FROM ${this.cacheTable} WHERE key IN (
           SELECT key FROM ${this.cacheTable} WHERE expires_at <= now() LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED
         ) RETURNING 1`,
        [],
      )
      total += rows.length
      if (rows.length < SWEEP_BATCH) return total
    }
  }

  /** Stops the sweep timer and closes the pool or PGlite database the cache opened (not yours). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    await this.driver.close()
  }

  private async query<R = Record<string, unknown>>(text: string, params: readonly unknown[]): Promise<R[]> {
    if (this.closed) throw unavailable('the SAML cache is closed', undefined)
    try {
      return await this.driver.query<R>(text, params)
    } catch (err) {
      throw unavailable('SAML cache query failed', err)
    }
  }
}

function unavailable(message: string, cause: unknown): SamlError {
  const why =
    cause instanceof Error ? `: ${cause.message || (cause as { code?: string }).code || cause.name}` : ''
  return new SamlError(`${message}${why}`, 'ERR_SAML_CACHE_UNAVAILABLE', { cause })
}

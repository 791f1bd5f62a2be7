import { createHash } from 'node:crypto'
import type { PGlite } from '@electric-sql/pglite'
import { importOptionalPeer } from '../optional-peers/import-optional-peer.js'
import type { Pool, PoolClient } from 'pg'

/** Runs one SQL statement (`$1`-style parameters) and returns its rows. */
export interface SqlQueryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>
}

/**
 * The small database layer {@link SqlIdpStore} and {@link SqlSamlCache} run on: one code path
 * for embedded PGlite and for PostgreSQL through `pg`. Errors are thrown as the driver raised them;
 * callers map them to `SamlError` codes.
 */
export interface SqlDriver extends SqlQueryable {
  readonly kind: 'pglite' | 'pg'
  /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>
  /**
   * LISTENs on `channel` on a connection of its own, reconnecting (with backoff) when it drops.
   * `onState(true)` once listening, `onState(false)` whenever notifications may have been missed.
   * Resolves to a function that stops listening.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>
  /** Releases what the driver opened itself (a user-supplied pool or PGlite is left open). */
  close(): Promise<void>
}

/** Callbacks of {@link SqlDriver.listen}. */
export interface ListenHandlers {
  onNotify(payload: string): void
  onState(listening: boolean): void
}

/**
 * A PGlite instance, as far as the store uses it. Structural, so the package's types need no PGlite
 * types when you use PostgreSQL (an `@electric-sql/pglite` `PGlite` fits).
 */
export interface PGliteInstance {
  readonly closed: boolean
  // The method shapes of PGlite that the driver calls; PGlite's own are wider.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  query(query: string, params?: any[]): Promise<{ rows: any[] }>
  transaction(callback: (tx: any) => Promise<any>): Promise<any>
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>
  /* eslint-enable @typescript-eslint/no-explicit-any */
  close(): Promise<void>
}

/**
 * A `pg.Pool`, as far as the store uses it. Structural, so the package's types need no `pg` types
 * when you use PGlite (a `pg` `Pool` fits).
 */
export interface PgPool {
  /* eslint-disable @typescript-eslint/no-explicit-any */
  query(...args: any[]): Promise<any>
  connect(): Promise<any>
  on(event: 'error', listener: (err: Error) => void): unknown
  /* eslint-enable @typescript-eslint/no-explicit-any */
  end(): Promise<void>
}

/** Where a SQL-backed store or cache keeps its data: exactly one of these, or none for in-memory PGlite. */
export interface SqlConnectionOptions {
  /** Embedded PGlite with its data in this directory (created when missing). */
  dataDir?: string
  /** Your own PGlite instance; `close()` leaves it open. */
  pglite?: PGliteInstance
  /** PostgreSQL connection string (`postgres://user@host:5432/db`); the store opens its own `pg.Pool`. */
  connectionString?: string
  /** Your own `pg.Pool`; `close()` leaves it open. */
  pool?: PgPool
  /**
   * Extra `pg.Pool` settings (`pg`'s `PoolConfig`) when `connectionString` is given. Defaults: `max`
   * 10, `connectionTimeoutMillis` 5000, `query_timeout` 10000, `idleTimeoutMillis` 30000, `keepAlive`
   * true.
   */
  poolOptions?: Readonly<Record<string, unknown>>
  /**
   * PostgreSQL schema holding the tables (default `saml_multi_idp`); created when missing. Lower-case
   * letters, digits and `_`, starting with a letter or `_`.
   */
  schema?: string
}

export const DEFAULT_SCHEMA = 'saml_multi_idp'
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/
const SOURCES = ['dataDir', 'pglite', 'connectionString', 'pool'] as const
const MAX_PREPARED = 200

/**
 * Checks {@link SqlConnectionOptions} up front, throwing `TypeError` naming the option. Returns the
 * schema name to use.
 */
export function checkConnectionOptions(options: SqlConnectionOptions, owner: string): string {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${owner}: options must be an object`)
  }
  const given = SOURCES.filter((key) => options[key] !== undefined)
  if (given.length > 1) {
    throw new TypeError(
      `${owner}: give at most one of "options.dataDir", "options.pglite", "options.connectionString" and "options.pool" (got ${given.map((key) => `"options.${key}"`).join(' and ')})`,
    )
  }
  const { dataDir, pglite, connectionString, pool, poolOptions, schema = DEFAULT_SCHEMA } = options
  if (dataDir !== undefined && (typeof dataDir !== 'string' || dataDir.trim() === '')) {
    throw new TypeError(`${owner}: "options.dataDir" must be a non-empty directory path`)
  }
  if (connectionString !== undefined && (typeof connectionString !== 'string' || connectionString === '')) {
    throw new TypeError(
      `${owner}: "options.connectionString" must be a non-empty PostgreSQL connection string`,
    )
  }
  if (pool !== undefined && !hasMethods(pool, ['connect', 'query', 'on'])) {
    throw new TypeError(`${owner}: "options.pool" must be a pg.Pool`)
  }
  if (pglite !== undefined && !hasMethods(pglite, ['query', 'transaction', 'close'])) {
    throw new TypeError(`${owner}: "options.pglite" must be a PGlite instance`)
  }
  if (poolOptions !== undefined) {
    if (poolOptions === null || typeof poolOptions !== 'object') {
      throw new TypeError(`${owner}: "options.poolOptions" must be an object of pg.Pool settings`)
    }
    if (connectionString === undefined) {
      throw new TypeError(`${owner}: "options.poolOptions" only applies with "options.connectionString"`)
    }
  }
  if (typeof schema !== 'string' || !SCHEMA_PATTERN.test(schema)) {
    throw new TypeError(
      `${owner}: "options.schema" must be 1–63 of a–z 0–9 _ starting with a letter or _, got ${JSON.stringify(String(schema).slice(0, 80))}`,
    )
  }
  return schema
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (value === null || typeof value !== 'object') return false
  const record = value as Record<string, unknown>
  return names.every((name) => typeof record[name] === 'function')
}

/** Opens the driver the (already checked) options ask for, loading `pg` or PGlite only then. */
export async function openSqlDriver(options: SqlConnectionOptions): Promise<SqlDriver> {
  if (options.pool !== undefined) return pgDriver(options.pool as unknown as Pool, false)
  if (options.connectionString !== undefined) {
    const pg = (await importOptionalPeer('pg', 'PostgreSQL (connectionString)', () => import('pg'))) as {
      Pool?: typeof Pool
      default?: { Pool: typeof Pool }
    }
    const PoolClass = (pg.Pool ?? pg.default?.Pool)!
    const pool = new PoolClass({
      max: 10,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      // A server that stops answering without closing the connection must not hang a login.
      query_timeout: 10_000,
      ...options.poolOptions,
      connectionString: options.connectionString,
    })
    return pgDriver(pool, true)
  }
  if (options.pglite !== undefined) return pgliteDriver(options.pglite as unknown as PGlite, false)
  const pglite = (await importOptionalPeer(
    '@electric-sql/pglite',
    'Embedded PGlite (dataDir, or no connection option)',
    () => import('@electric-sql/pglite'),
  )) as {
    PGlite: typeof PGlite
  }
  // PGlite keeps PostgreSQL's 128 MB of shared buffers, a second copy of pages that sit in memory
  // (or the OS's file cache) already, and the store reads through its own lookup cache: 16 MB costs
  // no measurable speed and ~110 MB less peak memory. Passed at start, not written to the directory.
  const { defaultStartParams } = pglite.PGlite as { defaultStartParams?: unknown }
  const db = await pglite.PGlite.create(
    options.dataDir,
    Array.isArray(defaultStartParams)
      ? { startParams: [...(defaultStartParams as string[]), '-c', 'shared_buffers=16MB'] }
      : {},
  )
  return pgliteDriver(db, true)
}

function pgliteDriver(db: PGlite, owned: boolean): SqlDriver {
  const run = async <R>(queryable: Pick<PGlite, 'query'>, text: string, params?: readonly unknown[]) =>
    (await queryable.query<R>(text, params as unknown[] | undefined)).rows
  return {
    kind: 'pglite',
    query: (text, params) => run(db, text, params),
    async listen(channel, { onNotify, onState }) {
      // One process owns a PGlite database, so its notifications cannot be missed.
      const unlisten = await db.listen(channel, (payload) => onNotify(payload))
      onState(true)
      return async () => {
        if (!db.closed) await unlisten()
      }
    },
    transaction: (fn) => db.transaction((tx) => fn({ query: (text, params) => run(tx, text, params) })),
    async close() {
      if (owned && !db.closed) await db.close()
    },
  }
}

function pgDriver(pool: Pool, owned: boolean): SqlDriver {
  // An idle client whose connection drops makes the pool emit 'error'; without a listener that
  // would crash the process. The next query simply gets a fresh connection.
  const onPoolError = (): void => {}
  pool.on('error', onPoolError)
  let closed = false
  // The store's statements are few and fixed, so they are prepared once per connection (named),
  // which saves PostgreSQL parsing and planning them on every lookup.
  const statementNames = new Map<string, string>()
  const statement = (text: string, params: readonly unknown[] | undefined) => {
    let name = statementNames.get(text)
    if (name === undefined && statementNames.size < MAX_PREPARED) {
      // Named by content: another store on the same pool preparing the same text shares it.
      name = `saml_multi_idp_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`
      statementNames.set(text, name)
    }
    return { text, values: params as unknown[] | undefined, ...(name !== undefined && { name }) }
  }
  return {
    kind: 'pg',
    listen: (channel, handlers) => listenOnPool(pool, channel, handlers),
    async query(text, params) {
      const result = await pool.query(statement(text, params))
      return result.rows
    },
    async transaction(fn) {
      const client: PoolClient = await pool.connect()
      // A checked-out client that loses its connection emits 'error' too.
      const onClientError = (): void => {}
      client.on('error', onClientError)
      let broken: unknown
      try {
        await client.query('BEGIN')
        try {
          const result = await fn({
            query: async (text, params) => (await client.query(statement(text, params))).rows,
          })
          await client.query('COMMIT')
          return result
        } catch (err) {
          await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
            broken = rollbackErr
          })
          throw err
        }
      } catch (err) {
        broken ??= isConnectionError(err) ? err : undefined
        throw err
      } finally {
        client.off('error', onClientError)
        // A client whose connection failed is destroyed rather than put back in the pool.
        client.release(broken instanceof Error ? broken : broken === undefined ? undefined : true)
      }
    },
    async close() {
      if (closed) return
      closed = true
      if (owned) await pool.end()
      pool.off('error', onPoolError)
    },
  }
}

/**
 * Holds one pool connection in LISTEN, reconnecting with a capped backoff. Every drop is reported
 * (`onState(false)`) before anything else, so a cache relying on notifications stops trusting itself
 * for as long as it could be missing some.
 */
async function listenOnPool(pool: Pool, channel: string, { onNotify, onState }: ListenHandlers) {
  let stopped = false
  let client: PoolClient | undefined
  let retry: ReturnType<typeof setTimeout> | undefined
  let delay = 250
  const onNotification = (message: { channel: string; payload?: string }) => {
    if (message.channel === channel) onNotify(message.payload ?? '')
  }
  const drop = (failed: PoolClient | undefined) => {
    if (failed === undefined || failed !== client) return
    client = undefined
    failed.off('notification', onNotification)
    failed.release(true)
    onState(false)
    schedule()
  }
  const schedule = () => {
    if (stopped || retry) return
    retry = setTimeout(() => {
      retry = undefined
      void connect()
    }, delay)
    retry.unref()
    delay = Math.min(delay * 2, 5000)
  }
  const connect = async () => {
    let next: PoolClient | undefined
    try {
      next = await pool.connect()
      if (stopped) return next.release()
      const mine = next
      mine.on('error', () => drop(mine))
      mine.on('end', () => drop(mine))
      mine.on('notification', onNotification)
      client = mine
      await mine.query(`LISTEN "${channel}"`)
      delay = 250
      onState(true)
    } catch {
      if (next && next === client) drop(next)
      else {
        next?.release(true)
        schedule()
      }
    }
  }
  await connect()
  return async () => {
    stopped = true
    if (retry) clearTimeout(retry)
    const held = client
    client = undefined
    if (held) {
      held.off('notification', onNotification)
      await held.query(`UNLISTEN "${channel}"`).catch(() => {})
      held.release()
    }
  }
}

/** True for a PostgreSQL unique violation (SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): err is Error & { constraint?: string; detail?: string } {
  return err instanceof Error && (err as { code?: unknown }).code === '23505'
}

/** True for errors that say the connection, not the statement, failed. */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code.startsWith('E'))) {
    return true
  }
  return /connection|terminated|timeout|ECONN|socket/i.test(err.message)
}

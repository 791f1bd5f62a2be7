/**
 * Where the demo keeps its state, chosen from the environment:
 *
 * | Part                  | Default (embedded, nothing to run)   | `DATABASE_URL` / `REDIS_URL` set     |
 * | --------------------- | ------------------------------------ | ------------------------------------ |
 * | IdP store             | `SqlIdpStore` on PGlite in `DATA_DIR/idps` | `SqlIdpStore` on PostgreSQL    |
 * | request/replay cache  | `MemorySamlCache`                    | `RedisSamlCache`                     |
 * | sessions              | express-session's memory store       | connect-redis (same Redis)           |
 *
 * @module
 */
import { join } from 'node:path'
import { RedisStore } from 'connect-redis'
import type { Store as SessionStore } from 'express-session'
import { Redis } from 'ioredis'
import { MemorySamlCache, type IdpStore, type SamlCache } from '../lib/index.js'
import { RedisSamlCache } from '../lib/entries/redis.js'
import { SqlIdpStore } from '../lib/entries/sql.js'

/** Options of {@link openBackends}. */
export interface BackendOptions {
  /** The embedded PGlite database lives in `dataDir/idps`. */
  dataDir: string
  /** PostgreSQL connection string; the IdP store uses it instead of PGlite. */
  databaseUrl?: string
  /** Redis URL; the request/replay cache and the sessions use it instead of process memory. */
  redisUrl?: string
  /** Prefix for every Redis key the demo writes (cache and sessions). Default `demo:`. */
  redisKeyPrefix?: string
  /** PostgreSQL schema of the IdP store. Default the store's own (`public`). */
  databaseSchema?: string
}

/** The open backends. `close()` releases every connection the demo opened. */
export interface Backends {
  readonly store: IdpStore
  readonly cache: SamlCache
  /** `undefined`: express-session's default memory store. */
  readonly sessionStore?: SessionStore
  /** Human-readable summary for the start banner, e.g. `store: PGlite (.demo-data/idps)`. */
  readonly description: readonly string[]
  close(): Promise<void>
}

/**
 * The subset of the node-redis v5 client API that connect-redis v9 calls for get/set/touch/destroy,
 * implemented on ioredis (the Redis client this project already depends on).
 */
function nodeRedisFacade(client: Redis): object {
  return {
    get: (key: string) => client.get(key),
    set: (key: string, value: string, options?: { expiration?: { type: 'EX'; value: number } }) =>
      options?.expiration ? client.set(key, value, 'EX', options.expiration.value) : client.set(key, value),
    expire: (key: string, seconds: number) => client.expire(key, seconds),
    del: (keys: string | string[]) => client.del(...(Array.isArray(keys) ? keys : [keys])),
    mGet: (keys: string[]) => client.mget(...keys),
  }
}

/**
 * Opens the IdP store, the SAML cache and the session store.
 *
 * @example
 * ```ts
 * const backends = await openBackends({ dataDir: '.demo-data', redisUrl: process.env.REDIS_URL })
 * // ... new MultiIdpSamlStrategy({ store: backends.store, cache: backends.cache, sp }, verify)
 * await backends.close()
 * ```
 */
export async function openBackends(options: BackendOptions): Promise<Backends> {
  const closers: (() => Promise<void>)[] = []
  const description: string[] = []
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => {})
  }
  try {
    let store: IdpStore
    if (options.databaseUrl) {
      const sql = await SqlIdpStore.open({
        connectionString: options.databaseUrl,
        schema: options.databaseSchema,
      })
      closers.push(() => sql.close())
      store = sql
      description.push(`IdP store: PostgreSQL (${new URL(options.databaseUrl).host})`)
    } else {
      const dir = join(options.dataDir, 'idps')
      const sql = await SqlIdpStore.open({ dataDir: dir })
      closers.push(() => sql.close())
      store = sql
      description.push(`IdP store: PGlite (${dir})`)
    }

    let cache: SamlCache
    let sessionStore: SessionStore | undefined
    if (options.redisUrl) {
      const prefix = options.redisKeyPrefix ?? 'demo:'
      const redisCache = await RedisSamlCache.connect(options.redisUrl, { keyPrefix: `${prefix}saml:` })
      closers.push(() => redisCache.close())
      cache = redisCache
      const client = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
      client.on('error', () => {}) // reported by the failing session calls
      await client.connect()
      closers.push(async () => {
        await client.quit().catch(() => client.disconnect())
      })
      sessionStore = new RedisStore({ client: nodeRedisFacade(client), prefix: `${prefix}sess:` })
      const host = new URL(options.redisUrl).host
      description.push(`request/replay cache: Redis (${host})`, `sessions: Redis (${host})`)
    } else {
      cache = new MemorySamlCache()
      closers.push(async () => {
        await cache.close?.()
      })
      description.push('request/replay cache: memory (one process)', 'sessions: memory (one process)')
    }
    return { store, cache, sessionStore, description, close: closeAll }
  } catch (err) {
    await closeAll()
    throw err
  }
}

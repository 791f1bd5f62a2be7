// One app instance as its own process, for the multi-instance spec: real Express + Passport on port 0
// with the SQL IdP store on PostgreSQL and the Redis request/replay cache. Prints `{"url": ...}` on
// stdout once listening; exits cleanly on SIGTERM.
//
// env: PG_URL, PG_SCHEMA, REDIS_URL, REDIS_PREFIX, BASE_URL (shared by every instance, as behind a
// load balancer); optional PG_CACHE_TTL_MS, the store's lookup-cache TTL (default: the store's own).
import { RedisSamlCache } from '../../lib/entries/redis.js'
import { SqlIdpStore } from '../../lib/entries/sql.js'
import { startTestApp } from './app.js'

const env = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is required`)
  return value
}

const cacheTtlMs = process.env.PG_CACHE_TTL_MS ? Number(process.env.PG_CACHE_TTL_MS) : undefined
const store = await SqlIdpStore.open({
  connectionString: env('PG_URL'),
  schema: env('PG_SCHEMA'),
  ...(cacheTtlMs !== undefined && { cacheTtlMs }),
})
const cache = await RedisSamlCache.connect(env('REDIS_URL'), { keyPrefix: env('REDIS_PREFIX') })
const app = await startTestApp({ store, strategy: { cache, sp: { baseUrl: env('BASE_URL') } } })
process.stdout.write(`${JSON.stringify({ url: app.baseUrl })}\n`)

process.once('SIGTERM', () => {
  void (async () => {
    await app.close()
    await cache.close()
    await store.close()
    process.exit(0)
  })()
})

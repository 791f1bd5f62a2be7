import type { Redis, RedisOptions } from 'ioredis'
import { SamlError } from '../errors/saml-error.js'
import { importOptionalPeer } from '../optional-peers/import-optional-peer.js'
import type { SamlCache } from './saml-cache.js'
import { checkCacheArgs, checkCacheKey } from './check-cache-args.js'

/**
 * An ioredis client the cache can use: a single server (`Redis`) or a `Cluster`, as far as the cache
 * uses it. Structural, so the package's types need no ioredis types unless you use Redis.
 */
export interface RedisSamlCacheClient {
  readonly status: string
  /* eslint-disable @typescript-eslint/no-explicit-any */
  set(...args: any[]): Promise<any>
  getdel(key: string): Promise<string | null>
  on(event: string, listener: (...args: any[]) => void): unknown
  off(event: string, listener: (...args: any[]) => void): unknown
  once(event: string, listener: (...args: any[]) => void): unknown
  /* eslint-enable @typescript-eslint/no-explicit-any */
  connect(): Promise<void>
  quit(): Promise<unknown>
  disconnect(): void
}

/** Options shared by both ways of making a {@link RedisSamlCache}. */
export interface RedisSamlCacheCommonOptions {
  /**
   * Prepended to every key, after any `keyPrefix` of the client itself (default `''`; the strategy's
   * keys already start with `saml:`). Use it to share one Redis database between applications.
   */
  keyPrefix?: string
  /**
   * How long one cache call may take before it rejects with `ERR_SAML_CACHE_UNAVAILABLE`, in ms
   * (default 1000). The bound holds whatever the client's own settings are, so a client that queues
   * commands while disconnected still cannot hold a login for longer than this.
   */
  commandTimeoutMs?: number
}

/** Options for {@link RedisSamlCache.connect}. */
export interface RedisSamlCacheConnectOptions extends RedisSamlCacheCommonOptions {
  /**
   * How long `connect` waits for the first connection before it rejects with
   * `ERR_SAML_CACHE_UNAVAILABLE`, in ms (default 5000). Reconnects are retried during that time.
   */
  connectTimeoutMs?: number
  /**
   * Extra ioredis options (TLS certificates, `connectionName`, …), merged over the fail-fast
   * defaults: `enableOfflineQueue: false`, `maxRetriesPerRequest: 0` and a reconnect backoff of
   * 100 ms per attempt capped at 1 s. Credentials, database and TLS (`rediss://`) can go in the URL.
   */
  redisOptions?: Readonly<Record<string, unknown>>
}

/** Options for `new RedisSamlCache(…)` with a client you made and close yourself. */
export interface RedisSamlCacheOptions extends RedisSamlCacheCommonOptions {
  /**
   * Your ioredis client. {@link RedisSamlCache.close} leaves it open. Prefer
   * `enableOfflineQueue: false` on it: with a queue, a call that already failed on
   * `commandTimeoutMs` may still run once the client reconnects (harmless, as it can only make that
   * failed login's request or assertion unusable, but late).
   */
  client: RedisSamlCacheClient
}

const DEFAULT_COMMAND_TIMEOUT_MS = 1_000
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000
const MAX_RECONNECT_DELAY_MS = 1_000

/** ioredis settings for a client the cache owns: nothing waits in a queue while Redis is away. */
const FAIL_FAST_OPTIONS: RedisOptions = Object.freeze({
  enableOfflineQueue: false,
  // A command in flight when the connection drops is rejected at once instead of being resent.
  maxRetriesPerRequest: 0,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
  connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
})

/**
 * A {@link SamlCache} on Redis (≥ 6.2), shared by every instance of the app, so a response can be
 * consumed only once across a cluster. `set` is `SET key value PX ttl`, `take` is `GETDEL` and `add` is
 * `SET key value PX ttl NX`: each is one atomic Redis command.
 *
 * It fails closed and fast: while Redis is unreachable every call rejects within `commandTimeoutMs`
 * with `SamlError` `ERR_SAML_CACHE_UNAVAILABLE` (the client's error as `cause`), so logins are refused
 * rather than accepted unchecked; `add` never reports true and `take` never returns a value it did
 * not get from Redis. The client reconnects on its own and the cache works again once Redis is back.
 * Keys still within their TTL survive the outage if Redis itself kept them.
 *
 * @example
 * ```ts
 * import { RedisSamlCache } from 'passport-saml-multi-idp/redis'
 * const cache = await RedisSamlCache.connect(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
 * const strategy = new MultiIdpSamlStrategy({ store, sp: { baseUrl }, cache }, verify)
 * // on shutdown
 * await cache.close()
 * ```
 *
 * @example With a client you already have (it stays open after `close()`):
 * ```ts
 * import { Redis } from 'ioredis'
 * import { RedisSamlCache } from 'passport-saml-multi-idp/redis'
 * const redis = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false })
 * const cache = new RedisSamlCache({ client: redis, keyPrefix: 'myapp:' })
 * ```
 */
export class RedisSamlCache implements SamlCache {
  /** The ioredis client in use. */
  readonly client: RedisSamlCacheClient
  /** The prefix put before every key. */
  readonly keyPrefix: string
  private readonly commandTimeoutMs: number
  /** True when `connect` made the client, so `close` quits it. */
  private ownsClient = false
  /** The client's last 'error' event since it was last ready, for error messages. */
  private lastClientError: unknown
  // With a listener, an 'error' event never reaches the console or the process as unhandled; the
  // error is named in the message of the next failed call instead.
  private readonly onClientError = (err: unknown): void => {
    this.lastClientError = err
  }
  private readonly onClientReady = (): void => {
    this.lastClientError = undefined
  }

  constructor(options: RedisSamlCacheOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('"options" must be an object with a "client"')
    }
    const { client } = options
    if (!isClient(client)) {
      throw new TypeError('"options.client" must be an ioredis Redis or Cluster client')
    }
    const { keyPrefix, commandTimeoutMs } = checkCommonOptions(options)
    this.client = client
    this.keyPrefix = keyPrefix
    this.commandTimeoutMs = commandTimeoutMs
    client.on('error', this.onClientError)
    client.on('ready', this.onClientReady)
  }

  /**
   * Creates an ioredis client for `url` with fail-fast settings, waits until it is ready, and returns
   * a cache that owns it: {@link RedisSamlCache.close} quits the client. Rejects with `SamlError`
   * `ERR_SAML_CACHE_UNAVAILABLE` when Redis cannot be reached within `connectTimeoutMs`.
   *
   * @example
   * ```ts
   * const cache = await RedisSamlCache.connect('rediss://:secret@redis.internal:6380/2', {
   *   keyPrefix: 'sso:',
   *   commandTimeoutMs: 500,
   * })
   * ```
   */
  static async connect(url: string, options: RedisSamlCacheConnectOptions = {}): Promise<RedisSamlCache> {
    if (typeof url !== 'string' || !/^rediss?:\/\//i.test(url)) {
      throw new TypeError('"url" must be a redis:// or rediss:// URL')
    }
    if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object')
    const common = checkCommonOptions(options)
    const { connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, redisOptions = {} } = options
    checkPositiveMs(connectTimeoutMs, 'options.connectTimeoutMs')
    if (redisOptions === null || typeof redisOptions !== 'object') {
      throw new TypeError('"options.redisOptions" must be an object of ioredis options')
    }

    // Loaded only here: with a client of your own, the cache never imports ioredis itself.
    const ioredis = await importOptionalPeer('ioredis', 'RedisSamlCache.connect', () => import('ioredis'))
    const client = new ioredis.Redis(url, {
      ...FAIL_FAST_OPTIONS,
      connectTimeout: Math.min(connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
      ...redisOptions,
      lazyConnect: true,
    })
    const cache = new RedisSamlCache({ ...common, client })
    cache.ownsClient = true
    try {
      await waitUntilReady(client, connectTimeoutMs, () => cache.lastClientError)
    } catch (err) {
      await cache.close()
      throw err
    }
    return cache
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    checkCacheArgs(key, value, ttlMs)
    await this.call('set', () => this.client.set(this.keyPrefix + key, value, 'PX', Math.ceil(ttlMs)))
  }

  async take(key: string): Promise<string | undefined> {
    checkCacheKey(key)
    const value = await this.call('take', () => this.client.getdel(this.keyPrefix + key))
    return value ?? undefined
  }

  async add(key: string, value: string, ttlMs: number): Promise<boolean> {
    checkCacheArgs(key, value, ttlMs)
    const reply = await this.call('add', () =>
      this.client.set(this.keyPrefix + key, value, 'PX', Math.ceil(ttlMs), 'NX'),
    )
    return reply === 'OK'
  }

  /**
   * Quits the client when the cache made it ({@link RedisSamlCache.connect}), so the process can
   * exit; a client you passed in stays open (only the cache's 'error' listener is removed).
   */
  async close(): Promise<void> {
    if (!this.ownsClient) {
      this.client.off('error', this.onClientError)
      this.client.off('ready', this.onClientReady)
      return
    }
    const client = this.client
    if (client.status === 'end') return
    if (client.status === 'ready') {
      try {
        const ended = new Promise<void>((resolve) => client.once('end', resolve))
        await withTimeout(client.quit(), this.commandTimeoutMs)
        await withTimeout(ended, this.commandTimeoutMs)
        return
      } catch {
        // Fall through: a QUIT that cannot be sent or answered ends in a hard disconnect.
      }
    }
    client.disconnect()
  }

  /** Runs one Redis command with the time bound, mapping every failure to ERR_SAML_CACHE_UNAVAILABLE. */
  private async call<T>(operation: string, command: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(command(), this.commandTimeoutMs)
    } catch (err) {
      let reason = errorMessage(err)
      const last = this.lastClientError
      if (last !== undefined && last !== err) reason += `; last connection error: ${errorMessage(last)}`
      throw new SamlError(
        `the Redis request/replay cache is unavailable (${operation} failed: ${reason}); ` +
          'logins are refused until Redis is reachable again',
        'ERR_SAML_CACHE_UNAVAILABLE',
        { cause: err },
      )
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

async function waitUntilReady(client: Redis, timeoutMs: number, lastError: () => unknown): Promise<void> {
  let onReady: (() => void) | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await new Promise<void>((resolve, reject) => {
      onReady = resolve
      client.once('ready', onReady)
      timer = setTimeout(() => {
        const cause = lastError()
        const reason = cause instanceof Error ? `: ${cause.message}` : ''
        reject(
          new SamlError(
            `could not connect to Redis for the request/replay cache within ${timeoutMs} ms${reason}`,
            'ERR_SAML_CACHE_UNAVAILABLE',
            { cause },
          ),
        )
      }, timeoutMs)
      // The first attempt may fail; the retry strategy keeps trying until the timer fires.
      client.connect().catch(() => {})
    })
  } finally {
    clearTimeout(timer)
    if (onReady) client.off('ready', onReady)
  }
}

function isClient(value: unknown): value is RedisSamlCacheClient {
  if (value === null || typeof value !== 'object') return false
  const candidate = value as Record<string, unknown>
  return (
    typeof candidate.set === 'function' &&
    typeof candidate.getdel === 'function' &&
    typeof candidate.on === 'function'
  )
}

function checkCommonOptions(options: RedisSamlCacheCommonOptions): Required<RedisSamlCacheCommonOptions> {
  const { keyPrefix = '', commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS } = options
  if (typeof keyPrefix !== 'string') throw new TypeError('"options.keyPrefix" must be a string')
  checkPositiveMs(commandTimeoutMs, 'options.commandTimeoutMs')
  return { keyPrefix, commandTimeoutMs }
}

function checkPositiveMs(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`"${name}" must be a positive, finite number of milliseconds`)
  }
}

// RedisSamlCache against the real Redis on this machine (REDIS_URL, default redis://127.0.0.1:6379).
// Every cache uses a random key prefix, so runs and parallel spec files never see each other's keys.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { RedisSamlCache } from '../../lib/cache/redis-saml-cache.js'
import { isSamlError } from '../../lib/errors/saml-error.js'
import { samlCacheConformance } from './conformance.js'

/** The cache's client as the ioredis client it is, for commands the cache itself never sends. */
const ioredis = (cache: RedisSamlCache) => cache.client as unknown as Redis

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const runPrefix = `spec:redis:${randomBytes(6).toString('hex')}:`
const prefix = (name: string) => `${runPrefix}${name}:${randomBytes(4).toString('hex')}:`

// Moves Redis' clock forward for one cache's keys: every key under `keyPrefix` gets its remaining TTL
// cut by `ms` (and is deleted when that leaves nothing), in one atomic script. A key expires when its
// remaining TTL reaches zero, so this is the same as `ms` passing for those keys, and the suite's TTL
// tests run on long TTLs instead of waiting out 150 ms ones in real time. Only the keys of the cache
// under test are touched: the prefix is random per cache, so other specs and runs sharing this Redis
// are never affected.
const ADVANCE_TTL = `
  for _, key in ipairs(KEYS) do
    local left = redis.call('PTTL', key)
    if left > tonumber(ARGV[1]) then redis.call('PEXPIRE', key, left - tonumber(ARGV[1]))
    elseif left >= 0 then redis.call('DEL', key) end
  end
  return #KEYS`
let admin: Redis | undefined
async function advanceKeys(keyPrefix: string, ms: number): Promise<void> {
  admin ??= new Redis(redisUrl)
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000)
    keys.push(...batch)
    cursor = next
  } while (cursor !== '0')
  if (keys.length > 0) await admin.eval(ADVANCE_TTL, keys.length, ...keys, String(ms))
}
after(async () => {
  await admin?.quit()
})

/** The prefix of the cache the current conformance test made (the suite runs one test at a time). */
let current = ''
const fresh = (name: string) => (current = prefix(name))

samlCacheConformance(
  'redis (connect)',
  () => RedisSamlCache.connect(redisUrl, { keyPrefix: fresh('owned') }),
  {
    advanceTime: (ms) => advanceKeys(current, ms),
  },
)

// A client the application made itself: the cache uses it and leaves it open on close().
let userClient: Redis | undefined
samlCacheConformance(
  'redis (user-supplied client)',
  async () => {
    userClient ??= new Redis(redisUrl)
    return new RedisSamlCache({ client: userClient, keyPrefix: fresh('user') })
  },
  { advanceTime: (ms) => advanceKeys(current, ms) },
)
after(async () => {
  await userClient?.quit()
})

describe('RedisSamlCache', () => {
  it('is atomic across two instances: 50 concurrent takes yield the value once, 50 adds win once', async () => {
    const keyPrefix = prefix('race')
    const a = await RedisSamlCache.connect(redisUrl, { keyPrefix })
    const b = await RedisSamlCache.connect(redisUrl, { keyPrefix })
    try {
      assert.notEqual(a.client, b.client, 'two separate connections')
      for (let round = 0; round < 5; round++) {
        await a.set(`req:${round}`, `value ${round}`, 60_000)
        const taken = await Promise.all(
          Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).take(`req:${round}`)),
        )
        assert.deepEqual(
          taken.filter((v) => v !== undefined),
          [`value ${round}`],
          `round ${round}`,
        )

        const added = await Promise.all(
          Array.from({ length: 50 }, (_, i) => (i % 2 ? b : a).add(`replay:${round}`, `writer ${i}`, 60_000)),
        )
        const winners = added.flatMap((ok, i) => (ok ? [i] : []))
        assert.equal(winners.length, 1, `round ${round}: exactly one add wins`)
        assert.equal(await b.take(`replay:${round}`), `writer ${winners[0]}`)
      }
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('keeps caches with different key prefixes apart, and writes keys under the prefix', async () => {
    const [pa, pb] = [prefix('iso-a'), prefix('iso-b')]
    const a = await RedisSamlCache.connect(redisUrl, { keyPrefix: pa })
    const b = await RedisSamlCache.connect(redisUrl, { keyPrefix: pb })
    try {
      await a.set('saml:req:acme:1', 'from-a', 60_000)
      assert.equal(await b.take('saml:req:acme:1'), undefined)
      assert.equal(await b.add('saml:req:acme:1', 'from-b', 60_000), true, 'free under the other prefix')
      assert.equal(await ioredis(a).get(`${pa}saml:req:acme:1`), 'from-a')
      assert.equal(await ioredis(a).get(`${pb}saml:req:acme:1`), 'from-b')
      assert.equal(await ioredis(a).exists('saml:req:acme:1'), 0, 'nothing written without the prefix')
      assert.equal(await a.take('saml:req:acme:1'), 'from-a')
      assert.equal(await b.take('saml:req:acme:1'), 'from-b')
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('sets a millisecond TTL on the key, rounded up to a whole ms', async () => {
    const keyPrefix = prefix('ttl')
    const cache = await RedisSamlCache.connect(redisUrl, { keyPrefix })
    try {
      await cache.set('s', 'v', 30_000.2)
      await cache.add('a', 'v', 1.4)
      const pttl = await ioredis(cache).pttl(`${keyPrefix}s`)
      assert.ok(pttl > 29_000 && pttl <= 30_001, `PTTL ${pttl}`)
      // 1.4 ms was sent as PX 2 (an integer); Redis would have refused a fraction.
      assert.ok((await ioredis(cache).pttl(`${keyPrefix}a`)) <= 2)
    } finally {
      await cache.close()
    }
  })

  it('close() quits a client it made, and leaves a user-supplied client open', async () => {
    const owned = await RedisSamlCache.connect(redisUrl, { keyPrefix: prefix('close') })
    assert.equal(owned.client.status, 'ready')
    await owned.close()
    assert.equal(owned.client.status, 'end')
    await owned.close() // idempotent
    await assert.rejects(owned.take('k'), (err) => isSamlError(err, 'ERR_SAML_CACHE_UNAVAILABLE'))

    const client = new Redis(redisUrl)
    try {
      const before = client.listenerCount('error')
      const cache = new RedisSamlCache({ client, keyPrefix: prefix('close-user') })
      assert.equal(client.listenerCount('error'), before + 1, 'the cache listens for client errors')
      await cache.set('k', 'v', 60_000)
      await cache.close()
      assert.equal(client.listenerCount('error'), before, 'and stops on close')
      assert.equal(await client.ping(), 'PONG', 'the user client is still open')
    } finally {
      await client.quit()
    }
  })

  // The child has nothing left to do after close(): if a handle kept it alive it would never exit, and
  // the test's timeout (whose signal kills the child) would fail the test. No wall-clock bound needed.
  it('lets the process exit after close() of a cache made by connect()', { timeout: 60_000 }, async (t) => {
    const modulePath = fileURLToPath(new URL('../../lib/cache/redis-saml-cache.ts', import.meta.url))
    const script = `
      const { RedisSamlCache } = await import(process.argv[1])
      const cache = await RedisSamlCache.connect(process.argv[2], { keyPrefix: process.argv[3] })
      await cache.set('k', 'v', 60000)
      process.stdout.write(String(await cache.take('k')))
      await cache.close()
    `
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, modulePath, redisUrl, prefix('exit')],
      { signal: t.signal, killSignal: 'SIGKILL' },
    )
    assert.equal(stdout, 'v')
  })

  it('rejects misuse with a TypeError naming the option', async () => {
    const client = new Redis(redisUrl, { lazyConnect: true })
    const name = (option: string) => (err: unknown) =>
      err instanceof TypeError && err.message.includes(option)
    assert.throws(() => new RedisSamlCache({ client: {} as Redis }), name('options.client'))
    assert.throws(() => new RedisSamlCache(undefined as never), TypeError)
    assert.throws(() => new RedisSamlCache({ client, keyPrefix: 1 as never }), name('options.keyPrefix'))
    assert.throws(() => new RedisSamlCache({ client, commandTimeoutMs: 0 }), name('options.commandTimeoutMs'))
    await assert.rejects(RedisSamlCache.connect('http://127.0.0.1:6379'), name('url'))
    await assert.rejects(RedisSamlCache.connect(redisUrl, { connectTimeoutMs: -1 }), name('connectTimeoutMs'))
    await assert.rejects(
      RedisSamlCache.connect(redisUrl, { commandTimeoutMs: Number.NaN }),
      name('options.commandTimeoutMs'),
    )
    await assert.rejects(
      RedisSamlCache.connect(redisUrl, { redisOptions: 'x' as never }),
      name('options.redisOptions'),
    )

    const cache = new RedisSamlCache({ client })
    await assert.rejects(cache.set('k', 'v', 0), name('ttlMs'))
    await assert.rejects(cache.add('k', 'v', Number.POSITIVE_INFINITY), name('ttlMs'))
    await assert.rejects(cache.set('k', 1 as never, 10), TypeError)
    await assert.rejects(cache.take(undefined as never), TypeError)
    await cache.close()
    assert.equal(client.status, 'wait', 'argument checks never reached Redis')
    client.disconnect()
  })
})

// Shared conformance suite for SamlCache adapters (keyv's core/test-suite, for the request and
// replay cache).
//
//   samlCacheConformance('memory', async () => new MemorySamlCache({ now: () => clock }), {
//     advanceTime: async (ms) => { clock += ms },
//   })
//   samlCacheConformance('redis', () => RedisSamlCache.connect(redisUrl))
//
// Keys are prefixed with a random tag per test, so suites can share one backend.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import type { SamlCache } from '../cache/saml-cache.js'

/** Optional capabilities of the adapter under test. */
export interface SamlCacheConformanceOptions {
  /**
   * Moves the cache's clock forward. When given, the TTL tests use it with long TTLs; without it
   * (Redis, PostgreSQL: real time only) they use TTLs of a few hundred ms and wait them out.
   */
  advanceTime?: (ms: number) => Promise<void>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const LONG_TTL = 60_000

function keys() {
  const tag = randomBytes(6).toString('hex')
  return (name: string) => `conformance:${tag}:${name}`
}

/**
 * Registers the SamlCache conformance tests under `describe(name)`. `makeCache` is called once per
 * test; the cache is closed (`close?.()`) after it.
 */
export function samlCacheConformance(
  name: string,
  makeCache: () => Promise<SamlCache>,
  options: SamlCacheConformanceOptions = {},
): void {
  const { advanceTime } = options

  async function withCache(
    fn: (cache: SamlCache, key: (name: string) => string) => Promise<void>,
  ): Promise<void> {
    const cache = await makeCache()
    try {
      await fn(cache, keys())
    } finally {
      await cache.close?.()
    }
  }

  /**
   * Lets `ms` pass for the cache: the fake clock when there is one, otherwise real time plus a margin
   * (backends such as Redis expire keys on their own clock, to the millisecond).
   */
  async function elapse(ms: number): Promise<void> {
    if (advanceTime) await advanceTime(ms)
    else await sleep(ms + 100)
  }

  describe(`SamlCache conformance: ${name}`, () => {
    it('set then take returns the value; take deletes it', async () => {
      await withCache(async (cache, key) => {
        await cache.set(key('a'), 'value-a', LONG_TTL)
        assert.equal(await cache.take(key('a')), 'value-a')
        assert.equal(await cache.take(key('a')), undefined)
      })
    })

    it('take of a missing key returns undefined', async () => {
      await withCache(async (cache, key) => {
        assert.equal(await cache.take(key('never-set')), undefined)
      })
    })

    it('set replaces an earlier value', async () => {
      await withCache(async (cache, key) => {
        await cache.set(key('a'), 'first', LONG_TTL)
        await cache.set(key('a'), 'second', LONG_TTL)
        assert.equal(await cache.take(key('a')), 'second')
      })
    })

    it('keys are independent', async () => {
      await withCache(async (cache, key) => {
        await cache.set(key('a'), '1', LONG_TTL)
        await cache.set(key('b'), '2', LONG_TTL)
        assert.equal(await cache.take(key('b')), '2')
        assert.equal(await cache.take(key('a')), '1')
      })
    })

    it('add stores when absent (true), and neither stores nor replaces when present (false)', async () => {
      await withCache(async (cache, key) => {
        assert.equal(await cache.add(key('a'), 'first', LONG_TTL), true)
        assert.equal(await cache.add(key('a'), 'second', LONG_TTL), false)
        assert.equal(await cache.take(key('a')), 'first')
        assert.equal(await cache.add(key('a'), 'third', LONG_TTL), true, 'free again after take')
        assert.equal(await cache.take(key('a')), 'third')
        await cache.set(key('b'), 'set', LONG_TTL)
        assert.equal(await cache.add(key('b'), 'added', LONG_TTL), false, 'a set value counts as present')
        assert.equal(await cache.take(key('b')), 'set')
      })
    })

    it('values round-trip exactly (empty, unicode, 10 KB)', async () => {
      await withCache(async (cache, key) => {
        const values = ['', ' spaced \n value ', 'ünïcödé 🔑 キー', 'x'.repeat(10_240), '{"json":true}']
        for (const [i, value] of values.entries()) await cache.set(key(`v${i}`), value, LONG_TTL)
        for (const [i, value] of values.entries()) assert.equal(await cache.take(key(`v${i}`)), value)
      })
    })

    it('keys with odd characters work and stay distinct', async () => {
      await withCache(async (cache, key) => {
        const names = [
          'a:b:c',
          'ключ-🔑',
          'k'.repeat(300),
          'with space',
          'Key',
          'key',
          'new\nline',
          '*?[]{}%_\\',
        ]
        for (const [i, n] of names.entries()) await cache.set(key(n), `value ${i}`, LONG_TTL)
        for (const [i, n] of names.entries()) assert.equal(await cache.take(key(n)), `value ${i}`, n)
        for (const n of names) assert.equal(await cache.add(key(n), 'again', LONG_TTL), true, n)
      })
    })

    describe('TTL', () => {
      // Generous TTL for "still there", short one for "gone": with real time a slow CI box must
      // not turn the first into a failure.
      const shortTtl = advanceTime ? 10_000 : 150

      it('an entry is visible before its TTL and gone after it', async () => {
        await withCache(async (cache, key) => {
          await cache.set(key('short'), 'v', shortTtl)
          await cache.set(key('long'), 'v', LONG_TTL)
          if (advanceTime) {
            await advanceTime(shortTtl / 2)
            assert.equal(
              await cache.add(key('short'), 'other', LONG_TTL),
              false,
              'still present at half its TTL',
            )
          }
          await elapse(shortTtl)
          assert.equal(await cache.take(key('short')), undefined, 'expired')
          assert.equal(await cache.take(key('long')), 'v', 'an entry with a longer TTL is still there')
        })
      })

      it('add succeeds again once the previous entry expired, with a fresh TTL', async () => {
        await withCache(async (cache, key) => {
          assert.equal(await cache.add(key('a'), 'first', shortTtl), true)
          assert.equal(await cache.add(key('a'), 'blocked', shortTtl), false)
          await elapse(shortTtl)
          assert.equal(await cache.add(key('a'), 'second', LONG_TTL), true)
          await elapse(shortTtl)
          assert.equal(await cache.take(key('a')), 'second', 'the new TTL applies, not the old one')
        })
      })

      it('set replaces the TTL along with the value', async () => {
        await withCache(async (cache, key) => {
          await cache.set(key('a'), 'long', LONG_TTL)
          await cache.set(key('a'), 'short', shortTtl)
          await elapse(shortTtl)
          assert.equal(await cache.take(key('a')), undefined)
        })
      })
    })

    describe('atomicity', () => {
      it('of 50 concurrent takes of one key exactly one gets the value', async () => {
        await withCache(async (cache, key) => {
          await cache.set(key('race'), 'the-value', LONG_TTL)
          const results = await Promise.all(Array.from({ length: 50 }, () => cache.take(key('race'))))
          assert.deepEqual(
            results.filter((r) => r !== undefined),
            ['the-value'],
          )
        })
      })

      it('of 50 concurrent adds of one key exactly one returns true, and its value is kept', async () => {
        await withCache(async (cache, key) => {
          const results = await Promise.all(
            Array.from({ length: 50 }, (_, i) => cache.add(key('race'), `writer ${i}`, LONG_TTL)),
          )
          const winners = results.flatMap((ok, i) => (ok ? [i] : []))
          assert.equal(winners.length, 1)
          assert.equal(await cache.take(key('race')), `writer ${winners[0]}`)
        })
      })

      it('concurrent add and take on many keys never hand a value out twice', async () => {
        await withCache(async (cache, key) => {
          const names = Array.from({ length: 20 }, (_, i) => key(`k${i}`))
          await Promise.all(names.map((n) => cache.set(n, n, LONG_TTL)))
          const taken = await Promise.all(names.flatMap((n) => [cache.take(n), cache.take(n), cache.take(n)]))
          assert.deepEqual(taken.filter((v) => v !== undefined).sort(), [...names].sort())
        })
      })
    })
  })
}

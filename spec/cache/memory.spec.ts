import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it, mock } from 'node:test'
import { MemorySamlCache } from '../../lib/cache/memory-saml-cache.js'
import { samlCacheConformance } from './conformance.js'

let clock = 1_700_000_000_000
samlCacheConformance('memory (fake clock)', async () => new MemorySamlCache({ now: () => clock }), {
  advanceTime: async (ms) => {
    clock += ms
  },
})

// The cache's default clock (Date.now, no `now` option), driven by node:test's mocked Date: the TTL
// tests see time pass only when the suite advances it, so no test waits out a TTL in real time and a
// busy machine cannot age an entry behind the suite's back. (It replaces a run on real time, which made
// the suite wait out 150 ms TTLs with sleeps.)
describe('MemorySamlCache on its default clock', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'] }))
  afterEach(() => mock.timers.reset())
  samlCacheConformance('memory (default clock, mocked Date)', async () => new MemorySamlCache(), {
    advanceTime: async (ms) => mock.timers.tick(ms),
  })
})

describe('MemorySamlCache', () => {
  it('drops expired entries on sweep and bounds them on writes, without touching live ones', async () => {
    let now = 0
    const cache = new MemorySamlCache({ now: () => now, sweepIntervalMs: 0 })
    for (let i = 0; i < 100; i++) await cache.set(`old:${i}`, 'v', 1_000)
    await cache.set('live', 'v', 60_000)
    assert.equal(cache.size, 101)
    now = 2_000
    // Each write looks at a few of the oldest entries and drops the expired ones.
    for (let i = 0; i < 5; i++) await cache.set(`new:${i}`, 'v', 1_000)
    assert.ok(cache.size < 101, `bounded sweep on write dropped some (size ${cache.size})`)
    cache.sweep()
    assert.equal(cache.size, 6)
    now = 5_000
    cache.sweep()
    assert.equal(cache.size, 1)
    assert.equal(await cache.take('live'), 'v')
    await cache.close()
  })

  it('sweeps on an unref’d timer, which close() stops', async (t) => {
    // The sweep timer is a mocked setInterval: tick() runs every sweep that is due, synchronously, so
    // "after an interval" holds exactly instead of after a sleep that hopes the timer has fired.
    t.mock.timers.enable({ apis: ['setInterval'] })
    let now = 0
    const cache = new MemorySamlCache({ now: () => now, sweepIntervalMs: 10 })
    await cache.set('a', 'v', 5)
    now = 100
    t.mock.timers.tick(10)
    assert.equal(cache.size, 0)
    await cache.close()
    await cache.set('b', 'v', 5)
    now = 200
    t.mock.timers.tick(40)
    assert.equal(cache.size, 1, 'no sweeping after close')
  })

  it('rejects misuse with TypeError', async () => {
    const cache = new MemorySamlCache({ sweepIntervalMs: 0 })
    await assert.rejects(cache.set('k', 'v', 0), TypeError)
    await assert.rejects(cache.add('k', 'v', Number.NaN), TypeError)
    await assert.rejects(cache.set('k', 1 as unknown as string, 10), TypeError)
    await assert.rejects(cache.take(undefined as unknown as string), TypeError)
    assert.throws(() => new MemorySamlCache({ sweepIntervalMs: -1 }), TypeError)
  })
})

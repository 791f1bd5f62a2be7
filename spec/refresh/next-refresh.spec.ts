// The refresh rule on its own: a pure function of the held document's hints, the failures in a row
// and the bounds, with the clock and the random source given.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  DEFAULT_REFRESH_INTERVALS,
  nextRefreshAt,
  type NextRefreshInput,
} from '../../lib/refresh/next-refresh.js'

const MIN = 60_000
const HOUR = 3600_000
const now = Date.parse('2026-12-01T00:00:00Z')
/** The delay the rule gives, with no jitter unless `random` is given. */
const delay = (input: Partial<NextRefreshInput>) =>
  nextRefreshAt({
    now,
    consecutiveFailures: 0,
    minIntervalMs: 10 * MIN,
    maxIntervalMs: 6 * HOUR,
    random: () => 0,
    ...input,
  }) - now

describe('nextRefreshAt', () => {
  it('defaults to 10 minutes at least and 6 hours at most', () => {
    assert.deepEqual(DEFAULT_REFRESH_INTERVALS, { minIntervalMs: 10 * MIN, maxIntervalMs: 6 * HOUR })
  })

  it('a document that says nothing is fetched again after the maximum interval', () => {
    assert.equal(delay({}), 6 * HOUR)
  })

  it('follows cacheDuration, clamped to the bounds', () => {
    assert.equal(delay({ cacheDurationMs: HOUR }), HOUR)
    assert.equal(delay({ cacheDurationMs: MIN }), 10 * MIN, 'never more often than the minimum')
    assert.equal(delay({ cacheDurationMs: 30 * 24 * HOUR }), 6 * HOUR, 'never less often than the maximum')
  })

  it('fetches at three quarters of the time left before validUntil, the earliest rule winning', () => {
    assert.equal(delay({ validUntil: now + 4 * HOUR }), 3 * HOUR)
    assert.equal(
      delay({ validUntil: now + 4 * HOUR, cacheDurationMs: HOUR }),
      HOUR,
      'cacheDuration is earlier',
    )
    assert.equal(delay({ validUntil: now + 4 * HOUR, cacheDurationMs: 5 * HOUR }), 3 * HOUR)
    assert.equal(delay({ validUntil: now + 10 * 24 * HOUR }), 6 * HOUR)
    assert.equal(delay({ validUntil: now + 5 * MIN }), 10 * MIN, 'the minimum still holds')
  })

  it('backs off exponentially from the minimum after failures, up to the maximum', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 50, 5000].map((n) => delay({ consecutiveFailures: n }))
    assert.deepEqual(
      delays,
      [10, 20, 40, 80, 160, 320, 360, 360, 360].map((m) => m * MIN),
    )
    // The document's hints do not shorten a backoff...
    assert.equal(delay({ consecutiveFailures: 3, cacheDurationMs: 10 * MIN }), 40 * MIN)
    // ...but the held document's validUntil does: retries come closer as it nears, and once it has
    // passed they run at the minimum interval.
    assert.equal(delay({ consecutiveFailures: 6, validUntil: now + 2 * HOUR }), HOUR)
    assert.equal(delay({ consecutiveFailures: 6, validUntil: now + 5 * MIN }), 10 * MIN)
    assert.equal(delay({ consecutiveFailures: 6, validUntil: now - HOUR }), 10 * MIN)
  })

  it('jitter shortens a delay by up to 10%, never below the minimum', () => {
    assert.equal(delay({ cacheDurationMs: HOUR, random: () => 0.5 }), 57 * MIN)
    assert.equal(delay({ cacheDurationMs: HOUR, random: () => 0.999999 }), Math.round(HOUR * (1 - 0.0999999)))
    assert.equal(delay({ random: () => 0.999 }) > 0.9 * 6 * HOUR, true)
    assert.equal(delay({ cacheDurationMs: 10 * MIN, random: () => 0.9 }), 10 * MIN)
    assert.equal(
      delay({ cacheDurationMs: HOUR, random: () => 7 }),
      54 * MIN,
      'a bad random source is clamped',
    )
  })
})

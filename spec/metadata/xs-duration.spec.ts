import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseXsDurationMs } from '../../lib/metadata/xs-duration.js'

const DAY = 86_400_000

describe('parseXsDurationMs', () => {
  it('reads every field, years and months as 365 and 30 days, fractional seconds', () => {
    assert.equal(parseXsDurationMs('PT90M'), 90 * 60_000)
    assert.equal(parseXsDurationMs('P1DT12H'), 1.5 * DAY)
    assert.equal(
      parseXsDurationMs('P1Y2M3DT4H5M6.5S'),
      (365 + 60 + 3) * DAY + 4 * 3_600_000 + 5 * 60_000 + 6500,
    )
    assert.equal(parseXsDurationMs('PT0.5S'), 500)
    assert.equal(parseXsDurationMs('P0D'), 0)
    assert.equal(parseXsDurationMs('  PT1H \n'), 3_600_000)
  })

  it('is undefined for what is not a non-negative xs:duration', () => {
    for (const bad of [
      '',
      'P',
      'PT',
      'P1DT',
      '-PT1H',
      '+PT1H',
      'P1W',
      'PT1H30',
      '6 hours',
      'pt1h',
      'PT1.S',
      'P1.5D',
    ]) {
      assert.equal(parseXsDurationMs(bad), undefined, bad)
    }
  })

  it('caps a huge duration at a safe integer, never Infinity', () => {
    assert.equal(parseXsDurationMs('P99999999999999999999Y'), Number.MAX_SAFE_INTEGER)
    assert.equal(parseXsDurationMs(`PT${'9'.repeat(400)}S`), Number.MAX_SAFE_INTEGER)
  })
})

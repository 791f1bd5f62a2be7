// parseTime's fast path for the canonical UTC form must answer exactly as the regex and Date.parse
// did before it, refusals included.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SamlError } from '../../lib/errors/saml-error.js'
import { canonicalUtc, parseTime } from '../../lib/validate/time.js'
import { Rng } from '../support/rng.js'

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/** The algorithm before the fast path: the result, or the refusal's code and message. */
function reference(value: string): number | string {
  const ms = DATE_TIME.test(value) ? Date.parse(value) : NaN
  return Number.isNaN(ms) ? `ERR_SAML_MALFORMED t is not an xs:dateTime: "${value.slice(0, 40)}"` : ms
}

function actual(value: string): number | string {
  try {
    return parseTime(value, 't')!
  } catch (error) {
    assert.ok(error instanceof SamlError)
    return `${error.code} ${error.message}`
  }
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

/** A canonical-looking xs:dateTime with fields in and just out of range, sometimes mutated. */
function generate(rng: Rng): string {
  const year =
    rng.next() < 0.8
      ? 1900 + rng.int(300)
      : rng.pick([0, 1, 99, 100, 1600, 1700, 2000, 2100, rng.int(10_000)])
  const month = rng.next() < 0.8 ? 1 + rng.int(12) : rng.pick([0, 2, 4, 13, 19])
  const day = rng.next() < 0.6 ? 1 + rng.int(28) : rng.pick([0, 29, 30, 31, 32, 39])
  const hour = rng.next() < 0.8 ? rng.int(24) : rng.pick([0, 23, 24, 25, 29])
  const minute = rng.next() < 0.8 ? rng.int(60) : rng.pick([0, 59, 60, 69])
  const second = rng.next() < 0.8 ? rng.int(60) : rng.pick([0, 59, 60, 69])
  let text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`
  if (rng.next() < 0.6) {
    text += '.'
    const digits = rng.int(12)
    for (let k = 0; k < digits; k++) text += rng.next() < 0.3 ? rng.pick(['0', '9']) : String(rng.int(10))
  }
  text +=
    rng.next() < 0.7 ? 'Z' : rng.pick(['z', '', '+00:00', '-05:30', '+14:00', '+0000', 'ZZ', ' Z', 'Z '])
  const mutations = rng.next() < 0.25 ? 1 + rng.int(2) : 0
  for (let m = 0; m < mutations; m++) {
    const at = rng.int(text.length + 1)
    const c = rng.pick([...'0123456789-:T.Zt +/', '\u0660', '\uff10', 'a'])
    const kind = rng.int(3)
    text = text.slice(0, at) + (kind === 1 ? '' : c) + text.slice(kind === 2 ? at : at + 1)
  }
  return text
}

describe('parseTime', () => {
  it('reads the canonical UTC form, as Date.parse does', () => {
    assert.equal(parseTime('2024-02-29T12:34:56Z', 't'), Date.UTC(2024, 1, 29, 12, 34, 56))
    assert.equal(parseTime('2024-02-29T12:34:56.7Z', 't'), Date.UTC(2024, 1, 29, 12, 34, 56, 700))
    // Date.parse keeps the first three fraction digits: truncation, not rounding.
    assert.equal(parseTime('2024-01-01T00:00:00.9999999Z', 't'), Date.UTC(2024, 0, 1, 0, 0, 0, 999))
    assert.equal(parseTime('2024-01-01T02:00:00+02:00', 't'), Date.UTC(2024, 0, 1))
    assert.equal(parseTime(undefined, 't'), undefined)
  })

  it('leaves what is not a real calendar date and time to Date.parse', () => {
    for (const value of [
      '2021-04-31T00:00:00Z', // Date.parse: May 1
      '2023-02-29T00:00:00Z',
      '2024-01-01T24:00:00Z', // Date.parse: the next midnight
      '2024-01-01T23:59:60Z', // Date.parse: refused
      '2024-13-01T00:00:00Z',
      '0050-01-01T00:00:00Z', // Date.UTC would read year 50 as 1950
    ]) {
      assert.equal(canonicalUtc(value), undefined, value)
      assert.deepEqual(actual(value), reference(value), value)
    }
    assert.throws(() => parseTime('2024-01-01T23:59:60Z', 't'), { code: 'ERR_SAML_MALFORMED' })
  })

  it('agrees with regex and Date.parse on 200,000 generated strings', () => {
    const rng = new Rng(0x7469_6d65)
    let fast = 0
    let refused = 0
    for (let i = 0; i < 200_000; i++) {
      const value = generate(rng)
      const expected = reference(value)
      assert.deepEqual(actual(value), expected, value)
      if (canonicalUtc(value) !== undefined) fast++
      if (typeof expected === 'string') refused++
    }
    // Each answer is exercised: the fast path, the old way's results and its refusals.
    assert.ok(fast > 40_000 && fast < 180_000, `${fast} fast`)
    assert.ok(refused > 20_000 && 200_000 - fast - refused > 10_000, `${refused} refused`)
  })
})

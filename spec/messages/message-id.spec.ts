// Message IDs and instants: the forms xs:ID and xs:dateTime peers accept.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { newMessageId, samlInstant } from '../../lib/messages/message-id.js'

describe('newMessageId', () => {
  it('is _ and 40 lowercase hex digits (160 bits), never repeating', () => {
    const ids = Array.from({ length: 1000 }, newMessageId)
    for (const id of ids) assert.match(id, /^_[0-9a-f]{40}$/)
    assert.equal(new Set(ids).size, ids.length)
  })
})

describe('samlInstant', () => {
  it('writes UTC with millisecond precision', () => {
    assert.equal(samlInstant(Date.UTC(2026, 11, 6, 15, 4, 5, 123)), '2026-12-06T15:04:05.123Z')
    assert.equal(samlInstant(0), '1970-01-01T00:00:00.000Z')
    assert.equal(samlInstant(1.9), '1970-01-01T00:00:00.001Z')
  })

  it('refuses what has no four-digit-year xs:dateTime', () => {
    for (const bad of [NaN, Infinity, -Infinity, 253402300800000, -62135596800001]) {
      assert.throws(() => samlInstant(bad), TypeError, String(bad))
    }
  })
})

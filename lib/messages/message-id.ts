import { randomBytes } from 'node:crypto'

/**
 * A new SAML message ID: `_` and 40 lowercase hex digits (160 random bits, above the 128 SAML core
 * 1.3.4 asks for). An xs:ID must start with a letter or `_`, never a digit.
 *
 * @example
 * const id = newMessageId() // '_3f2a…' (41 characters)
 */
export function newMessageId(): string {
  return `_${randomBytes(20).toString('hex')}`
}

/**
 * An xs:dateTime in UTC with millisecond precision, the form SAML peers expect for `IssueInstant`
 * and `NotOnOrAfter` (SAML core 1.3.3). A non-finite or out-of-range time is a `TypeError` naming
 * `name`: `toISOString` would write `+010000-…` or throw a `RangeError` that names nothing.
 *
 * @example
 * samlInstant(Date.UTC(2026, 11, 6, 15, 4, 5, 123)) // '2026-12-06T15:04:05.123Z'
 */
export function samlInstant(ms: number, name = 'time'): string {
  // 0001-01-01 to 9999-12-31: four-digit years, as xs:dateTime peers parse them.
  if (!Number.isFinite(ms) || ms < -62135596800000 || ms > 253402300799999) {
    throw new TypeError(
      `${name} ${String(ms)} is not a time SAML can carry (ms since the epoch, years 1–9999)`,
    )
  }
  return new Date(ms).toISOString()
}

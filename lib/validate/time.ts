import { attr } from '../xml/read-element.js'
import { fail } from './validation-step.js'
import type { XmlElement } from '../xml/tree.js'

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/** Epoch ms of an xs:dateTime with a timezone; undefined when absent, refused when malformed. */
export function parseTime(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined
  const ms = canonicalUtc(value) ?? (DATE_TIME.test(value) ? Date.parse(value) : NaN)
  if (Number.isNaN(ms)) fail('ERR_SAML_MALFORMED', `${what} is not an xs:dateTime: "${value.slice(0, 40)}"`)
  return ms
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** The number of the `count` ASCII digits at `at`, or -1 if one is not a digit. */
function digits(s: string, at: number, count: number): number {
  let n = 0
  for (let i = at; i < at + count; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

/**
 * Fast path for what IdPs send, `YYYY-MM-DDTHH:MM:SS(.f{1,9})?Z` with a real calendar date and time:
 * Date.UTC from the digits, as Date.parse answers (it keeps the first 3 fraction digits, truncating).
 * Anything else (offsets, day 31 in April, hour 24, years below 100 that Date.UTC maps to 19xx)
 * is undefined and goes the old way. spec/validate/time.spec.ts checks it against Date.parse.
 */
export function canonicalUtc(s: string): number | undefined {
  const n = s.length
  if (n !== 20 && (n < 22 || n > 30)) return undefined
  if (
    s.charCodeAt(4) !== 0x2d || // -
    s.charCodeAt(7) !== 0x2d ||
    s.charCodeAt(10) !== 0x54 || // T
    s.charCodeAt(13) !== 0x3a || // :
    s.charCodeAt(16) !== 0x3a ||
    s.charCodeAt(n - 1) !== 0x5a // Z
  ) {
    return undefined
  }
  const year = digits(s, 0, 4)
  const month = digits(s, 5, 2)
  const day = digits(s, 8, 2)
  const hour = digits(s, 11, 2)
  const minute = digits(s, 14, 2)
  const second = digits(s, 17, 2)
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return undefined
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return undefined
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return undefined
  let ms = 0
  if (n > 20) {
    if (s.charCodeAt(19) !== 0x2e) return undefined // .
    const fraction = n - 21
    if (digits(s, 20, fraction) < 0) return undefined
    const kept = Math.min(fraction, 3)
    ms = digits(s, 20, kept) * (kept === 1 ? 100 : kept === 2 ? 10 : 1)
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms)
}

/** Epoch ms of the required xs:dateTime attribute `name` of `el`. */
export function requiredTime(el: XmlElement, name: string): number {
  const ms = parseTime(attr(el, name), `${el.localName}@${name}`)
  if (ms === undefined) fail('ERR_SAML_MALFORMED', `<${el.localName}> has no ${name}`)
  return ms
}

/** A duration for a message, in whole seconds. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`
}

/** Window checks with skew, with messages that say by how much and what to change. */
export function checkWindow(
  now: number,
  skew: number,
  notBefore: number | undefined,
  notOnOrAfter: number | undefined,
  what: string,
): void {
  if (notBefore !== undefined && now + skew < notBefore) {
    fail(
      'ERR_SAML_NOT_YET_VALID',
      `${what} is not yet valid: NotBefore is ${seconds(notBefore - now)} in the future; the IdP's clock or yours is off (see clockSkewMs, now ${seconds(skew)})`,
    )
  }
  if (notOnOrAfter !== undefined && now - skew >= notOnOrAfter) {
    fail(
      'ERR_SAML_EXPIRED',
      `${what} expired ${seconds(now - notOnOrAfter)} ago (NotOnOrAfter); if clocks are off, see clockSkewMs (now ${seconds(skew)})`,
    )
  }
}

/** The assertion's IssueInstant may not lie in the future beyond the skew. */
export function checkIssueInstant(issueInstant: number, now: number, skew: number): void {
  if (issueInstant > now + skew) {
    fail(
      'ERR_SAML_NOT_YET_VALID',
      `the assertion was issued ${seconds(issueInstant - now)} in the future; the IdP's clock or yours is off (see clockSkewMs)`,
    )
  }
}

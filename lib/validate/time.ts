import { attr } from '../xml/read-element.js'
import { fail } from './validation-step.js'
import type { XmlElement } from '../xml/tree.js'

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/** Epoch ms of an xs:dateTime with a timezone; undefined when absent, refused when malformed. */
export function parseTime(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined
  const ms = DATE_TIME.test(value) ? Date.parse(value) : NaN
  if (Number.isNaN(ms)) fail('ERR_SAML_MALFORMED', `${what} is not an xs:dateTime: "${value.slice(0, 40)}"`)
  return ms
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

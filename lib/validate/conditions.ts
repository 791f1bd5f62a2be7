import {
  attr,
  childElements,
  childrenNamed,
  isElement,
  optionalChild,
  trimmedText,
} from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import type { ResponsePolicy } from './response-policy.js'
import { checkWindow, parseTime } from './time.js'
import { fail } from './validation-step.js'
import type { XmlElement } from '../xml/tree.js'

/** The assertion's Conditions and the end of their window. */
export interface ConditionsWindow {
  readonly conditions: XmlElement
  readonly notOnOrAfter: number | undefined
}

/**
 * `conditions`: the assertion has Conditions (without them no AudienceRestriction can name this SP)
 * and now is within their NotBefore / NotOnOrAfter, with skew.
 */
export function checkConditionsWindow(
  assertion: XmlElement,
  policy: ResponsePolicy,
  now: number,
): ConditionsWindow {
  const conditions = optionalChild(assertion, NS.assertion, 'Conditions')
  if (!conditions)
    fail(
      'ERR_SAML_AUDIENCE_MISMATCH',
      'the assertion has no Conditions, so no AudienceRestriction names this SP',
    )
  const notOnOrAfter = parseTime(attr(conditions, 'NotOnOrAfter'), 'Conditions@NotOnOrAfter')
  checkWindow(
    now,
    policy.clockSkewMs,
    parseTime(attr(conditions, 'NotBefore'), 'Conditions@NotBefore'),
    notOnOrAfter,
    'the assertion',
  )
  return { conditions, notOnOrAfter }
}

/**
 * `audience`: every AudienceRestriction names this SP and there is at least one; any condition
 * other than OneTimeUse and ProxyRestriction is refused.
 */
export function checkAudience(conditions: XmlElement, policy: ResponsePolicy): void {
  let restrictions = 0
  for (const condition of childElements(conditions)) {
    if (isElement(condition, NS.assertion, 'AudienceRestriction')) {
      restrictions++
      const audiences = childrenNamed(condition, NS.assertion, 'Audience').map(trimmedText)
      if (!audiences.includes(policy.spEntityId)) {
        fail(
          'ERR_SAML_AUDIENCE_MISMATCH',
          `the assertion is for audience ${audiences.map((a) => `"${a.slice(0, 200)}"`).join(', ') || '(none)'}, not this SP (${policy.spEntityId})`,
        )
      }
    } else if (
      !isElement(condition, NS.assertion, 'OneTimeUse') &&
      !isElement(condition, NS.assertion, 'ProxyRestriction')
    ) {
      // SAML core 2.5.1.5: an unknown condition makes the assertion invalid.
      fail(
        'ERR_SAML_STRUCTURE',
        `the assertion has a condition this SP does not understand (<${(condition as XmlElement).localName}>)`,
      )
    }
  }
  if (restrictions === 0)
    fail('ERR_SAML_AUDIENCE_MISMATCH', 'the assertion has no AudienceRestriction naming this SP')
}

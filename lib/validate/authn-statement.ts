import { attr, childrenNamed, optionalChild, trimmedText } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import type { ResponsePolicy } from './response-policy.js'
import { parseTime, requiredTime, seconds } from './time.js'
import { fail } from './validation-step.js'
import type { XmlElement } from '../xml/tree.js'

/** What the AuthnStatement says about the login at the IdP. */
export interface AuthnFacts {
  readonly authnInstant?: string
  readonly sessionIndex?: string
  readonly sessionNotOnOrAfter?: string
  readonly authnContextClassRef?: string
}

/**
 * `authn-statement`: exactly one AuthnStatement (an SSO assertion must say when the user
 * authenticated), with an AuthnInstant, and an IdP session that has not ended.
 */
export function checkAuthnStatement(assertion: XmlElement, policy: ResponsePolicy, now: number): AuthnFacts {
  const authn = childrenNamed(assertion, NS.assertion, 'AuthnStatement')
  if (authn.length !== 1)
    fail('ERR_SAML_MALFORMED', `the assertion has ${authn.length} AuthnStatements; exactly one is expected`)
  const statement = authn[0]!
  const authnInstant = attr(statement, 'AuthnInstant')
  requiredTime(statement, 'AuthnInstant')
  const sessionNotOnOrAfterRaw = attr(statement, 'SessionNotOnOrAfter')
  const sessionNotOnOrAfter = parseTime(sessionNotOnOrAfterRaw, 'SessionNotOnOrAfter')
  if (sessionNotOnOrAfter !== undefined && now - policy.clockSkewMs >= sessionNotOnOrAfter) {
    fail(
      'ERR_SAML_SESSION_EXPIRED',
      `the IdP session ended ${seconds(now - sessionNotOnOrAfter)} ago (SessionNotOnOrAfter)`,
    )
  }
  const context = optionalChild(statement, NS.assertion, 'AuthnContext')
  const classRef = context && optionalChild(context, NS.assertion, 'AuthnContextClassRef')
  return {
    authnInstant,
    sessionIndex: attr(statement, 'SessionIndex'),
    sessionNotOnOrAfter: sessionNotOnOrAfterRaw,
    authnContextClassRef: classRef ? trimmedText(classRef) : undefined,
  }
}

import { attr, optionalChild, requiredChild, trimmedText } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import { fail } from './validation-step.js'
import type { XmlElement } from '../xml/tree.js'

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success'
const NO_PASSIVE = 'urn:oasis:names:tc:SAML:2.0:status:NoPassive'

/**
 * `status`: the top-level StatusCode is Success; otherwise the IdP's codes and message are reported
 * (`ERR_SAML_NO_PASSIVE` when the second-level code is NoPassive).
 */
export function checkStatus(response: XmlElement): void {
  const status = requiredChild(response, NS.protocol, 'Status')
  const code = requiredChild(status, NS.protocol, 'StatusCode')
  const value = attr(code, 'Value')
  if (value === SUCCESS) return
  const sub = optionalChild(code, NS.protocol, 'StatusCode')
  const message = optionalChild(status, NS.protocol, 'StatusMessage')
  const detail = [value, sub && attr(sub, 'Value')].filter(Boolean).join(' / ')
  const text = message ? `: ${trimmedText(message).slice(0, 200)}` : ''
  // The answer to IsPassive when the user would have to interact: "not signed in", not a fault.
  if (sub && attr(sub, 'Value') === NO_PASSIVE)
    fail('ERR_SAML_NO_PASSIVE', `the IdP cannot sign the user in without showing a page (NoPassive)${text}`)
  fail('ERR_SAML_STATUS', `the IdP did not authenticate the user (${detail || 'no status code'})${text}`)
}

import { isElement } from '../xml/dom.js'
import { NS } from '../xml/namespaces.js'
import { decryptAssertion } from './decrypt-assertion.js'
import type { ResponsePolicy } from './response-policy.js'
import { fail } from './validation-step.js'

/**
 * `decryption`: decrypts an EncryptedAssertion with the SP's keys, or refuses a plain one when the
 * IdP must encrypt. Run only when the assertion is encrypted or encryption is required.
 */
export function openEncryptedAssertion(assertion: Element, policy: ResponsePolicy): Element {
  if (!isElement(assertion, NS.assertion, 'EncryptedAssertion')) {
    fail(
      'ERR_SAML_ENCRYPTION_REQUIRED',
      `IdP "${policy.idp}" must encrypt assertions (requireEncryptedAssertions) and this one is plain`,
    )
  }
  if (policy.decryptionKeys.length === 0) {
    fail(
      'ERR_SAML_DECRYPTION',
      'the assertion is encrypted but the SP has no decryption key (sp.decryptionKey)',
    )
  }
  return decryptAssertion(assertion, {
    keys: policy.decryptionKeys,
    requireAesGcm: policy.requireAesGcm,
    limits: policy.limits,
  })
}

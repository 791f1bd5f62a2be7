import type { ResponsePolicy } from './response-policy.js'
import { fail } from './validation-step.js'
import { verifyEnvelopedSignature } from '../xmldsig/verify-signature.js'
import type { XmlElement } from '../xml/tree.js'

/**
 * `response-signature`: the Response's signature verifies with the IdP's keys, or is refused as
 * missing when the IdP must sign Responses. Run only when there is one or one is required.
 */
export function checkResponseSignature(
  signature: XmlElement | undefined,
  response: XmlElement,
  policy: ResponsePolicy,
  now: number,
): true {
  if (!signature) {
    fail(
      'ERR_SAML_SIGNATURE_MISSING',
      `IdP "${policy.idp}" must sign the Response (wantResponseSigned) and this one is unsigned`,
    )
  }
  verifyEnvelopedSignature(signature, response, policy, now)
  return true
}

/**
 * `assertion-signature`: the Assertion's signature verifies with the IdP's keys, or is refused as
 * missing when the IdP must sign Assertions. Run only when there is one or one is required.
 */
export function checkAssertionSignature(
  signature: XmlElement | undefined,
  assertion: XmlElement,
  policy: ResponsePolicy,
  now: number,
): true {
  if (!signature) {
    fail(
      'ERR_SAML_SIGNATURE_MISSING',
      `IdP "${policy.idp}" must sign the Assertion (wantAssertionsSigned) and this one is unsigned`,
    )
  }
  verifyEnvelopedSignature(signature, assertion, policy, now)
  return true
}

/** `signed`: whatever the policy, something in the message carries a verified signature. */
export function checkSigned(responseSigned: boolean, assertionSigned: boolean): void {
  if (!assertionSigned && !responseSigned)
    fail('ERR_SAML_SIGNATURE_MISSING', 'neither the Response nor the Assertion is signed')
}

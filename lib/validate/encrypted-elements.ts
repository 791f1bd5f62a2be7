import type { KeyObject } from 'node:crypto'
import { decryptElement, type ExpectedElement } from '../xmlenc/decrypt-element.js'
import { isElement } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import type { XmlLimits } from '../xml/parse-xml.js'
import { fail } from './validation-step.js'
import type { XmlElement } from '../xml/tree.js'

/** What decrypting a SAML element needs: the SP's keys and the IdP's rules. */
export interface ElementDecryption {
  readonly decryptionKeys: readonly KeyObject[]
  readonly requireAesGcm: boolean
  readonly limits: XmlLimits
}

/** The three encrypted elements of SAML (core 2.2.4, 2.3.4, 2.7.3.2) and what each must decrypt to. */
export const ENCRYPTED: Readonly<Record<'assertion' | 'nameId' | 'attribute', ExpectedElement>> = {
  assertion: { ns: NS.assertion, local: ['Assertion'], what: 'assertion' },
  nameId: { ns: NS.assertion, local: ['NameID'], what: 'NameID' },
  attribute: { ns: NS.assertion, local: ['Attribute'], what: 'attribute' },
}

/** Decrypts an EncryptedAssertion, EncryptedID or EncryptedAttribute with the SP's keys. */
export function decryptSamlElement(
  wrapper: XmlElement,
  expected: ExpectedElement,
  rules: ElementDecryption,
): XmlElement {
  if (rules.decryptionKeys.length === 0) {
    fail(
      'ERR_SAML_DECRYPTION',
      `the ${expected.what} is encrypted but the SP has no decryption key (sp.decryptionKey)`,
    )
  }
  return decryptElement(wrapper, expected, {
    keys: rules.decryptionKeys,
    requireAesGcm: rules.requireAesGcm,
    limits: rules.limits,
  })
}

/**
 * `decryption`: decrypts an EncryptedAssertion with the SP's keys, or refuses a plain one when the
 * IdP must encrypt. Run only when the assertion is encrypted or encryption is required.
 */
export function openEncryptedAssertion(
  assertion: XmlElement,
  policy: ElementDecryption & { readonly idp: string; readonly requireEncryptedAssertions: boolean },
): XmlElement {
  if (!isElement(assertion, NS.assertion, 'EncryptedAssertion')) {
    fail(
      'ERR_SAML_ENCRYPTION_REQUIRED',
      `IdP "${policy.idp}" must encrypt assertions (requireEncryptedAssertions) and this one is plain`,
    )
  }
  return decryptSamlElement(assertion, ENCRYPTED.assertion, policy)
}

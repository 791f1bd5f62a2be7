import type { KeyObject } from 'node:crypto'
import { SamlError } from '../errors/saml-error.js'
import { parseXmlInContext, type XmlLimits } from '../xml/parse-xml.js'
import { CONTENT_ENCRYPTION_ALGORITHMS } from './algorithms.js'
import { decryptContent } from './decrypt-content.js'
import { readKeyTransport } from './key-transport.js'
import { readEncryptedElement } from './read-encrypted-element.js'
import { rsaOaepDecrypt } from './rsa-oaep.js'
import type { XmlElement } from '../xml/tree.js'

export interface DecryptionPolicy {
  /** The SP's private keys, newest first (several during a rotation). */
  readonly keys: readonly KeyObject[]
  readonly requireAesGcm: boolean
  readonly limits: XmlLimits
}

/** What the plaintext must be: one element of this namespace with one of these local names. */
export interface ExpectedElement {
  readonly ns: string
  readonly local: readonly string[]
  /** Names the content in errors: "assertion", "NameID", "attribute". */
  readonly what: string
}

/**
 * Decrypts an encrypted SAML element (EncryptedAssertion, EncryptedID, EncryptedAttribute) with the
 * SP's keys and returns the plaintext element, whose parent is `wrapper`. Structure and algorithms are
 * checked first (`ERR_SAML_STRUCTURE`, `ERR_SAML_ENCRYPTION_ALGORITHM`: they depend on nothing
 * secret); after that every failure (no key fits, bad OAEP, bad padding or tag, unparsable plaintext,
 * an unexpected element) is the same `ERR_SAML_DECRYPTION`, so the sender learns nothing from which
 * step failed.
 */
export function decryptElement(
  wrapper: XmlElement,
  expected: ExpectedElement,
  policy: DecryptionPolicy,
): XmlElement {
  const failed = () =>
    new SamlError(
      `the encrypted ${expected.what} could not be decrypted with this SP's keys`,
      'ERR_SAML_DECRYPTION',
    )
  const parts = readEncryptedElement(wrapper)
  const content = CONTENT_ENCRYPTION_ALGORITHMS.get(parts.algorithm)
  if (!content) {
    throw new SamlError(
      `content encryption ${parts.algorithm} is not accepted; use AES-GCM or AES-CBC`,
      'ERR_SAML_ENCRYPTION_ALGORITHM',
    )
  }
  if (content.mode === 'cbc' && policy.requireAesGcm) {
    throw new SamlError(
      'this IdP must encrypt with AES-GCM; it sent AES-CBC',
      'ERR_SAML_ENCRYPTION_ALGORITHM',
    )
  }
  if (parts.keySizeBits !== undefined && parts.keySizeBits !== content.keyLength * 8) {
    throw new SamlError(`KeySize ${parts.keySizeBits} contradicts ${parts.algorithm}`, 'ERR_SAML_STRUCTURE')
  }
  const transports = parts.keys.map((key) => ({ key, transport: readKeyTransport(key) }))

  let plaintext: Buffer | undefined
  search: for (const { key, transport } of transports) {
    for (const spKey of policy.keys) {
      for (const mgfHash of transport.mgfHashes) {
        const cek = rsaOaepDecrypt(spKey, key.cipherValue, transport.oaepHash, mgfHash, transport.label)
        plaintext =
          cek?.length === content.keyLength ? decryptContent(content, cek, parts.cipherValue) : undefined
        if (plaintext) break search
      }
    }
  }
  if (!plaintext) throw failed()

  const root = parsePlaintext(plaintext.toString('utf8'), wrapper, policy.limits)
  if (!root || root.namespaceURI !== expected.ns || !expected.local.includes(root.localName)) throw failed()
  return root
}

/**
 * The decrypted element, parsed where its EncryptedData sat (XML Encryption 4.3): most encryptors
 * serialize it with its namespace declarations, but Santuario (and so OpenSAML) leaves out those
 * its context declares. The wrapper's bindings are in scope and the wrapper is its parent, so
 * inclusive c14n of it sees its ancestors. Undefined when the plaintext is not one well-formed
 * element.
 */
function parsePlaintext(text: string, wrapper: XmlElement, limits: XmlLimits): XmlElement | undefined {
  try {
    return parseXmlInContext(text, limits, 'ERR_SAML_MALFORMED', wrapper)
  } catch (err) {
    // Limits and DTDs are reported as such (they are not secret-dependent); parse errors are not.
    if (err instanceof SamlError && err.code !== 'ERR_SAML_MALFORMED') throw err
    return undefined
  }
}

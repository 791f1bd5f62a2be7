import { constants, createDecipheriv, privateDecrypt, type KeyObject } from 'node:crypto'
import { SamlError } from '../errors/saml-error.js'
import { decodeBase64Strict } from '../xml/base64.js'
import { childElements, isElement, leafText } from '../xml/dom.js'
import { NS } from '../xml/namespaces.js'
import { parseXml, type XmlLimits } from '../xml/parse-xml.js'
import { DIGEST_ALGORITHMS } from '../xmldsig/algorithms.js'
import {
  CONTENT_ENCRYPTION_ALGORITHMS,
  KEY_TRANSPORT_ALGORITHMS,
  MGF_ALGORITHMS,
} from './encryption-algorithms.js'

export interface DecryptionPolicy {
  /** The SP's private keys, newest first (several during a rotation). */
  readonly keys: readonly KeyObject[]
  readonly requireAesGcm: boolean
  readonly limits: XmlLimits
}

/** One message for every failure after the algorithms were accepted: no padding or parse oracle. */
function decryptionFailed(): SamlError {
  return new SamlError(
    "the encrypted assertion could not be decrypted with this SP's keys",
    'ERR_SAML_DECRYPTION',
  )
}

function structure(message: string): SamlError {
  return new SamlError(`EncryptedAssertion is not in the accepted form: ${message}`, 'ERR_SAML_STRUCTURE')
}

interface WrappedKey {
  cipherValue: Buffer
  oaepHash: string
}

function cipherValueOf(el: Element): Buffer {
  const cipherData = childElements(el).find((e) => isElement(e, NS.xenc, 'CipherData'))
  const value = cipherData && childElements(cipherData).find((e) => isElement(e, NS.xenc, 'CipherValue'))
  if (!value) throw structure(`<${el.localName}> has no CipherData/CipherValue`)
  const bytes = decodeBase64Strict(leafText(value))
  if (!bytes || bytes.length === 0) throw structure('CipherValue is not base64')
  return bytes
}

function readEncryptedKey(encryptedKey: Element): WrappedKey {
  const method = childElements(encryptedKey).find((e) => isElement(e, NS.xenc, 'EncryptionMethod'))
  const uri = method?.getAttribute('Algorithm') ?? ''
  if (!KEY_TRANSPORT_ALGORITHMS.has(uri)) {
    throw new SamlError(
      `key transport ${uri || '(none)'} is not accepted; use RSA-OAEP`,
      'ERR_SAML_ENCRYPTION_ALGORITHM',
    )
  }
  let oaepHash = 'sha1'
  let mgfHash = 'sha1'
  for (const param of childElements(method!)) {
    if (isElement(param, NS.dsig, 'DigestMethod')) {
      const hash = DIGEST_ALGORITHMS.get(param.getAttribute('Algorithm') ?? '')
      if (!hash) throw new SamlError('the RSA-OAEP digest is not accepted', 'ERR_SAML_ENCRYPTION_ALGORITHM')
      oaepHash = hash
    }
    if (isElement(param, NS.xenc11, 'MGF')) {
      const hash = MGF_ALGORITHMS.get(param.getAttribute('Algorithm') ?? '')
      if (!hash)
        throw new SamlError(
          'the RSA-OAEP mask generation function is not accepted',
          'ERR_SAML_ENCRYPTION_ALGORITHM',
        )
      mgfHash = hash
    }
  }
  // node:crypto ties MGF1's hash to the OAEP hash; other pairings are refused up front.
  if (mgfHash !== oaepHash) {
    throw new SamlError(
      `RSA-OAEP with ${oaepHash} and MGF1-${mgfHash} is not supported`,
      'ERR_SAML_ENCRYPTION_ALGORITHM',
    )
  }
  return { cipherValue: cipherValueOf(encryptedKey), oaepHash }
}

function unwrapKey(wrapped: WrappedKey, keys: readonly KeyObject[], keyLength: number): Buffer | undefined {
  for (const key of keys) {
    try {
      const cek = privateDecrypt(
        { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: wrapped.oaepHash },
        wrapped.cipherValue,
      )
      if (cek.length === keyLength) return cek
    } catch {
      // try the next key; the caller reports one uniform failure
    }
  }
  return undefined
}

function decryptContent(cipher: string, mode: 'gcm' | 'cbc', key: Buffer, data: Buffer): Buffer | undefined {
  try {
    if (mode === 'gcm') {
      if (data.length < 12 + 16) return undefined
      const decipher = createDecipheriv(cipher as 'aes-256-gcm', key, data.subarray(0, 12))
      decipher.setAuthTag(data.subarray(data.length - 16))
      return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()])
    }
    if (data.length < 32 || data.length % 16 !== 0) return undefined
    const decipher = createDecipheriv(cipher, key, data.subarray(0, 16)).setAutoPadding(false)
    const padded = Buffer.concat([decipher.update(data.subarray(16)), decipher.final()])
    // XML Encryption padding: the last byte counts the padding bytes (1..16); their content is arbitrary.
    const pad = padded[padded.length - 1]!
    if (pad < 1 || pad > 16) return undefined
    return padded.subarray(0, padded.length - pad)
  } catch {
    return undefined
  }
}

/**
 * Decrypts a `saml:EncryptedAssertion` with the SP's keys and returns the `saml:Assertion` element of
 * a new document. Algorithms are checked first (RSA-OAEP; AES-GCM, or AES-CBC unless the IdP requires
 * GCM); after that every failure — wrong key, bad padding, bad tag, unparsable plaintext — is the same
 * `ERR_SAML_DECRYPTION`, so the sender learns nothing from which step failed.
 */
export function decryptAssertion(encryptedAssertion: Element, policy: DecryptionPolicy): Element {
  const kids = childElements(encryptedAssertion)
  const encryptedData = kids[0]
  if (!isElement(encryptedData, NS.xenc, 'EncryptedData')) throw structure('EncryptedData must come first')
  const siblingKeys = kids.slice(1)
  if (!siblingKeys.every((k) => isElement(k, NS.xenc, 'EncryptedKey')))
    throw structure('only EncryptedKey may follow EncryptedData')

  const method = childElements(encryptedData).find((e) => isElement(e, NS.xenc, 'EncryptionMethod'))
  const content = CONTENT_ENCRYPTION_ALGORITHMS.get(method?.getAttribute('Algorithm') ?? '')
  if (!content) {
    throw new SamlError(
      `content encryption ${method?.getAttribute('Algorithm') || '(none)'} is not accepted; use AES-GCM or AES-CBC`,
      'ERR_SAML_ENCRYPTION_ALGORITHM',
    )
  }
  if (content.mode === 'cbc' && policy.requireAesGcm) {
    throw new SamlError(
      'this IdP must encrypt with AES-GCM; it sent AES-CBC',
      'ERR_SAML_ENCRYPTION_ALGORITHM',
    )
  }

  const keyInfo = childElements(encryptedData).find((e) => isElement(e, NS.dsig, 'KeyInfo'))
  const inlineKeys = keyInfo
    ? childElements(keyInfo).filter((e) => isElement(e, NS.xenc, 'EncryptedKey'))
    : []
  const encryptedKeys = [...inlineKeys, ...siblingKeys]
  if (encryptedKeys.length === 0 || encryptedKeys.length > 4)
    throw structure('expected one to four EncryptedKey elements')
  const wrappedKeys = encryptedKeys.map(readEncryptedKey)
  const data = cipherValueOf(encryptedData)

  let plaintext: Buffer | undefined
  for (const wrapped of wrappedKeys) {
    const cek = unwrapKey(wrapped, policy.keys, content.keyLength)
    plaintext = cek && decryptContent(content.cipher, content.mode, cek, data)
    if (plaintext) break
  }
  if (!plaintext) throw decryptionFailed()

  let assertion: Element
  try {
    assertion = parseXml(plaintext.toString('utf8'), policy.limits).documentElement
  } catch (err) {
    // Limits and DTDs are reported as such (they are not secret-dependent); parse errors are not.
    if (err instanceof SamlError && err.code !== 'ERR_SAML_MALFORMED') throw err
    throw decryptionFailed()
  }
  if (!isElement(assertion, NS.assertion, 'Assertion')) throw decryptionFailed()
  return assertion
}

import { SamlError } from '../errors/saml-error.js'
import { decodeBase64Strict } from '../xml/base64.js'
import { attr, childElements, isElement, leafText } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import { readSequence } from '../xml/sequence.js'
import { TYPE_ELEMENT, TYPE_ENCRYPTED_KEY } from './algorithms.js'
import type { XmlElement } from '../xml/tree.js'

/** An `xenc:EncryptedKey` as read, algorithms not yet judged. */
export interface EncryptedKeyParts {
  readonly algorithm: string
  /** `ds:DigestMethod/@Algorithm` of its EncryptionMethod. */
  readonly digestAlgorithm?: string
  /** `xenc11:MGF/@Algorithm` of its EncryptionMethod. */
  readonly mgfAlgorithm?: string
  /** `xenc:OAEPparams`, the OAEP label. */
  readonly oaepParams?: Buffer
  readonly cipherValue: Buffer
}

/** An encrypted SAML element (`saml:EncryptedElementType`) as read, algorithms not yet judged. */
export interface EncryptedElementParts {
  readonly algorithm: string
  /** `xenc:KeySize` of the EncryptedData's EncryptionMethod, in bits. */
  readonly keySizeBits?: number
  readonly cipherValue: Buffer
  /** The EncryptedKeys in the places XML Encryption and SAML put them: inline in KeyInfo, then siblings. */
  readonly keys: readonly EncryptedKeyParts[]
}

/** At most this many EncryptedKeys (one per recipient key) are tried: each costs an RSA operation per SP key. */
export const MAX_ENCRYPTED_KEYS = 4

function structure(wrapper: XmlElement, message: string): SamlError {
  return new SamlError(`<${wrapper.localName}> is not in the accepted form: ${message}`, 'ERR_SAML_STRUCTURE')
}

const EXACTLY_ONE = { min: 1, max: 1 }

function isEncryptedKey(el: XmlElement): boolean {
  return isElement(el, NS.xenc, 'EncryptedKey')
}

/** An XML Encryption element: a key wrapped again, or a key agreement, neither of which this SP follows. */
function isXmlEncryption(el: XmlElement): boolean {
  return el.namespaceURI === NS.xenc || el.namespaceURI === NS.xenc11
}

/** `xenc:CipherData`: a CipherValue; a CipherReference would make us fetch a URI, so it is refused. */
function readCipherData(wrapper: XmlElement, cipherData: XmlElement): Buffer {
  const kids = childElements(cipherData)
  if (kids.length !== 1 || !isElement(kids[0], NS.xenc, 'CipherValue')) {
    throw structure(wrapper, 'CipherData must hold one CipherValue (CipherReference is not accepted)')
  }
  const bytes = decodeBase64Strict(leafText(kids[0]))
  if (!bytes || bytes.length === 0) throw structure(wrapper, 'CipherValue is not base64')
  return bytes
}

function algorithmOf(wrapper: XmlElement, method: XmlElement | undefined, what: string): string {
  const algorithm = method && attr(method, 'Algorithm')
  if (!algorithm) throw structure(wrapper, `the ${what} names no EncryptionMethod Algorithm`)
  return algorithm
}

/**
 * `xenc:EncryptedKey` (EncryptedType, then ReferenceList?, CarriedKeyName?). Its own KeyInfo only says
 * which of our keys it is for, so it is not read, but it may not hold XML Encryption elements: a key
 * wrapped in another key is a chain this SP does not follow.
 */
function readEncryptedKey(
  wrapper: XmlElement,
  encryptedKey: XmlElement,
): EncryptedKeyParts & { id?: string } {
  const [method, keyInfo, cipherData] = readSequence(encryptedKey, [
    { ns: NS.xenc, local: 'EncryptionMethod' },
    { ns: NS.dsig, local: 'KeyInfo' },
    { ns: NS.xenc, local: 'CipherData', ...EXACTLY_ONE },
    { ns: NS.xenc, local: 'EncryptionProperties' },
    { ns: NS.xenc, local: 'ReferenceList' },
    { ns: NS.xenc, local: 'CarriedKeyName' },
  ]) as [XmlElement[], XmlElement[], XmlElement[], XmlElement[], XmlElement[], XmlElement[]]
  if (keyInfo[0] && childElements(keyInfo[0]).some(isXmlEncryption))
    throw structure(wrapper, "an EncryptedKey's KeyInfo may identify our key, not wrap or agree it again")
  const algorithm = algorithmOf(wrapper, method[0], 'EncryptedKey')
  // EncryptionMethodType: KeySize?, OAEPparams?, then the algorithm's own parameters.
  const params = childElements(method[0]!)
  let p = 0
  if (isElement(params[p], NS.xenc, 'KeySize')) p++
  const oaepEl = isElement(params[p], NS.xenc, 'OAEPparams') ? params[p++] : undefined
  let digestAlgorithm: string | undefined
  let mgfAlgorithm: string | undefined
  for (const param of params.slice(p)) {
    if (isElement(param, NS.dsig, 'DigestMethod') && digestAlgorithm === undefined)
      digestAlgorithm = attr(param, 'Algorithm') ?? ''
    else if (isElement(param, NS.xenc11, 'MGF') && mgfAlgorithm === undefined)
      mgfAlgorithm = attr(param, 'Algorithm') ?? ''
    else
      throw structure(
        wrapper,
        `the EncryptedKey's EncryptionMethod may not contain <${param.localName}> here`,
      )
  }
  let oaepParams: Buffer | undefined
  if (oaepEl) {
    oaepParams = decodeBase64Strict(leafText(oaepEl))
    if (!oaepParams) throw structure(wrapper, 'OAEPparams is not base64')
  }
  const id = attr(encryptedKey, 'Id')
  return {
    algorithm,
    ...(digestAlgorithm !== undefined && { digestAlgorithm }),
    ...(mgfAlgorithm !== undefined && { mgfAlgorithm }),
    ...(oaepParams !== undefined && oaepParams.length > 0 && { oaepParams }),
    cipherValue: readCipherData(wrapper, cipherData[0]!),
    ...(id !== undefined && { id }),
  }
}

/**
 * Reads an EncryptedAssertion, EncryptedID or EncryptedAttribute exactly as the SAML and XML
 * Encryption schemas lay it out: one `xenc:EncryptedData` (EncryptionMethod?, KeyInfo?, CipherData,
 * EncryptionProperties?), then sibling `xenc:EncryptedKey`s (EncryptedType, ReferenceList?,
 * CarriedKeyName?). Keys are taken from the two places XML Encryption and SAML put them: inline in the
 * EncryptedData's KeyInfo, or beside the EncryptedData (named from the KeyInfo by `ds:RetrievalMethod`,
 * which must then name one of them, or by `ds:KeyName`/`CarriedKeyName`, or not at all; all of them
 * are tried, as they are for several recipients). An element out of schema order, a
 * RetrievalMethod that names no sibling, a key wrapped in a key, key agreement, or a CipherReference
 * is `ERR_SAML_STRUCTURE`. Nothing is decrypted here.
 */
export function readEncryptedElement(wrapper: XmlElement): EncryptedElementParts {
  const [dataEls, siblingEls] = readSequence(wrapper, [
    { ns: NS.xenc, local: 'EncryptedData', ...EXACTLY_ONE },
    { ns: NS.xenc, local: 'EncryptedKey', max: Infinity },
  ]) as [XmlElement[], XmlElement[]]
  const encryptedData = dataEls[0]!
  const type = attr(encryptedData, 'Type')
  if (type !== undefined && type !== TYPE_ELEMENT)
    throw structure(wrapper, `EncryptedData Type must be ${TYPE_ELEMENT}`)
  const [method, keyInfo, cipherData] = readSequence(encryptedData, [
    { ns: NS.xenc, local: 'EncryptionMethod' },
    { ns: NS.dsig, local: 'KeyInfo' },
    { ns: NS.xenc, local: 'CipherData', ...EXACTLY_ONE },
    { ns: NS.xenc, local: 'EncryptionProperties' },
  ]) as [XmlElement[], XmlElement[], XmlElement[]]
  const algorithm = algorithmOf(wrapper, method[0], 'EncryptedData')
  const [keySize] = readSequence(method[0]!, [{ ns: NS.xenc, local: 'KeySize' }]) as [XmlElement[]]
  let keySizeBits: number | undefined
  if (keySize[0]) {
    const text = leafText(keySize[0]).trim()
    if (!/^[1-9]\d{0,4}$/.test(text)) throw structure(wrapper, 'KeySize is not a number of bits')
    keySizeBits = Number(text)
  }

  const keyInfoItems = keyInfo[0] ? childElements(keyInfo[0]) : []
  const inlineEls = keyInfoItems.filter(isEncryptedKey)
  const count = inlineEls.length + siblingEls.length
  if (count === 0) throw structure(wrapper, 'it carries no EncryptedKey')
  // Counted before any is read: each one costs an RSA decryption per SP key.
  if (count > MAX_ENCRYPTED_KEYS) throw structure(wrapper, `more than ${MAX_ENCRYPTED_KEYS} EncryptedKeys`)
  const siblings = siblingEls.map((el) => readEncryptedKey(wrapper, el))
  for (const item of keyInfoItems) {
    if (isEncryptedKey(item)) continue
    if (isXmlEncryption(item)) {
      throw structure(
        wrapper,
        `the EncryptedData's KeyInfo holds <${item.localName}>, which this SP does not follow`,
      )
    }
    if (isElement(item, NS.dsig, 'RetrievalMethod') && attr(item, 'Type') === TYPE_ENCRYPTED_KEY) {
      const uri = attr(item, 'URI') ?? ''
      if (childElements(item).length > 0)
        throw structure(wrapper, 'a RetrievalMethod may not carry Transforms')
      if (!uri.startsWith('#') || !siblings.some((k) => k.id === uri.slice(1)))
        throw structure(wrapper, 'a RetrievalMethod names no EncryptedKey beside the EncryptedData')
    }
    // Anything else (KeyName, X509Data, ...) only describes keys; which EncryptedKeys are tried does
    // not depend on it.
  }
  const keys = [...inlineEls.map((el) => readEncryptedKey(wrapper, el)), ...siblings]
  return {
    algorithm,
    ...(keySizeBits !== undefined && { keySizeBits }),
    cipherValue: readCipherData(wrapper, cipherData[0]!),
    keys,
  }
}

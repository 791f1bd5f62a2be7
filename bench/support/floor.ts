/**
 * The floor: the least work any correct validator of a signed (and possibly encrypted) SAML response
 * must do, built from the same primitives the strategy uses and nothing else. Per response: base64
 * decode, one xmldom parse, for each signature exclusive c14n of SignedInfo + RSA verify with a
 * pre-parsed `KeyObject`, then removal of the Signature (enveloped transform) + exclusive c14n of
 * the signed element + SHA-256 compared with DigestValue. An encrypted assertion adds the RSA-OAEP
 * unwrap of the content key, the AES-GCM decryption and a parse of the plaintext.
 *
 * No policy checks (audience, time, issuer, structure) and no profile: it finds elements by fixed
 * position, so it is a lower bound, not a validator. It does check every digest and signature it
 * computes, so a floor that skipped work would fail loudly.
 *
 * @module
 */
import { constants, createDecipheriv, createHash, privateDecrypt, verify, type KeyObject } from 'node:crypto'
import { DOMParser } from '@xmldom/xmldom'
import { ExclusiveCanonicalization } from 'xml-crypto'

const DSIG = 'http://www.w3.org/2000/09/xmldsig#'
const XENC = 'http://www.w3.org/2001/04/xmlenc#'
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion'

const c14n = new ExclusiveCanonicalization()
// No `locator`: xmldom then skips line/column tracking, its cheapest configuration (the strategy's too).
const parser = new DOMParser({
  errorHandler: {
    warning: () => {},
    error: (msg: string) => {
      throw new Error(`floor: ${msg}`)
    },
    fatalError: (msg: string) => {
      throw new Error(`floor: ${msg}`)
    },
  },
})

function child(el: Element, ns: string, local: string): Element | undefined {
  for (let n = el.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).localName === local && (n as Element).namespaceURI === ns) {
      return n as Element
    }
  }
  return undefined
}

function need(el: Element | undefined, what: string): Element {
  if (!el) throw new Error(`floor: no <${what}>`)
  return el
}

function text(el: Element): string {
  return el.textContent ?? ''
}

function prefixList(transformOrMethod: Element): string[] {
  for (let n = transformOrMethod.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).localName === 'InclusiveNamespaces') {
      return ((n as Element).getAttribute('PrefixList') ?? '').split(/\s+/).filter(Boolean)
    }
  }
  return []
}

/** Declarations of `prefixes` in scope above `el` (exc-c14n InclusiveNamespaces). */
function ancestorNamespaces(el: Element, prefixes: string[]): { prefix: string; namespaceURI: string }[] {
  if (prefixes.length === 0) return []
  const found: { prefix: string; namespaceURI: string }[] = []
  for (let node = el.parentNode; node && node.nodeType === 1; node = node.parentNode) {
    const attrs = (node as Element).attributes
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i]!
      if (
        a.prefix === 'xmlns' &&
        prefixes.includes(a.localName!) &&
        !found.some((f) => f.prefix === a.localName)
      ) {
        found.push({ prefix: a.localName!, namespaceURI: a.value })
      }
    }
  }
  return found
}

/** Verifies the enveloped RSA-SHA256 / SHA-256 signature of `signed` and removes it. */
function verifyEnveloped(signed: Element, key: KeyObject): void {
  const signature = need(child(signed, DSIG, 'Signature'), 'Signature')
  const signedInfo = need(child(signature, DSIG, 'SignedInfo'), 'SignedInfo')
  const infoPrefixes = prefixList(
    need(child(signedInfo, DSIG, 'CanonicalizationMethod'), 'CanonicalizationMethod'),
  )
  const canonicalInfo = c14n.process(signedInfo, {
    inclusiveNamespacesPrefixList: infoPrefixes,
    ancestorNamespaces: ancestorNamespaces(signedInfo, infoPrefixes),
  })
  const signatureValue = Buffer.from(
    text(need(child(signature, DSIG, 'SignatureValue'), 'SignatureValue')),
    'base64',
  )
  if (!verify('sha256', Buffer.from(canonicalInfo, 'utf8'), key, signatureValue)) {
    throw new Error('floor: SignatureValue does not verify')
  }
  const reference = need(child(signedInfo, DSIG, 'Reference'), 'Reference')
  const transforms = need(child(reference, DSIG, 'Transforms'), 'Transforms')
  let excTransform: Element | undefined
  for (let n = transforms.lastChild; n !== null; n = n.previousSibling) {
    if (n.nodeType === 1) {
      excTransform = n as Element
      break
    }
  }
  const prefixes = prefixList(need(excTransform, 'Transform'))
  const digestValue = text(need(child(reference, DSIG, 'DigestValue'), 'DigestValue'))
  const inScope = ancestorNamespaces(signed, prefixes)
  signed.removeChild(signature)
  const canonical = c14n.process(signed, {
    inclusiveNamespacesPrefixList: prefixes,
    ancestorNamespaces: inScope,
  })
  if (createHash('sha256').update(canonical, 'utf8').digest('base64') !== digestValue.trim()) {
    throw new Error('floor: digest mismatch')
  }
}

/** RSA-OAEP (MGF1-SHA1) unwrap of the content key, AES-256-GCM decryption, parse. */
function decrypt(encryptedAssertion: Element, spKey: KeyObject): Element {
  const data = need(child(encryptedAssertion, XENC, 'EncryptedData'), 'EncryptedData')
  const keyInfo = need(child(data, DSIG, 'KeyInfo'), 'KeyInfo')
  const encryptedKey = need(child(keyInfo, XENC, 'EncryptedKey'), 'EncryptedKey')
  const wrapped = text(
    need(
      child(need(child(encryptedKey, XENC, 'CipherData'), 'CipherData'), XENC, 'CipherValue'),
      'CipherValue',
    ),
  )
  const cek = privateDecrypt(
    { key: spKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(wrapped, 'base64'),
  )
  const body = Buffer.from(
    text(
      need(child(need(child(data, XENC, 'CipherData'), 'CipherData'), XENC, 'CipherValue'), 'CipherValue'),
    ),
    'base64',
  )
  const decipher = createDecipheriv('aes-256-gcm', cek, body.subarray(0, 12))
  decipher.setAuthTag(body.subarray(body.length - 16))
  const plain = Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()])
  return parser.parseFromString(plain.toString('utf8'), 'text/xml').documentElement as unknown as Element
}

/** Keys the floor uses, parsed once, as any validator would cache them. */
export interface FloorKeys {
  readonly idp: KeyObject
  readonly sp: KeyObject
}

/** The floor's parse alone: base64 decode and one xmldom parse. */
export function floorParse(samlResponse: string): Document {
  return parser.parseFromString(
    Buffer.from(samlResponse, 'base64').toString('utf8'),
    'text/xml',
  ) as unknown as Document
}

/**
 * Does the floor's work for one posted `SAMLResponse`. Throws if any signature, digest or decryption
 * fails, so the floor is known to have really done the work.
 */
export function floorValidate(samlResponse: string, keys: FloorKeys): void {
  const doc = floorParse(samlResponse)
  const response = doc.documentElement
  if (child(response, DSIG, 'Signature')) verifyEnveloped(response, keys.idp)
  const encrypted = child(response, SAML, 'EncryptedAssertion')
  const assertion = encrypted
    ? decrypt(encrypted, keys.sp)
    : need(child(response, SAML, 'Assertion'), 'Assertion')
  verifyEnveloped(assertion, keys.idp)
}

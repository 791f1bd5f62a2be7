/**
 * The floor: the least work any correct validator of a signed (and possibly encrypted) SAML response
 * must do, built from the same primitives the strategy uses and nothing else. Per response: base64
 * decode, one parse (`@rgrove/parse-xml` and the namespace pass that builds the tree c14n reads),
 * for each signature exclusive c14n of SignedInfo + RSA verify with a pre-parsed `KeyObject`, then
 * exclusive c14n of the signed element without its Signature (enveloped transform) + SHA-256
 * compared with DigestValue. An encrypted assertion adds the RSA-OAEP unwrap of the content key, the
 * AES-GCM decryption and a parse of the plaintext.
 *
 * No policy checks (audience, time, issuer, structure) and no profile: it finds elements by fixed
 * position, so it is a lower bound, not a validator. It does check every digest and signature it
 * computes, so a floor that skipped work would fail loudly.
 *
 * @module
 */
import { constants, createDecipheriv, createHash, privateDecrypt, verify, type KeyObject } from 'node:crypto'
import { parseXml as parseWellFormed } from '@rgrove/parse-xml'
import { resolveNamespaces } from '../../lib/xml/resolve-namespaces.js'
import type { XmlDocument, XmlElement } from '../../lib/xml/tree.js'
import { EXC_C14N } from '../../lib/xmldsig/algorithms.js'
import { canonicalize } from '../../lib/xmldsig/canonicalization.js'

const DSIG = 'http://www.w3.org/2000/09/xmldsig#'
const XENC = 'http://www.w3.org/2001/04/xmlenc#'
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion'

/** The parser and namespace pass the strategy uses, without its pre-scan (the floor trusts its input). */
function parse(xml: string, context: XmlElement | null = null): XmlElement {
  const root = parseWellFormed(xml).root
  if (!root) throw new Error('floor: no root element')
  return resolveNamespaces(root, 'ERR_SAML_MALFORMED', context)
}

function child(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const n of el.children) {
    if (n.type === 'element' && n.localName === local && n.namespaceURI === ns) return n
  }
  return undefined
}

function need(el: XmlElement | undefined, what: string): XmlElement {
  if (!el) throw new Error(`floor: no <${what}>`)
  return el
}

function text(el: XmlElement): string {
  let out = ''
  for (const n of el.children) if (n.type === 'text') out += n.text
  return out
}

function prefixList(transformOrMethod: XmlElement): string[] {
  for (const n of transformOrMethod.children) {
    if (n.type === 'element' && n.localName === 'InclusiveNamespaces') {
      const list = n.attributes.find((a) => a.name === 'PrefixList')?.value ?? ''
      return list.split(/\s+/).filter(Boolean)
    }
  }
  return []
}

/** Verifies the enveloped RSA-SHA256 / SHA-256 signature of `signed` (exclusive c14n throughout). */
function verifyEnveloped(signed: XmlElement, key: KeyObject): void {
  const signature = need(child(signed, DSIG, 'Signature'), 'Signature')
  const signedInfo = need(child(signature, DSIG, 'SignedInfo'), 'SignedInfo')
  const infoPrefixes = prefixList(
    need(child(signedInfo, DSIG, 'CanonicalizationMethod'), 'CanonicalizationMethod'),
  )
  const canonicalInfo = canonicalize(signedInfo, { algorithm: EXC_C14N, prefixList: infoPrefixes })
  const signatureValue = Buffer.from(
    text(need(child(signature, DSIG, 'SignatureValue'), 'SignatureValue')),
    'base64',
  )
  if (!verify('sha256', Buffer.from(canonicalInfo, 'utf8'), key, signatureValue)) {
    throw new Error('floor: SignatureValue does not verify')
  }
  const reference = need(child(signedInfo, DSIG, 'Reference'), 'Reference')
  const transforms = need(child(reference, DSIG, 'Transforms'), 'Transforms')
  const excTransform = transforms.children.findLast((n) => n.type === 'element')
  const prefixes = prefixList(need(excTransform as XmlElement | undefined, 'Transform'))
  const digestValue = text(need(child(reference, DSIG, 'DigestValue'), 'DigestValue'))
  const canonical = canonicalize(signed, { algorithm: EXC_C14N, prefixList: prefixes }, signature)
  if (createHash('sha256').update(canonical, 'utf8').digest('base64') !== digestValue.trim()) {
    throw new Error('floor: digest mismatch')
  }
}

/** RSA-OAEP (MGF1-SHA1) unwrap of the content key, AES-256-GCM decryption, parse. */
function decrypt(encryptedAssertion: XmlElement, spKey: KeyObject): XmlElement {
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
  return parse(plain.toString('utf8'), encryptedAssertion)
}

/** Keys the floor uses, parsed once, as any validator would cache them. */
export interface FloorKeys {
  readonly idp: KeyObject
  readonly sp: KeyObject
}

/** The floor's parse alone: base64 decode, one parse-xml parse and the namespace pass. */
export function floorParse(samlResponse: string): XmlDocument {
  return { root: parse(Buffer.from(samlResponse, 'base64').toString('utf8')) }
}

/**
 * Does the floor's work for one posted `SAMLResponse`. Throws if any signature, digest or decryption
 * fails, so the floor is known to have really done the work.
 */
export function floorValidate(samlResponse: string, keys: FloorKeys): void {
  const doc = floorParse(samlResponse)
  const response = doc.root
  if (child(response, DSIG, 'Signature')) verifyEnveloped(response, keys.idp)
  const encrypted = child(response, SAML, 'EncryptedAssertion')
  const assertion = encrypted
    ? decrypt(encrypted, keys.sp)
    : need(child(response, SAML, 'Assertion'), 'Assertion')
  verifyEnveloped(assertion, keys.idp)
}

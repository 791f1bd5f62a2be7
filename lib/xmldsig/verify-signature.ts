import { createHash, timingSafeEqual, verify } from 'node:crypto'
import { SamlError } from '../errors/saml-error.js'
import { decodeBase64Strict } from '../xml/base64.js'
import { attr, childElements, isElement, leafText, textContent } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import { DIGEST_ALGORITHMS, ENVELOPED_SIGNATURE, SIGNATURE_ALGORITHMS } from './algorithms.js'
import {
  canonicalize,
  IMPLICIT_CANONICALIZATION,
  isCanonicalizationAlgorithm,
  readCanonicalization,
  type Canonicalization,
} from './canonicalization.js'
import { CERTIFICATE_TAIL_LENGTH, type TrustedKey, type TrustedKeys } from './trusted-keys.js'
import type { XmlElement } from '../xml/tree.js'

export interface SignaturePolicy {
  readonly trust: TrustedKeys
  readonly allowSha1: boolean
  /**
   * False: a certificate whose notAfter is before the `now` given to the verifier does not verify
   * (`ERR_SAML_CERTIFICATE_EXPIRED` when it is the only one that would), for responses and logout
   * messages alike. Default true.
   */
  readonly acceptExpiredSigningCerts?: boolean
}

interface SignatureParts {
  signedInfo: XmlElement
  signatureMethod: string
  digestAlgorithm: 'sha1' | 'sha256' | 'sha384' | 'sha512'
  digestValue: Buffer
  signatureValue: Buffer
  signedInfoCanonicalization: Canonicalization
  referenceCanonicalization: Canonicalization
  /** The end of the KeyInfo certificate's base64 (see {@link keyInfoHint}): a lookup key, never trusted itself. */
  keyInfoCertificateTail: string | undefined
}

function structure(message: string): SamlError {
  return new SamlError(`signature is not in the accepted form: ${message}`, 'ERR_SAML_STRUCTURE')
}

function algorithm(message: string): SamlError {
  return new SamlError(message, 'ERR_SAML_SIGNATURE_ALGORITHM')
}

/**
 * Reads a `ds:Signature` that must sign exactly its parent element, in the one shape SAML uses:
 * SignedInfo (exclusive or inclusive c14n) + SignatureValue + optional KeyInfo; one Reference to
 * `#<parent ID>`; transforms enveloped-signature, then exclusive or inclusive c14n or none (XML-DSig
 * then applies inclusive c14n). Anything else is refused, which is what makes signature-wrapping
 * attacks impossible here rather than merely detected.
 */
function readSignature(signature: XmlElement, signed: XmlElement, policy: SignaturePolicy): SignatureParts {
  const kids = childElements(signature)
  const [signedInfo, signatureValueEl, keyInfo, ...rest] = kids
  if (
    !isElement(signedInfo, NS.dsig, 'SignedInfo') ||
    !isElement(signatureValueEl, NS.dsig, 'SignatureValue')
  ) {
    throw structure('Signature must start with SignedInfo and SignatureValue')
  }
  if (rest.length > 0 || (keyInfo !== undefined && !isElement(keyInfo, NS.dsig, 'KeyInfo'))) {
    throw structure('Signature may hold only SignedInfo, SignatureValue and KeyInfo')
  }

  const infoKids = childElements(signedInfo)
  if (infoKids.length !== 3)
    throw structure('SignedInfo must hold one method of each kind and exactly one Reference')
  const [canonMethod, sigMethod, reference] = infoKids as [XmlElement, XmlElement, XmlElement]
  if (
    !isElement(canonMethod, NS.dsig, 'CanonicalizationMethod') ||
    !isElement(sigMethod, NS.dsig, 'SignatureMethod') ||
    !isElement(reference, NS.dsig, 'Reference')
  ) {
    throw structure('SignedInfo must be CanonicalizationMethod, SignatureMethod, Reference')
  }
  if (!isCanonicalizationAlgorithm(attr(canonMethod, 'Algorithm'))) {
    throw algorithm(
      `canonicalization ${attr(canonMethod, 'Algorithm')} is not accepted; use exclusive or inclusive c14n without comments`,
    )
  }
  const signedInfoCanonicalization = readCanonicalization(canonMethod)
  if (childElements(sigMethod).length > 0) throw structure('SignatureMethod must be empty')
  const signatureMethod = attr(sigMethod, 'Algorithm') ?? ''
  const sigAlg = SIGNATURE_ALGORITHMS.get(signatureMethod)
  if (!sigAlg || (sigAlg.hash === 'sha1' && !policy.allowSha1)) {
    throw algorithm(`signature algorithm ${signatureMethod || '(none)'} is not accepted`)
  }

  // Reference: URI must point at the parent, by its (document-unique) ID.
  const id = attr(signed, 'ID')
  if (!id || attr(reference, 'URI') !== `#${id}`) {
    throw structure('the Reference must point at the element the Signature is in')
  }
  const refKids = childElements(reference)
  if (refKids.length !== 3) throw structure('Reference must hold Transforms, DigestMethod and DigestValue')
  const [transforms, digestMethod, digestValueEl] = refKids as [XmlElement, XmlElement, XmlElement]
  if (
    !isElement(transforms, NS.dsig, 'Transforms') ||
    !isElement(digestMethod, NS.dsig, 'DigestMethod') ||
    !isElement(digestValueEl, NS.dsig, 'DigestValue')
  ) {
    throw structure('Reference must be Transforms, DigestMethod, DigestValue')
  }
  const transformList = childElements(transforms)
  const [enveloped, canonicalizing] = transformList
  if (
    transformList.length > 2 ||
    !transformList.every((t) => isElement(t, NS.dsig, 'Transform')) ||
    enveloped === undefined ||
    attr(enveloped, 'Algorithm') !== ENVELOPED_SIGNATURE ||
    (canonicalizing && !isCanonicalizationAlgorithm(attr(canonicalizing, 'Algorithm')))
  ) {
    throw structure('transforms must be enveloped-signature, then exclusive or inclusive c14n or none')
  }
  if (childElements(enveloped).length > 0)
    throw structure('the enveloped-signature transform takes no parameters')
  const referenceCanonicalization = canonicalizing
    ? readCanonicalization(canonicalizing)
    : IMPLICIT_CANONICALIZATION

  const digestAlgorithm = DIGEST_ALGORITHMS.get(attr(digestMethod, 'Algorithm') ?? '')
  if (!digestAlgorithm || (digestAlgorithm === 'sha1' && !policy.allowSha1)) {
    throw algorithm(`digest algorithm ${attr(digestMethod, 'Algorithm') || '(none)'} is not accepted`)
  }
  const digestValue = decodeBase64Strict(leafText(digestValueEl))
  const signatureValue = decodeBase64Strict(leafText(signatureValueEl))
  if (!digestValue || !signatureValue || digestValue.length === 0 || signatureValue.length === 0) {
    throw structure('DigestValue and SignatureValue must be base64')
  }
  return {
    signedInfo,
    signatureMethod,
    digestAlgorithm,
    digestValue,
    signatureValue,
    signedInfoCanonicalization,
    referenceCanonicalization,
    keyInfoCertificateTail: keyInfo ? keyInfoHint(keyInfo) : undefined,
  }
}

/** A string without whitespace. */
const NO_SPACE = /^\S*$/

/**
 * The certificate in KeyInfo is never trusted; it only picks which of the IdP's own keys to try
 * first (looked up by the end of its text, with no decoding), so a rotation with two certificates
 * still costs one RSA verify. Returns the last {@link CERTIFICATE_TAIL_LENGTH} characters of its
 * base64, whitespace left out.
 */
function keyInfoHint(keyInfo: XmlElement): string | undefined {
  for (const data of childElements(keyInfo)) {
    if (!isElement(data, NS.dsig, 'X509Data')) continue
    for (const cert of childElements(data)) {
      if (!isElement(cert, NS.dsig, 'X509Certificate')) continue
      const text = textContent(cert).trimEnd()
      const tail = text.slice(-CERTIFICATE_TAIL_LENGTH)
      // Most IdPs send the certificate on one line; a wrapped one is unwrapped first.
      return NO_SPACE.test(tail) ? tail : text.replace(/\s+/g, '').slice(-CERTIFICATE_TAIL_LENGTH)
    }
  }
  return undefined
}

function verifyWith(key: TrustedKey, parts: SignatureParts, signedInfoC14n: string): boolean {
  const alg = SIGNATURE_ALGORITHMS.get(parts.signatureMethod)!
  if (alg.keyType !== key.keyType) return false
  try {
    return verify(
      alg.hash,
      Buffer.from(signedInfoC14n, 'utf8'),
      alg.keyType === 'ec' ? { key: key.key, dsaEncoding: 'ieee-p1363' } : key.key,
      parts.signatureValue,
    )
  } catch {
    return false
  }
}

/** The errors of a well-formed signature that no trusted key verifies (not a malformed or altered one). */
const NO_TRUSTED_KEY = new WeakSet<SamlError>()

/** True when `err` says the signature is intact but made by a key that is not trusted. */
export function isUntrustedKeyError(err: unknown): boolean {
  return err instanceof SamlError && NO_TRUSTED_KEY.has(err)
}

/**
 * Whether one of the IdP's trusted keys verifies (`verifies(key)`), `hinted` (the key KeyInfo names)
 * first. With `policy.acceptExpiredSigningCerts: false`, a key whose certificate expired before
 * `now` does not count, and when only such keys verify the message is refused with
 * `ERR_SAML_CERTIFICATE_EXPIRED` (naming `what`): the same rule for responses and logout messages,
 * with either binding.
 */
export function verifiedByTrustedKey(
  policy: SignaturePolicy,
  now: number,
  what: string,
  verifies: (key: TrustedKey) => boolean,
  hinted?: TrustedKey,
): boolean {
  const checkExpiry = policy.acceptExpiredSigningCerts === false
  let expired: TrustedKey | undefined
  const counts = (key: TrustedKey): boolean => {
    if (!verifies(key)) return false
    if (!checkExpiry || key.notAfter >= now) return true
    // Signed by an expired certificate: another (renewed) certificate may hold the same key.
    expired ??= key
    return false
  }
  if (hinted && counts(hinted)) return true
  for (const key of policy.trust.keys) if (key !== hinted && counts(key)) return true
  if (expired) {
    throw new SamlError(
      `${what} is signed with a certificate that expired at ${new Date(expired.notAfter).toISOString()}, and this IdP does not accept expired signing certificates (acceptExpiredSigningCerts: false); the IdP must sign with a current certificate, listed in the record`,
      'ERR_SAML_CERTIFICATE_EXPIRED',
    )
  }
  return false
}

/**
 * Verifies the enveloped signature `signature` over its parent `signed` with the IdP's trusted keys
 * only. The enveloped-signature transform leaves `signature` out of the digest without touching the
 * tree, so what the caller reads afterwards is the tree that was digested. `now` is the time
 * certificate expiry is judged at (see {@link verifiedByTrustedKey}). Throws `SamlError` on any
 * failure.
 */
export function verifyEnvelopedSignature(
  signature: XmlElement,
  signed: XmlElement,
  policy: SignaturePolicy,
  now: number,
): void {
  if (signature.parent !== signed) throw structure('the Signature must be a child of the element it signs')
  const parts = readSignature(signature, signed, policy)

  // 1. SignatureValue over canonical SignedInfo, with a trusted key (cheap; fails fast on a wrong key).
  const signedInfoC14n = canonicalize(parts.signedInfo, parts.signedInfoCanonicalization)
  const hinted = parts.keyInfoCertificateTail
    ? policy.trust.byCertificateTail.get(parts.keyInfoCertificateTail)
    : undefined
  const valid = verifiedByTrustedKey(
    policy,
    now,
    `<${signed.localName}>`,
    (key) => verifyWith(key, parts, signedInfoC14n),
    hinted,
  )
  if (!valid) {
    const err = new SamlError(
      `<${signed.localName}> signature does not verify with any of this IdP's ${policy.trust.keys.length} signing certificate(s)`,
      'ERR_SAML_SIGNATURE_INVALID',
    )
    NO_TRUSTED_KEY.add(err)
    throw err
  }

  // 2. Digest of the parent without the Signature (the enveloped transform), then canonicalized.
  const canonical = canonicalize(signed, parts.referenceCanonicalization, signature)
  const digest = createHash(parts.digestAlgorithm).update(canonical, 'utf8').digest()
  if (digest.length !== parts.digestValue.length || !timingSafeEqual(digest, parts.digestValue)) {
    throw new SamlError(
      `<${signed.localName}> was changed after it was signed (digest mismatch)`,
      'ERR_SAML_SIGNATURE_INVALID',
    )
  }
}

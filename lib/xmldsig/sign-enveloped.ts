import {
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type BinaryLike,
  type KeyLike,
  type KeyObject,
} from 'node:crypto'
import { SignedXml, createOptionalCallbackFunction, type SignatureAlgorithm } from 'xml-crypto'
import { ENVELOPED_SIGNATURE, EXC_C14N } from './algorithms.js'
import { NS } from '../xml/namespaces.js'
import { resolveSigningKey, type SigningHash } from './signing-key.js'

/** How to sign. */
export interface SignEnvelopedOptions {
  /** PEM private key, or a `KeyObject` parsed once (cheaper per message). RSA or EC. */
  readonly privateKey: string | KeyObject
  /** PEM certificate written as `KeyInfo/X509Data/X509Certificate`; no KeyInfo when omitted. */
  readonly certificate?: string
  /** Digest and signature hash: rsa-sha256/512 for an RSA key, ecdsa-sha256/512 for an EC key. */
  readonly algorithm: SigningHash
  /**
   * Where the Signature goes: right after the root's `saml:Issuer` (protocol messages, the default),
   * or as the root's first child (metadata: `md:EntityDescriptor` has no Issuer).
   */
  readonly placement?: 'after-issuer' | 'first-child'
}

/**
 * ECDSA for xml-crypto, which ships RSA and HMAC signers only. XML-DSig 1.1 (4.4.2.3) wants the
 * signature as r‖s (IEEE P1363), not DER. `SignedXml` constructs algorithms with no arguments, so
 * each hash gets its own class.
 */
function ecdsa(hash: SigningHash, uri: string): new () => SignatureAlgorithm {
  const key = (k: KeyLike, toKey: (k: string | Buffer) => KeyObject) =>
    typeof k === 'string' || Buffer.isBuffer(k) ? toKey(k) : k
  return class implements SignatureAlgorithm {
    getSignature = createOptionalCallbackFunction((signedInfo: BinaryLike, privateKey: KeyLike): string =>
      sign(hash, typeof signedInfo === 'string' ? Buffer.from(signedInfo, 'utf8') : signedInfo, {
        key: key(privateKey, createPrivateKey),
        dsaEncoding: 'ieee-p1363',
      }).toString('base64'),
    )
    verifySignature = createOptionalCallbackFunction(
      (material: string, publicKey: KeyLike, signatureValue: string): boolean =>
        verify(
          hash,
          Buffer.from(material, 'utf8'),
          { key: key(publicKey, createPublicKey), dsaEncoding: 'ieee-p1363' },
          Buffer.from(signatureValue, 'base64'),
        ),
    )
    getAlgorithmName = (): string => uri
  }
}

/** The root element, when it has the ID the Reference points at. */
const ROOT_WITH_ID = '/*[@ID]'
/** The root's first child, when it is saml:Issuer: the Signature goes right after it. */
const ROOT_ISSUER = `/*/*[1][local-name(.)='Issuer' and namespace-uri(.)='${NS.assertion}']`

const LINE_END_CHARS = /[\u0085\u2028]/g

function certificateBody(pem: string): string {
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem)
  if (!match) throw new TypeError('certificate is not a PEM certificate')
  return match[1]!.replace(/\s+/g, '')
}

/**
 * Signs a SAML message with an enveloped `ds:Signature` over its root element, in the one shape SAML
 * uses and our validator accepts: exclusive c14n SignedInfo, one Reference to `#<root ID>` with the
 * enveloped-signature and exclusive c14n transforms, placed right after the root's `saml:Issuer`
 * (SAML core 5.4.1 and the schema's element order). Signing is xml-crypto's `SignedXml`; this
 * only adds the ECDSA signer it lacks.
 *
 * A root without an `ID`, or whose first child is not `saml:Issuer`, is a `TypeError`: xml-crypto
 * would otherwise add an `Id` attribute of its own or put the Signature where the schema forbids it.
 *
 * @example
 * const signed = signEnveloped(buildLogoutRequest({ ... }), {
 *   privateKey: spKeyPem,
 *   certificate: spCertPem,
 *   algorithm: 'sha256',
 * })
 */
export function signEnveloped(xml: string, options: SignEnvelopedOptions): string {
  const signing = resolveSigningKey(options.privateKey, options.algorithm)
  const certificate = options.certificate === undefined ? undefined : certificateBody(options.certificate)
  const sig = new SignedXml({
    idAttribute: 'ID',
    privateKey: signing.key,
    signatureAlgorithm: signing.signatureMethod,
    canonicalizationAlgorithm: EXC_C14N,
    getKeyInfoContent: certificate
      ? (args) => {
          const p = args?.prefix ? `${args.prefix}:` : ''
          return `<${p}X509Data><${p}X509Certificate>${certificate}</${p}X509Certificate></${p}X509Data>`
        }
      : () => null,
  })
  if (signing.keyType === 'ec') {
    sig.SignatureAlgorithms[signing.signatureMethod] = ecdsa(signing.hash, signing.signatureMethod)
  }
  sig.addReference({
    xpath: ROOT_WITH_ID,
    transforms: [ENVELOPED_SIGNATURE, EXC_C14N],
    digestAlgorithm: signing.digestMethod,
  })
  try {
    const location =
      options.placement === 'first-child'
        ? { reference: ROOT_WITH_ID, action: 'prepend' as const }
        : { reference: ROOT_ISSUER, action: 'after' as const }
    sig.computeSignature(xml, { prefix: 'ds', location })
  } catch (err) {
    // xml-crypto reports a missing target as "the following xpath cannot be … found".
    if (err instanceof Error && /xpath cannot be/.test(err.message)) {
      throw new TypeError(
        options.placement === 'first-child'
          ? 'signEnveloped needs a root element with an ID'
          : 'signEnveloped needs a root element with an ID whose first child is saml:Issuer',
        {
          cause: err,
        },
      )
    }
    throw err
  }
  // xml-crypto re-serializes the document and writes NEL and LS raw; @xmldom/xmldom peers would read
  // them back as line ends and compute another digest. As references they parse as what was signed.
  // (Our builders write no CDATA or comments, the only places a reference would not mean the same.)
  return sig.getSignedXml().replace(LINE_END_CHARS, (c) => (c === '\u0085' ? '&#133;' : '&#8232;'))
}

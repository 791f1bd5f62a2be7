import { SamlError } from '../errors/saml-error.js'
import { childrenNamed, isElement } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import { METADATA_XML_LIMITS, parseXml } from '../xml/parse-xml.js'
import { compileTrustedKeys } from './trusted-keys.js'
import { isUntrustedKeyError, verifyEnvelopedSignature } from './verify-signature.js'

function refused(message: string, cause?: unknown): SamlError {
  return new SamlError(
    `metadata signature: ${message}`,
    'ERR_SAML_METADATA_SIGNATURE',
    cause === undefined ? undefined : { cause },
  )
}

/**
 * Verifies the enveloped signature on the root element of SAML metadata (an `EntityDescriptor`, or
 * the `EntitiesDescriptor` that holds the entity) with the pinned certificates `signingCerts` only:
 * a certificate in the document's KeyInfo is never trusted. The signature must be in the strict
 * shape responses are held to (one Reference to the root's `ID`, enveloped-signature then
 * exclusive or inclusive c14n, no comments, no `Object`), with RSA or ECDSA over SHA-256 or
 * stronger: SHA-1 is refused whatever a record allows for responses. Since the whole root is signed,
 * everything read from the document afterwards is covered by the signature.
 *
 * Throws `SamlError` `ERR_SAML_METADATA_SIGNATURE` (unsigned, tampered, signed by another key, a
 * weak algorithm, a signature in another shape or over another element), or the metadata parsing
 * codes (`ERR_SAML_METADATA_INVALID`, `ERR_SAML_XML_DTD`, …) for XML that is not metadata.
 *
 * @example
 * ```ts
 * import { parseIdpMetadata, verifyIdpMetadataSignature } from 'passport-saml-multi-idp'
 * const xml = await (await fetch('https://federation.example.org/metadata.xml')).text()
 * verifyIdpMetadataSignature(xml, [federationSigningCertPem]) // throws unless signed by that key
 * const meta = parseIdpMetadata(xml, { entityId: 'https://idp.example.edu/idp/shibboleth' })
 * ```
 */
export function verifyIdpMetadataSignature(xml: string, signingCerts: readonly string[]): void {
  if (typeof xml !== 'string') throw new TypeError(`"xml" must be a string, got ${typeof xml}`)
  if (!Array.isArray(signingCerts) || signingCerts.length === 0)
    throw new TypeError('"signingCerts" must be a non-empty array of PEM certificates')
  const text = (xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml).trimStart()
  const { root } = parseXml(text, METADATA_XML_LIMITS, 'ERR_SAML_METADATA_INVALID')
  if (
    !isElement(root, NS.metadata, 'EntityDescriptor') &&
    !isElement(root, NS.metadata, 'EntitiesDescriptor')
  ) {
    throw new SamlError(
      'XML is not SAML 2.0 metadata: the root element is not md:EntityDescriptor or md:EntitiesDescriptor',
      'ERR_SAML_METADATA_INVALID',
    )
  }
  const signatures = childrenNamed(root, NS.dsig, 'Signature')
  if (signatures.length === 0)
    throw refused(
      `the metadata is not signed, and this IdP pins its metadata signing certificates (metadataSigningCerts): <${root.localName}> must carry an enveloped ds:Signature`,
    )
  if (signatures.length > 1) throw refused(`<${root.localName}> carries ${signatures.length} signatures`)
  let trust
  try {
    trust = compileTrustedKeys(signingCerts, 'metadata')
  } catch (err) {
    throw refused('a pinned metadata signing certificate cannot be used', err)
  }
  try {
    // Pinned metadata certificates are trust anchors: their expiry is not judged (no acceptExpiredSigningCerts).
    verifyEnvelopedSignature(signatures[0]!, root, { trust, allowSha1: false }, Date.now())
  } catch (err) {
    if (isUntrustedKeyError(err))
      throw refused(
        `<${root.localName}> is signed by another key than the ${trust.keys.length} pinned metadata signing certificate(s) (metadataSigningCerts)`,
        err,
      )
    if (err instanceof SamlError) throw refused(err.message, err)
    throw refused('the signature cannot be checked', err)
  }
}

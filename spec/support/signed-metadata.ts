// Signed IdP metadata, signed by xmlsec1 (libxmlsec): the spec builds the document and a Signature
// template as the first child of its root, xmlsec1 computes the digest, the signature and KeyInfo.
import { DOMParser, XMLSerializer } from '@xmldom/xmldom'
import { ALGORITHMS, type CanonicalizationName, type KeyPair } from './test-idp.js'
import { signatureTemplate, signWithXmlsec1 } from './xmlsec1-signer.js'

export const MD = 'urn:oasis:names:tc:SAML:2.0:metadata'

export interface SignMetadataOptions {
  /** The root's ID (and the Reference's target). Default `_md1`. */
  id?: string
  /** `sha1`: RSA-SHA1 over a SHA-1 digest, which metadata never accepts. Default `sha256`. */
  hash?: 'sha256' | 'sha1'
  canonicalization?: CanonicalizationName
  /** An InclusiveNamespaces PrefixList for both exclusive canonicalizations (see signatureTemplate). */
  prefixList?: string
}

/** `xml` (an EntityDescriptor or EntitiesDescriptor) with an enveloped signature on its root by `key`. */
export function signMetadata(xml: string, key: KeyPair, options: SignMetadataOptions = {}): string {
  const id = options.id ?? '_md1'
  const doc = new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document
  const root = doc.documentElement
  root.setAttribute('ID', id)
  const c14n = options.canonicalization ?? 'exc-c14n'
  const template = signatureTemplate(doc, {
    referenceId: id,
    canonicalization: c14n,
    referenceCanonicalization: c14n,
    ...(options.prefixList !== undefined && { prefixList: options.prefixList }),
  })
  if (options.hash === 'sha1') {
    template
      .getElementsByTagNameNS('*', 'SignatureMethod')[0]!
      .setAttribute('Algorithm', ALGORITHMS.signature['rsa-sha1'])
    template.getElementsByTagNameNS('*', 'DigestMethod')[0]!.setAttribute('Algorithm', ALGORITHMS.digest.sha1)
  }
  root.insertBefore(template, root.firstChild)
  const unsigned = new XMLSerializer().serializeToString(doc as never)
  return signWithXmlsec1(unsigned, key, `${MD}:${root.localName}`)
}

/** A federation aggregate: an EntitiesDescriptor around the given EntityDescriptors. */
export function entitiesDescriptor(...entities: string[]): string {
  const inner = entities.map((xml) => xml.replace(/^<\?xml[^>]*\?>\s*/, '')).join('')
  return `<EntitiesDescriptor xmlns="${MD}" Name="urn:example:federation">${inner}</EntitiesDescriptor>`
}

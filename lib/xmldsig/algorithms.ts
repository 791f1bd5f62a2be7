/** XML Signature algorithm allow-lists. Anything not listed here is refused before any cryptography runs. */

export interface SignatureAlgorithmInfo {
  readonly hash: 'sha1' | 'sha256' | 'sha384' | 'sha512'
  readonly keyType: 'rsa' | 'ec'
}

export const SIGNATURE_ALGORITHMS: ReadonlyMap<string, SignatureAlgorithmInfo> = new Map([
  ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', { hash: 'sha256', keyType: 'rsa' }],
  ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha384', { hash: 'sha384', keyType: 'rsa' }],
  ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha512', { hash: 'sha512', keyType: 'rsa' }],
  ['http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256', { hash: 'sha256', keyType: 'ec' }],
  ['http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384', { hash: 'sha384', keyType: 'ec' }],
  ['http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512', { hash: 'sha512', keyType: 'ec' }],
  ['http://www.w3.org/2000/09/xmldsig#rsa-sha1', { hash: 'sha1', keyType: 'rsa' }],
])

export const DIGEST_ALGORITHMS: ReadonlyMap<string, 'sha1' | 'sha256' | 'sha384' | 'sha512'> = new Map([
  ['http://www.w3.org/2001/04/xmlenc#sha256', 'sha256'],
  ['http://www.w3.org/2001/04/xmldsig-more#sha384', 'sha384'],
  ['http://www.w3.org/2001/04/xmlenc#sha512', 'sha512'],
  ['http://www.w3.org/2000/09/xmldsig#sha1', 'sha1'],
])

export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#'
export const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature'
/** Inclusive canonical XML 1.0, without comments. */
export const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315'

/** XML Encryption algorithm allow-lists. Anything not listed here is refused before any decryption runs. */

export interface ContentEncryptionInfo {
  readonly cipher: string
  readonly keyLength: number
  readonly mode: 'gcm' | 'cbc'
}

/** Block ciphers for EncryptedData. 3DES is absent on purpose. */
export const CONTENT_ENCRYPTION_ALGORITHMS: ReadonlyMap<string, ContentEncryptionInfo> = new Map([
  ['http://www.w3.org/2009/xmlenc11#aes128-gcm', { cipher: 'aes-128-gcm', keyLength: 16, mode: 'gcm' }],
  ['http://www.w3.org/2009/xmlenc11#aes192-gcm', { cipher: 'aes-192-gcm', keyLength: 24, mode: 'gcm' }],
  ['http://www.w3.org/2009/xmlenc11#aes256-gcm', { cipher: 'aes-256-gcm', keyLength: 32, mode: 'gcm' }],
  ['http://www.w3.org/2001/04/xmlenc#aes128-cbc', { cipher: 'aes-128-cbc', keyLength: 16, mode: 'cbc' }],
  ['http://www.w3.org/2001/04/xmlenc#aes192-cbc', { cipher: 'aes-192-cbc', keyLength: 24, mode: 'cbc' }],
  ['http://www.w3.org/2001/04/xmlenc#aes256-cbc', { cipher: 'aes-256-cbc', keyLength: 32, mode: 'cbc' }],
])

/** RSA-OAEP with MGF1-SHA-1 fixed by the name (XML Encryption 1.0). */
export const RSA_OAEP_MGF1P = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p'
/** RSA-OAEP with the mask generation function named by an `xenc11:MGF` child (XML Encryption 1.1). */
export const RSA_OAEP_11 = 'http://www.w3.org/2009/xmlenc11#rsa-oaep'

/** RSA-OAEP key transport only; RSA1_5 (PKCS#1 v1.5, Bleichenbacher) is absent on purpose. */
export const KEY_TRANSPORT_ALGORITHMS: ReadonlySet<string> = new Set([RSA_OAEP_MGF1P, RSA_OAEP_11])

export type OaepHash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512'

/** The OAEP digest (`ds:DigestMethod` in the key's EncryptionMethod); SHA-1 when absent. */
export const OAEP_DIGEST_ALGORITHMS: ReadonlyMap<string, OaepHash> = new Map([
  ['http://www.w3.org/2000/09/xmldsig#sha1', 'sha1'],
  ['http://www.w3.org/2001/04/xmldsig-more#sha224', 'sha224'],
  ['http://www.w3.org/2001/04/xmlenc#sha256', 'sha256'],
  ['http://www.w3.org/2001/04/xmldsig-more#sha384', 'sha384'],
  ['http://www.w3.org/2001/04/xmlenc#sha512', 'sha512'],
  // Not W3C identifiers, but what xml-encryption 3 (node-saml's and Auth0's encryptor) writes for its
  // `keyEncryptionDigest` option; it means the same digest, so IdPs built on it are not locked out.
  ['http://www.w3.org/2000/09/xmldsig#sha256', 'sha256'],
  ['http://www.w3.org/2000/09/xmldsig#sha512', 'sha512'],
])

/** MGF1 variants of xmlenc11#rsa-oaep, by the hash they use; MGF1-SHA-1 when absent. */
export const MGF_ALGORITHMS: ReadonlyMap<string, OaepHash> = new Map([
  ['http://www.w3.org/2009/xmlenc11#mgf1sha1', 'sha1'],
  ['http://www.w3.org/2009/xmlenc11#mgf1sha224', 'sha224'],
  ['http://www.w3.org/2009/xmlenc11#mgf1sha256', 'sha256'],
  ['http://www.w3.org/2009/xmlenc11#mgf1sha384', 'sha384'],
  ['http://www.w3.org/2009/xmlenc11#mgf1sha512', 'sha512'],
])

/** `EncryptedData/@Type` for an encrypted element (SAML core 2.2.4: the only value SAML allows). */
export const TYPE_ELEMENT = 'http://www.w3.org/2001/04/xmlenc#Element'
/** `RetrievalMethod/@Type` naming an EncryptedKey. */
export const TYPE_ENCRYPTED_KEY = 'http://www.w3.org/2001/04/xmlenc#EncryptedKey'

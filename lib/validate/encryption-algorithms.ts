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

/** RSA-OAEP key transport only; RSA1_5 (PKCS#1 v1.5, Bleichenbacher) is absent on purpose. */
export const KEY_TRANSPORT_ALGORITHMS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  'http://www.w3.org/2009/xmlenc11#rsa-oaep',
])

/** MGF1 variants of xmlenc11#rsa-oaep, by the hash they use. */
export const MGF_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['http://www.w3.org/2009/xmlenc11#mgf1sha1', 'sha1'],
  ['http://www.w3.org/2009/xmlenc11#mgf1sha256', 'sha256'],
  ['http://www.w3.org/2009/xmlenc11#mgf1sha384', 'sha384'],
  ['http://www.w3.org/2009/xmlenc11#mgf1sha512', 'sha512'],
])

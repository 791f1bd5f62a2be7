import { createDecipheriv } from 'node:crypto'
import type { ContentEncryptionInfo } from './algorithms.js'

/**
 * AES-GCM (IV 12 bytes, tag 16 bytes) or AES-CBC (IV 16 bytes, XML Encryption padding) decryption of
 * a CipherValue. Returns undefined on any failure, so callers report one error for all of them.
 */
export function decryptContent(
  content: ContentEncryptionInfo,
  key: Buffer,
  data: Buffer,
): Buffer | undefined {
  try {
    if (content.mode === 'gcm') {
      if (data.length < 12 + 16) return undefined
      const decipher = createDecipheriv(content.cipher as 'aes-256-gcm', key, data.subarray(0, 12))
      decipher.setAuthTag(data.subarray(data.length - 16))
      return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()])
    }
    if (data.length < 32 || data.length % 16 !== 0) return undefined
    const decipher = createDecipheriv(content.cipher, key, data.subarray(0, 16)).setAutoPadding(false)
    const padded = Buffer.concat([decipher.update(data.subarray(16)), decipher.final()])
    // XML Encryption padding: the last byte counts the padding bytes (1..16); their content is arbitrary.
    const pad = padded[padded.length - 1]!
    if (pad < 1 || pad > 16) return undefined
    return padded.subarray(0, padded.length - pad)
  } catch {
    return undefined
  }
}

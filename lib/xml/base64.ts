const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const WHITESPACE = /[\s]+/g

/**
 * Strict base64 decoding: whitespace (line wrapping) is allowed, anything else that is not in the
 * alphabet is refused, where `Buffer.from(s, 'base64')` would silently skip it.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  // Fast path for the usual case, unwrapped canonical base64: decoding and re-encoding gives the
  // same text back only if every character was in the alphabet and the padding was right.
  const bytes = Buffer.from(text, 'base64')
  if (bytes.toString('base64') === text) return bytes
  const compact = text.replace(WHITESPACE, '')
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined
  return Buffer.from(compact, 'base64')
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const WHITESPACE = /[\s]+/g

/**
 * Strict base64 decoding: whitespace (line wrapping) is allowed, anything else that is not in the
 * alphabet is refused, where `Buffer.from(s, 'base64')` would silently skip it.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const compact = text.replace(WHITESPACE, '')
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined
  return Buffer.from(compact, 'base64')
}

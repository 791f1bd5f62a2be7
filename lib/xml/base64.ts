const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const WHITESPACE = /[\s]+/g
const EQUALS = 0x3d

/**
 * Strict base64 decoding: whitespace (line wrapping) is allowed, anything else that is not in the
 * alphabet is refused, where `Buffer.from(s, 'base64')` would silently skip it.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64')
  if (isExactDecoding(text, bytes)) return bytes
  const compact = text.replace(WHITESPACE, '')
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined
  return Buffer.from(compact, 'base64')
}

/**
 * The fast path for the usual case, unwrapped padded base64, without a second pass over the text
 * (re-encoding it allocated a copy as large as the input). Node's decoder skips any character
 * outside the alphabet, so one in the text leaves fewer bytes than its length promises; what it
 * does not skip is also taken care of: the base64url characters `-` and `_` (which it reads as
 * `+` and `/`) and characters above U+007F (it reads only their low byte, so `İ` decodes as `0`).
 * spec/xml/base64.spec.ts checks this against the definition above on random strings.
 */
function isExactDecoding(text: string, bytes: Buffer): boolean {
  const n = text.length
  if (n % 4 !== 0) return false
  const padding = n === 0 || text.charCodeAt(n - 1) !== EQUALS ? 0 : text.charCodeAt(n - 2) === EQUALS ? 2 : 1
  return (
    bytes.length === (n / 4) * 3 - padding &&
    Buffer.byteLength(text, 'utf8') === n &&
    !text.includes('-') &&
    !text.includes('_')
  )
}

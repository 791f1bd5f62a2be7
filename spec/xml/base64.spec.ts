// decodeBase64Strict accepts exactly base64 (optionally wrapped with whitespace) and refuses what
// Buffer.from(s, 'base64') would quietly skip or reinterpret: other characters, base64url, non-ASCII.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeBase64Strict } from '../../lib/xml/base64.js'
import { Rng } from '../support/rng.js'

/** The definition the decoder must keep: whitespace removed, the alphabet, then at most two `=`, in fours. */
function reference(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '')
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined
  return Buffer.from(compact, 'base64')
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
// Each one Node's decoder skips or reads differently: padding, base64url, whitespace, punctuation,
// a NUL, Latin-1 and wider characters whose low byte is in the alphabet (İ is U+0130: "0"), a lone
// surrogate.
const OTHERS = [
  '=',
  '-',
  '_',
  ' ',
  '\n',
  '\r',
  '\t',
  '.',
  '*',
  '%',
  '\u0000',
  'é',
  'İ',
  'K',
  'ſ',
  'Ł',
  '\ud800',
]

describe('decodeBase64Strict', () => {
  it('decodes padded base64, wrapped or not', () => {
    assert.equal(decodeBase64Strict('PHNhbWw+')?.toString(), '<saml>')
    assert.equal(decodeBase64Strict('YQ==')?.toString(), 'a')
    assert.equal(decodeBase64Strict('YWI=')?.toString(), 'ab')
    assert.equal(decodeBase64Strict('PHNh\r\nbWw+\n')?.toString(), '<saml>')
    assert.equal(decodeBase64Strict('')?.length, 0)
  })

  it('refuses what Buffer.from would skip or reinterpret', () => {
    for (const text of [
      'PHNhbWw-', // base64url: Buffer.from reads "-" as "+"
      'PHNhbWw_',
      'PHNh!bWw+',
      'İHNhbWw+', // U+0130: Buffer.from reads its low byte, "0"
      'PHNhbWw', // not a multiple of four
      'YQ=',
      'Y===',
      'YQ==YQ==', // padding in the middle
      'YQ=a',
    ]) {
      assert.equal(decodeBase64Strict(text), undefined, JSON.stringify(text))
    }
  })

  it('agrees with the definition on 200,000 random strings', () => {
    const rng = new Rng(0x6261_7365)
    let accepted = 0
    for (let i = 0; i < 200_000; i++) {
      let text = ''
      const length = rng.int(16)
      for (let k = 0; k < length; k++) {
        text += rng.next() < 0.8 ? ALPHABET[rng.int(64)] : rng.pick(OTHERS)
      }
      if (rng.next() < 0.3) text += '='.repeat(rng.int(3))
      const expected = reference(text)
      const actual = decodeBase64Strict(text)
      assert.deepEqual(actual, expected, JSON.stringify(text))
      if (actual) accepted++
    }
    // The strings exercise both answers, not just one.
    assert.ok(accepted > 20_000 && accepted < 180_000, `${accepted} accepted`)
  })
})

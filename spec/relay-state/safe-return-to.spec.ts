import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  isAllowedHost,
  isPlainPath,
  safeReturnTo,
  type ReturnToPolicy,
} from '../../lib/relay-state/safe-return-to.js'
import { Rng } from '../support/rng.js'

const https: ReturnToPolicy = {
  baseUrl: 'https://app.example.com',
  allowedHosts: ['docs.example.com', '*.tenant.example.com'],
  fallback: '/home',
}
const http: ReturnToPolicy = { ...https, baseUrl: 'http://localhost:3000' }

describe('safeReturnTo: never an open redirect', () => {
  const kept: Array<[string, string]> = [
    ['/reports?id=7#top', '/reports?id=7#top'],
    ['/a/../b', '/b'],
    // Percent-encoded backslash stays encoded: browsers do not decode Location paths.
    ['/%5Cevil.com', '/%5Cevil.com'],
    ['https://app.example.com/x', 'https://app.example.com/x'],
    ['https://docs.example.com/guide', 'https://docs.example.com/guide'],
    ['https://acme.tenant.example.com/', 'https://acme.tenant.example.com/'],
  ]
  for (const [input, expected] of kept) {
    it(`keeps ${input}`, () => assert.equal(safeReturnTo(input, https), expected))
  }

  const refused = [
    '//evil.com/',
    '/\\evil.com',
    '\\\\evil.com',
    'https://evil.com/',
    'https://app.example.com.evil.com/',
    'https://evil.com\\@app.example.com/',
    'https://user:pass@app.example.com/',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/ok\r\nSet-Cookie: x=1',
    '/tab\there',
    'https://tenant.example.com/',
    // An https site must not send its users to plain http, even on its own or an allowed host.
    'http://app.example.com/x',
    'http://docs.example.com/guide',
    '',
    'x'.repeat(3000),
  ]
  for (const input of refused) {
    it(`refuses ${JSON.stringify(input.slice(0, 60))}`, () =>
      assert.equal(safeReturnTo(input, https), '/home'))
  }

  it('refuses non-strings', () => {
    for (const value of [undefined, null, 42, ['/a'], { toString: () => '/a' }]) {
      assert.equal(safeReturnTo(value, https), '/home')
    }
  })

  it('on an http site, its own http origin is fine', () => {
    assert.equal(safeReturnTo('http://localhost:3000/x', http), 'http://localhost:3000/x')
    assert.equal(safeReturnTo('http://localhost:4000/x', http), '/home')
  })
})

/** The algorithm before the fast path (isPlainPath), kept as the reference it must agree with. */
function reference(value: unknown, policy: ReturnToPolicy): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 2048 ||
    // eslint-disable-next-line no-control-regex -- as in the library
    /[\u0000-\u001f\u007f\\]/.test(value)
  ) {
    return policy.fallback
  }
  if (value.startsWith('/')) {
    if (value.startsWith('//')) return policy.fallback
    const resolved = new URL(value, 'http://return-to.invalid')
    if (resolved.origin !== 'http://return-to.invalid') return policy.fallback
    return resolved.pathname + resolved.search + resolved.hash
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return policy.fallback
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return policy.fallback
  const base = new URL(policy.baseUrl)
  if (base.protocol === 'https:' && url.protocol !== 'https:') return policy.fallback
  if (url.username || url.password) return policy.fallback
  const host = url.host.toLowerCase()
  if (host !== base.host.toLowerCase() && !isAllowedHost(host, policy.allowedHosts)) {
    return policy.fallback
  }
  return url.href
}

// Pieces the URL parser keeps, encodes, normalizes or resolves: dot segments in every spelling,
// `%` with and without hex digits, empty query and fragment, characters of each percent-encode set,
// controls, backslash, whitespace, non-ASCII (a lone surrogate too) and URL delimiters.
const PIECES = [
  ...'aZ09fF-_~!$&()*+,;=:@'.split(''),
  '/',
  '/',
  '/',
  '.',
  '.',
  '..',
  '?',
  '?',
  '#',
  '#',
  '%',
  '%2e',
  '%2E',
  '%2',
  '%5C',
  '%5c',
  '%41',
  '%g1',
  '%%',
  '\\',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u007f',
  "'",
  '"',
  '<',
  '>',
  '`',
  '{',
  '}',
  '^',
  '|',
  '[',
  ']',
  'é',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '\ud800',
  '😀',
  'http:',
  '//',
  'evil.com',
]

describe('safeReturnTo: the fast path for plain paths', () => {
  it('returns plain paths as they are, and leaves the rest to the URL parser', () => {
    for (const value of ['/', '/home', '/reports/7?tab=a', '/a.b/c..d/...?x=../.#y.', '/%41/b%5c?%2e#%2E']) {
      assert.equal(isPlainPath(value), true, value)
      assert.equal(safeReturnTo(value, https), value)
    }
    for (const value of [
      '/.',
      '/..',
      '/a/./b',
      '/a/../b',
      '/a/.?x',
      '/%2e/x',
      '/a/.%2E/',
      '/a?',
      '/a#',
      '/a?#b',
      '/a#b#c',
      '/%zz',
      '/%4',
      '/a b',
      "/a?b'",
      '/é',
      '//x',
      'x/y',
      '/\\x',
    ]) {
      assert.equal(isPlainPath(value), false, value)
    }
    assert.equal(safeReturnTo('/a?', https), '/a')
    assert.equal(safeReturnTo('/a/./b/../c', https), '/a/c')
  })

  it('agrees with the URL parser on 200,000 random strings', () => {
    const rng = new Rng(0x7265_7475)
    let plain = 0
    for (let i = 0; i < 200_000; i++) {
      let value = rng.next() < 0.9 ? '/' : ''
      const pieces = 1 + rng.int(12)
      for (let k = 0; k < pieces; k++) value += rng.pick(PIECES)
      const expected = reference(value, https)
      assert.equal(safeReturnTo(value, https), expected, JSON.stringify(value))
      if (isPlainPath(value)) {
        assert.equal(expected, value, JSON.stringify(value))
        plain++
      }
    }
    // Both paths are exercised, not just one.
    assert.ok(plain > 10_000 && plain < 150_000, `${plain} plain`)
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { safeReturnTo, type ReturnToPolicy } from '../../lib/relay-state/safe-return-to.js'

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

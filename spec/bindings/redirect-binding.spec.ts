// encodeRedirect, the outbound HTTP-Redirect binding: DEFLATE + base64 + RFC 3986 encoding, the query
// appended to any endpoint, and a signature over exactly the octets sent (SAML bindings 3.4.4.1),
// checked by our inbound parser and verifier, by node:crypto for the ECDSA encoding, and by pysaml2,
// which rebuilds the octets by re-encoding. node-saml 5 signs other octets than it sends.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createPrivateKey, verify } from 'node:crypto'
import { inflateRawSync } from 'node:zlib'
import { describe, it } from 'node:test'
import { SAML } from '@node-saml/node-saml'
import { isSamlError } from '../../lib/index.js'
import {
  encodeRedirect,
  inflateRedirectMessage,
  parseRedirectQuery,
  verifyRedirectSignature,
} from '../../lib/bindings/redirect-binding.js'
import { buildLogoutRequest } from '../../lib/messages/logout-request.js'
import { newMessageId } from '../../lib/messages/message-id.js'
import { compileTrustedKeys } from '../../lib/xmldsig/trusted-keys.js'
import { keys, type KeyPair } from '../support/test-idp.js'

const PYTHON = '/usr/bin/python3'
const SCRIPT = new URL('../support/pysaml2_check.py', import.meta.url).pathname
const AWKWARD = `/reports?tab=2&q=it's (1)!*~%+#ü`
const xml = buildLogoutRequest({
  id: newMessageId(),
  issueInstant: Date.now(),
  destination: 'https://idp.test/slo',
  issuer: 'https://app.test/saml/metadata',
  nameID: 'alice@acme.test',
})
const policy = (cert: string) => ({ trust: compileTrustedKeys([cert], 'peer'), allowSha1: false })
const signing = (pair: KeyPair, algorithm: 'sha256' | 'sha512' = 'sha256') => ({
  privateKey: createPrivateKey(pair.key),
  algorithm,
})
const queryOf = (url: string) => url.slice(url.indexOf('?') + 1)

function pysaml2Verifies(url: string, cert: string): boolean {
  const input = JSON.stringify({ op: 'redirect', query: new URL(url).search.slice(1), cert })
  return (JSON.parse(execFileSync(PYTHON, [SCRIPT], { input, encoding: 'utf8' })) as { verified: boolean })
    .verified
}

describe('encodeRedirect', () => {
  it('appends to the endpoint with ? or &, keeping its own query; a #fragment is a TypeError', () => {
    const message = { type: 'SAMLRequest', xml } as const
    assert.match(encodeRedirect('https://idp.test/slo', message), /^https:\/\/idp\.test\/slo\?SAMLRequest=/)
    assert.match(
      encodeRedirect('https://idp.test/slo?tenant=a', message),
      /^https:\/\/idp\.test\/slo\?tenant=a&SAMLRequest=/,
    )
    assert.match(encodeRedirect('https://idp.test/slo?', message), /^https:\/\/idp\.test\/slo\?SAMLRequest=/)
    assert.match(encodeRedirect('https://idp.test/slo?a=1&', message), /\?a=1&SAMLRequest=/)
    assert.throws(() => encodeRedirect('https://idp.test/slo#x', message), TypeError)
    const url = new URL(encodeRedirect('https://idp.test/slo?tenant=a', message))
    assert.equal(url.searchParams.get('tenant'), 'a')
    assert.equal(
      inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8'),
      xml,
    )
  })

  it('unsigned: the message and RelayState only, every value percent-encoded per RFC 3986', () => {
    const url = encodeRedirect('https://idp.test/slo', { type: 'SAMLResponse', xml, relayState: AWKWARD })
    assert.match(queryOf(url), /^SAMLResponse=[A-Za-z0-9%._~-]+&RelayState=[A-Za-z0-9%._~-]+$/)
    const parsed = parseRedirectQuery(queryOf(url))
    assert.equal(parsed.type, 'SAMLResponse')
    assert.equal(parsed.relayState, AWKWARD)
    assert.equal(parsed.sigAlg, undefined)
    assert.equal(inflateRedirectMessage(parsed.message, 256 * 1024), xml)
  })

  const cases: Array<[string, KeyPair, 'sha256' | 'sha512', string]> = [
    ['RSA', keys.sp, 'sha256', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'],
    ['RSA', keys.sp, 'sha512', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512'],
    ['EC P-256', keys.idpEc, 'sha256', 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256'],
    ['EC P-256', keys.idpEc, 'sha512', 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512'],
  ]
  for (const [name, pair, algorithm, sigAlg] of cases) {
    it(`${name} ${algorithm}: the signature covers exactly the octets sent`, () => {
      const url = encodeRedirect('https://idp.test/slo?tenant=a', {
        type: 'SAMLRequest',
        xml,
        relayState: AWKWARD,
        signing: signing(pair, algorithm),
      })
      const query = queryOf(url)
      const parsed = parseRedirectQuery(query)
      assert.equal(parsed.sigAlg, sigAlg)
      assert.equal(parsed.signedOctets, query.slice('tenant=a&'.length, query.indexOf('&Signature=')))
      verifyRedirectSignature(parsed, policy(pair.cert), Date.now())
      const signature = Buffer.from(parsed.signature!, 'base64')
      if (name.startsWith('EC')) {
        assert.equal(signature.length, 64, 'r‖s as XML-DSig defines ECDSA signature values, not DER')
        const key = { key: pair.cert, dsaEncoding: 'ieee-p1363' as const }
        assert.equal(verify(algorithm, Buffer.from(parsed.signedOctets), key, signature), true)
      }
      assert.throws(
        () => verifyRedirectSignature(parsed, policy(keys.attacker.cert), Date.now()),
        (err: unknown) => isSamlError(err) && err.code === 'ERR_SAML_SIGNATURE_INVALID',
      )
    })
  }

  it("pysaml2, which re-encodes the parameters, verifies ours with !'()* in RelayState", () => {
    const relayState = `/reports?q=it's(1)!*~`
    const ours = encodeRedirect('https://idp.test/slo', {
      type: 'SAMLRequest',
      xml,
      relayState,
      signing: signing(keys.sp),
    })
    assert.equal(pysaml2Verifies(ours, keys.sp.cert), true)
    assert.equal(pysaml2Verifies(ours.replace('q%3Dit', 'q%3Dat'), keys.sp.cert), false)
  })

  it("node-saml 5 signs other octets than it sends when RelayState has a space or !'()~; ours verify", async () => {
    const relayState = "/a b!'()~"
    const saml = new SAML({
      entryPoint: 'https://idp.test/sso',
      issuer: 'https://app.test/saml/metadata',
      callbackUrl: 'https://app.test/saml/acs',
      idpCert: keys.idpAcme.cert,
      privateKey: keys.sp.key,
      signatureAlgorithm: 'sha256',
    })
    const theirs = parseRedirectQuery(queryOf(await saml.getAuthorizeUrlAsync(relayState, undefined, {})))
    assert.equal(theirs.relayState, relayState)
    assert.throws(
      () => verifyRedirectSignature(theirs, policy(keys.sp.cert), Date.now()),
      (err: unknown) => isSamlError(err) && err.code === 'ERR_SAML_SIGNATURE_INVALID',
    )
    const ours = encodeRedirect('https://idp.test/sso', {
      type: 'SAMLRequest',
      xml,
      relayState,
      signing: signing(keys.sp),
    })
    verifyRedirectSignature(parseRedirectQuery(queryOf(ours)), policy(keys.sp.cert), Date.now())
  })
})

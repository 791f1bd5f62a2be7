// The HTTP-Redirect binding's query signature, checked directly: RSA and both ECDSA encodings
// (r‖s as XMLDSig and Santuario-based IdPs write it, and DER), and what is refused.
import assert from 'node:assert/strict'
import { createPrivateKey, sign } from 'node:crypto'
import { deflateRawSync } from 'node:zlib'
import { describe, it } from 'node:test'
import { isSamlError } from '../../lib/index.js'
import { parseRedirectQuery, verifyRedirectSignature } from '../../lib/bindings/redirect-binding.js'
import { compileTrustedKeys } from '../../lib/xmldsig/trusted-keys.js'
import { keys } from '../support/test-idp.js'

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'
const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256'
const message = encodeURIComponent(deflateRawSync('<samlp:LogoutRequest/>').toString('base64'))

function signedQuery(key: string, sigAlg: string, dsaEncoding?: 'der' | 'ieee-p1363'): string {
  const octets = `SAMLRequest=${message}&RelayState=%2Fbye&SigAlg=${encodeURIComponent(sigAlg)}`
  const privateKey = createPrivateKey(key)
  const signature = sign(
    'sha256',
    Buffer.from(octets),
    dsaEncoding ? { key: privateKey, dsaEncoding } : privateKey,
  )
  return `${octets}&Signature=${encodeURIComponent(signature.toString('base64'))}`
}

const policy = (cert: string) => ({ trust: compileTrustedKeys([cert], 'test'), allowSha1: false })

describe('HTTP-Redirect query signatures', () => {
  it('accepts RSA-SHA256, and ECDSA-SHA256 in both r‖s and DER encodings', () => {
    verifyRedirectSignature(
      parseRedirectQuery(signedQuery(keys.idpAcme.key, RSA_SHA256)),
      policy(keys.idpAcme.cert),
      Date.now(),
    )
    for (const encoding of ['ieee-p1363', 'der'] as const) {
      verifyRedirectSignature(
        parseRedirectQuery(signedQuery(keys.idpEc.key, ECDSA_SHA256, encoding)),
        policy(keys.idpEc.cert),
        Date.now(),
      )
    }
  })

  it('refuses another key, a key of the wrong type for SigAlg, and a changed parameter', () => {
    const refused = (query: string, cert: string, code: string) =>
      assert.throws(
        () => verifyRedirectSignature(parseRedirectQuery(query), policy(cert), Date.now()),
        (err: unknown) => isSamlError(err) && err.code === code,
      )
    refused(signedQuery(keys.attacker.key, RSA_SHA256), keys.idpAcme.cert, 'ERR_SAML_SIGNATURE_INVALID')
    refused(signedQuery(keys.idpAcme.key, RSA_SHA256), keys.idpEc.cert, 'ERR_SAML_SIGNATURE_INVALID')
    refused(
      signedQuery(keys.idpAcme.key, RSA_SHA256).replace('RelayState=%2Fbye', 'RelayState=%2Fevil'),
      keys.idpAcme.cert,
      'ERR_SAML_SIGNATURE_INVALID',
    )
    refused(`SAMLRequest=${message}`, keys.idpAcme.cert, 'ERR_SAML_SIGNATURE_MISSING')
  })
})

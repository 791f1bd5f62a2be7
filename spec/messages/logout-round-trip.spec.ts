// Our outbound logout messages through our own inbound validator (validateLogoutMessage), both
// bindings, RSA and EC keys, SHA-256 and SHA-512: what one instance of this library sends, another
// accepts when its policy trusts the sender's certificate, and only then.
import assert from 'node:assert/strict'
import { createPrivateKey } from 'node:crypto'
import { describe, it } from 'node:test'
import { isSamlError } from '../../lib/index.js'
import { postForm } from '../../lib/bindings/post-binding.js'
import { encodeRedirect } from '../../lib/bindings/redirect-binding.js'
import {
  validateLogoutMessage,
  type LogoutInput,
  type LogoutPolicy,
} from '../../lib/validate/validate-logout.js'
import { buildLogoutRequest } from '../../lib/messages/logout-request.js'
import { buildLogoutResponse, LOGOUT_STATUS } from '../../lib/messages/logout-response.js'
import { newMessageId } from '../../lib/messages/message-id.js'
import { signEnveloped } from '../../lib/xmldsig/sign-enveloped.js'
import type { SigningHash } from '../../lib/xmldsig/signing-key.js'
import { compileTrustedKeys } from '../../lib/xmldsig/trusted-keys.js'
import { MESSAGE_XML_LIMITS } from '../../lib/xml/parse-xml.js'
import { readPostForm } from '../support/samlify-peer.js'
import { keys, type KeyPair } from '../support/test-idp.js'

const SENDER = 'https://app-a.test/saml/metadata'
const SLO_URL = 'https://app-b.test/saml/peer/slo'
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'

function policy(cert: string): LogoutPolicy {
  return {
    idp: 'peer',
    entityId: SENDER,
    sloUrl: SLO_URL,
    trust: compileTrustedKeys([cert], 'peer'),
    allowSha1: false,
    clockSkewMs: 60_000,
    maxAgeMs: 5 * 60_000,
    limits: MESSAGE_XML_LIMITS,
    decryptionKeys: [],
    requireAesGcm: false,
  }
}

/** Sends `xml` with `binding`, signed by `signer`, and returns what the receiving browser brings. */
function send(
  binding: 'redirect' | 'post',
  type: 'SAMLRequest' | 'SAMLResponse',
  xml: string,
  signer: KeyPair,
  algorithm: SigningHash,
): LogoutInput {
  if (binding === 'redirect') {
    const signing = { privateKey: createPrivateKey(signer.key), algorithm }
    const url = encodeRedirect(SLO_URL, { type, xml, relayState: '/bye?x=1&y=2', signing })
    return { binding, rawQuery: new URL(url).search.slice(1) }
  }
  const signed = signEnveloped(xml, { privateKey: signer.key, certificate: signer.cert, algorithm })
  return {
    binding,
    body: readPostForm(postForm(SLO_URL, { type, xml: signed, relayState: '/bye?x=1&y=2' })).fields,
  }
}

const signers: Array<[string, KeyPair]> = [
  ['RSA', keys.sp],
  ['EC P-256', keys.idpEc],
]

describe('our logout messages accepted by our own validator', () => {
  for (const binding of ['redirect', 'post'] as const) {
    for (const [keyName, signer] of signers) {
      for (const algorithm of ['sha256', 'sha512'] as const) {
        it(`${binding}, ${keyName}, ${algorithm}: LogoutRequest and LogoutResponse read back`, () => {
          const now = Date.now()
          const requestId = newMessageId()
          const request = buildLogoutRequest({
            id: requestId,
            issueInstant: now,
            destination: SLO_URL,
            issuer: SENDER,
            nameID: 'carol@globex.test',
            nameIDFormat: EMAIL,
            sessionIndex: '_s-42',
            notOnOrAfter: now + 60_000,
          })
          const readRequest = validateLogoutMessage(
            send(binding, 'SAMLRequest', request, signer, algorithm),
            policy(signer.cert),
            now,
          )
          assert.deepEqual(readRequest, {
            kind: 'request',
            id: requestId,
            issuer: SENDER,
            nameID: 'carol@globex.test',
            nameIDFormat: EMAIL,
            sessionIndexes: ['_s-42'],
            expiresAt: now + 60_000 + 60_000,
            relayState: '/bye?x=1&y=2',
          })

          const responseId = newMessageId()
          const response = buildLogoutResponse({
            id: responseId,
            issueInstant: now,
            destination: SLO_URL,
            issuer: SENDER,
            inResponseTo: requestId,
            statusCode: LOGOUT_STATUS.success,
            subStatusCode: LOGOUT_STATUS.partialLogout,
          })
          const readResponse = validateLogoutMessage(
            send(binding, 'SAMLResponse', response, signer, algorithm),
            policy(signer.cert),
            now,
          )
          assert.deepEqual(readResponse, {
            kind: 'response',
            id: responseId,
            issuer: SENDER,
            inResponseTo: requestId,
            success: true,
            statusCode: LOGOUT_STATUS.success,
            relayState: '/bye?x=1&y=2',
          })
        })
      }
    }

    it(`${binding}: refused when the receiver does not trust the signing key`, () => {
      const now = Date.now()
      const xml = buildLogoutRequest({
        id: newMessageId(),
        issueInstant: now,
        destination: SLO_URL,
        issuer: SENDER,
        nameID: 'carol@globex.test',
      })
      assert.throws(
        () =>
          validateLogoutMessage(
            send(binding, 'SAMLRequest', xml, keys.attacker, 'sha256'),
            policy(keys.sp.cert),
            now,
          ),
        (err: unknown) => isSamlError(err) && err.code === 'ERR_SAML_SIGNATURE_INVALID',
      )
    })
  }
})

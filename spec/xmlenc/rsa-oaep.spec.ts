// RSA-OAEP decryption with every digest and MGF1 hash pairing, checked against Python's
// `cryptography` (OpenSSL through another binding; Debian's python3-cryptography, installed with
// pysaml2), which can encrypt with the two hashes apart. Every tampered input gives undefined.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import {
  constants,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto'
import { describe, it } from 'node:test'
import type { OaepHash } from '../../lib/xmlenc/algorithms.js'
import { rsaOaepDecrypt } from '../../lib/xmlenc/rsa-oaep.js'
import { keys } from '../support/test-idp.js'

const ENCRYPT = `
import base64, json, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
jobs = json.load(sys.stdin)
out = []
for job in jobs:
    key = x509.load_pem_x509_certificate(job["cert"].encode()).public_key()
    h = lambda name: getattr(hashes, name.upper())()
    label = base64.b64decode(job["label"]) if job["label"] else None
    pad = padding.OAEP(mgf=padding.MGF1(algorithm=h(job["mgf"])), algorithm=h(job["hash"]), label=label)
    out.append(base64.b64encode(key.encrypt(base64.b64decode(job["message"]), pad)).decode())
print(json.dumps(out))
`
const HASHES: OaepHash[] = ['sha1', 'sha256', 'sha384', 'sha512']
const spKey = createPrivateKey(keys.sp.key)

interface Job {
  hash: OaepHash
  mgf: OaepHash
  label: Buffer | undefined
  message: Buffer
}

function encryptWithPython(jobs: Job[]): Buffer[] {
  const input = jobs.map((j) => ({
    cert: keys.sp.cert,
    hash: j.hash,
    mgf: j.mgf,
    label: j.label?.toString('base64') ?? '',
    message: j.message.toString('base64'),
  }))
  const out = execFileSync('/usr/bin/python3', ['-c', ENCRYPT], { input: JSON.stringify(input) })
  return (JSON.parse(out.toString()) as string[]).map((b) => Buffer.from(b, 'base64'))
}

describe('RSA-OAEP decryption', () => {
  const jobs: Job[] = HASHES.flatMap((hash) =>
    HASHES.map((mgf) => ({
      hash,
      mgf,
      label: mgf === 'sha256' ? Buffer.from('a label') : undefined,
      message: randomBytes(32),
    })),
  )
  const ciphertexts = encryptWithPython(jobs)

  for (const [i, job] of jobs.entries()) {
    it(`OAEP ${job.hash} with MGF1-${job.mgf}${job.label ? ' and a label' : ''}: decrypts; tampering gives undefined`, () => {
      const ciphertext = ciphertexts[i]!
      assert.deepEqual(rsaOaepDecrypt(spKey, ciphertext, job.hash, job.mgf, job.label), job.message)
      const flipped = Buffer.from(ciphertext)
      flipped[flipped.length - 1]! ^= 1
      assert.equal(rsaOaepDecrypt(spKey, flipped, job.hash, job.mgf, job.label), undefined)
      assert.equal(
        rsaOaepDecrypt(spKey, ciphertext, job.hash, job.mgf, Buffer.from('another label')),
        undefined,
      )
      const otherMgf = job.mgf === 'sha1' ? 'sha512' : 'sha1'
      assert.equal(rsaOaepDecrypt(spKey, ciphertext, job.hash, otherMgf, job.label), undefined)
      assert.equal(rsaOaepDecrypt(spKey, ciphertext.subarray(1), job.hash, job.mgf, job.label), undefined)
      assert.equal(
        rsaOaepDecrypt(createPrivateKey(keys.spNext.key), ciphertext, job.hash, job.mgf, job.label),
        undefined,
      )
    })
  }

  it('refuses a ciphertext shorter than the modulus, which OpenSSL alone would left-pad and decrypt', () => {
    // One ciphertext in 256 starts with a zero byte; without it, it is the same number in k − 1
    // octets. RFC 8017 7.1.2 step 1 refuses it on every path (this spec used to fail 1 run in ~64
    // when Python's random ciphertexts happened to start with zero).
    const publicKey = createPublicKey(keys.sp.cert)
    for (const hash of ['sha1', 'sha256'] as const) {
      let ciphertext: Buffer | undefined
      let message = Buffer.alloc(0)
      for (let tries = 0; ciphertext === undefined && tries < 100_000; tries++) {
        message = randomBytes(32)
        const c = publicEncrypt(
          { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
          message,
        )
        if (c[0] === 0) ciphertext = c
      }
      assert.ok(ciphertext, 'a ciphertext with a leading zero byte')
      assert.deepEqual(rsaOaepDecrypt(spKey, ciphertext, hash, hash, undefined), message)
      const short = ciphertext.subarray(1)
      // OpenSSL's own OAEP decryption accepts the short form: what the length rule is for.
      assert.deepEqual(
        privateDecrypt({ key: spKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, short),
        message,
      )
      assert.equal(rsaOaepDecrypt(spKey, short, hash, hash, undefined), undefined)
      assert.equal(
        rsaOaepDecrypt(spKey, short, hash, hash === 'sha1' ? 'sha256' : 'sha1', undefined),
        undefined,
      )
    }
  })

  it('an EC key gives undefined, not an exception', () => {
    assert.equal(
      rsaOaepDecrypt(createPrivateKey(keys.idpEc.key), ciphertexts[0]!, 'sha1', 'sha256', undefined),
      undefined,
    )
  })
})

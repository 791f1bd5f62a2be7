// Self-signed certificates with chosen validity dates, made by the openssl CLI (node:crypto cannot
// make certificates, and `openssl req` 3.0 cannot back-date one: `openssl ca -selfsign` can).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { KeyPair } from './test-idp.js'

const CA_CONFIG = `[ ca ]
default_ca = d
[ d ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = p
unique_subject = no
[ p ]
commonName = supplied
`

/** `2020-01-01T00:00:00Z` → `20200101000000Z`, as `openssl ca` takes dates. */
const asn1Time = (date: Date) => `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`

/**
 * A self-signed RSA-2048 certificate for `commonName`, valid from `notBefore` to `notAfter`, with a
 * new key or the private key of `reuseKey` (a renewal that keeps the key).
 */
export function makeCertificate(options: {
  commonName: string
  notBefore: Date
  notAfter: Date
  reuseKey?: KeyPair
}): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'openssl-cert-'))
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  try {
    writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG)
    writeFileSync(join(dir, 'index.txt'), '')
    writeFileSync(join(dir, 'serial'), '01\n')
    if (options.reuseKey) writeFileSync(join(dir, 'key.pem'), options.reuseKey.key)
    else run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'key.pem'])
    run(['req', '-new', '-key', 'key.pem', '-subj', `/CN=${options.commonName}`, '-out', 'req.csr'])
    run([
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'key.pem',
      '-in',
      'req.csr',
      '-out',
      'cert.pem',
      '-notext',
      '-startdate',
      asn1Time(options.notBefore),
      '-enddate',
      asn1Time(options.notAfter),
    ])
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

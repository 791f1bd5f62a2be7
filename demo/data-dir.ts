/**
 * Everything the demo generates once and keeps: secrets and key pairs, under `DATA_DIR`
 * (`.demo-data/` by default, gitignored). Files are written owner-only.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createSelfSignedCertificate, type PemKeyPair } from './idp/self-signed-certificate.js'

/** Creates the directory (and parents) if missing. */
export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

/**
 * A secret kept in `DATA_DIR/<name>`: read it if present, otherwise generate 32 random bytes
 * (base64url) and write it. `generated` tells the caller whether it is new (to print it once).
 */
export function loadOrCreateSecret(dataDir: string, name: string): { value: string; generated: boolean } {
  const file = join(ensureDir(dataDir), name)
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim()
    if (value !== '') return { value, generated: false }
  }
  const value = randomBytes(32).toString('base64url')
  writeFileSync(file, `${value}\n`, { mode: 0o600 })
  return { value, generated: true }
}

/**
 * An RSA key pair with a self-signed certificate, kept as `DATA_DIR/keys/<name>.key.pem` and
 * `<name>.cert.pem`; generated on first use.
 */
export function loadOrCreateKeyPair(dataDir: string, name: string, commonName: string): PemKeyPair {
  const dir = ensureDir(join(dataDir, 'keys'))
  const keyFile = join(dir, `${name}.key.pem`)
  const certFile = join(dir, `${name}.cert.pem`)
  if (existsSync(keyFile) && existsSync(certFile)) {
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') }
  }
  const pair = createSelfSignedCertificate({ commonName })
  writeFileSync(keyFile, pair.key, { mode: 0o600 })
  writeFileSync(certFile, pair.cert, { mode: 0o644 })
  return pair
}

/**
 * The demo's secrets and SP keys: each one given as an option, or generated once and kept in
 * `DATA_DIR` so that a restart (or a second instance on the same `DATA_DIR`) keeps them.
 *
 * @module
 */
import { loadOrCreateKeyPair, loadOrCreateSecret } from './data-dir.js'
import type { PemKeyPair } from './idp/self-signed-certificate.js'

/** Where a secret came from; `generated` ones are printed by the server. */
export interface DemoSecret {
  readonly value: string
  readonly source: 'option' | 'file' | 'generated'
}

/** Secrets the caller may set; unset or empty ones come from `DATA_DIR`. */
export interface GivenSecrets {
  sessionSecret?: string
  adminToken?: string
  adminPassword?: string
}

/** Everything secret the demo runs with. */
export interface DemoSecrets {
  /** Signs the session cookie and the admin page cookie. */
  readonly sessionSecret: DemoSecret
  readonly adminToken: DemoSecret
  readonly adminPassword: DemoSecret
  /** The SP's signing key pair (AuthnRequests, LogoutRequests, LogoutResponses). */
  readonly spSigning: PemKeyPair
  /** The SP's encryption key pair (encrypted assertions). */
  readonly spEncryption: PemKeyPair
}

function secret(dataDir: string, file: string, given: string | undefined): DemoSecret {
  if (given !== undefined && given !== '') return { value: given, source: 'option' }
  const loaded = loadOrCreateSecret(dataDir, file)
  return { value: loaded.value, source: loaded.generated ? 'generated' : 'file' }
}

/**
 * Loads (or generates, at first start) the secrets and the SP key pairs; the certificates are
 * named after `baseUrl`'s host.
 *
 * @example
 * ```ts
 * const secrets = loadSecrets('.demo-data', 'http://localhost:3000', { adminToken: process.env.ADMIN_TOKEN })
 * secrets.adminToken.source // 'option'
 * ```
 */
export function loadSecrets(dataDir: string, baseUrl: string, given: GivenSecrets): DemoSecrets {
  const sessionSecret = secret(dataDir, 'session-secret', given.sessionSecret)
  const adminToken = secret(dataDir, 'admin-token', given.adminToken)
  const adminPassword = secret(dataDir, 'admin-password', given.adminPassword)
  const host = new URL(baseUrl).hostname
  const spSigning = loadOrCreateKeyPair(dataDir, 'sp-signing', `${host} SAML signing`)
  const spEncryption = loadOrCreateKeyPair(dataDir, 'sp-encryption', `${host} SAML encryption`)
  return { sessionSecret, adminToken, adminPassword, spSigning, spEncryption }
}

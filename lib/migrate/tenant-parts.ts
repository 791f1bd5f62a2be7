// What migrating one tenant yields: its record input, and its part of the SP and the strategy,
// which the tenants must then agree on (merge-tenants.ts, decryption-keys.ts).
import type { KeyObject } from 'node:crypto'

/** One tenant's record input as it is built, field by field; a store checks it as IdpRecordInput. */
export type TenantRecord = Record<string, unknown>

/** What one tenant contributes to the SP and the strategy, beside its record. */
export interface TenantSp {
  signing?: { key: KeyObject; keyPem: string; certPem: string }
  decryption?: { key: KeyObject; pem: string }
  signatureAlgorithm?: 'sha256' | 'sha512'
  name?: string
  passReqToCallback?: boolean
  requestTtlMs?: number
  signMetadata?: boolean
}

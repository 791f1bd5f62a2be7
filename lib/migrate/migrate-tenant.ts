// One tenant's passport-saml options, read into its IdP record input and its part of the SP, step
// by step. The steps run in the order of passport-saml's options (the IdP, this app as the SP, the
// AuthnRequest, the response, the strategy): that order is the order of the notes and problems, and
// of the record's fields.
import type { IdpRecordInput } from '../record/record-fields.js'
import type { Findings } from './findings.js'
import { PASSPORT_SAML_OPTION_NAMES, type PassportSamlOptions } from './passport-saml-options.js'
import { readIdpCerts, readIdpIssuer, readIdpLogout, readIdpSso } from './tenant-idp.js'
import { describe, TenantOptions } from './tenant-options.js'
import type { TenantRecord, TenantSp } from './tenant-parts.js'
import {
  readAuthnPrompt,
  readNameIdPolicy,
  readRequestedAuthnContext,
  readRequestExtras,
} from './tenant-request.js'
import { readClockSkew, readInResponseTo, readResponseSignatures } from './tenant-response.js'
import { readDecryptionKey, readSignatureAlgorithms, readSigningKey } from './tenant-sp-keys.js'
import { readSpEndpoints, readSpEntityId } from './tenant-sp.js'
import { readSpMetadataOptions, readStrategyOptions } from './tenant-strategy.js'

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const KNOWN: ReadonlySet<string> = new Set(PASSPORT_SAML_OPTION_NAMES)

/** Options this helper does not know: passport-saml ignores them, which hides typos. */
function refuseUnknownOptions(t: TenantOptions): void {
  for (const key of Object.keys(t.options)) {
    if (!KNOWN.has(key) && t.options[key] !== undefined)
      t.refuse(
        key,
        'unknown',
        'is not an option of passport-saml 5 or node-saml 5; remove it, or list it in `ignore`',
      )
  }
}

/** Reads one tenant's effective options into its record input and its part of the SP. */
function migrateTenant(
  id: string,
  options: PassportSamlOptions,
  f: Findings,
): { record: IdpRecordInput; sp: TenantSp } {
  const t = new TenantOptions(id, options, f)
  const record: TenantRecord = { id }
  const sp: TenantSp = {}
  refuseUnknownOptions(t)

  // The IdP
  readIdpIssuer(t, record)
  const { binding, entryPoint } = readIdpSso(t, record)
  readIdpCerts(t, record)
  readIdpLogout(t, record, entryPoint)

  // This app as the SP, for this IdP; its keys are one set for every IdP (merged by the caller)
  readSpEntityId(t, record)
  readSpEndpoints(t, record)
  readSigningKey(t, record, sp)
  readDecryptionKey(t, sp)
  readSignatureAlgorithms(t, sp)

  // The AuthnRequest
  readAuthnPrompt(t, record)
  readNameIdPolicy(t, record)
  readRequestedAuthnContext(t, record)
  readRequestExtras(t, record, binding)

  // The response
  readResponseSignatures(t, record)
  readClockSkew(t, record)
  readInResponseTo(t, record, sp)

  // SP metadata and the strategy
  readSpMetadataOptions(t, sp)
  readStrategyOptions(t, sp)

  return { record: record as unknown as IdpRecordInput, sp }
}

/**
 * Every tenant, in the order given: its record input, and its part of the SP by tenant id. A
 * tenant whose id or options are not usable is refused and left out.
 */
export function migrateTenants(
  tenants: Readonly<Record<string, PassportSamlOptions>>,
  shared: PassportSamlOptions,
  f: Findings,
): { records: IdpRecordInput[]; parts: Map<string, TenantSp> } {
  const records: IdpRecordInput[] = []
  const parts = new Map<string, TenantSp>()
  for (const [id, options] of Object.entries(tenants)) {
    if (!ID_PATTERN.test(id)) {
      f.refuse(
        id.slice(0, 80),
        '(tenant id)',
        'invalid',
        'is not usable as an IdP id: 1–64 of A–Z a–z 0–9 . _ - starting with a letter or digit',
      )
      continue
    }
    if (!options || typeof options !== 'object' || Array.isArray(options)) {
      f.refuse(
        id,
        '(tenant options)',
        'invalid',
        `must be an object of passport-saml options, got ${describe(options)}`,
      )
      continue
    }
    // MultiSamlStrategy's merge: { ...constructor options, ...getSamlOptions' answer }.
    const { record, sp } = migrateTenant(id, { ...shared, ...options }, f)
    records.push(record)
    parts.set(id, sp)
  }
  return { records, parts }
}

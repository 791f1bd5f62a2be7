// Across tenants: what passport-saml had per tenant but this library has once (one record per IdP
// entity, one SP signing key and algorithm, one strategy). Tenants that disagree are a conflict,
// which `ignore` cannot lift.
import type { IdpRecordInput } from '../record/record-fields.js'
import type { Findings } from './findings.js'
import { keyId } from './sp-keys.js'
import type { TenantSp } from './tenant-parts.js'

/** One value for all tenants, or a conflict naming which tenants have which. */
function agree<T>(
  f: Findings,
  option: string,
  values: ReadonlyMap<string, T | undefined>,
  identity: (value: T) => string,
  what: string,
): T | undefined {
  const groups = new Map<string, { value: T; tenants: string[] }>()
  for (const [tenant, value] of values) {
    if (value === undefined) continue
    const key = identity(value)
    const group = groups.get(key)
    if (group) group.tenants.push(tenant)
    else groups.set(key, { value, tenants: [tenant] })
  }
  if (groups.size > 1) {
    const sets = [...groups.values()].map((g) => g.tenants.join(', '))
    const all = [...groups.values()].flatMap((g) => g.tenants)
    const message = `differs between tenants (${sets.map((s) => `[${s}]`).join(' vs ')}): ${what}`
    for (const tenant of all) f.refuse(tenant, option, 'conflict', message)
    return undefined
  }
  return groups.values().next().value?.value
}

/** One IdP entity, one record: two tenants with one idpIssuer cannot both be stored. */
export function refuseSharedIdpIssuers(f: Findings, records: readonly IdpRecordInput[]): void {
  const byEntity = new Map<string, string[]>()
  for (const record of records)
    if (record.entityId !== undefined)
      byEntity.set(record.entityId, [...(byEntity.get(record.entityId) ?? []), record.id])
  for (const [entityId, ids] of byEntity) {
    if (ids.length > 1)
      for (const id of ids)
        f.refuse(
          id,
          'idpIssuer',
          'conflict',
          `${JSON.stringify(entityId)} is the idpIssuer of tenants ${ids.join(', ')}: a store holds one record per IdP entityID. Serve them with one record and tell the tenants apart in verify (see multi-idp.md)`,
        )
  }
}

/** Tenants that shared one callback URL are told apart by the response's Issuer. */
export function noteSharedCallbackUrls(f: Findings, records: readonly IdpRecordInput[]): void {
  const byAcs = new Map<string, string[]>()
  for (const record of records)
    if (record.spAcsUrl !== undefined)
      byAcs.set(record.spAcsUrl, [...(byAcs.get(record.spAcsUrl) ?? []), record.id])
  for (const [acsUrl, ids] of byAcs) {
    if (ids.length > 1)
      for (const id of ids)
        f.note(
          id,
          'callbackUrl',
          `${acsUrl} is the callbackUrl of tenants ${ids.join(', ')}: mount that path with the byResponseIssuer resolver, which picks the tenant by the response's Issuer`,
        )
  }
}

/** What the tenants agree on for the SP and the strategy (undefined where unset or in conflict). */
export interface MergedSp {
  signing: TenantSp['signing']
  signatureAlgorithm: TenantSp['signatureAlgorithm']
  name: string | undefined
  passReqToCallback: boolean | undefined
  requestTtlMs: number | undefined
  signMetadata: boolean | undefined
}

/** The SP has one signing key, one signature algorithm; the strategy one name. */
export function mergeTenantSp(f: Findings, parts: ReadonlyMap<string, TenantSp>): MergedSp {
  const pick = <K extends keyof TenantSp>(key: K) =>
    new Map([...parts].map(([id, part]) => [id, part[key]] as const))
  const signing = agree(
    f,
    'privateKey',
    pick('signing'),
    (s) => `${keyId(s.key)} ${s.certPem}`,
    'this library signs for every IdP with one key (sp.signingKey) and publishes one certificate; give the tenants the same privateKey and publicCert',
  )
  const signatureAlgorithm = agree(
    f,
    'signatureAlgorithm',
    pick('signatureAlgorithm'),
    String,
    'the SP signs with one algorithm for every IdP',
  )
  const name = agree(f, 'name', pick('name'), String, 'one strategy serves every tenant')
  const passReqToCallback = agree(
    f,
    'passReqToCallback',
    pick('passReqToCallback'),
    String,
    'one strategy serves every tenant',
  )
  const requestTtlMs = agree(
    f,
    'requestIdExpirationPeriodMs',
    pick('requestTtlMs'),
    String,
    'the strategy has one requestTtlMs',
  )
  const signMetadata = agree(
    f,
    'signMetadata',
    pick('signMetadata'),
    String,
    'one SP signs (or does not sign) the metadata of every IdP',
  )
  if (signMetadata === true && !signing)
    for (const id of parts.keys())
      f.refuse(
        id,
        'signMetadata',
        'missing',
        'is true but no tenant has a privateKey to sign the SP metadata with',
      )
  // A tenant without a key of its own still gets the SP's key on its logout messages.
  for (const [id, part] of parts) {
    if (signing && !part.signing)
      f.note(
        id,
        'privateKey',
        "is not set for this tenant: its AuthnRequests stay unsigned, but the SP's logout messages to it are signed with the others' key",
      )
  }
  return { signing, signatureAlgorithm, name, passReqToCallback, requestTtlMs, signMetadata }
}

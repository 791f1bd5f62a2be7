// Steps of migrateTenant for the response: how this IdP's responses are checked. This library's
// checks are stricter than passport-saml's defaults; what can be kept is carried per record, what
// would turn a check off is refused, and what changes anyway comes back as a note.
import type { TenantOptions } from './tenant-options.js'
import type { TenantRecord, TenantSp } from './tenant-parts.js'

const MAX_SKEW_MS = 600_000

/** Which signatures a response needs; passport-saml's defaults (both) are written out. */
export function readResponseSignatures(t: TenantOptions, record: TenantRecord): void {
  // Said of every tenant: the record refuses SHA-1 signatures unless allowSha1 is set.
  t.note(
    'idpCert',
    'passport-saml accepted IdP signatures made with SHA-1; this record refuses them (ERR_SAML_SIGNATURE_ALGORITHM). Set allowSha1: true on the records of IdPs that still sign with SHA-1',
  )
  record.wantAssertionsSigned = t.flag('wantAssertionsSigned') ?? true // passport-saml's default
  record.wantResponseSigned = t.flag('wantAuthnResponseSigned') ?? true // passport-saml's default
}

/**
 * `acceptedClockSkewMs` becomes the record's clockSkewMs, up to 10 minutes; the time checks
 * themselves cannot be turned off. `maxAssertionAgeMs` has no counterpart.
 */
export function readClockSkew(t: TenantOptions, record: TenantRecord): void {
  const skew = t.options.acceptedClockSkewMs
  if (skew === -1)
    t.refuse(
      'acceptedClockSkewMs',
      'not-supported',
      `is -1 (no time checks): this library always checks NotBefore and NotOnOrAfter. Set the skew the IdP's clock needs, up to ${MAX_SKEW_MS}`,
    )
  else if (typeof skew === 'number' && Number.isInteger(skew) && skew > MAX_SKEW_MS)
    t.refuse(
      'acceptedClockSkewMs',
      'not-supported',
      `is ${skew}: this library accepts at most ${MAX_SKEW_MS} ms (10 minutes) of clock skew. Fix the IdP's clock, or set ${MAX_SKEW_MS}`,
    )
  else if (skew !== undefined) {
    const value = t.integer('acceptedClockSkewMs', 0, MAX_SKEW_MS)
    if (value !== undefined) record.clockSkewMs = value
  } else
    t.note(
      'acceptedClockSkewMs',
      "is not set: passport-saml then allowed no clock skew; the strategy's clockSkewMs applies (default 3 minutes)",
    )
  const maxAge = t.options.maxAssertionAgeMs
  if (maxAge !== undefined && maxAge !== 0)
    t.refuse(
      'maxAssertionAgeMs',
      'not-supported',
      "is set: assertions are accepted until their own NotOnOrAfter (and the login's requestTtlMs), not by age, and no open issue changes that",
    )
}

/**
 * InResponseTo is always checked here when present; `validateInResponseTo` only decides whether
 * IdP-initiated logins (none present) stay allowed. The request cache is the strategy's.
 */
export function readInResponseTo(t: TenantOptions, record: TenantRecord, sp: TenantSp): void {
  const validate = t.options.validateInResponseTo
  if (validate === 'always') record.allowIdpInitiated = false
  else if (validate === 'ifPresent') record.allowIdpInitiated = true
  else if (validate === undefined || validate === 'never') {
    record.allowIdpInitiated = true
    t.note(
      'validateInResponseTo',
      `is ${validate === undefined ? 'not set ("never")' : '"never"'}: IdP-initiated logins stay allowed (allowIdpInitiated), but a response that answers a login must now answer one this browser started here. Set allowIdpInitiated: false for IdPs that never start logins`,
    )
  } else
    t.refuse(
      'validateInResponseTo',
      'invalid',
      `must be "never", "ifPresent" or "always", got ${JSON.stringify(validate)}`,
    )
  const ttl = t.integer('requestIdExpirationPeriodMs', 1000, 86_400_000)
  if (ttl !== undefined) sp.requestTtlMs = ttl
  if (t.has('cacheProvider'))
    t.note(
      'cacheProvider',
      'is dropped: give the strategy a SamlCache (RedisSamlCache or SqlSamlCache when several instances run)',
    )
}

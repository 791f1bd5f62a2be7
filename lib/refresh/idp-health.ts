import { X509Certificate } from 'node:crypto'
import type { IdpRecord } from '../record/record-fields.js'
import { hasMetadataStatus, type IdpStore } from '../store/idp-store.js'
import { listAllRecords } from '../store/list-all-records.js'
import type { IdpMetadataStatus } from '../store/metadata-status.js'
import type { SamlTrace, SamlTraceStore } from '../traces/saml-trace.js'
import { fingerprintDer } from '../xmldsig/trusted-keys.js'
import { heldHints } from './fetch-status.js'

/** How an IdP stands: `error` when its logins fail (or will at once), `warning` when an admin should act soon. */
export type IdpHealthStatus = 'ok' | 'warning' | 'error'

/** A reason's weight: a `notice` is worth knowing but leaves the IdP `ok`. */
export type IdpHealthReasonStatus = 'notice' | 'warning' | 'error'

/** One certificate of an IdP record, with its dates. */
export interface IdpCertificateHealth {
  /** The record field it is in. */
  readonly use: 'signing' | 'encryption' | 'metadata-signing'
  /** The certificate's subject, as node:crypto prints it (`CN=idp.acme.com`). */
  readonly subject: string
  /** Hex SHA-256 of the certificate's DER. */
  readonly fingerprint: string
  /** ISO-8601. */
  readonly notBefore: string
  /** ISO-8601. */
  readonly notAfter: string
  /** At `now`: expired, expiring within the window, not yet valid, or valid. */
  readonly state: 'valid' | 'expiring' | 'expired' | 'not-yet-valid'
}

/** Why an IdP is not `ok`, each with what an admin needs to act on it. */
export type IdpHealthReason =
  | {
      /** Every signing certificate has expired (`error` when the record refuses expired certificates). */
      readonly code: 'certificate-expired'
      readonly status: 'warning' | 'error'
      /** The latest notAfter of the signing certificates. */
      readonly notAfter: string
      readonly message: string
    }
  | {
      /**
       * A certificate that records accept by its shape but OpenSSL cannot use (it cannot decode the
       * certificate or its key, or a signing key is neither RSA nor EC): an `error` for a signing
       * certificate (every login of the IdP fails with `ERR_SAML_IDP_UNUSABLE`), a `warning` for a
       * pinned metadata signer (every refresh fails), a `notice` for an encryption certificate
       * (nothing uses it). It is left out of `certificates`.
       */
      readonly code: 'certificate-unusable'
      readonly status: 'notice' | 'warning' | 'error'
      readonly use: IdpCertificateHealth['use']
      readonly fingerprint: string
      readonly message: string
    }
  | {
      /** A signing certificate expires within the window, and none stays valid past it. */
      readonly code: 'certificate-expiring'
      readonly status: 'warning'
      readonly fingerprint: string
      readonly notAfter: string
      readonly message: string
    }
  | {
      /** The held metadata is past its `validUntil`: logins fail (unless `metadataExpiryGraceMs`). */
      readonly code: 'metadata-expired'
      readonly status: 'error'
      readonly validUntil: string
      readonly message: string
    }
  | {
      /** The last metadata fetches failed; the record keeps its last good metadata. */
      readonly code: 'metadata-fetch-failing'
      readonly status: 'warning'
      readonly consecutiveFailures: number
      readonly lastSuccessAt?: string
      readonly lastError?: { readonly code: string; readonly message: string }
      readonly message: string
    }
  | {
      /** The record lets this IdP sign with SHA-1 (`allowSha1`). */
      readonly code: 'sha1-accepted'
      readonly status: 'warning'
      readonly message: string
    }
  | {
      /** An endpoint of the IdP (SSO, SLO, metadata URL) is plain http to another machine. */
      readonly code: 'insecure-endpoint'
      readonly status: 'warning'
      /** The record fields, e.g. `ssoUrls.redirect`, `metadataUrl`. */
      readonly fields: readonly string[]
      readonly message: string
    }
  | {
      /** The IdP has no SingleLogoutService: logging out ends the app's session only. */
      readonly code: 'no-single-logout'
      readonly status: 'notice'
      readonly message: string
    }
  | {
      /**
       * Recent traces show the clocks apart: responses issued ahead of this server's clock by a
       * second or more (they passed only thanks to the allowed skew), or logins refused on time.
       */
      readonly code: 'clock-skew'
      readonly status: 'warning'
      /** The most the IdP's IssueInstant was ahead of this server's clock, in ms (0 when never). */
      readonly aheadByMs: number
      /** Recent logins refused as not yet valid or expired. */
      readonly timeFailures: number
      /** The trace that shows it best (the latest time failure, else the furthest ahead). */
      readonly traceId: string
      readonly message: string
    }
  | {
      /** The latest traced login was refused: an `error` outcome is a `warning`, a denial a `notice`. */
      readonly code: 'last-login-failed'
      readonly status: 'warning' | 'notice'
      readonly traceId: string
      /** ISO-8601. */
      readonly at: string
      readonly error: { readonly code: string; readonly message: string }
      readonly message: string
    }

/** A time check refused the response: the clocks, or the IdP's validity window, are off. */
const TIME_CODES: ReadonlySet<string> = new Set(['ERR_SAML_NOT_YET_VALID', 'ERR_SAML_EXPIRED'])
/** Ahead by less than this is clock noise, not skew worth an admin's time. */
const AHEAD_NOTICED_MS = 1000
/** How many of an IdP's latest traces {@link checkIdpHealth} reads. */
const RECENT_TRACES = 20
/** Records read from the store at a time. */
const LIST_PAGE = 200

/** What an IdP's recent traces say: clock skew, and the latest login's error. */
function traceReasons(traces: readonly SamlTrace[]): IdpHealthReason[] {
  const reasons: IdpHealthReason[] = []
  const newest = [...traces].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
  const failedOnTime = newest.filter((t) => t.error !== undefined && TIME_CODES.has(t.error.code))
  const ahead = newest.filter((t) => (t.issueInstantOffsetMs ?? 0) >= AHEAD_NOTICED_MS)
  if (failedOnTime.length > 0 || ahead.length > 0) {
    const furthest = ahead.reduce<SamlTrace | undefined>(
      (max, t) => (max === undefined || t.issueInstantOffsetMs! > max.issueInstantOffsetMs! ? t : max),
      undefined,
    )
    const aheadByMs = furthest?.issueInstantOffsetMs ?? 0
    const parts = [
      ...(ahead.length > 0
        ? [
            `in ${ahead.length} of the last ${traces.length} logins the IdP's clock was up to ${Math.round(aheadByMs / 1000)} s ahead of this server's (they passed only thanks to clockSkewMs)`,
          ]
        : []),
      ...(failedOnTime.length > 0
        ? [`${failedOnTime.length} were refused on time (${failedOnTime[0]!.error!.code})`]
        : []),
    ]
    reasons.push({
      code: 'clock-skew',
      status: 'warning',
      aheadByMs,
      timeFailures: failedOnTime.length,
      traceId: (failedOnTime[0] ?? furthest)!.id,
      message: `${parts.join('; ')}: check that the IdP and this server keep time by NTP`,
    })
  }
  const last = newest[0]
  if (last?.error !== undefined && last.outcome !== 'accepted') {
    reasons.push({
      code: 'last-login-failed',
      status: last.outcome === 'denied' ? 'notice' : 'warning',
      traceId: last.id,
      at: last.at,
      error: { code: last.error.code, message: last.error.message },
      message: `the latest login (${last.at}) was refused with ${last.error.code}: ${last.error.message} (trace ${last.id})`,
    })
  }
  return reasons
}

/** The health of one IdP. */
export interface IdpHealth {
  readonly idp: string
  /** The worst of the reasons' statuses; `ok` without reasons. */
  readonly status: IdpHealthStatus
  readonly reasons: readonly IdpHealthReason[]
  /** Signing, then encryption, then pinned metadata signing certificates. */
  readonly certificates: readonly IdpCertificateHealth[]
  /** Whether a signing certificate past its notAfter still verifies this IdP's responses. */
  readonly acceptExpiredSigningCerts: boolean
  /** The held metadata's `validUntil` (ISO-8601), when it has one. */
  readonly metadataValidUntil?: string
  /** The metadata fetch status, for a record with a `metadataUrl` in a store that keeps it. */
  readonly metadataStatus?: IdpMetadataStatus
}

/** Options for {@link checkIdpHealth} and {@link checkIdpRecordHealth}. */
export interface IdpHealthOptions {
  /** The time to judge at, epoch ms. Default `Date.now()`. */
  now?: number
  /** A signing certificate whose notAfter is this close is `expiring`. Default 30 days; 0 to 400 days. */
  expiringWithinMs?: number
}

const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()
const RANK: Readonly<Record<IdpHealthStatus | IdpHealthReasonStatus, number>> = {
  ok: 0,
  notice: 0,
  warning: 1,
  error: 2,
}

function resolve(options: IdpHealthOptions): { now: number; within: number } {
  if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object')
  const { now = Date.now(), expiringWithinMs = 30 * DAY } = options
  if (typeof now !== 'number' || !Number.isFinite(now))
    throw new TypeError('"options.now" must be a number of epoch milliseconds')
  if (!Number.isInteger(expiringWithinMs) || expiringWithinMs < 0 || expiringWithinMs > 400 * DAY)
    throw new TypeError('"options.expiringWithinMs" must be an integer number of milliseconds, 0 to 400 days')
  return { now, within: expiringWithinMs }
}

type CertificateHealthOrUnusable =
  | (IdpCertificateHealth & { readonly notAfterMs: number })
  | Extract<IdpHealthReason, { code: 'certificate-unusable' }>

function certificateHealth(
  pem: string,
  use: IdpCertificateHealth['use'],
  now: number,
  within: number,
): CertificateHealthOrUnusable {
  let cert: X509Certificate
  let keyType: string | undefined
  try {
    cert = new X509Certificate(pem)
    keyType = cert.publicKey.asymmetricKeyType
  } catch (err) {
    // Records check a certificate's shape only (lib/metadata/certificate-der.ts); its key is read here.
    const fingerprint = fingerprintDer(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64'))
    return unusable(use, fingerprint, `OpenSSL cannot decode it (${(err as Error).message})`)
  }
  if (use === 'signing' && keyType !== 'rsa' && keyType !== 'ec')
    return unusable(use, fingerprintDer(cert.raw), `its key is ${String(keyType)}; only RSA and EC can sign`)
  const notBefore = Date.parse(cert.validFrom)
  const notAfter = Date.parse(cert.validTo)
  // Stored before records checked validity times (certificate-der.ts): OpenSSL gives "Bad time value".
  if (Number.isNaN(notBefore) || Number.isNaN(notAfter))
    return unusable(use, fingerprintDer(cert.raw), 'its validity dates cannot be read')
  const state =
    notAfter < now
      ? 'expired'
      : notBefore > now
        ? 'not-yet-valid'
        : notAfter - now <= within
          ? 'expiring'
          : 'valid'
  return {
    use,
    subject: cert.subject.replace(/\n/g, ', '),
    fingerprint: fingerprintDer(cert.raw),
    notBefore: iso(notBefore),
    notAfter: iso(notAfter),
    state,
    notAfterMs: notAfter,
  }
}

function unusable(
  use: IdpCertificateHealth['use'],
  fingerprint: string,
  why: string,
): Extract<IdpHealthReason, { code: 'certificate-unusable' }> {
  const effect = {
    signing: [
      'error',
      "every login fails (ERR_SAML_IDP_UNUSABLE): replace it with the IdP's current signing certificate",
    ],
    'metadata-signing': ['warning', 'every metadata refresh fails: replace the pinned certificate'],
    // Nothing encrypts to the IdP with it (the library sends no encrypted messages to IdPs).
    encryption: ['notice', 'nothing uses it; the IdP should publish a valid one'],
  } as const
  const [status, consequence] = effect[use]
  return {
    code: 'certificate-unusable',
    status,
    use,
    fingerprint,
    message: `the ${use} certificate with SHA-256 fingerprint ${fingerprint} is unusable: ${why}; ${consequence}`,
  }
}

const isUnusable = (
  c: CertificateHealthOrUnusable,
): c is Extract<IdpHealthReason, { code: 'certificate-unusable' }> => 'code' in c

/** Plain http to another machine; loopback (a development IdP) never leaves this one. */
function isRemoteHttp(url: string | undefined): boolean {
  if (url === undefined || !url.startsWith('http:')) return false
  const host = new URL(url).hostname
  return !(host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host))
}

/** What the record's own settings tell an admin to fix: SHA-1 allowed, http endpoints, no SLO. */
function configurationReasons(record: IdpRecord): IdpHealthReason[] {
  const reasons: IdpHealthReason[] = []
  if (record.allowSha1) {
    reasons.push({
      code: 'sha1-accepted',
      status: 'warning',
      message:
        'the record accepts SHA-1 signatures (allowSha1); ask the IdP to sign with RSA-SHA256, then turn allowSha1 off',
    })
  }
  const endpoints: [string, string | undefined][] = [
    ['ssoUrls.redirect', record.ssoUrls.redirect],
    ['ssoUrls.post', record.ssoUrls.post],
    ['sloUrls.redirect', record.sloUrls.redirect],
    ['sloUrls.post', record.sloUrls.post],
    ['metadataUrl', record.metadataUrl],
  ]
  const insecure = endpoints.filter(([, url]) => isRemoteHttp(url)).map(([field]) => field)
  if (insecure.length > 0) {
    reasons.push({
      code: 'insecure-endpoint',
      status: 'warning',
      fields: insecure,
      message: `plain http for ${insecure.join(', ')}: messages and metadata travel unprotected; use the IdP's https URLs`,
    })
  }
  if (record.sloUrls.redirect === undefined && record.sloUrls.post === undefined) {
    reasons.push({
      code: 'no-single-logout',
      status: 'notice',
      message:
        "the IdP publishes no SingleLogoutService: logging out ends the app's session only, not the IdP's",
    })
  }
  return reasons
}

/**
 * The health of one IdP record at `options.now`: its certificates with their dates, and why it is
 * not `ok`. All signing certificates expired is `certificate-expired` (an `error` when the record
 * sets `acceptExpiredSigningCerts: false`, since its logins then fail; otherwise a `warning`); a
 * signing certificate expiring within `expiringWithinMs` with none valid past it is
 * `certificate-expiring` (a rotation that has already added the next certificate is not); held
 * metadata past its `validUntil` is `metadata-expired`; and, given the record's metadata fetch
 * status, failing fetches are `metadata-fetch-failing`. The record's own settings add
 * `sha1-accepted` and `insecure-endpoint` (warnings) and `no-single-logout` (a notice, which leaves
 * the IdP `ok`). Given the IdP's recent traces, clocks seen apart are `clock-skew` and a refused
 * latest login is `last-login-failed` (docs/traces.md). No I/O: {@link checkIdpHealth} does the
 * whole store.
 *
 * @example
 * ```ts
 * import { checkIdpRecordHealth } from 'passport-saml-multi-idp'
 * const record = await store.get('acme')
 * if (record) {
 *   const health = checkIdpRecordHealth(record, { expiringWithinMs: 14 * 86_400_000 })
 *   for (const reason of health.reasons) console.warn(`acme: ${reason.status}: ${reason.message}`)
 * }
 * ```
 */
export function checkIdpRecordHealth(
  record: IdpRecord,
  options: IdpHealthOptions & {
    metadataStatus?: IdpMetadataStatus | undefined
    /** This IdP's latest traces (any order), for `clock-skew` and `last-login-failed`. */
    recentTraces?: readonly SamlTrace[] | undefined
  } = {},
): IdpHealth {
  const { now, within } = resolve(options)
  const checked = [
    ...record.signingCerts.map((pem) => certificateHealth(pem, 'signing', now, within)),
    ...record.encryptionCerts.map((pem) => certificateHealth(pem, 'encryption', now, within)),
    ...(record.metadataSigningCerts ?? []).map((pem) =>
      certificateHealth(pem, 'metadata-signing', now, within),
    ),
  ]
  const reasons: IdpHealthReason[] = checked.filter(isUnusable)
  const usable = checked.filter(
    (c): c is IdpCertificateHealth & { readonly notAfterMs: number } => !isUnusable(c),
  )
  const signing = usable.filter((c) => c.use === 'signing')
  const accept = record.acceptExpiredSigningCerts ?? true

  if (signing.length > 0 && signing.every((c) => c.state === 'expired')) {
    const latest = Math.max(...signing.map((c) => c.notAfterMs))
    reasons.push({
      code: 'certificate-expired',
      status: accept ? 'warning' : 'error',
      notAfter: iso(latest),
      message: `every signing certificate has expired (the last at ${iso(latest)}); ${
        accept
          ? 'logins still work (acceptExpiredSigningCerts), but the IdP should rotate its key'
          : 'logins are refused (acceptExpiredSigningCerts: false) until the IdP signs with a current certificate'
      }`,
    })
  } else if (!signing.some((c) => c.state !== 'expired' && c.notAfterMs > now + within)) {
    // No certificate outlives the window (a rotation that added the next one is not a warning).
    for (const c of signing) {
      if (c.state !== 'expiring') continue
      reasons.push({
        code: 'certificate-expiring',
        status: 'warning',
        fingerprint: c.fingerprint,
        notAfter: c.notAfter,
        message: `the signing certificate ${c.subject} expires at ${c.notAfter} and no other stays valid after it; ask the IdP to publish the next certificate`,
      })
    }
  }

  const validUntil = heldHints(record).validUntil
  if (validUntil !== undefined && validUntil <= now) {
    reasons.push({
      code: 'metadata-expired',
      status: 'error',
      validUntil: iso(validUntil),
      message: `the IdP's metadata expired at ${iso(validUntil)} (validUntil); logins fail unless metadataExpiryGraceMs covers it`,
    })
  }

  const status =
    options.metadataStatus !== undefined && options.metadataStatus.url === record.metadataUrl
      ? options.metadataStatus
      : undefined
  if (status !== undefined && status.consecutiveFailures > 0) {
    reasons.push({
      code: 'metadata-fetch-failing',
      status: 'warning',
      consecutiveFailures: status.consecutiveFailures,
      ...(status.lastSuccessAt !== undefined && { lastSuccessAt: status.lastSuccessAt }),
      ...(status.lastError !== undefined && { lastError: status.lastError }),
      message: `${status.consecutiveFailures} metadata fetch(es) in a row failed${
        status.lastError ? ` (${status.lastError.code})` : ''
      }; the last good metadata is kept${status.lastSuccessAt ? ` (fetched ${status.lastSuccessAt})` : ''}`,
    })
  }

  reasons.push(...configurationReasons(record))
  if (options.recentTraces !== undefined) {
    if (!Array.isArray(options.recentTraces))
      throw new TypeError('"options.recentTraces" must be an array of SamlTrace')
    reasons.push(...traceReasons(options.recentTraces.filter((t) => t.idp === record.id)))
  }

  const worst = reasons.reduce<IdpHealthStatus>(
    (w, r) => (RANK[r.status] > RANK[w] ? (r.status as IdpHealthStatus) : w),
    'ok',
  )
  const certificates = usable.map(({ notAfterMs: _ms, ...c }) => Object.freeze(c))
  return Object.freeze({
    idp: record.id,
    status: worst,
    reasons: Object.freeze(reasons.map((r) => Object.freeze(r))),
    certificates: Object.freeze(certificates),
    acceptExpiredSigningCerts: accept,
    ...(validUntil !== undefined && { metadataValidUntil: iso(validUntil) }),
    ...(status !== undefined && { metadataStatus: status }),
  })
}

/**
 * The health of every IdP in the store (by id), for an admin page or an alert: certificates that
 * have expired or expire within `expiringWithinMs`, metadata past its `validUntil`, when the
 * store keeps metadata fetch statuses, failing fetches, and, given a trace store (`traces`), clock
 * skew seen in each IdP's latest logins and the latest login's error. See {@link checkIdpRecordHealth} for the
 * rules and docs/metadata.md for the expired-certificate policy.
 *
 * @example
 * ```ts
 * import { checkIdpHealth } from 'passport-saml-multi-idp'
 * for (const health of await checkIdpHealth(store, { expiringWithinMs: 30 * 86_400_000 })) {
 *   if (health.status !== 'ok') console.warn(health.idp, health.status, health.reasons.map((r) => r.code))
 * }
 * ```
 */
export async function checkIdpHealth(
  store: IdpStore,
  options: IdpHealthOptions & {
    /** Where login traces are kept: each IdP's latest 20 add `clock-skew` and `last-login-failed`. */
    traces?: SamlTraceStore | undefined
  } = {},
): Promise<IdpHealth[]> {
  const resolved = resolve(options)
  const { traces } = options
  if (traces !== undefined && typeof traces?.list !== 'function') {
    throw new TypeError('"options.traces" must be a SamlTraceStore')
  }
  const withStatus = hasMetadataStatus(store)
  const out: IdpHealth[] = []
  for await (const record of listAllRecords(store, LIST_PAGE)) {
    const metadataStatus =
      withStatus && record.metadataUrl !== undefined ? await store.getMetadataStatus(record.id) : undefined
    out.push(
      checkIdpRecordHealth(record, {
        now: resolved.now,
        expiringWithinMs: resolved.within,
        metadataStatus,
        ...(traces && { recentTraces: await traces.list({ idp: record.id, limit: RECENT_TRACES }) }),
      }),
    )
  }
  return out
}

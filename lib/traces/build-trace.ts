import type { SamlErrorCode } from '../errors/saml-error.js'
import type { SamlCheck } from '../validate/check-log.js'
import { redactResponse } from './redact-response.js'
import { REDACTED, type SamlTrace, type SamlTraceOutcome } from './saml-trace.js'

/** What a trace is built from: the core's `SamlAttempt` fits as it is. */
export interface TraceSource {
  readonly id: string
  readonly at: Date
  readonly idp?: string
  readonly ok: boolean
  /** How the attempt ended: the trace's outcome. */
  readonly outcome: SamlTraceOutcome
  readonly error?: { readonly code: SamlErrorCode; readonly message: string }
  readonly responseXml?: string
  /** The verified assertion, decrypted: kept (redacted) only when the response carried it encrypted. */
  readonly assertionXml?: string
  readonly profile?: object
  readonly checks: readonly SamlCheck[]
}

/** Profile fields that say how the user signed in, not who they are: kept as they are. */
const NOT_PERSONAL: ReadonlySet<string> = new Set([
  'idp',
  'issuer',
  'nameIDFormat',
  'nameQualifier',
  'spNameQualifier',
  'sessionNotOnOrAfter',
  'authnInstant',
  'authnContextClassRef',
  'inResponseTo',
  'assertionId',
])

const redactValue = (value: unknown): unknown => (Array.isArray(value) ? value.map(() => REDACTED) : REDACTED)

/** The profile with every value that may identify the user replaced; names and counts stay. */
function redactProfile(profile: object): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(profile)) {
    if (NOT_PERSONAL.has(key)) out[key] = value
    else if (key === 'mapped' && value && typeof value === 'object') {
      out.mapped = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)]))
    } else if (key === 'attributes' && Array.isArray(value)) {
      out.attributes = value.map(
        (a: { name: string; friendlyName?: string; nameFormat?: string; values: unknown[] }) => ({
          name: a.name,
          ...(a.friendlyName !== undefined && { friendlyName: a.friendlyName }),
          ...(a.nameFormat !== undefined && { nameFormat: a.nameFormat }),
          values: redactValue(a.values),
        }),
      )
    } else out[key] = redactValue(value) // nameID, sessionIndex and anything unknown
  }
  return out
}

/**
 * The trace of one ACS attempt (a `SamlAttempt` fits), redacted unless `includePersonalData`: plain
 * JSON for a `SamlTraceStore`. The `traces` option does this for every attempt; call it
 * yourself to trace from an `onAttempt` of your own.
 *
 * @example
 * ```ts
 * import { traceOfAttempt, MemoryTraceStore, type SamlAttempt } from 'passport-saml-multi-idp'
 * const store = new MemoryTraceStore()
 * const onAttempt = (attempt: SamlAttempt) => void store.add(traceOfAttempt(attempt)).catch(console.warn)
 * ```
 */
export function traceOfAttempt(source: TraceSource, includePersonalData = false): SamlTrace {
  const at = source.at.getTime()
  const outcome = source.outcome
  const response =
    source.responseXml === undefined ? undefined : redactResponse(source.responseXml, includePersonalData)
  // An encrypted assertion is only cipher text in the response: its decrypted form is what an admin reads.
  const assertion =
    response?.xml.includes('EncryptedAssertion') && source.assertionXml !== undefined
      ? redactResponse(source.assertionXml, includePersonalData)
      : undefined
  const profile =
    source.profile === undefined
      ? undefined
      : includePersonalData
        ? (JSON.parse(JSON.stringify(source.profile)) as Record<string, unknown>)
        : redactProfile(source.profile)
  return {
    id: source.id,
    at: new Date(at).toISOString(),
    ...(source.idp !== undefined && { idp: source.idp }),
    flow: 'acs',
    outcome,
    ...(source.error && { error: { code: source.error.code, message: source.error.message } }),
    checks: source.checks.map((c) => ({
      name: c.name,
      title: c.title,
      ok: c.ok,
      ...(c.code && { code: c.code }),
    })),
    ...(profile && { profile }),
    ...(response && { responseXml: response.xml }),
    ...(assertion && { assertionXml: assertion.xml }),
    ...(response?.issueInstant !== undefined && { issueInstantOffsetMs: response.issueInstant - at }),
    personalData: includePersonalData,
  }
}

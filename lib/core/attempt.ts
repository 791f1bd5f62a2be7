import { randomUUID } from 'node:crypto'
import type { SamlErrorCode } from '../errors/saml-error.js'
import { SamlError } from '../errors/saml-error.js'
import type { SamlProfile } from './saml-profile.js'
import type { SamlCheck } from '../validate/check-log.js'
import { NS } from '../xml/namespaces.js'
import { childrenNamed } from '../xml/read-element.js'
import type { XmlElement } from '../xml/tree.js'
import { EXC_C14N } from '../xmldsig/algorithms.js'
import { canonicalize } from '../xmldsig/canonicalization.js'

/**
 * The verified assertion as text: its exclusive canonical form, which declares every namespace it
 * uses (so it stands alone, decrypted or not) and leaves out its own Signature, as the enveloped
 * transform did when it was verified.
 */
export function serializeAssertion(assertion: XmlElement): string {
  const signature = childrenNamed(assertion, NS.dsig, 'Signature')[0]
  return canonicalize(assertion, { algorithm: EXC_C14N, prefixList: [] }, signature)
}

/**
 * What happened to one posted SAMLResponse, for diagnostics ("test connection" pages, audit logs).
 * Passed to the `onAttempt` option once per response. Holds no keys or secrets; the response XML
 * is what the browser posted (encrypted assertions stay encrypted).
 */
export interface SamlAttempt {
  /**
   * Random and URL-safe (a UUID): the trace id when traces are kept (the `traces` option), and
   * then a refusal's `SamlError` carries it as `traceId`, so the error page names this attempt.
   */
  readonly id: string
  /** The IdP id, when resolution got that far. */
  readonly idp?: string
  readonly at: Date
  readonly ok: boolean
  /**
   * `accepted`; `denied` when the IdP said the user is not signed in (a SAML status, no passive
   * login, a weaker authentication context) or your verify refused the user (Passport's `fail`);
   * `error` for everything else (a bad response, an attack, an outage).
   */
  readonly outcome: SamlAttemptOutcome
  /**
   * Why it was refused. `ERR_SAML_VERIFY_ERROR` when the error was not a SamlError (thrown by your
   * verify callback, or by the app code Passport runs after it).
   */
  readonly error?: { readonly code: SamlErrorCode; readonly message: string }
  /** The decoded SAMLResponse, when it was base64 of at most the size cap. Decoded when read. */
  readonly responseXml?: string
  /**
   * The verified Assertion as the validator read it (decrypted, when it came encrypted), once the
   * response passed validation. Serialized when read.
   */
  readonly assertionXml?: string
  readonly profile?: SamlProfile
  /** The checks as they ran, in order: all passed, or the last one failed. */
  readonly checks: readonly SamlCheck[]
}

/** How an attempt ended, as Passport sees it: `success`, `fail` (a denial) or `error`. */
export type SamlAttemptOutcome = 'accepted' | 'denied' | 'error'

/** Where an attempt keeps the `SamlError` that refused it (see {@link markTraced}). */
const REFUSAL = Symbol('SamlAttempt refusal')

/**
 * Puts the attempt's id on the `SamlError` that refused it (`traceId`), once its trace is kept, so
 * the answer names it. Called before the flow returns, so every edge sees it.
 */
export function markTraced(attempt: SamlAttempt): void {
  const refusal = (attempt as { [REFUSAL]?: SamlError })[REFUSAL]
  if (refusal) refusal.traceId = attempt.id
}

/** What the ACS flow knows of an attempt when it ends. */
export interface AttemptFacts {
  readonly at: number
  readonly idp?: string
  readonly outcome: SamlAttemptOutcome
  readonly error?: unknown
  readonly samlResponse: unknown
  readonly maxBytes: number
  readonly profile?: SamlProfile
  readonly assertion?: XmlElement
  readonly checks: readonly SamlCheck[]
}

/** What the lazy XML views of one attempt are computed from, and their values once read. */
interface AttemptSources {
  readonly encoded: string | undefined
  readonly assertion: XmlElement | undefined
  responseXml?: string
  assertionXml?: string
}

/** Where an attempt keeps its sources: a symbol, so JSON, spreads and `Object.keys` never see it. */
const SOURCES = Symbol('SamlAttempt sources')
type WithSources = { readonly [SOURCES]: AttemptSources }

// One getter per view for every attempt: a fresh closure per attempt would give each attempt its
// own hidden class, and that churn cost more than the rest of the report (about 15 µs a login, and
// a matching share of garbage collection, in `npm run bench -- http`).
const RESPONSE_XML: PropertyDescriptor = {
  enumerable: true,
  get(this: WithSources): string {
    const sources = this[SOURCES]
    return (sources.responseXml ??= Buffer.from(sources.encoded!, 'base64').toString('utf8'))
  },
}
const ASSERTION_XML: PropertyDescriptor = {
  enumerable: true,
  get(this: WithSources): string {
    const sources = this[SOURCES]
    return (sources.assertionXml ??= serializeAssertion(sources.assertion!))
  },
}

/**
 * The attempt for `onAttempt`. The XML views cost a decode and a serialization, so they are
 * computed only when a reader asks (most attempts are never looked at).
 */
export function describeAttempt(facts: AttemptFacts): SamlAttempt {
  const { error, samlResponse, assertion } = facts
  const encoded =
    typeof samlResponse === 'string' && samlResponse.length <= Math.ceil((facts.maxBytes * 4) / 3) + 4
      ? samlResponse
      : undefined
  // Built property by property, in the order readers see: an object literal that starts with a
  // spread costs V8 a new hidden class on every call (microseconds, and garbage for the collector).
  const attempt = {} as { -readonly [K in keyof SamlAttempt]: SamlAttempt[K] }
  attempt.id = randomUUID()
  if (facts.idp !== undefined) attempt.idp = facts.idp
  attempt.at = new Date(facts.at)
  attempt.ok = error === undefined
  attempt.outcome = facts.outcome
  if (error !== undefined) {
    attempt.error = {
      code: error instanceof SamlError ? error.code : 'ERR_SAML_VERIFY_ERROR',
      message: error instanceof Error ? error.message : String(error),
    }
    // Kept out of sight for markTraced: only a kept trace may put its id on the error page.
    if (error instanceof SamlError) Object.defineProperty(attempt, REFUSAL, { value: error })
  }
  if (facts.profile !== undefined) attempt.profile = facts.profile
  attempt.checks = facts.checks
  if (encoded === undefined && assertion === undefined) return attempt
  const sources: AttemptSources = { encoded, assertion }
  Object.defineProperty(attempt, SOURCES, { value: sources })
  // Getters defined on the object itself (a spread would run them at once); enumerable, so
  // JSON.stringify and spreads by the reader still see the values.
  if (encoded !== undefined) Object.defineProperty(attempt, 'responseXml', RESPONSE_XML)
  if (assertion !== undefined) Object.defineProperty(attempt, 'assertionXml', ASSERTION_XML)
  return attempt
}

// What an AuthnRequest asks of the IdP beyond the basics (SAML core 3.4.1), as an IdP record keeps it
// and as one login overrides it; validated here once for both.
import { isPlainObject, kindOf as kind } from '../values/plain-values.js'

/** How strictly the IdP is to match the requested authentication contexts (SAML core 3.3.2.2.1). */
export type AuthnContextComparison = 'exact' | 'minimum' | 'maximum' | 'better'

/** `samlp:RequestedAuthnContext`: the kinds of authentication the IdP should use. */
export interface RequestedAuthnContext {
  /** AuthnContextClassRef URIs, e.g. `urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport`. */
  readonly classRefs: readonly string[]
  /** Default `'exact'`. */
  readonly comparison?: AuthnContextComparison
  /**
   * Refuse a response whose AuthnContextClassRef is not one of `classRefs`
   * (`ERR_SAML_AUTHN_CONTEXT`), whatever `comparison` says: list every class you accept. Default false
   * (the class reaches verify as `profile.authnContextClassRef`).
   */
  readonly enforce?: boolean
}

/** One IdP a proxying IdP may use (`samlp:IDPEntry`). */
export interface ScopingIdpEntry {
  readonly providerId: string
  readonly name?: string
  readonly loc?: string
}

/** `samlp:Scoping`: which IdPs a proxying IdP may pass the request on to, and how often. */
export interface AuthnRequestScoping {
  readonly idpList?: readonly ScopingIdpEntry[]
  /** How many times the request may be proxied; 0 forbids proxying. */
  readonly proxyCount?: number
  readonly requesterIds?: readonly string[]
}

/** How a login hint (`loginHint` of a login) is sent to this IdP. */
export interface LoginHintDelivery {
  /**
   * As the request's `saml:Subject/saml:NameID` (SAML core 3.4.1: the IdP authenticates that
   * subject or fails). Default true.
   */
  readonly subject?: boolean
  /** Also as this query parameter on the SSO URL, e.g. `login_hint` for Entra ID. */
  readonly queryParameter?: string
}

/** Request options an IdP record sets for every login at that IdP. */
export interface AuthnRequestOptions {
  /** Ask the IdP not to show any page (IsPassive); a `NoPassive` answer is a `fail`, not an error. */
  readonly isPassive?: boolean
  readonly requestedAuthnContext?: RequestedAuthnContext
  readonly scoping?: AuthnRequestScoping
  /** NameIDPolicy details besides `nameIdFormat`: `AllowCreate` (default true) and `SPNameQualifier`. */
  readonly nameIdPolicy?: { readonly allowCreate?: boolean; readonly spNameQualifier?: string }
  /**
   * Name the SP's ACS by its index in the SP metadata the IdP has, instead of by URL and binding
   * (some AD FS and Shibboleth setups want this).
   */
  readonly assertionConsumerServiceIndex?: number
  /** The AttributeConsumingService (in the SP metadata) whose attributes to release. */
  readonly attributeConsumingServiceIndex?: number
  /** Vendor query parameters on the SSO URL (`domain_hint`, `whr`, …); never signed. */
  readonly queryParameters?: Readonly<Record<string, string>>
  readonly loginHint?: LoginHintDelivery
}

/** What one login may ask for, over its IdP record's {@link AuthnRequestOptions}. */
export interface LoginRequestOptions {
  /** Ask the IdP to authenticate the user again even with a session. */
  readonly forceAuthn?: boolean
  readonly isPassive?: boolean
  readonly requestedAuthnContext?: RequestedAuthnContext
  readonly scoping?: AuthnRequestScoping
  readonly attributeConsumingServiceIndex?: number
  /** Merged over the record's, name by name. */
  readonly queryParameters?: Readonly<Record<string, string>>
  /** Who is signing in (an email address or username), sent as the record's `loginHint` says. */
  readonly loginHint?: string
}

type Fail = (message: string) => never

const COMPARISONS: ReadonlySet<string> = new Set(['exact', 'minimum', 'maximum', 'better'])
/** The binding's own parameters: a vendor parameter may not replace or confuse them. */
const RESERVED_PARAMETERS: ReadonlySet<string> = new Set([
  'SAMLRequest',
  'SAMLResponse',
  'RelayState',
  'SigAlg',
  'Signature',
])
const PARAMETER_NAME = /^[A-Za-z0-9._~-]{1,64}$/
const MAX_URI = 1024
const MAX_LIST = 32
const MAX_PARAMETERS = 16
const MAX_HINT = 256

function known(name: string, value: Record<string, unknown>, keys: readonly string[], fail: Fail): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key))
      fail(`"${name}" has unknown field ${JSON.stringify(key.slice(0, 80))}; known: ${keys.join(', ')}`)
  }
}

function object(name: string, value: unknown, fail: Fail): Record<string, unknown> {
  return isPlainObject(value) ? value : fail(`"${name}" must be an object, got ${kind(value)}`)
}

function bool(name: string, value: unknown, fail: Fail): boolean {
  return typeof value === 'boolean' ? value : fail(`"${name}" must be true or false, got ${kind(value)}`)
}

/** Trimmed text without control characters, 1 to `max` characters. */
function text(name: string, value: unknown, fail: Fail, max = MAX_URI): string {
  if (typeof value !== 'string') return fail(`"${name}" must be a string, got ${kind(value)}`)
  const trimmed = value.trim()
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (trimmed === '' || trimmed.length > max || /[\u0000-\u001f\u007f]/.test(trimmed))
    return fail(`"${name}" must be 1–${max} characters without control characters`)
  return trimmed
}

function index(name: string, value: unknown, fail: Fail, max = 65_535): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max)
    return fail(`"${name}" must be an integer from 0 to ${max}`)
  return value
}

function list<T>(name: string, value: unknown, fail: Fail, read: (n: string, v: unknown) => T): readonly T[] {
  if (!Array.isArray(value)) return fail(`"${name}" must be an array, got ${kind(value)}`)
  if (value.length === 0 || value.length > MAX_LIST)
    return fail(`"${name}" must have 1 to ${MAX_LIST} entries`)
  return Object.freeze(value.map((entry: unknown, i) => read(`${name}[${i}]`, entry)))
}

function readAuthnContext(name: string, value: unknown, fail: Fail): RequestedAuthnContext {
  const o = object(name, value, fail)
  known(name, o, ['classRefs', 'comparison', 'enforce'], fail)
  const classRefs = list(`${name}.classRefs`, o.classRefs, fail, (n, v) => text(n, v, fail))
  const out: { -readonly [K in keyof RequestedAuthnContext]: RequestedAuthnContext[K] } = { classRefs }
  if (o.comparison !== undefined) {
    if (typeof o.comparison !== 'string' || !COMPARISONS.has(o.comparison))
      fail(`"${name}.comparison" must be "exact", "minimum", "maximum" or "better"`)
    out.comparison = o.comparison as AuthnContextComparison
  }
  if (o.enforce !== undefined) out.enforce = bool(`${name}.enforce`, o.enforce, fail)
  return Object.freeze(out)
}

function readScoping(name: string, value: unknown, fail: Fail): AuthnRequestScoping {
  const o = object(name, value, fail)
  known(name, o, ['idpList', 'proxyCount', 'requesterIds'], fail)
  const out: { -readonly [K in keyof AuthnRequestScoping]: AuthnRequestScoping[K] } = {}
  if (o.idpList !== undefined) {
    out.idpList = list(`${name}.idpList`, o.idpList, fail, (n, v) => {
      const entry = object(n, v, fail)
      known(n, entry, ['providerId', 'name', 'loc'], fail)
      return Object.freeze({
        providerId: text(`${n}.providerId`, entry.providerId, fail),
        ...(entry.name !== undefined && { name: text(`${n}.name`, entry.name, fail) }),
        ...(entry.loc !== undefined && { loc: text(`${n}.loc`, entry.loc, fail) }),
      })
    })
  }
  if (o.proxyCount !== undefined) out.proxyCount = index(`${name}.proxyCount`, o.proxyCount, fail, 100)
  if (o.requesterIds !== undefined)
    out.requesterIds = list(`${name}.requesterIds`, o.requesterIds, fail, (n, v) => text(n, v, fail))
  return Object.freeze(out)
}

function readQueryParameters(name: string, value: unknown, fail: Fail): Readonly<Record<string, string>> {
  const o = object(name, value, fail)
  const names = Object.keys(o)
  if (names.length > MAX_PARAMETERS)
    fail(`"${name}" has ${names.length} parameters; at most ${MAX_PARAMETERS}`)
  const out: Record<string, string> = {}
  for (const key of names) {
    if (!PARAMETER_NAME.test(key) || RESERVED_PARAMETERS.has(key))
      fail(
        `"${name}" may not hold ${JSON.stringify(key.slice(0, 80))}: a name is 1–64 of A–Z a–z 0–9 . _ ~ -, and not one of ${[...RESERVED_PARAMETERS].join(', ')}`,
      )
    out[key] = text(`${name}.${key}`, o[key], fail)
  }
  return Object.freeze(out)
}

function readLoginHintDelivery(name: string, value: unknown, fail: Fail): LoginHintDelivery {
  const o = object(name, value, fail)
  known(name, o, ['subject', 'queryParameter'], fail)
  const out: { -readonly [K in keyof LoginHintDelivery]: LoginHintDelivery[K] } = {}
  if (o.subject !== undefined) out.subject = bool(`${name}.subject`, o.subject, fail)
  if (o.queryParameter !== undefined) {
    const parameter = text(`${name}.queryParameter`, o.queryParameter, fail, 64)
    if (!PARAMETER_NAME.test(parameter) || RESERVED_PARAMETERS.has(parameter))
      fail(`"${name}.queryParameter" must be a query parameter name like "login_hint"`)
    out.queryParameter = parameter
  }
  return Object.freeze(out)
}

function readNameIdPolicy(name: string, value: unknown, fail: Fail): AuthnRequestOptions['nameIdPolicy'] {
  const policy = object(name, value, fail)
  known(name, policy, ['allowCreate', 'spNameQualifier'], fail)
  return Object.freeze({
    ...(policy.allowCreate !== undefined && {
      allowCreate: bool(`${name}.allowCreate`, policy.allowCreate, fail),
    }),
    ...(policy.spNameQualifier !== undefined && {
      spNameQualifier: text(`${name}.spNameQualifier`, policy.spNameQualifier, fail),
    }),
  })
}

type Readers<T> = { readonly [K in keyof T]-?: (name: string, value: unknown, fail: Fail) => T[K] }

/** The options both a record and a login may set, read the same way. */
const SHARED = {
  isPassive: bool,
  requestedAuthnContext: readAuthnContext,
  scoping: readScoping,
  attributeConsumingServiceIndex: (name: string, value: unknown, fail: Fail) => index(name, value, fail),
  queryParameters: readQueryParameters,
} as const

const RECORD_READERS: Readers<AuthnRequestOptions> = {
  ...SHARED,
  nameIdPolicy: readNameIdPolicy,
  assertionConsumerServiceIndex: (name, value, fail) => index(name, value, fail),
  loginHint: readLoginHintDelivery,
}

const LOGIN_READERS: Readers<LoginRequestOptions> = {
  ...SHARED,
  forceAuthn: bool,
  loginHint: (name, value, fail) => text(name, value, fail, MAX_HINT),
}

/** Reads every option `readers` knows from `o`, each under its own name in messages. */
function readOptions<T>(name: string, o: Record<string, unknown>, readers: Readers<T>, fail: Fail): T {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(readers) as (keyof T & string)[]) {
    if (o[key] !== undefined) out[key] = readers[key](`${name}.${key}`, o[key], fail)
  }
  return out as T
}

/** Validates an IdP record's `authnRequestOptions`; `fail` says what to change. */
export function readAuthnRequestOptions(name: string, value: unknown, fail: Fail): AuthnRequestOptions {
  const o = object(name, value, fail)
  known(name, o, Object.keys(RECORD_READERS), fail)
  return Object.freeze(readOptions(name, o, RECORD_READERS, fail))
}

/**
 * Validates one login's {@link LoginRequestOptions}; `fail` says what to change. Other keys (the
 * return target, Passport's own options) are left alone.
 */
export function readLoginRequestOptions(
  name: string,
  value: LoginRequestOptions,
  fail: Fail,
): LoginRequestOptions {
  return readOptions(name, object(name, value, fail), LOGIN_READERS, fail)
}

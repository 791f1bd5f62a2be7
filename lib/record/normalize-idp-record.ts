import { SamlError } from '../errors/saml-error.js'
import { normalizeCertificate } from '../metadata/certificate.js'
import {
  parseIdpMetadata,
  type IdpEndpoints,
  type ParsedIdpMetadata,
} from '../metadata/parse-idp-metadata.js'
import { normalizeAttributeMap, normalizeGroupsMap } from '../profile/attribute-map.js'
import { readAuthnRequestOptions } from './authn-request-options.js'
import { normalizeEmailDomain } from './email-domain.js'
import {
  IDP_RECORD_FIELDS,
  type IdpRecordFieldKind,
  type IdpRecordFieldKinds,
  type IdpRecordFieldName,
  type IdpRecordFieldSpec,
  type IdpRecordFields,
  type IdpRecordInput,
  type SamlBinding,
} from './record-fields.js'
import { isPlainObject, kindOf as kind } from '../values/plain-values.js'
import { verifyIdpMetadataSignature } from '../xmldsig/verify-metadata-signature.js'

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const MAX_URL = 4096
const MAX_CERTS = 16
const MAX_EMAIL_DOMAINS = 1000
const ENDPOINT_KEYS: ReadonlySet<string> = new Set<keyof IdpEndpoints>(['redirect', 'post'])
/** A record read back carries these; they are the store's, not the admin's, so they are ignored. */
const STORE_KEYS: ReadonlySet<string> = new Set(['version', 'updatedAt'])

type Fail = (message: string, cause?: unknown) => never
type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** `undefined` and `null` both mean "not given" (JSON and SQL spell absence as null). */
function given<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null
}

function isHttpUrl(value: string): boolean {
  if (value.length > MAX_URL || /\s/.test(value)) return false
  try {
    const url = new URL(value)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== ''
  } catch {
    return false
  }
}

function readUrl(name: string, value: unknown, fail: Fail): string {
  if (typeof value !== 'string') return fail(`"${name}" must be a URL string, got ${kind(value)}`)
  const trimmed = value.trim()
  if (!isHttpUrl(trimmed)) return fail(`"${name}" must be an absolute http: or https: URL`)
  return trimmed
}

/** A list of domain names (`emailDomains`, `scopes`): lower-cased, de-duplicated. */
function readDomains(name: string, value: unknown, fail: Fail): readonly string[] {
  if (!Array.isArray(value)) return fail(`"${name}" must be an array of domain names, got ${kind(value)}`)
  if (value.length > MAX_EMAIL_DOMAINS) return fail(`"${name}" has more than ${MAX_EMAIL_DOMAINS} entries`)
  const out: string[] = []
  value.forEach((entry: unknown, i) => {
    const domain = typeof entry === 'string' ? normalizeEmailDomain(entry) : undefined
    if (domain === undefined) {
      return fail(
        `"${name}[${i}]" must be a domain name like "acme.com" (no "@", no scheme), got ${
          typeof entry === 'string' ? JSON.stringify(entry.slice(0, 80)) : kind(entry)
        }`,
      )
    }
    if (!out.includes(domain)) out.push(domain)
  })
  return Object.freeze(out)
}

/** Validators per field kind: the admin's value in, the stored value out, or `fail`. */
const READERS: {
  [K in IdpRecordFieldKind]: (
    name: string,
    value: unknown,
    spec: IdpRecordFieldSpec<K>,
    fail: Fail,
  ) => IdpRecordFieldKinds[K]
} = {
  id: (_name, value) => value as string, // checked before anything else, to name the IdP in messages
  text: (name, value, spec, fail) => {
    if (typeof value !== 'string') return fail(`"${name}" must be a string, got ${kind(value)}`)
    const trimmed = value.trim()
    const max = spec.max ?? MAX_URL
    if (trimmed === '' || trimmed.length > max)
      return fail(`"${name}" must be a non-empty string of at most ${max} characters`)
    return trimmed
  },
  url: (name, value, _spec, fail) => readUrl(name, value, fail),
  metadata: (name, value, _spec, fail) =>
    typeof value === 'string' ? value : fail(`"${name}" must be a string, got ${kind(value)}`),
  endpoints: (name, value, _spec, fail) => {
    if (!isPlainObject(value))
      return fail(`"${name}" must be an object like { redirect, post }, got ${kind(value)}`)
    for (const key of Object.keys(value)) {
      if (!ENDPOINT_KEYS.has(key))
        fail(`"${name}" has unknown binding ${JSON.stringify(key.slice(0, 80))}; use "redirect" or "post"`)
    }
    const out: Mutable<IdpEndpoints> = {}
    if (given(value.redirect)) out.redirect = readUrl(`${name}.redirect`, value.redirect, fail)
    if (given(value.post)) out.post = readUrl(`${name}.post`, value.post, fail)
    return Object.freeze(out)
  },
  certificates: (name, value, _spec, fail) => {
    if (!Array.isArray(value))
      return fail(`"${name}" must be an array of PEM certificates, got ${kind(value)}`)
    if (value.length > MAX_CERTS)
      return fail(`"${name}" has ${value.length} certificates; at most ${MAX_CERTS}`)
    const out: string[] = []
    value.forEach((cert: unknown, i) => {
      let pem = ''
      try {
        pem = normalizeCertificate(cert as string)
      } catch (err) {
        fail(
          `"${name}[${i}]" is not an X.509 certificate: ${err instanceof Error ? err.message : String(err)}`,
          err,
        )
      }
      if (!out.includes(pem)) out.push(pem)
    })
    return Object.freeze(out)
  },
  emailDomains: (name, value, _spec, fail) => readDomains(name, value, fail),
  domains: (name, value, _spec, fail) => readDomains(name, value, fail),
  attributeMap: (_name, value, _spec, fail) => mapped(() => normalizeAttributeMap(value), fail),
  groupsMap: (_name, value, _spec, fail) => mapped(() => normalizeGroupsMap(value), fail),
  boolean: (name, value, _spec, fail) =>
    typeof value === 'boolean' ? value : fail(`"${name}" must be true or false, got ${kind(value)}`),
  binding: (name, value, _spec, fail) =>
    value === 'redirect' || value === 'post' ? value : fail(`"${name}" must be "redirect" or "post"`),
  milliseconds: (name, value, spec, fail) => {
    const max = spec.max ?? Number.MAX_SAFE_INTEGER
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max)
      return fail(`"${name}" must be an integer from 0 to ${max}`)
    return value
  },
  authnRequestOptions: (name, value, _spec, fail) => readAuthnRequestOptions(name, value, fail),
}

/** The attribute-map validator's message, prefixed with the IdP like every other field's. */
function mapped<T>(normalize: () => T, fail: Fail): T {
  try {
    return normalize()
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err), err)
  }
}

function readField<N extends IdpRecordFieldName>(
  name: N,
  value: unknown,
  fail: Fail,
): IdpRecordFieldKinds[IdpRecordFieldKind] {
  const spec = IDP_RECORD_FIELDS[name] as IdpRecordFieldSpec
  const reader = READERS[spec.kind] as (
    n: string,
    v: unknown,
    s: IdpRecordFieldSpec,
    f: Fail,
  ) => IdpRecordFieldKinds[IdpRecordFieldKind]
  return reader(name, value, spec, fail)
}

function parseMetadata(id: string, xml: string, entityId: string | undefined): ParsedIdpMetadata {
  try {
    return parseIdpMetadata(xml, entityId === undefined ? {} : { entityId })
  } catch (err) {
    if (err instanceof SamlError) {
      throw new SamlError(`IdP "${id}": "metadataXml": ${err.message}`, err.code, { cause: err, idp: id })
    }
    throw err
  }
}

/** The pinned signature of `metadataXml`, before anything is read from it. */
function verifyMetadata(id: string, xml: string, certs: readonly string[]): void {
  try {
    verifyIdpMetadataSignature(xml, certs)
  } catch (err) {
    if (err instanceof SamlError) {
      throw new SamlError(`IdP "${id}": "metadataXml": ${err.message}`, err.code, { cause: err, idp: id })
    }
    throw err
  }
}

/**
 * Validates an IdP record input once and returns its normalized, frozen fields: certificates as
 * canonical PEM, URLs checked, email domains lower-cased, defaults filled with the strict choice
 * (see `IDP_RECORD_FIELDS`). When `metadataXml` is given it is parsed (with `entityId` choosing the
 * entity out of an EntitiesDescriptor) and fields given beside it override what it says. `null`
 * counts as absent. Store adapters call this on every write. Nothing of the input is kept by
 * reference.
 *
 * Throws `SamlError` `ERR_SAML_IDP_CONFIG` naming the field (`"signingCerts[1]" is not an X.509
 * certificate: …`), or the metadata codes (`ERR_SAML_METADATA_INVALID`, `ERR_SAML_XML_DTD`, …) for
 * bad `metadataXml`, and `ERR_SAML_METADATA_SIGNATURE` when `metadataSigningCerts` is given and
 * `metadataXml` does not carry a signature that verifies with one of them.
 *
 * @example
 * ```ts
 * import { normalizeIdpRecord } from 'passport-saml-multi-idp/core'
 * const fields = normalizeIdpRecord({
 *   id: 'acme',
 *   entityId: 'https://idp.acme.com/saml',
 *   ssoUrl: 'https://idp.acme.com/sso',
 *   signingCerts: [acmeCertPem],
 *   emailDomains: ['Acme.com'],
 *   attributeMap: 'okta',
 * })
 * fields.emailDomains // ['acme.com']
 * fields.wantAssertionsSigned // true
 * ```
 */
export function normalizeIdpRecord(input: IdpRecordInput): IdpRecordFields {
  const configError = (message: string, idp: string | undefined, cause?: unknown) =>
    new SamlError(message, 'ERR_SAML_IDP_CONFIG', { cause, idp })
  if (!isPlainObject(input))
    throw configError(`an IdP record must be a plain object, got ${kind(input)}`, undefined)
  const raw: Record<string, unknown> = input
  const id = raw.id
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw configError(
      `"id" must be 1–64 characters of A–Z a–z 0–9 . _ - starting with a letter or digit, got ${
        typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : kind(id)
      }`,
      undefined,
    )
  }
  const fail: Fail = (message, cause) => {
    throw configError(`IdP "${id}": ${message}`, id, cause)
  }
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(IDP_RECORD_FIELDS, key) && !STORE_KEYS.has(key))
      fail(`unknown field ${JSON.stringify(key.slice(0, 80))}`)
  }

  // Every given field, validated by its kind.
  const values: Partial<Record<IdpRecordFieldName, unknown>> = {}
  for (const name of Object.keys(IDP_RECORD_FIELDS) as IdpRecordFieldName[]) {
    if (name !== 'id' && given(raw[name])) values[name] = readField(name, raw[name], fail)
  }
  const pinned = values.metadataSigningCerts as readonly string[] | undefined
  if (pinned !== undefined) {
    if (pinned.length === 0)
      fail('"metadataSigningCerts" must hold at least one certificate (or be left out)')
    if (values.metadataXml === undefined)
      fail(
        '"metadataSigningCerts" pins the signers of "metadataXml", which is not given (put a record with "metadataUrl" through putIdpRecord, which fetches it)',
      )
    verifyMetadata(id, values.metadataXml as string, pinned)
  }
  const meta =
    values.metadataXml === undefined
      ? undefined
      : parseMetadata(id, values.metadataXml as string, values.entityId as string | undefined)

  // The ssoUrl shorthand lands on the binding AuthnRequests use.
  const ssoUrls: Mutable<IdpEndpoints> = {
    ...((values.ssoUrls ?? meta?.ssoUrls) as IdpEndpoints | undefined),
  }
  let binding = values.authnRequestBinding as SamlBinding | undefined
  if (values.ssoUrl !== undefined) {
    const on = binding ?? 'redirect'
    const existing = values.ssoUrls === undefined ? undefined : ssoUrls[on]
    if (existing !== undefined && existing !== values.ssoUrl)
      fail(`"ssoUrl" and "ssoUrls.${on}" disagree; give one of them`)
    ssoUrls[on] = values.ssoUrl as string
  }
  values.ssoUrls = Object.freeze(ssoUrls)
  if (binding === undefined) binding = ssoUrls.redirect !== undefined ? 'redirect' : 'post'
  values.authnRequestBinding = binding

  // Fill from the metadata, then from the defaults; keep the table's order and leave out what is
  // absent (so records compare equal after a JSON round trip through any store).
  const out: Record<string, unknown> = { id }
  for (const [name, spec] of Object.entries(IDP_RECORD_FIELDS) as [
    IdpRecordFieldName,
    IdpRecordFieldSpec,
  ][]) {
    if (name === 'id' || spec.stored === 'never') continue
    let value = values[name]
    if (value === undefined && meta !== undefined && spec.metadata) value = spec.metadata.read(meta)
    if (value === undefined) value = spec.default
    if (value !== undefined)
      out[name] = Array.isArray(value) ? Object.freeze([...(value as unknown[])]) : value
  }
  if (out.entityId === undefined)
    fail(
      out.metadataUrl === undefined
        ? '"entityId" is required (or give "metadataXml")'
        : '"entityId" is required (or give "metadataXml"); stores do not fetch "metadataUrl": put the record with putIdpRecord, which does',
    )
  if (ssoUrls.redirect === undefined && ssoUrls.post === undefined)
    fail(
      'at least one SSO URL is required ("ssoUrl", "ssoUrls.redirect" or "ssoUrls.post", or "metadataXml")',
    )
  if (ssoUrls[binding] === undefined)
    fail(`"authnRequestBinding" is "${binding}" but there is no "ssoUrls.${binding}"`)
  const logoutBinding = out.logoutBinding as SamlBinding | undefined
  if (logoutBinding !== undefined && (out.sloUrls as IdpEndpoints)[logoutBinding] === undefined)
    fail(`"logoutBinding" is "${logoutBinding}" but there is no "sloUrls.${logoutBinding}"`)
  if ((out.signingCerts as readonly string[]).length === 0)
    fail('at least one signing certificate is required ("signingCerts" or "metadataXml")')
  return Object.freeze(out) as IdpRecordFields
}

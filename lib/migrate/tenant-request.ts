// Steps of migrateTenant for the AuthnRequest: what it asks the IdP for. passport-saml's request
// options land in the record's `authnRequestOptions`, so the IdP sees the same request; the few this
// library does not write yet (issue #10) are refused as not-yet-supported rather than dropped.
import { describe, type TenantOptions } from './tenant-options.js'
import type { TenantRecord } from './tenant-parts.js'

const EMAIL_ADDRESS = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
const PASSWORD_PROTECTED_TRANSPORT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'
const COMPARISONS: readonly unknown[] = ['exact', 'minimum', 'maximum', 'better']

/** The record's `authnRequestOptions`, created by the first step that has something for it. */
function requestOptions(record: TenantRecord): Record<string, unknown> {
  record.authnRequestOptions ??= {}
  return record.authnRequestOptions as Record<string, unknown>
}

/** `forceAuthn` stays a record field; `passive` becomes IsPassive. */
export function readAuthnPrompt(t: TenantOptions, record: TenantRecord): void {
  const forceAuthn = t.flag('forceAuthn')
  if (forceAuthn !== undefined) record.forceAuthn = forceAuthn
  if (t.flag('passive') === true) requestOptions(record).isPassive = true
}

/**
 * The NameIDPolicy: `identifierFormat` becomes the record's nameIdFormat, with passport-saml's
 * default (emailAddress) written out, since this library's default is none.
 */
export function readNameIdPolicy(t: TenantOptions, record: TenantRecord): void {
  const identifierFormat = t.options.identifierFormat
  if (identifierFormat === undefined)
    record.nameIdFormat = EMAIL_ADDRESS // passport-saml's default
  else if (typeof identifierFormat === 'string' && identifierFormat.trim() !== '')
    record.nameIdFormat = identifierFormat.trim()
  else if (identifierFormat !== null)
    t.refuse(
      'identifierFormat',
      'invalid',
      `must be a NameID format URI or null, got ${describe(identifierFormat)}`,
    )
  const policy: Record<string, unknown> = {}
  if (t.flag('allowCreate') === false) policy.allowCreate = false
  if (t.options.spNameQualifier !== null) {
    const spNameQualifier = t.text('spNameQualifier')
    if (spNameQualifier !== undefined) policy.spNameQualifier = spNameQualifier
  }
  if (Object.keys(policy).length > 0) requestOptions(record).nameIdPolicy = policy
}

/**
 * RequestedAuthnContext as passport-saml sent it: `authnContext` (default PasswordProtectedTransport)
 * with `racComparison` (default exact), unless `disableRequestedAuthnContext`.
 */
export function readRequestedAuthnContext(t: TenantOptions, record: TenantRecord): void {
  if (t.flag('disableRequestedAuthnContext') === true) return
  const classRefs = t.options.authnContext ?? [PASSWORD_PROTECTED_TRANSPORT]
  const comparison = t.options.racComparison ?? 'exact'
  let valid = true
  if (
    !Array.isArray(classRefs) ||
    classRefs.length === 0 ||
    !classRefs.every((r) => typeof r === 'string' && r.trim() !== '')
  ) {
    t.refuse(
      'authnContext',
      'invalid',
      `must be a non-empty array of AuthnContextClassRef URIs, got ${describe(classRefs)}`,
    )
    valid = false
  }
  if (!COMPARISONS.includes(comparison)) {
    t.refuse('racComparison', 'invalid', 'must be "exact", "minimum", "maximum" or "better"')
    valid = false
  }
  if (!valid) return
  requestOptions(record).requestedAuthnContext = {
    classRefs: (classRefs as string[]).map((r) => r.trim()),
    comparison,
  }
  if (!t.has('authnContext'))
    t.note(
      'authnContext',
      'is not set: passport-saml then asked for PasswordProtectedTransport (RequestedAuthnContext), and so does the record; set disableRequestedAuthnContext to ask for none',
    )
}

/** Extra query parameters: plain string values only, as passport-saml sent them. */
function readParams(t: TenantOptions, option: string): Record<string, string> | undefined {
  if (!t.nonEmptyParams(option)) return undefined
  const value = t.options[option]
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    t.refuse(option, 'invalid', `must be an object of query parameters, got ${describe(value)}`)
    return undefined
  }
  const out: Record<string, string> = {}
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      t.refuse(
        option,
        'invalid',
        `parameter ${JSON.stringify(name.slice(0, 80))} must be a string, got ${describe(v)}`,
      )
      return undefined
    }
    out[name] = v
  }
  return out
}

/** passport-saml's `scoping` ({ idpList: [{ entries, getComplete }], proxyCount, requesterId }). */
function readScoping(t: TenantOptions): Record<string, unknown> | undefined {
  const scoping = t.options.scoping as unknown
  if (scoping === undefined || scoping === null) return undefined
  const invalid = (why: string) => {
    t.refuse('scoping', 'invalid', why)
    return undefined
  }
  if (typeof scoping !== 'object' || Array.isArray(scoping))
    return invalid(`must be an object, got ${describe(scoping)}`)
  const { idpList, proxyCount, requesterId } = scoping as Record<string, unknown>
  const out: Record<string, unknown> = {}
  if (idpList !== undefined) {
    if (!Array.isArray(idpList)) return invalid('"idpList" must be an array of { entries, getComplete }')
    const entries: unknown[] = []
    for (const list of idpList as unknown[]) {
      if (typeof list !== 'object' || list === null)
        return invalid('"idpList" must be an array of { entries, getComplete }')
      const { entries: listEntries, getComplete } = list as Record<string, unknown>
      if (getComplete !== undefined) t.notYet('scoping', 'Scoping IDPList GetComplete')
      if (Array.isArray(listEntries)) entries.push(...(listEntries as unknown[]))
    }
    if (entries.length > 0) out.idpList = entries
  }
  if (proxyCount !== undefined) out.proxyCount = proxyCount
  if (requesterId !== undefined) out.requesterIds = Array.isArray(requesterId) ? requesterId : [requesterId]
  return out
}

/**
 * The rest of the AuthnRequest: elements and parameters not written yet, compression (which the
 * binding decides here), Extensions (no plan) and message IDs (always random here).
 */
export function readRequestExtras(
  t: TenantOptions,
  record: TenantRecord,
  binding: 'redirect' | 'post',
): void {
  const index = t.options.attributeConsumingServiceIndex as unknown
  if (index !== undefined && index !== null) {
    // passport-saml takes it as a string ("1"); the record takes the integer.
    const parsed = typeof index === 'string' && /^\d{1,5}$/.test(index.trim()) ? Number(index.trim()) : index
    if (typeof parsed === 'number' && Number.isInteger(parsed) && parsed >= 0 && parsed <= 65_535)
      requestOptions(record).attributeConsumingServiceIndex = parsed
    else
      t.refuse(
        'attributeConsumingServiceIndex',
        'invalid',
        `must be an index from 0 to 65535, got ${describe(index)}`,
      )
  }
  if (t.has('providerName')) t.notYet('providerName', 'The AuthnRequest ProviderName')
  const scoping = readScoping(t)
  if (scoping !== undefined) requestOptions(record).scoping = scoping
  // additionalParams went on every message; here they go on AuthnRequests (logout: see idp steps).
  const params = { ...readParams(t, 'additionalParams'), ...readParams(t, 'additionalAuthorizeParams') }
  if (Object.keys(params).length > 0) requestOptions(record).queryParameters = params
  if (t.nonEmptyParams('additionalParams'))
    t.note(
      'additionalParams',
      'go on AuthnRequests (queryParameters); passport-saml also sent them on logout messages, which this library does not yet do (issue #10)',
    )
  if (t.flag('disableRequestAcsUrl') === true)
    t.notYet(
      'disableRequestAcsUrl',
      'An AuthnRequest without AssertionConsumerServiceURL (AssertionConsumerServiceIndex)',
    )
  const skipCompression = t.flag('skipRequestCompression')
  if (skipCompression === true && binding === 'redirect')
    t.refuse(
      'skipRequestCompression',
      'not-supported',
      'is true with the HTTP-Redirect binding, which requires DEFLATE: AuthnRequests on it are always compressed. Remove it',
    )
  else if (skipCompression !== true && binding === 'post')
    t.note(
      'skipRequestCompression',
      'is not true with HTTP-POST: passport-saml then deflated the posted AuthnRequest; this library posts it uncompressed, as the HTTP-POST binding says',
    )
  if (t.has('samlAuthnRequestExtensions'))
    t.refuse(
      'samlAuthnRequestExtensions',
      'not-supported',
      'AuthnRequest Extensions are not written, and no open issue brings them',
    )
  if (t.has('samlLogoutRequestExtensions'))
    t.refuse(
      'samlLogoutRequestExtensions',
      'not-supported',
      'LogoutRequest Extensions are not written, and no open issue brings them',
    )
  if (t.has('generateUniqueId'))
    t.note(
      'generateUniqueId',
      'is dropped: message IDs here are 160 random bits with a "_" prefix, which every IdP accepts',
    )
}

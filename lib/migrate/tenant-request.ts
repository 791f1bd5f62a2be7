// Steps of migrateTenant for the AuthnRequest: what it asks the IdP for. Most of passport-saml's
// request options are features this library does not have yet (issue #10): they are refused as
// not-yet-supported rather than dropped, since the IdP would see a different request.
import { describe, type TenantOptions } from './tenant-options.js'
import type { TenantRecord } from './tenant-parts.js'

const EMAIL_ADDRESS = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'

/** `forceAuthn` is carried; `passive` (IsPassive) is not there yet. */
export function readAuthnPrompt(t: TenantOptions, record: TenantRecord): void {
  const forceAuthn = t.flag('forceAuthn')
  if (forceAuthn !== undefined) record.forceAuthn = forceAuthn
  if (t.flag('passive') === true) t.notYet('passive', 'IsPassive')
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
  if (t.flag('allowCreate') === false) t.notYet('allowCreate', 'NameIDPolicy AllowCreate="false"')
  if (t.options.spNameQualifier !== undefined && t.options.spNameQualifier !== null)
    t.notYet('spNameQualifier', 'NameIDPolicy SPNameQualifier')
}

/**
 * RequestedAuthnContext: none is sent here. With `disableRequestedAuthnContext` that is what
 * passport-saml sent too; otherwise it asked for one (by default PasswordProtectedTransport).
 */
export function readRequestedAuthnContext(t: TenantOptions): void {
  const disableRac = t.flag('disableRequestedAuthnContext') === true
  if (!disableRac) {
    if (t.has('authnContext')) t.notYet('authnContext', 'RequestedAuthnContext')
    if (t.has('racComparison')) t.notYet('racComparison', 'RequestedAuthnContext (Comparison)')
    if (!t.has('authnContext') && !t.has('racComparison'))
      t.note(
        'authnContext',
        'is not set: passport-saml then asked for PasswordProtectedTransport (RequestedAuthnContext, exact); this library sends no RequestedAuthnContext, so the IdP chooses how the user signs in',
      )
  }
}

/**
 * The rest of the AuthnRequest: elements and parameters not written yet, compression (which the
 * binding decides here), Extensions (no plan) and message IDs (always random here).
 */
export function readRequestExtras(t: TenantOptions, binding: 'redirect' | 'post'): void {
  if (t.has('attributeConsumingServiceIndex'))
    t.notYet('attributeConsumingServiceIndex', 'AttributeConsumingServiceIndex')
  if (t.has('providerName')) t.notYet('providerName', 'The AuthnRequest ProviderName')
  if (t.has('scoping')) t.notYet('scoping', 'Scoping (IDPList, ProxyCount, RequesterID)')
  if (t.nonEmptyParams('additionalParams'))
    t.notYet('additionalParams', 'Extra query parameters on AuthnRequests')
  if (t.nonEmptyParams('additionalAuthorizeParams'))
    t.notYet('additionalAuthorizeParams', 'Extra query parameters on AuthnRequests')
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

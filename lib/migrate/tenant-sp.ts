// Steps of migrateTenant for this app as the SP of one IdP: the entityID the IdP knows it by, the
// Audience it expects, and its URLs. They stay per record, so the IdP's configuration stays as is.
import type { TenantRecord } from './tenant-parts.js'
import type { TenantOptions } from './tenant-options.js'

/**
 * `issuer` becomes the record's spEntityId. `audience` has no field of its own: the Audience
 * checked is always spEntityId, so only a value equal to `issuer` is carried.
 */
export function readSpEntityId(t: TenantOptions, record: TenantRecord): void {
  const issuer = t.text('issuer')
  if (issuer !== undefined) record.spEntityId = issuer
  else if (!t.has('issuer'))
    t.refuse(
      'issuer',
      'missing',
      "is not set: it is the SP entityID this IdP knows the app by (the record's spEntityId)",
    )
  const audience = t.options.audience
  if (audience === false)
    t.refuse(
      'audience',
      'not-supported',
      'is false: this library always checks that the assertion names the SP (AudienceRestriction); an IdP that sends no Audience cannot be served',
    )
  else if (audience !== undefined && audience !== issuer)
    t.refuse(
      'audience',
      'not-supported',
      `differs from issuer: this library expects the Audience to be the SP entityID it sends as Issuer (spEntityId). Configure the IdP to send ${JSON.stringify(issuer ?? '')} as Audience, or set issuer to the Audience the IdP sends`,
    )
}

/** `callbackUrl` and `logoutCallbackUrl` become the record's spAcsUrl and spSloUrl, unchanged. */
export function readSpEndpoints(t: TenantOptions, record: TenantRecord): void {
  const callbackUrl = t.url('callbackUrl', 'the ACS URL the IdP posts to')
  if (callbackUrl !== undefined) record.spAcsUrl = callbackUrl
  else if (!t.has('callbackUrl'))
    t.refuse(
      'callbackUrl',
      'missing',
      "is not set: it is the ACS URL the IdP posts to (the record's spAcsUrl)",
    )
  const logoutCallbackUrl = t.url('logoutCallbackUrl', "the SP's SingleLogoutService URL")
  if (logoutCallbackUrl !== undefined) record.spSloUrl = logoutCallbackUrl
}

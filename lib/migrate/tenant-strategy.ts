// Steps of migrateTenant for what is not about one IdP: the SP metadata's extras and passport-saml's
// strategy options. One strategy serves every tenant, so these are merged across tenants later.
import { REQUEST_OPTIONS_ISSUE } from './findings.js'
import type { TenantOptions } from './tenant-options.js'
import type { TenantSp } from './tenant-parts.js'

const SP_METADATA_ISSUE = REQUEST_OPTIONS_ISSUE

/** Signed SP metadata, ContactPerson and Organization: not written yet. */
export function readSpMetadataOptions(t: TenantOptions): void {
  if (t.flag('signMetadata') === true) t.notYet('signMetadata', 'Signed SP metadata', SP_METADATA_ISSUE)
  if (t.has('metadataContactPerson'))
    t.notYet('metadataContactPerson', 'ContactPerson in SP metadata', SP_METADATA_ISSUE)
  if (t.has('metadataOrganization'))
    t.notYet('metadataOrganization', 'Organization in SP metadata', SP_METADATA_ISSUE)
}

/** `name` and `passReqToCallback` go to the strategy; `getSamlOptions` gives way to resolvers. */
export function readStrategyOptions(t: TenantOptions, sp: TenantSp): void {
  const name = t.text('name')
  if (name !== undefined) sp.name = name
  const passReq = t.flag('passReqToCallback')
  if (passReq !== undefined) sp.passReqToCallback = passReq
  if (t.has('getSamlOptions'))
    t.note(
      'getSamlOptions',
      "is dropped: each request's IdP is found by the strategy's resolvers (byPathParam, byResponseIssuer, …)",
    )
}

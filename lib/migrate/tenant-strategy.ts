// Steps of migrateTenant for what is not about one IdP: the SP metadata's extras and passport-saml's
// strategy options. One strategy serves every tenant, so these are merged across tenants later.
import type { TenantOptions } from './tenant-options.js'
import type { TenantSp } from './tenant-parts.js'

/**
 * Signed SP metadata is carried (`sp.metadata.sign`). ContactPerson and Organization are written
 * from `sp.metadata`, but passport-saml takes them in xml2js's shape, which is not converted.
 */
export function readSpMetadataOptions(t: TenantOptions, sp: TenantSp): void {
  const sign = t.flag('signMetadata')
  if (sign !== undefined) sp.signMetadata = sign
  for (const [option, field] of [
    ['metadataContactPerson', 'contacts'],
    ['metadataOrganization', 'organization'],
  ] as const) {
    if (t.has(option))
      t.refuse(
        option,
        'not-supported',
        `is in xml2js's shape, which is not converted: write it as sp.metadata.${field} (docs/getting-started.md)`,
      )
  }
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

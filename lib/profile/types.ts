/** A transform applied to every value of a mapped field, in order. */
export type AttributeTransform = 'lowercase' | 'uppercase' | 'trim'

/**
 * How one profile field is filled. `from` lists candidate attributes, each matched against the
 * attribute's Name, its FriendlyName, or (for `urn:oid:` names) the OID; the first candidate the
 * IdP sent wins. `multi: true` keeps every value (and collects from all candidates, de-duplicated);
 * otherwise the first value is used.
 */
export interface AttributeFieldSpec {
  from: string | readonly string[]
  multi?: boolean
  required?: boolean
  transform?: AttributeTransform | readonly AttributeTransform[]
}

/**
 * Profile field name → where its value comes from. A string or array is shorthand for `{ from }`.
 * The field named `groups` is always multi-valued and is renamed through the record's groups map.
 *
 * @example
 * ```ts
 * const map: AttributeMap = {
 *   email: { from: ['mail', 'urn:oid:0.9.2342.19200300.100.1.3', 'email'], required: true, transform: 'lowercase' },
 *   firstName: ['givenName', 'urn:oid:2.5.4.42'],
 *   groups: 'memberOf',
 * }
 * ```
 */
export type AttributeMap = Readonly<Record<string, string | readonly string[] | AttributeFieldSpec>>

/** IdP group name → the name your application uses (like django-saml2-auth's `GROUPS_MAP`). */
export type GroupsMap = Readonly<Record<string, string>>

/** One `<saml:Attribute>` as the IdP sent it: names are data, never object keys. */
export interface SamlAttribute {
  readonly name: string
  readonly friendlyName?: string
  readonly nameFormat?: string
  readonly values: readonly string[]
}

/** The fields an attribute map produced. Well-known names are typed; any other name is allowed. */
export interface MappedProfile {
  email?: string
  username?: string
  firstName?: string
  lastName?: string
  displayName?: string
  groups?: string[]
  [field: string]: string | string[] | undefined
}

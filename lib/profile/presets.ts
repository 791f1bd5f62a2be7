import type { AttributeFieldSpec, AttributeMap } from './types.js'

// Where these names come from (researched from vendor documentation and public configurations;
// where a vendor sends nothing by default, the names are the ones admins conventionally type):
// - Microsoft Entra ID: "SAML token claims reference" and the default claims of a new enterprise
//   application (emailaddress ← user.mail, givenname, surname, name ← user.userprincipalname).
// - AD FS: the claim descriptions an AD FS farm ships with (E-Mail Address, UPN, Name, Given Name,
//   Surname, Common Name, Group, Role, Windows account name).
// - Keycloak: the built-in SAML mappers "X500 email" (urn:oid:1.2.840.113549.1.9.1, FriendlyName
//   `email`), "X500 givenName" (urn:oid:2.5.4.42), "X500 surname" (urn:oid:2.5.4.4), "role list"
//   (`Role`, one attribute per role unless "single" is on) and the group-membership mapper, whose
//   attribute name the admin chooses (`groups`, `member` or `memberOf` in practice).
// - eduPerson / Shibboleth / InCommon: the MACE-Dir SAML attribute profile (urn:oid names with
//   FriendlyName), plus the legacy `urn:mace:dir:attribute-def:` names older IdPs still send.
// - Okta, Google Workspace and AWS IAM Identity Center send only what the admin maps, under names
//   the admin types; the candidates below are the names their own setup guides and most public
//   configurations use.

const WS2005 = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/'
const MS_IDENTITY = 'http://schemas.microsoft.com/identity/claims/'
const MS_WS2008 = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/'

/** Claim type URIs used by Entra ID and AD FS. Compared case-insensitively when matching. */
const CLAIM = {
  emailAddress: `${WS2005}emailaddress`,
  givenName: `${WS2005}givenname`,
  surname: `${WS2005}surname`,
  /** UPN on Entra ID by default; on AD FS whatever the rule emits (often the UPN or sAMAccountName). */
  name: `${WS2005}name`,
  upn: `${WS2005}upn`,
  displayName: `${MS_IDENTITY}displayname`,
  objectId: `${MS_IDENTITY}objectidentifier`,
  tenantId: `${MS_IDENTITY}tenantid`,
  groups: `${MS_WS2008}groups`,
  role: `${MS_WS2008}role`,
  windowsAccountName: `${MS_WS2008}windowsaccountname`,
  /** Sent by Entra ID instead of `groups` when the user is in more than 150 groups. */
  groupsLink: 'http://schemas.microsoft.com/claims/groups.link',
  /** AD FS 1.x style names, still in every AD FS claim description list. */
  adfsEmailAddress: 'http://schemas.xmlsoap.org/claims/EmailAddress',
  adfsGroup: 'http://schemas.xmlsoap.org/claims/Group',
  adfsCommonName: 'http://schemas.xmlsoap.org/claims/CommonName',
} as const

/** LDAP / X.500 / eduPerson attribute OIDs, as `urn:oid:` names (bare OIDs match too). */
const OID = {
  mail: 'urn:oid:0.9.2342.19200300.100.1.3',
  uid: 'urn:oid:0.9.2342.19200300.100.1.1',
  givenName: 'urn:oid:2.5.4.42',
  sn: 'urn:oid:2.5.4.4',
  cn: 'urn:oid:2.5.4.3',
  displayName: 'urn:oid:2.16.840.1.113730.3.1.241',
  /** PKCS #9 emailAddress: what Keycloak's "X500 email" mapper sends. */
  pkcs9Email: 'urn:oid:1.2.840.113549.1.9.1',
  eduPersonPrincipalName: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
  eduPersonAffiliation: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.1',
  eduPersonScopedAffiliation: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.9',
  eduPersonEntitlement: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.7',
  eduPersonUniqueId: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.13',
  isMemberOf: 'urn:oid:1.3.6.1.4.1.5923.1.5.1.1',
} as const

/** Legacy (SAML 1 era) Shibboleth names. */
const MACE = 'urn:mace:dir:attribute-def:'

/** Emails are compared by applications, so presets normalize them. */
const EMAIL_TRANSFORM = ['trim', 'lowercase'] as const

function email(...from: string[]): AttributeFieldSpec {
  return { from, transform: EMAIL_TRANSFORM }
}

function multi(...from: string[]): AttributeFieldSpec {
  return { from, multi: true }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}

/**
 * The map used when an IdP record has no `attributeMap`: the common names across vendors
 * (plain names, Entra/AD FS claim URIs, LDAP/eduPerson OIDs), so most IdPs work unconfigured.
 * No field is required. `groups` collects from every candidate the IdP sent.
 *
 * @example
 * ```ts
 * import { defaultAttributeMap } from 'passport-saml-multi-idp'
 * import { compileAttributeMap } from 'passport-saml-multi-idp/core'
 * // Same as compileAttributeMap(undefined): start from the defaults and require an email.
 * const compiled = compileAttributeMap({
 *   ...defaultAttributeMap,
 *   email: { from: ['mail', 'email', 'urn:oid:0.9.2342.19200300.100.1.3'], required: true, transform: 'lowercase' },
 * })
 * ```
 */
export const defaultAttributeMap: AttributeMap = deepFreeze({
  email: email(
    'email',
    'mail',
    'Email',
    'emailAddress',
    'user.email',
    CLAIM.emailAddress,
    CLAIM.adfsEmailAddress,
    OID.mail,
    OID.pkcs9Email,
    `${MACE}mail`,
  ),
  username: [
    'username',
    'userName',
    'login',
    'preferred_username',
    'uid',
    OID.uid,
    CLAIM.upn,
    CLAIM.name,
    OID.eduPersonPrincipalName,
  ],
  firstName: [
    'firstName',
    'givenName',
    'given_name',
    'first_name',
    'FirstName',
    CLAIM.givenName,
    OID.givenName,
    `${MACE}givenName`,
  ],
  lastName: [
    'lastName',
    'sn',
    'surname',
    'familyName',
    'family_name',
    'last_name',
    'LastName',
    CLAIM.surname,
    OID.sn,
    `${MACE}sn`,
  ],
  displayName: [
    'displayName',
    'name',
    'cn',
    CLAIM.displayName,
    CLAIM.adfsCommonName,
    OID.displayName,
    OID.cn,
    `${MACE}displayName`,
  ],
  groups: multi('groups', 'Groups', 'memberOf', 'isMemberOf', CLAIM.groups, CLAIM.adfsGroup, OID.isMemberOf),
  roles: multi('roles', 'role', 'Role', CLAIM.role),
})

/** A preset attribute map's name; a record's `attributeMap` may be one of these. */
export type AttributePresetName =
  | 'okta'
  | 'entra'
  | 'google'
  | 'adfs'
  | 'awsIdentityCenter'
  | 'keycloak'
  | 'oneLogin'
  | 'jumpCloud'
  | 'pingOne'
  | 'eduPerson'

const PRESET_MAPS = {
  // Okta sends no attributes unless the app's "Attribute Statements" add them; Okta's guides and
  // its app templates name them after the Okta profile (`email`, `firstName`, `lastName`, `login`),
  // some admins keep the expression as the name (`user.email`), and the group attribute statement
  // is conventionally `groups`. URI Reference names fall back to the LDAP OIDs.
  okta: {
    email: email('email', 'user.email', 'Email', 'mail', OID.mail, CLAIM.emailAddress),
    username: ['login', 'username', 'userName', 'user.login', 'user.username', OID.uid],
    firstName: ['firstName', 'user.firstName', 'givenName', 'first_name', OID.givenName],
    lastName: ['lastName', 'user.lastName', 'surname', 'sn', 'last_name', OID.sn],
    displayName: ['displayName', 'user.displayName', 'name', OID.displayName],
    groups: multi('groups', 'Groups', 'memberOf'),
  },

  // Entra ID's default claims for a new enterprise app, plus the ones every token can carry.
  // `name` is the UPN. Group values are object ids unless the app emits names; with more than 150
  // groups Entra sends `groupsLink` (a Graph URL) instead of `groups`.
  entra: {
    email: email(CLAIM.emailAddress),
    username: [CLAIM.name, CLAIM.upn],
    firstName: [CLAIM.givenName],
    lastName: [CLAIM.surname],
    displayName: [CLAIM.displayName],
    groups: multi(CLAIM.groups),
    roles: multi(CLAIM.role),
    objectId: [CLAIM.objectId],
    tenantId: [CLAIM.tenantId],
    groupsLink: [CLAIM.groupsLink],
  },

  // Google Workspace sends nothing but the NameID (the primary email) until the admin adds
  // "Attribute mapping" rows, with app attribute names they type; these are the usual ones.
  // Group membership (at most 75 groups) is sent under the name chosen for "Group membership".
  google: {
    email: email('email', 'Email', 'mail', 'primaryEmail'),
    username: ['username', 'userName'],
    firstName: ['firstName', 'first_name', 'FirstName', 'givenName'],
    lastName: ['lastName', 'last_name', 'LastName', 'familyName', 'surname'],
    displayName: ['displayName', 'name', 'fullName'],
    groups: multi('groups', 'Groups', 'memberOf'),
  },

  // AD FS issues whatever its claim rules say, using its claim descriptions' URIs.
  // Groups: "Send Group Membership" / Token-Groups rules usually emit the Group claim; the Role
  // claim is kept apart in `roles` because many farms use it for application roles.
  adfs: {
    email: email(CLAIM.emailAddress, CLAIM.adfsEmailAddress),
    username: [CLAIM.upn, CLAIM.name, CLAIM.windowsAccountName],
    firstName: [CLAIM.givenName],
    lastName: [CLAIM.surname],
    displayName: [CLAIM.adfsCommonName, CLAIM.displayName],
    groups: multi(CLAIM.adfsGroup, CLAIM.groups),
    roles: multi(CLAIM.role),
  },

  // IAM Identity Center custom SAML apps send only the rows of "Edit attribute mappings"
  // (`${user:email}`, `${user:givenName}`, `${user:familyName}`, `${user:name}`,
  // `${user:preferredUsername}`, `${user:groups}`) under names the admin types. The names here are
  // the ones AWS's own guides and most public setups use; `memberOf` is what AWS Client VPN
  // requires. `${user:groups}` yields group ids (GUIDs), not names: map them with a groups map.
  // The `https://aws.amazon.com/SAML/Attributes/…` names are for AWS acting as the SP (IAM role
  // federation), not for custom applications, so they are not candidates.
  awsIdentityCenter: {
    email: email('email', 'Email', 'emailAddress', 'mail'),
    username: ['username', 'userName', 'preferredUsername', 'preferred_username'],
    firstName: ['firstName', 'FirstName', 'givenName', 'given_name'],
    lastName: ['lastName', 'LastName', 'familyName', 'family_name'],
    displayName: ['name', 'Name', 'displayName'],
    groups: multi('memberOf', 'groups', 'Groups'),
  },

  // Keycloak: built-in X500 mappers (OID names with FriendlyName `email`/`givenName`/`surname`)
  // or the plain user-property mappers most realms add (`email`, `firstName`, `lastName`,
  // `username`); roles from the "role list" mapper (`Role`); groups from a group-membership mapper
  // (full paths such as `/staff/admins` when "Full group path" is on).
  keycloak: {
    email: email('email', OID.pkcs9Email, OID.mail, 'mail', 'Email'),
    username: ['username', 'preferred_username', 'uid', OID.uid, 'login'],
    firstName: ['firstName', 'givenName', OID.givenName, 'given_name', 'FirstName'],
    lastName: ['lastName', 'surname', OID.sn, 'sn', 'family_name', 'LastName'],
    displayName: ['displayName', 'fullName', 'name'],
    groups: multi('groups', 'member', 'memberOf'),
    roles: multi('Role', 'role', 'roles'),
  },

  // OneLogin's "SAML Custom Connector (Advanced)" sends the parameters marked "Include in SAML
  // assertion" under the names the admin types; these are the names of docs/idp-setup.md and of
  // OneLogin's own connector templates (`User.email`, `User.FirstName`, `User.LastName`).
  oneLogin: {
    email: email('email', 'Email', 'User.email'),
    username: ['username', 'User.Username'],
    firstName: ['firstName', 'First Name', 'User.FirstName'],
    lastName: ['lastName', 'Last Name', 'User.LastName'],
    displayName: ['displayName', 'name'],
    groups: multi('groups', 'memberOf', 'roles'),
  },

  // JumpCloud custom SAML apps send the "User Attributes" rows under the names the admin types,
  // its attribute names lower-cased (`firstname`, `lastname`), plus `memberOf` when "Include group
  // attribute" is on (the default name of that attribute).
  jumpCloud: {
    email: email('email', 'Email'),
    username: ['username'],
    firstName: ['firstName', 'firstname'],
    lastName: ['lastName', 'lastname'],
    displayName: ['displayName', 'displayname'],
    groups: multi('memberOf', 'groups'),
  },

  // PingOne SAML applications send the "Attribute Mappings" rows under the names the admin types;
  // these are docs/idp-setup.md's and the OIDC-style names many PingOne setups reuse.
  pingOne: {
    email: email('email', 'mail'),
    username: ['username', 'preferred_username'],
    firstName: ['firstName', 'given_name'],
    lastName: ['lastName', 'family_name'],
    displayName: ['displayName', 'name'],
    groups: multi('groups', 'memberOf'),
  },

  // Shibboleth / InCommon / eduGAIN (MACE-Dir SAML attribute profile). FriendlyNames match too.
  // `username` prefers eduPersonPrincipalName (scoped, widely released) over the local uid.
  eduPerson: {
    email: email(OID.mail, 'mail', `${MACE}mail`),
    username: [
      OID.eduPersonPrincipalName,
      'eduPersonPrincipalName',
      `${MACE}eduPersonPrincipalName`,
      OID.uid,
      'uid',
      `${MACE}uid`,
    ],
    firstName: [OID.givenName, 'givenName', `${MACE}givenName`],
    lastName: [OID.sn, 'sn', `${MACE}sn`],
    displayName: [OID.displayName, 'displayName', `${MACE}displayName`, OID.cn, 'cn', `${MACE}cn`],
    groups: multi(OID.isMemberOf, 'isMemberOf'),
    principalName: [OID.eduPersonPrincipalName, 'eduPersonPrincipalName', `${MACE}eduPersonPrincipalName`],
    affiliation: multi(OID.eduPersonAffiliation, 'eduPersonAffiliation', `${MACE}eduPersonAffiliation`),
    scopedAffiliation: multi(
      OID.eduPersonScopedAffiliation,
      'eduPersonScopedAffiliation',
      `${MACE}eduPersonScopedAffiliation`,
    ),
    entitlement: multi(OID.eduPersonEntitlement, 'eduPersonEntitlement', `${MACE}eduPersonEntitlement`),
    uniqueId: [OID.eduPersonUniqueId, 'eduPersonUniqueId'],
    subjectId: ['urn:oasis:names:tc:SAML:attribute:subject-id', 'subject-id'],
    pairwiseId: ['urn:oasis:names:tc:SAML:attribute:pairwise-id', 'pairwise-id'],
  },
} satisfies Record<AttributePresetName, AttributeMap>

/**
 * One attribute map per IdP product, for the names each sends by default (or, where the product
 * sends only what its admin maps, the names its setup guides use). Pick one by name in an IdP
 * record (`attributeMap: 'entra'`) or spread one to extend it. No preset field is required;
 * emails are trimmed and lower-cased. The objects are deeply frozen.
 *
 * @example
 * ```ts
 * import { presets, type IdpRecordInput } from 'passport-saml-multi-idp'
 * const record: IdpRecordInput = {
 *   id: 'contoso',
 *   metadataUrl: 'https://login.microsoftonline.com/…/federationmetadata.xml',
 *   attributeMap: {
 *     ...presets.entra,
 *     department: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/department',
 *   },
 * }
 * ```
 */
export const presets: Readonly<Record<AttributePresetName, AttributeMap>> = deepFreeze(PRESET_MAPS)

/** Every {@link AttributePresetName}, for validation and admin UIs. */
export const ATTRIBUTE_PRESET_NAMES: readonly AttributePresetName[] = Object.freeze(
  Object.keys(PRESET_MAPS) as AttributePresetName[],
)

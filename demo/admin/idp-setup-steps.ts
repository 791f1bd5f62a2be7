/**
 * What an IdP admin does at each vendor to add this app: the console path, which of our values goes
 * in which of their fields, the NameID format, the attributes to add, what the IdP then sends and
 * which attribute map reads it, how to hand us their metadata. One source for two readers:
 * `docs/idp-setup.md` is generated from it (`npm run docs:idp-setup`, checked by
 * `spec/docs/idp-setup.spec.ts`), and the demo's IdP page renders it with that IdP's values filled in.
 *
 * Texts use a little Markdown (`**UI name**`, `` `code` ``) and placeholders for our values:
 * {acsUrl}, {entityId}, {metadataUrl}, {sloUrl}, {sharedAcsUrl}, {loginUrl}, and
 * {acsUrlPattern} (the ACS URL as an anchored regular expression, for OneLogin's validator),
 * written bare: a filled-in value is shown as code.
 *
 * @module
 */
import type { AttributePresetName, SpEndpoints } from '../../lib/index.js'

/** The vendors with a guide, in the order they are shown. */
export const IDP_VENDOR_IDS = [
  'okta',
  'entra',
  'google',
  'awsIdentityCenter',
  'keycloak',
  'adfs',
  'onelogin',
  'jumpcloud',
  'pingone',
] as const

/** One vendor's key in {@link IDP_SETUP_GUIDES} (and the demo's `?vendor=` value). */
export type IdpVendorId = (typeof IDP_VENDOR_IDS)[number]

/** Our values a guide can name, as `{name}` placeholders. */
export type SpValueName = keyof SpValues

/** The values the placeholders stand for. */
export interface SpValues {
  acsUrl: string
  entityId: string
  metadataUrl: string
  sloUrl: string
  sharedAcsUrl: string
  loginUrl: string
  /** `^` + the ACS URL with regular-expression characters escaped + `$`. */
  acsUrlPattern: string
}

/** One field of the vendor's form and what to type into it. */
export interface VendorField {
  /** The field's label as the vendor's console shows it. */
  field: string
  /** What goes in: a placeholder such as {acsUrl}, or a choice (`**EmailAddress**`). */
  value: string
}

/** One attribute (claim) to add at the IdP: the name to give it and the IdP value it carries. */
export interface VendorAttribute {
  /** The attribute's name in the assertion (what the attribute map looks for). */
  name: string
  /** What the vendor fills it from, in the vendor's words. */
  source: string
}

/** One vendor's setup guide. */
export interface IdpSetupGuide {
  id: IdpVendorId
  /** The vendor's product name. */
  name: string
  /** Where the admin works (console name and its address). */
  console: string
  /** What the admin clicks, in order. */
  steps: readonly string[]
  /** Their field → our value. */
  fields: readonly VendorField[]
  /** The NameID format to choose, and why. */
  nameIdFormat: string
  /** Attributes to add (empty when the vendor sends its own by default). */
  attributes: readonly VendorAttribute[]
  /** What the IdP then sends. */
  sends: string
  /** The preset that reads it. */
  preset: AttributePresetName
  /** How the admin hands us their metadata. */
  metadata: string
  /** Single Logout, signing, encryption and other notes. */
  notes: readonly string[]
}

const OKTA: IdpSetupGuide = {
  id: 'okta',
  name: 'Okta',
  console: 'Okta Admin Console (`https://<your-org>-admin.okta.com`)',
  steps: [
    '**Applications** → **Applications** → **Create App Integration**, choose **SAML 2.0**, **Next**.',
    '**General Settings**: give the **App name**, **Next**.',
    '**Configure SAML**: fill in the fields below; keep **Use this for Recipient URL and Destination URL** checked.',
    'Under **Attribute Statements** add the attributes below (**Name format**: Unspecified); under **Group Attribute Statements** add `groups` with a filter such as **Matches regex** `.*`.',
    '**Next**, answer the feedback question, **Finish**.',
    '**Assignments** tab: assign the people or groups who may sign in.',
    '**Sign On** tab: copy the **Metadata URL** and send it to us.',
  ],
  fields: [
    { field: 'Single sign-on URL', value: '{acsUrl}' },
    { field: 'Audience URI (SP Entity ID)', value: '{entityId}' },
    { field: 'Default RelayState', value: 'leave empty' },
    { field: 'Name ID format', value: '**EmailAddress**' },
    { field: 'Application username', value: '**Email**' },
  ],
  nameIdFormat:
    '**EmailAddress**, with **Application username** set to **Email** (or **Persistent** if your users change email addresses).',
  attributes: [
    { name: 'email', source: '`user.email`' },
    { name: 'firstName', source: '`user.firstName`' },
    { name: 'lastName', source: '`user.lastName`' },
    { name: 'login', source: '`user.login`' },
    { name: 'groups', source: 'Group Attribute Statement, filter **Matches regex** `.*`' },
  ],
  sends:
    'The NameID (the email) and exactly the attribute statements above, under the names typed; nothing else by default.',
  preset: 'okta',
  metadata:
    '**Sign On** tab → **Metadata URL** (`https://<your-org>.okta.com/app/<app-id>/sso/saml/metadata`); the same page offers the XML.',
  notes: [
    'Okta signs the Response and the Assertion with SHA-256 by default (**Show Advanced Settings** → **Response** / **Assertion Signature**).',
    'Single Logout: **Show Advanced Settings** → **Enable Single Logout**, **Single Logout URL** {sloUrl}, **SP Issuer** {entityId}, and upload our signing certificate (from {metadataUrl}) as **Signature Certificate**.',
    'Encryption: **Assertion Encryption** → **Encrypted**, upload our encryption certificate from {metadataUrl}.',
  ],
}

const ENTRA: IdpSetupGuide = {
  id: 'entra',
  name: 'Microsoft Entra ID',
  console: 'Microsoft Entra admin center (`https://entra.microsoft.com`)',
  steps: [
    '**Entra ID** → **Enterprise apps** (on older menus **Identity** → **Applications** → **Enterprise applications**) → **New application** → **Create your own application**.',
    'Name it, choose **Integrate any other application you don’t find in the gallery (Non-gallery)**, **Create**.',
    '**Single sign-on** → **SAML**. Either **Upload metadata file** with our SP metadata from {metadataUrl}, or **Basic SAML Configuration** → **Edit** and fill in the fields below; **Save**.',
    '**Attributes & Claims**: the default claims are what we read; to send groups, **Add a group claim** (e.g. **Groups assigned to the application**).',
    '**Users and groups** → **Add user/group**: assign who may sign in.',
    '**SAML Certificates**: copy the **App Federation Metadata Url** and send it to us.',
  ],
  fields: [
    { field: 'Identifier (Entity ID)', value: '{entityId}' },
    { field: 'Reply URL (Assertion Consumer Service URL)', value: '{acsUrl}' },
    { field: 'Sign on URL', value: '{loginUrl}' },
    { field: 'Relay State', value: 'leave empty' },
    { field: 'Logout Url', value: '{sloUrl}' },
  ],
  nameIdFormat:
    'Keep **Unique User Identifier (Name ID)** = `user.userprincipalname`, or choose `user.mail` with format **Email address**; **Persistent** with `user.objectid` never changes.',
  attributes: [],
  sends:
    'The default claims, under claim-type URIs: `…/claims/emailaddress` (`user.mail`), `…/claims/givenname`, `…/claims/surname`, `…/claims/name` (the UPN), plus `…/identity/claims/objectidentifier` and `tenantid`; a group claim sends `…/ws/2008/06/identity/claims/groups` with group object ids unless you choose another source attribute.',
  preset: 'entra',
  metadata:
    '**SAML Certificates** → **App Federation Metadata Url** (`https://login.microsoftonline.com/<tenant-id>/federationmetadata/2007-06/federationmetadata.xml?appid=<app-id>`), or **Federation Metadata XML** → **Download**.',
  notes: [
    'Entra signs the assertion with SHA-256 by default (**SAML Certificates** → **Signing Option**).',
    'Users in more than 150 groups get a `groups.link` claim instead of `groups`; the `entra` preset maps it to `groupsLink`.',
    'Encryption: **Token encryption** (under **Security** in the app) → **Import Certificate** with our encryption certificate from {metadataUrl}, then **Activate token encryption certificate**.',
  ],
}

const GOOGLE: IdpSetupGuide = {
  id: 'google',
  name: 'Google Workspace',
  console: 'Google Admin console (`https://admin.google.com`), as a super administrator',
  steps: [
    '**Apps** → **Web and mobile apps** → **Add app** → **Add custom SAML app**.',
    '**App details**: name it, **Continue**.',
    '**Google Identity Provider details**: **Download Metadata** (the IdP metadata XML, to send us), **Continue**.',
    '**Service provider details**: fill in the fields below, **Continue**.',
    '**Attribute mapping**: add the rows below (**Google Directory attributes** → **App attributes**); for groups, under **Group membership (optional)** pick the groups and type `groups` as **App attribute**. **Finish**.',
    'Open the app → **User access**: turn it **ON for everyone** or for the organizational units that may sign in.',
  ],
  fields: [
    { field: 'ACS URL', value: '{acsUrl}' },
    { field: 'Entity ID', value: '{entityId}' },
    { field: 'Start URL', value: 'leave empty' },
    { field: 'Signed response', value: 'leave unchecked (the assertion is signed either way)' },
    { field: 'Name ID format', value: '**EMAIL**' },
    { field: 'Name ID', value: '**Basic Information** → **Primary email**' },
  ],
  nameIdFormat: '**EMAIL**, with **Name ID** = **Basic Information** → **Primary email**.',
  attributes: [
    { name: 'email', source: '**Basic Information** → **Primary email**' },
    { name: 'firstName', source: '**Basic Information** → **First name**' },
    { name: 'lastName', source: '**Basic Information** → **Last name**' },
    { name: 'groups', source: '**Group membership** (the groups chosen, at most 75)' },
  ],
  sends:
    'The NameID (the primary email) and the mapped rows under the **App attribute** names typed; nothing else by default.',
  preset: 'google',
  metadata:
    '**Download Metadata** on the **Google Identity Provider details** step (or later: the app → **Download metadata**). Google offers no metadata URL, so register the XML.',
  notes: [
    'Google Workspace has no Single Logout and does not encrypt assertions.',
    'It signs the assertion (SHA-256); **Signed response** signs the whole response instead.',
  ],
}

const AWS: IdpSetupGuide = {
  id: 'awsIdentityCenter',
  name: 'AWS IAM Identity Center',
  console: 'AWS Management Console → **IAM Identity Center**',
  steps: [
    '**Applications** → **Add application** → **I have an application I want to set up** → **SAML 2.0**, **Next**.',
    '**Configure application**: give the **Display name**; under **IAM Identity Center metadata** copy the **IAM Identity Center SAML metadata file** URL (or download it) to send us.',
    '**Application metadata**: choose **Manually type your metadata values** and fill in the fields below (or **Upload application SAML metadata file** with ours from {metadataUrl}); **Submit**.',
    '**Actions** → **Edit attribute mappings**: set **Subject** and add the rows below, **Save changes**.',
    '**Assign users and groups**: assign who may sign in.',
  ],
  fields: [
    { field: 'Application ACS URL', value: '{acsUrl}' },
    { field: 'Application SAML audience', value: '{entityId}' },
    { field: 'Application start URL', value: '{loginUrl}' },
  ],
  nameIdFormat:
    '**Subject** = `${user:email}`, **Format** **emailAddress** (or `${user:subject}` with **persistent**).',
  attributes: [
    { name: 'email', source: '`${user:email}`, format **unspecified**' },
    { name: 'firstName', source: '`${user:givenName}`' },
    { name: 'lastName', source: '`${user:familyName}`' },
    { name: 'name', source: '`${user:name}`' },
    { name: 'memberOf', source: '`${user:groups}` (group ids, not names)' },
  ],
  sends:
    'The Subject as mapped and the rows of **Edit attribute mappings** under the names typed; `${user:groups}` yields group ids (GUIDs): name them with a `groupsMap`.',
  preset: 'awsIdentityCenter',
  metadata:
    '**IAM Identity Center SAML metadata file**: a URL (`https://portal.sso.<region>.amazonaws.com/saml/metadata/<id>`) or a download.',
  notes: [
    'Custom SAML applications get no Single Logout from IAM Identity Center, and their assertions are signed, not encrypted.',
  ],
}

const KEYCLOAK: IdpSetupGuide = {
  id: 'keycloak',
  name: 'Keycloak',
  console: 'Keycloak admin console (`https://<keycloak>/admin/`), in the realm the users are in',
  steps: [
    '**Clients** → **Import client**, upload our SP metadata from {metadataUrl} (this fills everything below), **Save**; or **Clients** → **Create client**, **Client type** **SAML**, and fill in the fields below.',
    'Client **Settings** → **SAML capabilities**: **Name ID format** below, **Force name ID format** on; **Signature and Encryption**: **Sign assertions** on.',
    '**Keys** tab: **Client signature required** off unless the IdP record has `signAuthnRequests` (then import our signing certificate there).',
    '**Client scopes** tab → `<client-id>-dedicated` → **Add mapper** → **By configuration**: the mappers below.',
  ],
  fields: [
    { field: 'Client ID', value: '{entityId}' },
    { field: 'Valid redirect URIs', value: '{acsUrl}' },
    { field: 'Master SAML Processing URL', value: '{acsUrl}' },
    { field: 'Name ID format', value: '**email**' },
    {
      field: 'Logout Service POST Binding URL (Advanced → Fine Grain SAML Endpoint Configuration)',
      value: '{sloUrl}',
    },
  ],
  nameIdFormat: '**email** with **Force name ID format** on (**persistent** if emails change).',
  attributes: [
    {
      name: 'email',
      source: '**User Property** mapper, **Property** `email`, **SAML Attribute NameFormat** Basic',
    },
    { name: 'firstName', source: '**User Property** mapper, **Property** `firstName`' },
    { name: 'lastName', source: '**User Property** mapper, **Property** `lastName`' },
    { name: 'username', source: '**User Property** mapper, **Property** `username`' },
    { name: 'groups', source: '**Group list** mapper, **Group attribute name** `groups`' },
    { name: 'Role', source: '**Role list** mapper (its default name), **Single Role Attribute** on' },
  ],
  sends:
    'Only what the mappers add, under their **SAML Attribute Name**; the built-in X500 mappers send `urn:oid:` names, which the preset reads too.',
  preset: 'keycloak',
  metadata:
    '**Realm settings** → **Endpoints** → **SAML 2.0 Identity Provider Metadata**: `https://<keycloak>/realms/<realm>/protocol/saml/descriptor`.',
  notes: [
    'Keycloak signs documents (the Response) by default; turn **Sign assertions** on as well, since we require a signed assertion unless the record says otherwise.',
    'Encryption: **Keys** tab → **Encrypt assertions** on, import our encryption certificate from {metadataUrl}.',
  ],
}

const ADFS: IdpSetupGuide = {
  id: 'adfs',
  name: 'AD FS',
  console: 'AD FS Management (on the AD FS server)',
  steps: [
    '**Relying Party Trusts** → **Add Relying Party Trust…** → **Claims aware** → **Start**.',
    '**Import data about the relying party published online or on a local network**, **Federation metadata address (host name or URL)**: {metadataUrl}.',
    '**Display name**, **Access Control Policy** (e.g. **Permit everyone**), **Next**, **Close** with **Configure claims issuance policy for this application** checked.',
    '**Edit Claim Issuance Policy** → **Add Rule…** → **Send LDAP Attributes as Claims**, **Attribute store** **Active Directory**, the rows below.',
    '**Add Rule…** → **Transform an Incoming Claim**: **E-Mail Address** → **Name ID**, **Outgoing name ID format** **Email**.',
  ],
  fields: [
    { field: 'Federation metadata address (host name or URL)', value: '{metadataUrl}' },
    { field: 'Relying party trust identifier (from our metadata)', value: '{entityId}' },
    { field: 'SAML Assertion Consumer Endpoint (from our metadata)', value: '{acsUrl}' },
  ],
  nameIdFormat: '**Email**, by a **Transform an Incoming Claim** rule from **E-Mail Address**.',
  attributes: [
    { name: 'E-Mail Address', source: 'LDAP attribute **E-Mail-Addresses**' },
    { name: 'UPN', source: 'LDAP attribute **User-Principal-Name**' },
    { name: 'Given Name', source: 'LDAP attribute **Given-Name**' },
    { name: 'Surname', source: 'LDAP attribute **Surname**' },
    { name: 'Group', source: 'LDAP attribute **Token-Groups - Unqualified Names**' },
  ],
  sends:
    'Claim-type URIs of those descriptions: `…/claims/emailaddress`, `…/claims/upn`, `…/claims/givenname`, `…/claims/surname`, `http://schemas.xmlsoap.org/claims/Group`.',
  preset: 'adfs',
  metadata:
    '`https://<adfs-host>/FederationMetadata/2007-06/FederationMetadata.xml` (register the URL; AD FS rolls its token-signing certificate).',
  notes: [
    'Importing our metadata also sets our SLO endpoint ({sloUrl}) and our encryption certificate: AD FS then encrypts assertions, which we decrypt.',
    'AD FS signs the assertion with SHA-256 by default; with **Monitor relying party** on it re-reads our metadata when our certificates change.',
  ],
}

const ONELOGIN: IdpSetupGuide = {
  id: 'onelogin',
  name: 'OneLogin',
  console: 'OneLogin admin portal (`https://<subdomain>.onelogin.com/admin`)',
  steps: [
    '**Applications** → **Applications** → **Add App**, search **SAML Custom Connector (Advanced)**, **Save**.',
    '**Configuration** tab: fill in the fields below, **Save**.',
    '**Parameters** tab: **+** for each attribute below, **Include in SAML assertion** checked; for groups pick **User Roles** or **MemberOf** with **Semicolon Delimited input (Multi-value output)**.',
    '**SSO** tab: **SAML Signature Algorithm** **SHA-256**; copy the **Issuer URL** (the metadata URL) to send us.',
    '**Access** or **Users**: give the roles or users who may sign in.',
  ],
  fields: [
    { field: 'Audience (EntityID)', value: '{entityId}' },
    { field: 'Recipient', value: '{acsUrl}' },
    { field: 'ACS (Consumer) URL Validator', value: '{acsUrlPattern}' },
    { field: 'ACS (Consumer) URL', value: '{acsUrl}' },
    { field: 'Single Logout URL', value: '{sloUrl}' },
    { field: 'SAML nameID format', value: '**Email**' },
    { field: 'SAML signature element', value: '**Assertion** (or **Both**)' },
  ],
  nameIdFormat: '**Email**, with **Parameters** → **NameID value** = **Email**.',
  attributes: [
    { name: 'email', source: '**Email**' },
    { name: 'firstName', source: '**First Name**' },
    { name: 'lastName', source: '**Last Name**' },
    { name: 'groups', source: '**User Roles** or **MemberOf**, multi-value output' },
  ],
  sends: 'The NameID and the parameters marked **Include in SAML assertion**, under the names typed.',
  preset: 'oneLogin',
  metadata:
    '**SSO** tab → **Issuer URL** (`https://<subdomain>.onelogin.com/saml/metadata/<id>`), or **More Actions** → **SAML Metadata** to download the XML.',
  notes: [
    '**SAML signature element** **Assertion** or **Both**: we require a signed assertion.',
    'Encryption: **SAML encryption** with our encryption certificate from {metadataUrl}.',
  ],
}

const JUMPCLOUD: IdpSetupGuide = {
  id: 'jumpcloud',
  name: 'JumpCloud',
  console: 'JumpCloud Admin Portal (`https://console.jumpcloud.com`)',
  steps: [
    '**SSO Applications** → **+ Add New Application** → **Custom Application**, **Next**.',
    'Choose **Manage Single Sign-On (SSO)** and **Configure SSO with SAML**, give the **Display Label**, **Save Application**, then **Configure Application**.',
    '**SSO** tab: fill in the fields below.',
    '**Attributes**: under **User Attributes** add the rows below (**Service Provider Attribute Name** → **JumpCloud Attribute Name**); check **Include group attribute** and name it `memberOf`.',
    '**User Groups** tab: bind the groups who may sign in. **Save**.',
    '**Export Metadata** (on the **SSO** tab) to download the IdP metadata XML, and send it to us.',
  ],
  fields: [
    { field: 'IdP Entity ID', value: 'any unique name, e.g. `https://sso.jumpcloud.com/saml2/<app-name>`' },
    { field: 'SP Entity ID', value: '{entityId}' },
    { field: 'ACS URL', value: '{acsUrl}' },
    { field: 'SAMLSubject NameID', value: '**email**' },
    { field: 'SAMLSubject NameID Format', value: '`urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress`' },
    { field: 'Signature Algorithm', value: '**RSA-SHA256**' },
    { field: 'Sign', value: '**Assertion** (or **Response and Assertion**)' },
    { field: 'Login URL', value: '{loginUrl}' },
  ],
  nameIdFormat: '**SAMLSubject NameID** **email**, **SAMLSubject NameID Format** **emailAddress**.',
  attributes: [
    { name: 'email', source: '**email**' },
    { name: 'firstName', source: '**firstname**' },
    { name: 'lastName', source: '**lastname**' },
    { name: 'memberOf', source: '**Include group attribute** (the user’s JumpCloud group names)' },
  ],
  sends:
    'The NameID and the **User Attributes** rows under the names typed, plus `memberOf` when the group attribute is on.',
  preset: 'jumpCloud',
  metadata:
    '**Export Metadata** downloads the XML; JumpCloud publishes no metadata URL for a custom application, so register the XML.',
  notes: ['Sign **Assertion** or **Response and Assertion**: we require a signed assertion.'],
}

const PINGONE: IdpSetupGuide = {
  id: 'pingone',
  name: 'PingOne',
  console: 'PingOne admin console, in the environment the users are in',
  steps: [
    '**Applications** → **Applications** (on older consoles **Connections** → **Applications**) → **+** (Add Application), name it, choose **SAML Application**, **Configure**.',
    '**SAML Configuration**: **Import From URL** with {metadataUrl}, or **Manually Enter** the fields below; **Save**.',
    '**Configuration** tab → edit: **Subject NameID Format** below, **Sign** **Assertion**, **SLO Endpoint** below; **Save**.',
    '**Attribute Mappings** tab → edit: keep `saml_subject` = **Email Address**, **+ Add** the rows below; **Save**.',
    '**Access** tab: restrict to groups if needed; turn the application on with its toggle.',
  ],
  fields: [
    { field: 'ACS URLs', value: '{acsUrl}' },
    { field: 'Entity ID', value: '{entityId}' },
    { field: 'SLO Endpoint', value: '{sloUrl}' },
    { field: 'Subject NameID Format', value: '`urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress`' },
  ],
  nameIdFormat: '**emailAddress**, with `saml_subject` mapped to **Email Address**.',
  attributes: [
    { name: 'email', source: '**Email Address**' },
    { name: 'firstName', source: '**Given Name**' },
    { name: 'lastName', source: '**Family Name**' },
    { name: 'groups', source: '**Group Names**' },
  ],
  sends: 'The NameID from `saml_subject` and the **Attribute Mappings** rows under the names typed.',
  preset: 'pingOne',
  metadata:
    '**Configuration** tab → **IDP Metadata URL** (`https://auth.pingone.<region>/<environment-id>/saml20/metadata/<application-id>`), or **Download Metadata**.',
  notes: [
    'Encryption: **Configuration** → **Encryption** with our encryption certificate from {metadataUrl}.',
  ],
}

/** Every vendor's guide, by id. */
export const IDP_SETUP_GUIDES: Readonly<Record<IdpVendorId, IdpSetupGuide>> = {
  okta: OKTA,
  entra: ENTRA,
  google: GOOGLE,
  awsIdentityCenter: AWS,
  keycloak: KEYCLOAK,
  adfs: ADFS,
  onelogin: ONELOGIN,
  jumpcloud: JUMPCLOUD,
  pingone: PINGONE,
}

/** Whether `value` names a vendor with a guide (for the demo's `?vendor=`). */
export function isIdpVendorId(value: unknown): value is IdpVendorId {
  return typeof value === 'string' && (IDP_VENDOR_IDS as readonly string[]).includes(value)
}

/**
 * Our values for one IdP, as the placeholders name them.
 *
 * @example
 * ```ts
 * const values = spValuesFor(strategy.serviceProvider.endpointsFor(record))
 * ```
 */
export function spValuesFor(sp: SpEndpoints): SpValues {
  return {
    acsUrl: sp.acsUrl,
    entityId: sp.entityId,
    metadataUrl: sp.metadataUrl,
    sloUrl: sp.sloUrl,
    sharedAcsUrl: sp.sharedAcsUrl,
    loginUrl: sp.loginUrl,
    acsUrlPattern: `^${sp.acsUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`,
  }
}

const PLACEHOLDER = /\{(acsUrl|entityId|metadataUrl|sloUrl|sharedAcsUrl|loginUrl|acsUrlPattern)\}/g

/**
 * Replaces each `{name}` placeholder of `text` through `fill` (which gets the name and its value).
 *
 * @example
 * ```ts
 * fillPlaceholders('ACS: {acsUrl}', values, (_name, value) => `\`${value}\``)
 * ```
 */
export function fillPlaceholders(
  text: string,
  values: SpValues,
  fill: (name: SpValueName, value: string) => string = (_name, value) => value,
): string {
  return text.replace(PLACEHOLDER, (_match, name: SpValueName) => fill(name, values[name]))
}

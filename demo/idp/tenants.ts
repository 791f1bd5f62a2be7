/**
 * The embedded IdP's two tenants and their test users. They send different attribute names on
 * purpose (Okta-style plain names for Acme, Entra-style claim URIs for Globex), so the attribute map
 * of each IdP record visibly matters.
 *
 * @module
 */
import { presets, type IdpRecordInput } from '../../lib/index.js'

/** One attribute as the IdP sends it. */
export interface IdpUserAttribute {
  name: string
  friendlyName?: string
  values: string[]
}

/** A test user of an embedded IdP tenant. The password is shown on the login page: it is a demo. */
export interface IdpUser {
  username: string
  password: string
  /** NameID sent for this user. */
  nameId: string
  /** Shown on the login page. */
  displayName: string
  attributes: IdpUserAttribute[]
}

/** One tenant (one IdP entity) of the embedded IdP. */
export interface IdpTenant {
  /** Also the IdP record id the demo registers it under. */
  id: string
  displayName: string
  /** Style of the tenant's pages. */
  color: string
  emailDomain: string
  /** Encrypt assertions to the SP's encryption certificate (from its metadata). */
  encryptAssertions: boolean
  /** `saml2p:`/`saml2:` prefixes (Okta) or samlify's default `samlp:`/`saml:`. */
  prefixes: 'saml2' | 'saml'
  nameIdFormat: string
  users: IdpUser[]
  /** How the demo registers this IdP with the app at first start (minus id and metadata). */
  record: Omit<IdpRecordInput, 'id' | 'metadataXml' | 'metadataUrl'>
}

const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
const WS2005 = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/'
const MS_IDENTITY = 'http://schemas.microsoft.com/identity/claims/'
const MS_GROUPS = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups'

/** Entra sends group object ids; the Globex record's groups map turns them into names. */
const GLOBEX_GROUP_IDS = {
  engineering: '6f1c2a9e-3b7d-4e21-9a55-0c8d2b7e41a3',
  sales: 'b2e07d44-91c6-4f3a-8e12-5d6a7c9f0e18',
  admins: '0d9a3f61-7c2e-4b58-a4f9-2e1b6c8d7a05',
} as const

function oktaUser(first: string, last: string, groups: string[], department: string): IdpUser {
  const login = `${first.toLowerCase()}@acme.test`
  return {
    username: login,
    password: `${first.toLowerCase()}-demo`,
    nameId: login,
    displayName: `${first} ${last}`,
    attributes: [
      { name: 'email', values: [login] },
      { name: 'firstName', values: [first] },
      { name: 'lastName', values: [last] },
      { name: 'groups', values: groups },
      { name: 'department', values: [department] },
    ],
  }
}

function entraUser(first: string, last: string, groupIds: string[], roles: string[]): IdpUser {
  const upn = `${first.toLowerCase()}@globex.test`
  return {
    username: upn,
    password: `${first.toLowerCase()}-demo`,
    nameId: upn,
    displayName: `${first} ${last}`,
    attributes: [
      { name: `${MS_IDENTITY}tenantid`, values: ['7d3b9e2c-5a41-4f86-b0c9-1e2f3a4b5c6d'] },
      {
        name: `${MS_IDENTITY}objectidentifier`,
        values: [`${first.length}a6c1f0e-${last.length}2b4-4c6d-8e0f-1a2b3c4d5e6f`],
      },
      { name: `${MS_IDENTITY}displayname`, values: [`${first} ${last}`] },
      { name: `${WS2005}emailaddress`, values: [upn] },
      { name: `${WS2005}givenname`, values: [first] },
      { name: `${WS2005}surname`, values: [last] },
      { name: `${WS2005}name`, values: [upn] },
      { name: MS_GROUPS, values: groupIds },
      { name: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', values: roles },
    ],
  }
}

/** The two tenants registered at first start. */
export const DEMO_TENANTS: readonly IdpTenant[] = [
  {
    id: 'acme',
    displayName: 'Acme (Okta-style)',
    color: '#5b3cc4',
    emailDomain: 'acme.test',
    encryptAssertions: false,
    prefixes: 'saml2',
    nameIdFormat: EMAIL_FORMAT,
    users: [
      oktaUser('Alice', 'Anders', ['Everyone', 'Engineering', 'Admins'], 'R&D'),
      oktaUser('Bob', 'Barker', ['Everyone', 'Sales'], 'Sales'),
    ],
    record: {
      displayName: 'Acme (Okta-style)',
      emailDomains: ['acme.test'],
      allowIdpInitiated: true,
      // The Okta preset plus a field of the app's own: the map decides what the app sees.
      attributeMap: { ...presets.okta, department: 'department' },
      groupsMap: { Engineering: 'engineering', Admins: 'admin', Sales: 'sales' },
    },
  },
  {
    id: 'globex',
    displayName: 'Globex (Entra-style)',
    color: '#0f6cbd',
    emailDomain: 'globex.test',
    encryptAssertions: true,
    prefixes: 'saml',
    nameIdFormat: EMAIL_FORMAT,
    users: [
      entraUser('Carol', 'Chen', [GLOBEX_GROUP_IDS.engineering, GLOBEX_GROUP_IDS.admins], ['App.Admin']),
      entraUser('Dave', 'Diaz', [GLOBEX_GROUP_IDS.sales], ['App.User']),
    ],
    record: {
      displayName: 'Globex (Entra-style)',
      emailDomains: ['globex.test'],
      attributeMap: 'entra',
      groupsMap: {
        [GLOBEX_GROUP_IDS.engineering]: 'engineering',
        [GLOBEX_GROUP_IDS.sales]: 'sales',
        [GLOBEX_GROUP_IDS.admins]: 'admin',
      },
      requireEncryptedAssertions: true,
    },
  },
]

/**
 * The four benchmark inputs of issue #2, signed fresh by the spec suite's TestIdp (samlify templates,
 * xml-crypto signatures, xml-encryption), plus the key-rotation variants.
 *
 * @module
 */
import {
  keys,
  TestIdp,
  type ResponseOptions,
  type TestAttribute,
  type TestResponse,
} from '../../spec/support/test-idp.js'

/** Public origin of the benchmarked SP. */
export const BASE_URL = 'https://sp.bench.test'

/** SP entityID and ACS URL of one IdP record, as the strategy derives them from `BASE_URL`. */
export function spFor(idp: string): { spEntityId: string; acsUrl: string } {
  return { spEntityId: `${BASE_URL}/saml/${idp}/metadata`, acsUrl: `${BASE_URL}/saml/${idp}/acs` }
}

/** Okta-shaped IdP (`saml2:` prefixes, `PrefixList="xs"`). */
export const oktaIdp = new TestIdp({
  entityId: 'http://www.okta.com/exk1benchacme0000000',
  ssoUrl: 'https://acme.okta.test/app/acme_bench_1/exk1benchacme0000000/sso/saml',
  signing: keys.idpAcme,
})

/** Entra-shaped IdP (default namespace, `https://sts.windows.net/<tenant>/`). */
export const ENTRA_TENANT = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
export const entraIdp = new TestIdp({
  entityId: `https://sts.windows.net/${ENTRA_TENANT}/`,
  ssoUrl: `https://login.microsoftonline.com/${ENTRA_TENANT}/saml2`,
  signing: keys.idpGlobex,
})

/** IdPs in the middle of a key rotation, one per record (entityIDs are unique): they sign with their newest key. */
export const rotatingIdps = {
  rotate1: new TestIdp({
    entityId: 'https://idp.rotate1.test/saml',
    ssoUrl: 'https://idp.rotate1.test/sso',
    signing: keys.idpAcmeNext,
  }),
  rotate3: new TestIdp({
    entityId: 'https://idp.rotate3.test/saml',
    ssoUrl: 'https://idp.rotate3.test/sso',
    signing: keys.idpAcmeNext,
  }),
} as const

const UNSPECIFIED = 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified'
const BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic'

/** What an Okta app with a typical attribute statement and group filter sends (about 7 KB in all). */
export const OKTA_ATTRIBUTES: TestAttribute[] = [
  { name: 'firstName', nameFormat: UNSPECIFIED, values: ['Alice'] },
  { name: 'lastName', nameFormat: UNSPECIFIED, values: ['Liddell'] },
  { name: 'email', nameFormat: UNSPECIFIED, values: ['alice.liddell@acme.test'] },
  { name: 'login', nameFormat: UNSPECIFIED, values: ['alice.liddell@acme.test'] },
  { name: 'displayName', nameFormat: UNSPECIFIED, values: ['Alice Liddell'] },
  { name: 'department', nameFormat: BASIC, values: ['Engineering'] },
  { name: 'title', nameFormat: BASIC, values: ['Staff Engineer'] },
  { name: 'employeeNumber', nameFormat: BASIC, values: ['004217'] },
  {
    name: 'groups',
    nameFormat: BASIC,
    values: ['Everyone', 'engineering', 'eng-platform', 'aws-prod-readonly', 'github-acme', 'vpn-users'],
  },
]

const ENTRA_CLAIMS = {
  tenantId: 'http://schemas.microsoft.com/identity/claims/tenantid',
  objectId: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  displayName: 'http://schemas.microsoft.com/identity/claims/displayname',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
  wids: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/wids',
  role: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  identityProvider: 'http://schemas.microsoft.com/identity/claims/identityprovider',
  authnMethods: 'http://schemas.microsoft.com/claims/authnmethodsreferences',
  givenName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  surname: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  emailAddress: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
} as const

/** A deterministic GUID-looking group object id. */
function groupId(i: number): string {
  const hex = (i * 2654435761 + 0x9e3779b9).toString(16).padStart(12, '0').slice(-12)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(1, 4)}-a${hex.slice(5, 8)}-${hex}`
}

/** Entra ID's claims with 150 group object ids (the largest group claim Entra sends in SAML). */
export const ENTRA_ATTRIBUTES: TestAttribute[] = [
  { name: ENTRA_CLAIMS.tenantId, values: [ENTRA_TENANT] },
  { name: ENTRA_CLAIMS.objectId, values: ['5f3a1c1e-7b9d-4c2a-9e8f-1a2b3c4d5e6f'] },
  { name: ENTRA_CLAIMS.displayName, values: ['Alice Liddell'] },
  { name: ENTRA_CLAIMS.groups, values: Array.from({ length: 150 }, (_, i) => groupId(i)) },
  { name: ENTRA_CLAIMS.identityProvider, values: [`https://sts.windows.net/${ENTRA_TENANT}/`] },
  {
    name: ENTRA_CLAIMS.authnMethods,
    values: [
      'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
      'http://schemas.microsoft.com/claims/multipleauthn',
    ],
  },
  {
    name: ENTRA_CLAIMS.wids,
    values: [
      'b79fbf4d-3ef9-4689-8143-76b194e85509',
      '62e90394-69f5-4237-9190-012177145e10',
      'fe930be7-5e62-47db-91af-98c3a49a38b1',
      '88d8e3e3-8f55-4a1e-953a-9b9898b8876b',
      '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
    ],
  },
  {
    name: ENTRA_CLAIMS.role,
    values: Array.from(
      { length: 16 },
      (_, i) => `App.Role.${['Reader', 'Writer', 'Approver', 'Auditor'][i % 4]}.${i}`,
    ),
  },
  { name: ENTRA_CLAIMS.givenName, values: ['Alice'] },
  { name: ENTRA_CLAIMS.surname, values: ['Liddell'] },
  { name: ENTRA_CLAIMS.emailAddress, values: ['alice.liddell@contoso.test'] },
  { name: ENTRA_CLAIMS.name, values: ['alice.liddell@contoso.test'] },
]

/** One benchmark input: how to sign a fresh response of it, and the size the issue states. */
export interface BenchInput {
  /** Row label. */
  readonly label: string
  /** Short key (`okta`, `both`, `entra`, `encrypted`). */
  readonly key: string
  /** IdP record id the response is posted to (`/saml/:idp/acs`). */
  readonly idp: string
  readonly testIdp: TestIdp
  /** Size the issue states, in KB (the generated XML must be within ±20%). */
  readonly statedKb: number
  /** Target speed-up over passport-saml's MultiSamlStrategy. */
  readonly targetRatio: number
  /** Options for `TestIdp#createResponse`, minus the clock and IDs, which vary per response. */
  readonly options: ResponseOptions
}

/** The four inputs of the table. */
export function benchInputs(): BenchInput[] {
  const okta: ResponseOptions = {
    ...spFor('okta'),
    namespaceStyle: 'saml2',
    inclusiveNamespacesPrefixList: 'xs',
    nameId: 'alice.liddell@acme.test',
    attributes: OKTA_ATTRIBUTES,
    signAssertion: true,
  }
  return [
    {
      label: 'Okta-like, assertion signed',
      key: 'okta',
      idp: 'okta',
      testIdp: oktaIdp,
      statedKb: 7,
      targetRatio: 25,
      options: okta,
    },
    {
      label: 'response and assertion signed',
      key: 'both',
      idp: 'okta',
      testIdp: oktaIdp,
      statedKb: 9,
      targetRatio: 25,
      options: { ...okta, signResponse: true },
    },
    {
      label: 'Entra-like, 150 groups',
      key: 'entra',
      idp: 'entra',
      testIdp: entraIdp,
      statedKb: 39,
      targetRatio: 25,
      options: {
        ...spFor('entra'),
        namespaceStyle: 'default',
        nameId: 'alice.liddell@contoso.test',
        nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
        attributes: ENTRA_ATTRIBUTES,
        signAssertion: true,
      },
    },
    {
      label: 'encrypted (RSA-OAEP + AES-256-GCM)',
      key: 'encrypted',
      idp: 'okta',
      testIdp: oktaIdp,
      statedKb: 7,
      targetRatio: 12,
      options: {
        ...okta,
        attributes: OKTA_ATTRIBUTES.slice(0, 1),
        encrypt: { cert: keys.sp.cert, dataAlgorithm: 'aes256-gcm', keyAlgorithm: 'rsa-oaep-mgf1p' },
      },
    },
  ]
}

/** Signs `count` fresh responses of one input, each with its own Response and Assertion ID. */
export async function signPool(
  idp: TestIdp,
  options: ResponseOptions,
  count: number,
  now: Date,
): Promise<TestResponse[]> {
  const pool: TestResponse[] = []
  for (let i = 0; i < count; i++) pool.push(await idp.createResponse({ ...options, now }))
  return pool
}

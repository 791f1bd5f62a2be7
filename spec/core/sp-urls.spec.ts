// The SP's URLs: by template or function in `sp.urls`, per IdP in the record (`spAcsUrl`, …), and
// what follows from them: the AuthnRequest's ACS URL, the SP metadata, the Destination and Recipient
// a response may carry, and the messages of options and records that cannot work.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import { MemoryIdpStore, isSamlError, type IdpRecordInput, type SamlErrorCode } from '../../lib/index.js'
import {
  SamlServiceProvider,
  type SamlHttpRequest,
  type ServiceProviderOptions,
} from '../../lib/entries/core.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { keys, TestIdp } from '../support/test-idp.js'

const BASE = 'https://app.example.test'
const acmeIdp = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  sloUrl: 'https://idp.acme.test/slo',
  signing: keys.idpAcme,
})

const acme = (extra: Partial<IdpRecordInput> = {}): IdpRecordInput => ({
  id: 'acme',
  metadataXml: acmeIdp.metadataXml(),
  allowIdpInitiated: true,
  ...extra,
})

async function serviceProvider(
  sp: Partial<ServiceProviderOptions>,
  ...records: IdpRecordInput[]
): Promise<{ saml: SamlServiceProvider; store: MemoryIdpStore }> {
  const store = new MemoryIdpStore()
  for (const record of records) await store.put(record)
  const saml = new SamlServiceProvider({ store, sp: { baseUrl: BASE, ...sp } })
  return { saml, store }
}

const get = (url: string, idp: string): SamlHttpRequest => ({
  method: 'GET',
  url,
  params: { idp },
  headers: {},
})

/** The ACS and SLO locations an SP metadata document lists. */
function metadataLocations(xml: string): { acs: string[]; slo: string[]; entityId: string } {
  const doc = new DOMParser().parseFromString(xml, 'text/xml')
  const md = 'urn:oasis:names:tc:SAML:2.0:metadata'
  const locations = (name: string) =>
    Array.from(doc.getElementsByTagNameNS(md, name)).map((e) => e.getAttribute('Location') ?? '')
  return {
    acs: locations('AssertionConsumerService'),
    slo: locations('SingleLogoutService'),
    entityId: doc.documentElement!.getAttribute('entityID') ?? '',
  }
}

function throwsTypeError(fn: () => unknown, option: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TypeError, `expected a TypeError, got ${String(err)}`)
    assert.ok(err.message.includes(option), `the message names ${option}: ${err.message}`)
    return true
  })
}

describe('SP URLs', () => {
  it('default to paths under pathPrefix, with the metadata URL as entityID', async () => {
    const { saml, store } = await serviceProvider({ pathPrefix: '/sso' }, acme())
    assert.deepEqual(saml.endpointsFor((await store.get('acme'))!), {
      entityId: `${BASE}/sso/acme/metadata`,
      acsUrl: `${BASE}/sso/acme/acs`,
      sharedAcsUrl: `${BASE}/sso/acs`,
      sloUrl: `${BASE}/sso/acme/slo`,
      metadataUrl: `${BASE}/sso/acme/metadata`,
      loginUrl: `${BASE}/sso/acme/login`,
    })
  })

  it('follow sp.urls: paths on baseUrl, absolute URLs and functions of the IdP id', async () => {
    const { saml, store } = await serviceProvider(
      {
        baseUrl: `${BASE}/app`,
        urls: {
          acs: '/login/callback/{idp}',
          sharedAcs: 'https://sso.example.test/consume',
          slo: (idp) => `/logout/${idp.toUpperCase()}`,
          metadata: 'https://meta.example.test/{idp}.xml',
          login: '/login/{idp}?via=sso',
        },
      },
      acme(),
    )
    assert.deepEqual(saml.endpointsFor((await store.get('acme'))!), {
      entityId: 'https://meta.example.test/acme.xml', // the metadata URL, moved with it
      acsUrl: `${BASE}/app/login/callback/acme`,
      sharedAcsUrl: 'https://sso.example.test/consume',
      sloUrl: `${BASE}/app/logout/ACME`,
      metadataUrl: 'https://meta.example.test/acme.xml',
      loginUrl: `${BASE}/app/login/acme?via=sso`,
    })
  })

  it("a record's own URLs win over sp.urls, in endpoints, SP metadata and the AuthnRequest", async () => {
    const { saml, store } = await serviceProvider(
      { urls: { acs: '/login/callback/{idp}' }, entityId: (idp) => `${BASE}/sp/${idp}` },
      acme({
        spAcsUrl: 'https://old.example.test/sso/acme/consume',
        spSloUrl: 'https://old.example.test/sso/acme/logout',
        spMetadataUrl: 'https://old.example.test/sso/acme/metadata.xml',
        spLoginUrl: 'https://old.example.test/login/acme',
        spEntityId: 'https://old.example.test/sp',
      }),
    )
    const record = (await store.get('acme'))!
    assert.deepEqual(saml.endpointsFor(record), {
      entityId: 'https://old.example.test/sp',
      acsUrl: 'https://old.example.test/sso/acme/consume',
      sharedAcsUrl: `${BASE}/saml/acs`,
      sloUrl: 'https://old.example.test/sso/acme/logout',
      metadataUrl: 'https://old.example.test/sso/acme/metadata.xml',
      loginUrl: 'https://old.example.test/login/acme',
    })
    assert.deepEqual(metadataLocations(saml.metadataFor(record)), {
      entityId: 'https://old.example.test/sp',
      acs: ['https://old.example.test/sso/acme/consume'],
      slo: ['https://old.example.test/sso/acme/logout', 'https://old.example.test/sso/acme/logout'],
    })
    const login = await saml.login(get('/saml/acme/login', 'acme'))
    assert.equal(login.type, 'redirect')
    const sent = readRedirectAuthnRequest(login.type === 'redirect' ? login.location : '')
    assert.equal(sent.acsUrl, 'https://old.example.test/sso/acme/consume')
    assert.equal(sent.issuer, 'https://old.example.test/sp')
  })

  it("accepts a response addressed to the record's ACS, the template's, or the shared one; no other", async () => {
    const { saml } = await serviceProvider(
      { urls: { acs: '/login/callback/{idp}', sharedAcs: '/login/callback' } },
      acme({
        spAcsUrl: 'https://old.example.test/sso/acme/consume',
        spEntityId: 'https://old.example.test/sp',
      }),
    )
    const post = async (acsUrl: string): Promise<{ type: string; code?: SamlErrorCode }> => {
      const response = await acmeIdp.createResponse({ spEntityId: 'https://old.example.test/sp', acsUrl })
      const outcome = await saml.acs(
        {
          method: 'POST',
          url: '/login/callback/acme',
          params: { idp: 'acme' },
          headers: {},
          body: { SAMLResponse: response.base64 },
        },
        async (profile) => ({ user: { id: profile.nameID } }),
      )
      return outcome.type === 'error' && isSamlError(outcome.error)
        ? { type: outcome.type, code: outcome.error.code }
        : { type: outcome.type }
    }
    assert.deepEqual(await post('https://old.example.test/sso/acme/consume'), { type: 'accepted' })
    assert.deepEqual(await post(`${BASE}/login/callback/acme`), { type: 'accepted' })
    assert.deepEqual(await post(`${BASE}/login/callback`), { type: 'accepted' })
    assert.deepEqual(await post(`${BASE}/login/callback/globex`), {
      type: 'error',
      code: 'ERR_SAML_DESTINATION_MISMATCH',
    })
    assert.deepEqual(await post(`${BASE}/saml/acme/acs`), {
      type: 'error',
      code: 'ERR_SAML_DESTINATION_MISMATCH',
    })
  })

  it('refuses templates that cannot work, up front, with a TypeError that says what to write', () => {
    const store = new MemoryIdpStore()
    const make = (urls: unknown) =>
      new SamlServiceProvider({ store, sp: { baseUrl: BASE, urls: urls as ServiceProviderOptions['urls'] } })
    throwsTypeError(() => make({ acs: '/login/callback' }), '"options.sp.urls.acs" must contain "{idp}"')
    throwsTypeError(() => make({ acs: '/login/callback' }), 'options.sp.urls.sharedAcs')
    throwsTypeError(() => make({ slo: '/logout/{tenant}' }), 'unknown placeholder {tenant}')
    throwsTypeError(() => make({ acs: '//evil.example/{idp}' }), '"options.sp.urls.acs"')
    throwsTypeError(() => make({ acs: 'login/{idp}' }), '"options.sp.urls.acs"')
    throwsTypeError(() => make({ metadata: 'ftp://files.example.test/{idp}' }), '"options.sp.urls.metadata"')
    throwsTypeError(() => make({ login: '/login/{idp}#top' }), '"options.sp.urls.login"')
    throwsTypeError(() => make({ acs: 'https://user:pw@app.example.test/{idp}' }), '"options.sp.urls.acs"')
    throwsTypeError(() => make({ sharedAcs: '/acs/{idp}' }), '"options.sp.urls.sharedAcs"')
    throwsTypeError(() => make({ callback: '/acs/{idp}' }), 'unknown key "callback"')
    throwsTypeError(() => make({ acs: 42 }), '"options.sp.urls.acs"')
    throwsTypeError(() => make('/acs/{idp}'), '"options.sp.urls"')
  })

  it('a function that gives no URL for an IdP makes that IdP unusable (ERR_SAML_IDP_UNUSABLE)', async () => {
    const { saml, store } = await serviceProvider(
      { urls: { acs: (idp) => (idp === 'acme' ? 'not a url' : `/acs/${idp}`) } },
      acme(),
    )
    const login = await saml.login(get('/saml/acme/login', 'acme'))
    assert.equal(login.type, 'error')
    assert.equal(
      login.type === 'error' && isSamlError(login.error) && login.error.code,
      'ERR_SAML_IDP_UNUSABLE',
    )
    const record = (await store.get('acme'))!
    assert.throws(
      () => saml.endpointsFor(record),
      (err: unknown) => isSamlError(err) && err.code === 'ERR_SAML_IDP_UNUSABLE',
    )
  })

  it('record URLs are validated like every URL field (ERR_SAML_IDP_CONFIG)', async () => {
    const store = new MemoryIdpStore()
    for (const field of ['spAcsUrl', 'spSloUrl', 'spMetadataUrl', 'spLoginUrl']) {
      for (const value of ['/login/callback/acme', 'javascript:alert(1)', 42]) {
        await assert.rejects(
          store.put(acme({ [field]: value } as Partial<IdpRecordInput>)),
          (err: unknown) => {
            assert.ok(isSamlError(err))
            assert.equal(err.code, 'ERR_SAML_IDP_CONFIG')
            assert.ok(err.message.includes(field), err.message)
            return true
          },
        )
      }
    }
  })
})

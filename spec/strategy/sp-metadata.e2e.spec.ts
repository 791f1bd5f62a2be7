// SP metadata that describes the SP (`sp.metadata`), served by the router: Organization,
// ContactPersons and an AttributeConsumingService that pysaml2's metadata classes read back, valid
// against the OASIS schema; validUntil and cacheDuration from the strategy's clock, refreshed as
// validUntil nears; an enveloped signature that xmlsec1 verifies with the SP certificate and that
// breaks when the document is changed. Bad settings are refused when the strategy is built.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { MemoryIdpStore, MultiIdpSamlStrategy, type SpMetadataSettings } from '../../lib/index.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { keys } from '../support/test-idp.js'
import { xmlsec1Verifies } from '../support/xmlsec1-signer.js'
import { acme } from '../support/tenant-idps.js'

const PYTHON = '/usr/bin/python3'
const SCRIPT = new URL('../support/pysaml2_check.py', import.meta.url).pathname
const ENTITY_DESCRIPTOR = 'urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor' as const
const DAY = 24 * 3600 * 1000
const MAIL = 'urn:oid:0.9.2342.19200300.100.1.3'

const settings: SpMetadataSettings = {
  organization: { name: 'Acme & Co', displayName: 'Acme', url: 'https://acme.test' },
  contacts: [
    { type: 'technical', givenName: 'Ann', emailAddresses: ['ann@acme.test'] },
    { type: 'support', emailAddresses: ['mailto:help@acme.test'], telephoneNumbers: ['+1 555 0100'] },
  ],
  requestedAttributes: {
    serviceName: 'Acme app',
    attributes: [
      { name: MAIL, friendlyName: 'mail', isRequired: true },
      { name: 'urn:oid:2.5.4.42', friendlyName: 'givenName' },
    ],
  },
  validForMs: 7 * DAY,
  cacheDurationMs: 6 * 3600 * 1000,
  sign: true,
}

function pysaml2<T>(command: object): T {
  return JSON.parse(execFileSync(PYTHON, [SCRIPT], { input: JSON.stringify(command), encoding: 'utf8' })) as T
}

describe('SP metadata with sp.metadata', () => {
  let app: TestApp
  let now = Date.parse('2026-12-06T12:00:00.000Z')

  before(async () => {
    app = await startTestApp({ strategy: { clock: () => now, sp: { metadata: settings } } })
    await app.store.put({
      id: 'acme',
      entityId: acme.entityId,
      ssoUrl: acme.ssoUrl,
      signingCerts: [keys.idpAcme.cert],
    })
  })
  after(() => app.close())

  async function metadata(): Promise<string> {
    const res = await new TestBrowser().get(`${app.baseUrl}/saml/acme/metadata`)
    assert.equal(res.status, 200)
    return res.text()
  }

  it('pysaml2 reads the organization, contacts and requested attributes; the schema holds', async () => {
    const xml = await metadata()
    const { entity } = pysaml2<{ entity: Record<string, unknown> }>({ op: 'spmeta', xml })
    assert.deepEqual(entity, {
      entity_id: `${app.baseUrl}/saml/acme/metadata`,
      valid_until: new Date(now + 7 * DAY).toISOString(),
      cache_duration: 'PT21600S',
      organization: { name: ['Acme & Co'], display_name: ['Acme'], url: ['https://acme.test'] },
      contacts: [
        { type: 'technical', given_name: 'Ann', emails: ['mailto:ann@acme.test'], phones: [] },
        { type: 'support', given_name: null, emails: ['mailto:help@acme.test'], phones: ['+1 555 0100'] },
      ],
      requested_attributes: [
        {
          index: '0',
          service_name: ['Acme app'],
          attributes: [
            { name: MAIL, friendly_name: 'mail', is_required: 'true' },
            { name: 'urn:oid:2.5.4.42', friendly_name: 'givenName', is_required: null },
          ],
        },
      ],
      signed: true,
    })
    const { results } = pysaml2<{ results: Array<{ error: string | null }> }>({
      op: 'schema',
      docs: [{ name: 'SP metadata', xml }],
    })
    assert.deepEqual(
      results.map((r) => r.error),
      [null],
    )
  })

  it('is signed: xmlsec1 verifies it with the SP certificate, and not once it is changed', async () => {
    const xml = await metadata()
    assert.ok(xmlsec1Verifies(xml, keys.sp.cert, ENTITY_DESCRIPTOR))
    assert.equal(xmlsec1Verifies(xml, keys.attacker.cert, ENTITY_DESCRIPTOR), false)
    assert.equal(
      xmlsec1Verifies(xml.replace('Acme &amp; Co', 'Evil Corp'), keys.sp.cert, ENTITY_DESCRIPTOR),
      false,
    )
  })

  it('keeps one copy until half its validity has passed, then a fresh validUntil', async () => {
    const first = await metadata()
    const start = now
    now = start + 3 * DAY
    assert.equal(await metadata(), first, 'the same copy within half the validity')
    now = start + 4 * DAY
    const fresh = await metadata()
    assert.match(fresh, new RegExp(`validUntil="${new Date(start + 11 * DAY).toISOString()}"`))
    assert.ok(xmlsec1Verifies(fresh, keys.sp.cert, ENTITY_DESCRIPTOR))
  })

  const refused: Array<[string, unknown, RegExp]> = [
    ['an unknown field', { contact: [] }, /"options\.sp\.metadata" has unknown field "contact"/],
    [
      'a contact type SAML has no name for',
      { contacts: [{ type: 'sales' }] },
      /"options\.sp\.metadata\.contacts\[0\]" must be/,
    ],
    [
      'an organization without a URL',
      { organization: { name: 'A', displayName: 'A' } },
      /metadata\.organization\.url/,
    ],
    [
      'no requested attributes',
      { requestedAttributes: { serviceName: 'A', attributes: [] } },
      /metadata\.requestedAttributes/,
    ],
    [
      'a validity of a second',
      { validForMs: 1000 },
      /metadata\.validForMs" must be a whole number of milliseconds from 60000/,
    ],
  ]
  for (const [name, metadataSettings, message] of refused) {
    it(`refuses ${name} when the strategy is built`, () => {
      assert.throws(
        () =>
          new MultiIdpSamlStrategy(
            {
              store: new MemoryIdpStore(),
              sp: { baseUrl: 'https://app.test', metadata: metadataSettings as SpMetadataSettings },
            },
            (profile, done) => done(null, profile),
          ),
        message,
      )
    })
  }

  it('refuses sign without a signing key', () => {
    assert.throws(
      () =>
        new MultiIdpSamlStrategy(
          { store: new MemoryIdpStore(), sp: { baseUrl: 'https://app.test', metadata: { sign: true } } },
          (profile, done) => done(null, profile),
        ),
      /"options\.sp\.metadata\.sign" needs "options\.sp\.signingKey"/,
    )
  })
})

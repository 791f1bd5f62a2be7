// “Lookups” in docs/writing-a-store.md: get by exact id, findByEntityId by exact entityID,
// findByEmailDomain case-insensitively; unknown keys give undefined.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { ConformanceHarness } from './harness.js'
import { idpMetadataXml, manualInput, scope } from './fixtures.js'

/** Registers the lookup tests (under "reads"): on any store, read-only ones included. */
export function registerLookupTests({ withStore }: ConformanceHarness): void {
  it('get returns the stored record, normalized, and undefined for an unknown id', async () => {
    const s = scope()
    const input = manualInput(s.id(), s.entityId(), { emailDomains: [s.domain()] })
    await withStore(
      async (store) => {
        const got = await store.get(s.id())
        assert.ok(got)
        assert.equal(got.id, s.id())
        assert.equal(got.entityId, s.entityId())
        assert.deepEqual(got.ssoUrls, { redirect: `https://idp.example.test/${s.id()}/sso` })
        assert.equal(got.signingCerts.length, 1)
        assert.match(got.signingCerts[0]!, /^-----BEGIN CERTIFICATE-----\n/)
        assert.equal(got.wantAssertionsSigned, true)
        assert.equal(got.allowIdpInitiated, false)
        assert.equal(got.authnRequestBinding, 'redirect')
        assert.ok(Number.isInteger(got.version) && got.version >= 1)
        assert.ok(!Number.isNaN(Date.parse(got.updatedAt)), 'updatedAt is an ISO-8601 date')
        assert.equal(await store.get(s.id('missing')), undefined)
      },
      [input],
    )
  })

  it('findByEntityId finds by exact entityID only', async () => {
    const s = scope()
    await withStore(
      async (store) => {
        assert.equal((await store.findByEntityId(s.entityId()))?.id, s.id())
        assert.equal(await store.findByEntityId(s.entityId('other')), undefined)
        assert.equal(await store.findByEntityId(s.entityId().toUpperCase()), undefined)
      },
      [manualInput(s.id(), s.entityId())],
    )
  })

  it('findByEmailDomain matches case-insensitively on lower-cased, de-duplicated domains', async () => {
    const s = scope()
    const domain = s.domain()
    await withStore(
      async (store) => {
        const rec = await store.get(s.id())
        assert.deepEqual(rec?.emailDomains, [domain, s.domain('second')])
        assert.equal((await store.findByEmailDomain(domain))?.id, s.id())
        assert.equal((await store.findByEmailDomain(domain.toUpperCase()))?.id, s.id())
        assert.equal((await store.findByEmailDomain(s.domain('second')))?.id, s.id())
        assert.equal(await store.findByEmailDomain(s.domain('nobody')), undefined)
      },
      [
        manualInput(s.id(), s.entityId(), {
          emailDomains: [domain.toUpperCase(), ` ${domain} `, s.domain('second')],
        }),
      ],
    )
  })

  it('reads records built from metadata XML', async () => {
    const s = scope()
    const xml = idpMetadataXml(s.entityId())
    await withStore(
      async (store) => {
        const rec = (await store.findByEntityId(s.entityId()))!
        assert.equal(rec.id, s.id())
        assert.deepEqual(rec.ssoUrls, {
          redirect: 'https://idp.example.test/sso/redirect',
          post: 'https://idp.example.test/sso/post',
        })
        assert.deepEqual(rec.sloUrls, { redirect: 'https://idp.example.test/slo' })
        assert.equal(rec.signAuthnRequests, true)
        assert.equal(rec.nameIdFormat, 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress')
        assert.equal(rec.metadataXml, xml)
      },
      [{ id: s.id(), metadataXml: xml }],
    )
  })
}

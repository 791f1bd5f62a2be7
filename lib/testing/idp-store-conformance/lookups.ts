// “Lookups” in docs/writing-a-store.md: get by exact id, findByEntityId by exact entityID,
// findByEmailDomain case-insensitively; unknown keys give undefined.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { ConformanceHarness } from './harness.js'
import { freshNames, idpMetadataXml, manualInput } from './fixtures.js'

/** Registers the lookup tests (under "reads"): on any store, read-only ones included. */
export function registerLookupTests({ withStore }: ConformanceHarness): void {
  it('get returns the stored record, normalized, and undefined for an unknown id', async () => {
    const names = freshNames()
    const input = manualInput(names.id(), names.entityId(), { emailDomains: [names.domain()] })
    await withStore(
      async (store) => {
        const got = await store.get(names.id())
        assert.ok(got)
        assert.equal(got.id, names.id())
        assert.equal(got.entityId, names.entityId())
        assert.deepEqual(got.ssoUrls, { redirect: `https://idp.example.test/${names.id()}/sso` })
        assert.equal(got.signingCerts.length, 1)
        assert.match(got.signingCerts[0]!, /^-----BEGIN CERTIFICATE-----\n/)
        assert.equal(got.wantAssertionsSigned, true)
        assert.equal(got.allowIdpInitiated, false)
        assert.equal(got.authnRequestBinding, 'redirect')
        assert.ok(Number.isInteger(got.version) && got.version >= 1)
        assert.ok(!Number.isNaN(Date.parse(got.updatedAt)), 'updatedAt is an ISO-8601 date')
        assert.equal(await store.get(names.id('missing')), undefined)
      },
      [input],
    )
  })

  it('findByEntityId finds by exact entityID only', async () => {
    const names = freshNames()
    await withStore(
      async (store) => {
        assert.equal((await store.findByEntityId(names.entityId()))?.id, names.id())
        assert.equal(await store.findByEntityId(names.entityId('other')), undefined)
        assert.equal(await store.findByEntityId(names.entityId().toUpperCase()), undefined)
      },
      [manualInput(names.id(), names.entityId())],
    )
  })

  it('findByEmailDomain matches case-insensitively on lower-cased, de-duplicated domains', async () => {
    const names = freshNames()
    const domain = names.domain()
    await withStore(
      async (store) => {
        const rec = await store.get(names.id())
        assert.deepEqual(rec?.emailDomains, [domain, names.domain('second')])
        assert.equal((await store.findByEmailDomain(domain))?.id, names.id())
        assert.equal((await store.findByEmailDomain(domain.toUpperCase()))?.id, names.id())
        assert.equal((await store.findByEmailDomain(names.domain('second')))?.id, names.id())
        assert.equal(await store.findByEmailDomain(names.domain('nobody')), undefined)
      },
      [
        manualInput(names.id(), names.entityId(), {
          emailDomains: [domain.toUpperCase(), ` ${domain} `, names.domain('second')],
        }),
      ],
    )
  })

  it('reads records built from metadata XML', async () => {
    const names = freshNames()
    const xml = idpMetadataXml(names.entityId())
    await withStore(
      async (store) => {
        const rec = (await store.findByEntityId(names.entityId()))!
        assert.equal(rec.id, names.id())
        assert.deepEqual(rec.ssoUrls, {
          redirect: 'https://idp.example.test/sso/redirect',
          post: 'https://idp.example.test/sso/post',
        })
        assert.deepEqual(rec.sloUrls, { redirect: 'https://idp.example.test/slo' })
        assert.equal(rec.signAuthnRequests, true)
        assert.equal(rec.nameIdFormat, 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress')
        assert.equal(rec.metadataXml, xml)
      },
      [{ id: names.id(), metadataXml: xml }],
    )
  })
}

// “Versions” in docs/writing-a-store.md, and the basics of put and delete: what put returns is what
// is stored, versions count up from 1 (again from 1 after a delete), updatedAt moves forward.
import assert from 'node:assert/strict'
import type { IdpRecordInput } from '../../record/record-fields.js'
import type { ConformanceHarness } from './harness.js'
import { CERTS, freshNames, manualInput, sleep } from './fixtures.js'

/** Registers the put/delete tests (under "writes"). */
export function registerWriteTests({ withStore, writeIt }: ConformanceHarness): void {
  writeIt(
    'put returns the stored record and get returns an equal one, every field round-tripped',
    async () => {
      const names = freshNames()
      await withStore(async (store, cleanup) => {
        cleanup.add(names.id())
        const input: IdpRecordInput = {
          id: names.id(),
          displayName: 'Acme Corp — Ünïcödé 🔑',
          entityId: names.entityId(),
          ssoUrls: {
            redirect: 'https://idp.example.test/sso',
            post: 'https://idp.example.test/sso/post',
          },
          sloUrls: { post: 'https://idp.example.test/slo' },
          logoutBinding: 'post',
          signingCerts: [CERTS.acme, CERTS.acmeNext],
          encryptionCerts: [CERTS.globex],
          nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
          emailDomains: [names.domain('a'), names.domain('b')],
          attributeMap: {
            email: {
              from: ['mail', 'urn:oid:0.9.2342.19200300.100.1.3'],
              required: true,
              transform: ['trim', 'lowercase'],
            },
            firstName: ['givenName', 'urn:oid:2.5.4.42'],
            groups: { from: 'memberOf', multi: true },
            lastName: 'sn',
          },
          groupsMap: { 'Domain Admins': 'admin', 'ünïcödé group': 'staff' },
          spEntityId: 'https://sp.example.test/saml/acme',
          spAcsUrl: 'https://sp.example.test/login/callback/acme',
          spSloUrl: 'https://sp.example.test/logout/callback/acme',
          spMetadataUrl: 'https://sp.example.test/sso/acme/metadata.xml',
          spLoginUrl: 'https://sp.example.test/login/acme',
          allowIdpInitiated: true,
          wantAssertionsSigned: false,
          wantResponseSigned: true,
          signAuthnRequests: true,
          authnRequestBinding: 'post',
          forceAuthn: true,
          authnRequestOptions: {
            isPassive: true,
            requestedAuthnContext: {
              classRefs: ['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'],
              comparison: 'minimum',
              enforce: true,
            },
            scoping: { idpList: [{ providerId: 'https://idp.one.test', name: 'One' }], proxyCount: 2 },
            nameIdPolicy: { allowCreate: false, spNameQualifier: 'https://sp.example.test' },
            assertionConsumerServiceIndex: 1,
            attributeConsumingServiceIndex: 0,
            queryParameters: { domain_hint: 'example.test', whr: 'ünïcödé' },
            loginHint: { subject: false, queryParameter: 'login_hint' },
          },
          clockSkewMs: 30_000,
          allowSha1: true,
          requireEncryptedAssertions: true,
          requireAesGcm: true,
          metadataUrl: 'https://idp.example.test/metadata',
        }
        const put = await store.put(input)
        assert.equal(put.version, 1)
        const { version: _v, updatedAt: _u, ...fields } = put
        assert.deepEqual(fields, {
          ...input,
          signingCerts: put.signingCerts,
          encryptionCerts: put.encryptionCerts,
        })
        assert.equal(put.signingCerts.length, 2)
        assert.equal(put.encryptionCerts.length, 1)
        assert.deepStrictEqual(await store.get(names.id()), put)
        assert.deepStrictEqual(await store.findByEntityId(names.entityId()), put)
        assert.deepStrictEqual(await store.findByEmailDomain(names.domain('b')), put)
      })
    },
  )

  writeIt('put increments version and moves updatedAt forward', async () => {
    const names = freshNames()
    await withStore(async (store, cleanup) => {
      cleanup.add(names.id())
      const first = await store.put(manualInput(names.id(), names.entityId()))
      assert.equal(first.version, 1)
      const skew = Math.abs(Date.parse(first.updatedAt) - Date.now())
      assert.ok(skew < 5 * 60_000, `updatedAt ${first.updatedAt} is close to now`)
      await sleep(15)
      const second = await store.put(manualInput(names.id(), names.entityId(), { displayName: 'second' }))
      assert.equal(second.version, 2)
      assert.equal(second.displayName, 'second')
      assert.ok(Date.parse(second.updatedAt) > Date.parse(first.updatedAt), 'updatedAt moved forward')
      const third = await store.put(manualInput(names.id(), names.entityId()))
      assert.equal(third.version, 3)
      assert.equal(third.displayName, undefined)
      assert.equal((await store.get(names.id()))?.version, 3)
      // A record read earlier is a snapshot: later writes do not change it.
      assert.equal(first.version, 1)
      assert.equal(second.displayName, 'second')
    })
  })

  writeIt('delete removes the record and frees its entityID and domains', async () => {
    const names = freshNames()
    await withStore(async (store, cleanup) => {
      cleanup.add(names.id()).add(names.id('next'))
      await store.put(manualInput(names.id(), names.entityId(), { emailDomains: [names.domain()] }))
      assert.equal(await store.delete(names.id()), true)
      assert.equal(await store.delete(names.id()), false)
      assert.equal(await store.delete(names.id('never')), false)
      assert.equal(await store.get(names.id()), undefined)
      assert.equal(await store.findByEntityId(names.entityId()), undefined)
      assert.equal(await store.findByEmailDomain(names.domain()), undefined)
      assert.deepEqual(
        (await store.list({ after: `t${names.tag}` })).filter((r) => r.id.startsWith(`t${names.tag}`)),
        [],
      )
      const next = await store.put(
        manualInput(names.id('next'), names.entityId(), { emailDomains: [names.domain()] }),
      )
      assert.equal(next.version, 1)
      // A deleted id starts again at version 1.
      assert.equal((await store.put(manualInput(names.id(), names.entityId('again')))).version, 1)
    })
  })
}

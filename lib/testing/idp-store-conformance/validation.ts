// “Validate on write” in docs/writing-a-store.md: put validates and normalizes with
// normalizeIdpRecord, and invalid input stores nothing.
import assert from 'node:assert/strict'
import type { IdpRecordInput } from '../../record/record-fields.js'
import type { ConformanceHarness } from './harness.js'
import { CERTS, expectCode, freshNames, idpMetadataXml, manualInput } from './fixtures.js'

/** Registers the validate-on-write tests (under "writes"). */
export function registerValidationTests({ withStore, writeIt }: ConformanceHarness): void {
  writeIt('rejects invalid input with ERR_SAML_IDP_CONFIG and stores nothing', async () => {
    const names = freshNames()
    const bad: [string, IdpRecordInput][] = [
      ['bad id', manualInput('-starts-with-dash', names.entityId())],
      [
        'no signing cert',
        { id: names.id('a'), entityId: names.entityId(), ssoUrl: 'https://idp.example.test/sso' },
      ],
      ['garbage cert', manualInput(names.id('b'), names.entityId(), { signingCerts: ['not a certificate'] })],
      ['no SSO URL', { id: names.id('c'), entityId: names.entityId(), signingCerts: [CERTS.acme] }],
      ['javascript: URL', manualInput(names.id('d'), names.entityId(), { ssoUrl: 'javascript:alert(1)' })],
      [
        'email address as domain',
        manualInput(names.id('e'), names.entityId(), { emailDomains: ['alice@acme.com'] }),
      ],
      ['clock skew out of range', manualInput(names.id('f'), names.entityId(), { clockSkewMs: 3_600_000 })],
      [
        '__proto__ field',
        manualInput(names.id('g'), names.entityId(), { attributeMap: JSON.parse('{"__proto__":"mail"}') }),
      ],
    ]
    await withStore(async (store, cleanup) => {
      for (const [label, input] of bad) {
        cleanup.add(input.id)
        await expectCode(store.put(input), 'ERR_SAML_IDP_CONFIG').catch((err: unknown) => {
          throw new Error(`${label}: ${String(err)}`, { cause: err })
        })
        if (typeof input.id === 'string' && /^[A-Za-z0-9]/.test(input.id)) {
          assert.equal(await store.get(input.id), undefined, `${label}: nothing stored`)
        }
      }
      assert.equal(await store.findByEntityId(names.entityId()), undefined)
      // An invalid update leaves the existing record as it was.
      cleanup.add(names.id())
      const ok = await store.put(manualInput(names.id(), names.entityId()))
      await expectCode(
        store.put(manualInput(names.id(), names.entityId(), { signingCerts: ['nope'] })),
        'ERR_SAML_IDP_CONFIG',
      )
      assert.deepStrictEqual(await store.get(names.id()), ok)
    })
  })

  writeIt('put parses metadata XML, and fields given beside it override', async () => {
    const names = freshNames()
    await withStore(async (store, cleanup) => {
      cleanup.add(names.id())
      const xml = idpMetadataXml(names.entityId())
      const rec = await store.put({
        id: names.id(),
        metadataXml: xml,
        signAuthnRequests: false,
        authnRequestBinding: 'post',
      })
      assert.equal(rec.entityId, names.entityId())
      assert.equal(rec.ssoUrls.post, 'https://idp.example.test/sso/post')
      assert.equal(rec.signAuthnRequests, false)
      assert.equal(rec.authnRequestBinding, 'post')
      assert.equal(rec.signingCerts.length, 1)
      assert.equal(rec.metadataXml, xml)
      assert.deepStrictEqual(await store.get(names.id()), rec)
    })
  })
}

// “Immutable results” in docs/writing-a-store.md: returned records are frozen snapshots, and the
// store keeps no reference to the input it was given.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { IdpRecordInput } from '../../record/record-fields.js'
import type { ConformanceHarness } from './harness.js'
import { CERTS, freshNames, manualInput } from './fixtures.js'

/** Registers the frozen-records test (under "reads"). */
export function registerFrozenRecordTests({ withStore }: ConformanceHarness): void {
  it('returns immutable records', async () => {
    const names = freshNames()
    await withStore(
      async (store) => {
        const rec = (await store.get(names.id()))!
        assert.ok(Object.isFrozen(rec), 'record is frozen')
        assert.ok(Object.isFrozen(rec.signingCerts), 'signingCerts is frozen')
        assert.ok(Object.isFrozen(rec.emailDomains), 'emailDomains is frozen')
        assert.ok(Object.isFrozen(rec.ssoUrls), 'ssoUrls is frozen')
        assert.throws(() => {
          ;(rec as { entityId: string }).entityId = 'https://evil.example.test'
        }, TypeError)
        assert.equal((await store.get(names.id()))?.entityId, names.entityId())
      },
      [manualInput(names.id(), names.entityId(), { emailDomains: [names.domain()] })],
    )
  })
}

/** Registers the input-isolation test (under "writes"). */
export function registerInputIsolationTests({ withStore, writeIt }: ConformanceHarness): void {
  writeIt('keeps no reference to the input: mutating it after put changes nothing', async () => {
    const names = freshNames()
    await withStore(async (store, cleanup) => {
      cleanup.add(names.id())
      const signingCerts = [CERTS.acme]
      const emailDomains = [names.domain()]
      const ssoUrls = { redirect: 'https://idp.example.test/sso' }
      const attributeMap = { email: { from: ['mail'] }, name: ['cn'] }
      const groupsMap: Record<string, string> = { a: 'b' }
      const input: IdpRecordInput = {
        id: names.id(),
        entityId: names.entityId(),
        ssoUrls,
        signingCerts,
        emailDomains,
        attributeMap,
        groupsMap,
      }
      const put = await store.put(input)
      signingCerts.push(CERTS.globex)
      emailDomains.push(names.domain('late'))
      ssoUrls.redirect = 'https://evil.example.test/sso'
      attributeMap.email.from.push('evil')
      attributeMap.name.push('evil')
      groupsMap.c = 'd'
      input.entityId = names.entityId('changed')
      const got = (await store.get(names.id()))!
      for (const rec of [put, got]) {
        assert.equal(rec.signingCerts.length, 1)
        assert.deepEqual(rec.emailDomains, [names.domain()])
        assert.equal(rec.ssoUrls.redirect, 'https://idp.example.test/sso')
        assert.deepEqual(rec.attributeMap, { email: { from: ['mail'] }, name: ['cn'] })
        assert.deepEqual(rec.groupsMap, { a: 'b' })
        assert.equal(rec.entityId, names.entityId())
      }
      assert.equal(await store.findByEmailDomain(names.domain('late')), undefined)
    })
  })
}

// “Uniqueness” in docs/writing-a-store.md: an entityID belongs to one record, an email domain to
// one record; a record may keep its own or move to new ones.
import assert from 'node:assert/strict'
import type { ConformanceHarness } from './harness.js'
import { expectCode, manualInput, scope } from './fixtures.js'

/** Registers the uniqueness tests (under "writes"). */
export function registerUniquenessTests({ withStore, writeIt }: ConformanceHarness): void {
  writeIt(
    'put of an existing id may keep its own entityID and email domains, or move to new ones',
    async () => {
      const s = scope()
      await withStore(async (store, cleanup) => {
        cleanup.add(s.id())
        await store.put(manualInput(s.id(), s.entityId(), { emailDomains: [s.domain()] }))
        const same = await store.put(manualInput(s.id(), s.entityId(), { emailDomains: [s.domain()] }))
        assert.equal(same.version, 2)
        const moved = await store.put(
          manualInput(s.id(), s.entityId('new'), { emailDomains: [s.domain('new')] }),
        )
        assert.equal(moved.version, 3)
        assert.equal(await store.findByEntityId(s.entityId()), undefined, 'old entityID released')
        assert.equal(await store.findByEmailDomain(s.domain()), undefined, 'old domain released')
        assert.equal((await store.findByEntityId(s.entityId('new')))?.id, s.id())
        assert.equal((await store.findByEmailDomain(s.domain('new')))?.id, s.id())
        // The released entityID and domain can now be taken by another record.
        cleanup.add(s.id('other'))
        const other = await store.put(
          manualInput(s.id('other'), s.entityId(), { emailDomains: [s.domain()] }),
        )
        assert.equal(other.version, 1)
      })
    },
  )

  writeIt(
    'rejects a second record with the same entityID (ERR_SAML_IDP_CONFLICT), storing nothing',
    async () => {
      const s = scope()
      await withStore(async (store, cleanup) => {
        cleanup.add(s.id('a')).add(s.id('b'))
        const a = await store.put(manualInput(s.id('a'), s.entityId()))
        await expectCode(store.put(manualInput(s.id('b'), s.entityId())), 'ERR_SAML_IDP_CONFLICT')
        assert.equal(await store.get(s.id('b')), undefined)
        assert.deepStrictEqual(await store.findByEntityId(s.entityId()), a)
        // Nor may an existing record move onto a taken entityID.
        await store.put(manualInput(s.id('b'), s.entityId('b')))
        await expectCode(store.put(manualInput(s.id('b'), s.entityId())), 'ERR_SAML_IDP_CONFLICT')
        assert.equal((await store.get(s.id('b')))?.entityId, s.entityId('b'))
        assert.equal((await store.get(s.id('b')))?.version, 1)
      })
    },
  )

  writeIt(
    'rejects a second record with the same email domain, in any case (ERR_SAML_IDP_CONFLICT)',
    async () => {
      const s = scope()
      await withStore(async (store, cleanup) => {
        cleanup.add(s.id('a')).add(s.id('b'))
        const a = await store.put(manualInput(s.id('a'), s.entityId('a'), { emailDomains: [s.domain()] }))
        await expectCode(
          store.put(
            manualInput(s.id('b'), s.entityId('b'), {
              emailDomains: [s.domain('free'), s.domain().toUpperCase()],
            }),
          ),
          'ERR_SAML_IDP_CONFLICT',
        )
        assert.equal(await store.get(s.id('b')), undefined)
        assert.equal(await store.findByEmailDomain(s.domain('free')), undefined, 'no partial write')
        assert.deepStrictEqual(await store.findByEmailDomain(s.domain()), a)
      })
    },
  )
}

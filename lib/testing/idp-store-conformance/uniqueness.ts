// “Uniqueness” in docs/writing-a-store.md: an entityID belongs to one record, an email domain to
// one record; a record may keep its own or move to new ones.
import assert from 'node:assert/strict'
import type { ConformanceHarness } from './harness.js'
import { expectCode, freshNames, manualInput } from './fixtures.js'

/** Registers the uniqueness tests (under "writes"). */
export function registerUniquenessTests({ withStore, writeIt }: ConformanceHarness): void {
  writeIt(
    'put of an existing id may keep its own entityID and email domains, or move to new ones',
    async () => {
      const names = freshNames()
      await withStore(async (store, cleanup) => {
        cleanup.add(names.id())
        await store.put(manualInput(names.id(), names.entityId(), { emailDomains: [names.domain()] }))
        const same = await store.put(
          manualInput(names.id(), names.entityId(), { emailDomains: [names.domain()] }),
        )
        assert.equal(same.version, 2)
        const moved = await store.put(
          manualInput(names.id(), names.entityId('new'), { emailDomains: [names.domain('new')] }),
        )
        assert.equal(moved.version, 3)
        assert.equal(await store.findByEntityId(names.entityId()), undefined, 'old entityID released')
        assert.equal(await store.findByEmailDomain(names.domain()), undefined, 'old domain released')
        assert.equal((await store.findByEntityId(names.entityId('new')))?.id, names.id())
        assert.equal((await store.findByEmailDomain(names.domain('new')))?.id, names.id())
        // The released entityID and domain can now be taken by another record.
        cleanup.add(names.id('other'))
        const other = await store.put(
          manualInput(names.id('other'), names.entityId(), { emailDomains: [names.domain()] }),
        )
        assert.equal(other.version, 1)
      })
    },
  )

  writeIt(
    'rejects a second record with the same entityID (ERR_SAML_IDP_CONFLICT), storing nothing',
    async () => {
      const names = freshNames()
      await withStore(async (store, cleanup) => {
        cleanup.add(names.id('a')).add(names.id('b'))
        const a = await store.put(manualInput(names.id('a'), names.entityId()))
        await expectCode(store.put(manualInput(names.id('b'), names.entityId())), 'ERR_SAML_IDP_CONFLICT')
        assert.equal(await store.get(names.id('b')), undefined)
        assert.deepStrictEqual(await store.findByEntityId(names.entityId()), a)
        // Nor may an existing record move onto a taken entityID.
        await store.put(manualInput(names.id('b'), names.entityId('b')))
        await expectCode(store.put(manualInput(names.id('b'), names.entityId())), 'ERR_SAML_IDP_CONFLICT')
        assert.equal((await store.get(names.id('b')))?.entityId, names.entityId('b'))
        assert.equal((await store.get(names.id('b')))?.version, 1)
      })
    },
  )

  writeIt(
    'rejects a second record with the same email domain, in any case (ERR_SAML_IDP_CONFLICT)',
    async () => {
      const names = freshNames()
      await withStore(async (store, cleanup) => {
        cleanup.add(names.id('a')).add(names.id('b'))
        const a = await store.put(
          manualInput(names.id('a'), names.entityId('a'), { emailDomains: [names.domain()] }),
        )
        await expectCode(
          store.put(
            manualInput(names.id('b'), names.entityId('b'), {
              emailDomains: [names.domain('free'), names.domain().toUpperCase()],
            }),
          ),
          'ERR_SAML_IDP_CONFLICT',
        )
        assert.equal(await store.get(names.id('b')), undefined)
        assert.equal(await store.findByEmailDomain(names.domain('free')), undefined, 'no partial write')
        assert.deepStrictEqual(await store.findByEmailDomain(names.domain()), a)
      })
    },
  )
}

// Batch writes: `putMany` when the adapter has it, `put` one by one when it has not (through
// `putIdpRecords`, as the federation import writes). Either way every input gets put's outcome, in
// order: the valid ones stored and visible to every lookup, the others refused with put's code.
import assert from 'node:assert/strict'
import type { IdpRecordInput } from '../../record/record-fields.js'
import { putIdpRecords } from '../../store/put-idp-records.js'
import type { ConformanceHarness } from './harness.js'
import { freshNames, manualInput } from './fixtures.js'

const codes = (outcomes: { error?: { code: string } | undefined }[]) =>
  outcomes.map((o) => o.error?.code ?? 'ok')

/** Registers the batch-write tests (under "writes"). */
export function registerPutManyTests({ withStore, writeIt }: ConformanceHarness): void {
  writeIt('a batch stores every valid input and refuses the others with the code put gives', async () => {
    const names = freshNames()
    await withStore(async (store, cleanup) => {
      for (const s of ['held', 'a', 'bad', 'c', 'd']) cleanup.add(names.id(s))
      const held = await store.put(
        manualInput(names.id('held'), names.entityId('held'), { emailDomains: [names.domain('held')] }),
      )
      // Looked up first, so a store that caches lookups must drop what the batch changes.
      assert.equal((await store.findByEntityId(names.entityId('held')))?.version, 1)
      const inputs: IdpRecordInput[] = [
        manualInput(names.id('a'), names.entityId('a'), { emailDomains: [names.domain('a')] }),
        manualInput(names.id('bad'), names.entityId('bad'), { ssoUrl: 'not a url' }),
        manualInput(names.id('c'), names.entityId('held')),
        manualInput(names.id('d'), names.entityId('d'), {
          emailDomains: [names.domain('held').toUpperCase()],
        }),
        manualInput(names.id('held'), names.entityId('held'), {
          emailDomains: [names.domain('held'), names.domain('more')],
        }),
        manualInput(names.id('e'), names.entityId('a')),
        manualInput(names.id('a'), names.entityId('a'), {
          displayName: 'A, again',
          emailDomains: [names.domain('a')],
        }),
      ]
      const outcomes = await putIdpRecords(store, inputs)
      assert.deepEqual(codes(outcomes), [
        'ok',
        'ERR_SAML_IDP_CONFIG',
        'ERR_SAML_IDP_CONFLICT',
        'ERR_SAML_IDP_CONFLICT',
        'ok',
        'ERR_SAML_IDP_CONFLICT',
        'ok',
      ])
      assert.equal(outcomes[0]!.record?.version, 1)
      assert.equal(outcomes[4]!.record?.version, held.version + 1)
      assert.equal(outcomes[6]!.record?.version, 2, 'an id written twice counts twice')
      assert.deepStrictEqual(await store.get(names.id('a')), outcomes[6]!.record)
      assert.equal((await store.findByEntityId(names.entityId('a')))?.displayName, 'A, again')
      assert.equal((await store.findByEmailDomain(names.domain('a')))?.id, names.id('a'))
      assert.equal((await store.findByEntityId(names.entityId('held')))?.version, 2)
      assert.equal((await store.findByEmailDomain(names.domain('more')))?.id, names.id('held'))
      for (const refused of ['bad', 'c', 'd', 'e'])
        assert.equal(await store.get(names.id(refused)), undefined)
      const listed = (await store.list()).map((r) => r.id).filter((id) => id.includes(names.tag))
      assert.deepEqual(listed, [names.id('a'), names.id('held')])
    })
  })

  writeIt(
    'an input may take the entityID and email domain an earlier input of the batch released',
    async () => {
      const names = freshNames()
      await withStore(async (store, cleanup) => {
        cleanup.add(names.id('x')).add(names.id('y'))
        await store.put(
          manualInput(names.id('x'), names.entityId('old'), { emailDomains: [names.domain('old')] }),
        )
        const outcomes = await putIdpRecords(store, [
          manualInput(names.id('x'), names.entityId('new'), { emailDomains: [names.domain('new')] }),
          manualInput(names.id('y'), names.entityId('old'), { emailDomains: [names.domain('old')] }),
        ])
        assert.deepEqual(codes(outcomes), ['ok', 'ok'])
        assert.equal((await store.findByEntityId(names.entityId('old')))?.id, names.id('y'))
        assert.equal((await store.findByEmailDomain(names.domain('old')))?.id, names.id('y'))
        assert.equal((await store.findByEntityId(names.entityId('new')))?.id, names.id('x'))
      })
    },
  )

  writeIt('an empty batch, or one refused whole, writes nothing', async () => {
    const names = freshNames()
    await withStore(async (store) => {
      assert.deepEqual(await putIdpRecords(store, []), [])
      const outcomes = await putIdpRecords(store, [
        manualInput(names.id(), names.entityId(), { ssoUrl: 'x' }),
      ])
      assert.deepEqual(codes(outcomes), ['ERR_SAML_IDP_CONFIG'])
      assert.equal(await store.get(names.id()), undefined)
    })
  })

  writeIt('two batches at once, with disjoint ids and entityIDs, both land whole', async () => {
    // The federation import keeps two batches in flight: the next is validated while the store
    // writes the previous one. A store must take overlapping calls whose inputs do not overlap.
    const names = freshNames()
    await withStore(async (store, cleanup) => {
      const ids = Array.from({ length: 8 }, (_, i) => `b${i}`)
      for (const id of ids) cleanup.add(names.id(id))
      const batch = (part: string[]) =>
        putIdpRecords(
          store,
          part.map((id) => manualInput(names.id(id), names.entityId(id))),
        )
      const [first, second] = await Promise.all([batch(ids.slice(0, 4)), batch(ids.slice(4))])
      assert.deepEqual(
        codes([...first, ...second]),
        ids.map(() => 'ok'),
      )
      for (const id of ids) assert.equal((await store.findByEntityId(names.entityId(id)))?.id, names.id(id))
    })
  })
}

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemoryIdpStore, type IdpStore, type ListIdpsOptions } from '../../lib/index.js'
import { listAllRecords } from '../../lib/store/list-all-records.js'
import { keys } from '../support/test-idp.js'

/** A store of `count` records, and the list calls made to it. */
async function storeOf(count: number): Promise<{ store: IdpStore; calls: ListIdpsOptions[] }> {
  const inner = new MemoryIdpStore()
  for (let i = 0; i < count; i++) {
    const id = `idp-${String(i).padStart(3, '0')}`
    await inner.put({
      id,
      entityId: `https://${id}.test/saml`,
      ssoUrl: `https://${id}.test/sso`,
      signingCerts: [keys.idpAcme.cert],
    })
  }
  const calls: ListIdpsOptions[] = []
  const store = Object.assign(Object.create(inner) as IdpStore, {
    list: (options: ListIdpsOptions = {}) => {
      calls.push(options)
      return inner.list(options)
    },
  })
  return { store, calls }
}

const ids = async (records: AsyncIterable<{ id: string }>) => {
  const out: string[] = []
  for await (const r of records) out.push(r.id)
  return out
}

describe('listAllRecords', () => {
  it('yields every record in id order, paging by the last id; a short page ends it', async () => {
    const { store, calls } = await storeOf(7)
    const all = await ids(listAllRecords(store, 3))
    assert.deepEqual(
      all,
      Array.from({ length: 7 }, (_, i) => `idp-00${i}`),
    )
    assert.deepEqual(calls, [{ limit: 3 }, { limit: 3, after: 'idp-002' }, { limit: 3, after: 'idp-005' }])
  })

  it('asks once more after a full last page, and once for an empty store', async () => {
    const six = await storeOf(6)
    assert.equal((await ids(listAllRecords(six.store, 3))).length, 6)
    assert.deepEqual(six.calls.at(-1), { limit: 3, after: 'idp-005' })
    assert.equal(six.calls.length, 3)
    const none = await storeOf(0)
    assert.deepEqual(await ids(listAllRecords(none.store, 3)), [])
    assert.deepEqual(none.calls, [{ limit: 3 }])
  })

  it('stops asking when the consumer stops', async () => {
    const { store, calls } = await storeOf(7)
    for await (const record of listAllRecords(store, 3)) if (record.id === 'idp-001') break
    assert.equal(calls.length, 1)
  })

  it('refuses a page size that would never advance', async () => {
    const { store } = await storeOf(1)
    for (const size of [0, -1, 1.5, Number.NaN])
      await assert.rejects(ids(listAllRecords(store, size)), TypeError, String(size))
  })
})

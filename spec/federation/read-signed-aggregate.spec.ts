import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readSignedAggregate } from '../../lib/federation/read-signed-aggregate.js'
import { compileTrustedKeys } from '../../lib/xmldsig/trusted-keys.js'
import { acme } from '../support/tenant-idps.js'
import { keys } from '../support/test-idp.js'
import { aggregate, signedAggregate } from './federation-fixtures.js'

describe('readSignedAggregate: the root cacheDuration', () => {
  const trust = compileTrustedKeys([keys.idpGlobex.cert], 'fed')
  const read = (cacheDuration: string) =>
    readSignedAggregate([signedAggregate(aggregate([acme.metadataXml()], { cacheDuration }))], trust)

  it('is read as the metadata reader reads it: ms, an odd one ignored, a huge one capped', async () => {
    assert.equal((await read('PT6H')).cacheDurationMs, 6 * 3_600_000)
    assert.equal((await read('P1W')).cacheDurationMs, undefined)
    assert.equal((await read('P99999999999999999999Y')).cacheDurationMs, Number.MAX_SAFE_INTEGER)
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isSamlError } from '../../lib/errors/saml-error.js'
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

describe('readSignedAggregate: the root validUntil', () => {
  const trust = compileTrustedKeys([keys.idpGlobex.cert], 'fed')
  const read = (validUntil: string) =>
    readSignedAggregate([signedAggregate(aggregate([acme.metadataXml()], { validUntil }))], trust)

  it('is an xs:dateTime, read as the metadata reader reads it (no zone is UTC)', async () => {
    assert.equal((await read('2030-01-02T03:04:05Z')).validUntil, Date.UTC(2030, 0, 2, 3, 4, 5))
    assert.equal((await read('2030-01-02T03:04:05+01:00')).validUntil, Date.UTC(2030, 0, 2, 2, 4, 5))
    assert.equal((await read('2030-01-02T03:04:05')).validUntil, Date.UTC(2030, 0, 2, 3, 4, 5))
  })

  it('refuses what Date.parse alone would take: a bare date, RFC 2822 text, an impossible date', async () => {
    for (const validUntil of ['2030-01-02', 'Wed, 02 Jan 2030 03:04:05 GMT', '2030-13-45T00:00:00Z']) {
      await assert.rejects(
        read(validUntil),
        (err: unknown) => isSamlError(err) && /validUntil .* is not an xs:dateTime/.test(err.message),
        validUntil,
      )
    }
  })
})

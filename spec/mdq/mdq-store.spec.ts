// Issue #11 item 5: withMdq fetches one entity's metadata from an MDQ responder on first use, by
// entityID (findByEntityId) or by the id mdqIdpId derives ({sha1} form, get), requires the
// responder's signature (xmlsec1-signed documents served by a real loopback responder), refuses
// expired documents, stores an ordinary record the existing refresher keeps fresh, and bounds what an
// attacker-chosen entityID can cost: the allow rule, remembered misses, one fetch per entity at a
// time, a fixed number at once.
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import {
  MemoryIdpStore,
  mdqIdpId,
  normalizeCertificate,
  SamlError,
  startMetadataRefresh,
  withMdq,
  type IdpStore,
  type MdqLookup,
  type MdqOptions,
} from '../../lib/index.js'
import { startMdqResponder, type MdqResponder } from '../support/mdq-responder.js'
import { withHints } from '../support/metadata-server.js'
import { entitiesDescriptor, signMetadata } from '../support/signed-metadata.js'
import { keys, TestIdp, type KeyPair } from '../support/test-idp.js'

const local = { allowHttp: true, allowPrivateNetwork: true }
/** The responder signs with this key; the wrapper pins its certificate. */
const federation = keys.idpGlobex
const code = (expected: string) => (err: unknown) => err instanceof SamlError && err.code === expected

let serial = 0
/** A test IdP of its own for each test, so no test sees another's requests or records. */
function newEntity(signing: KeyPair = keys.idpAcme): TestIdp {
  const name = `uni-${++serial}`
  return new TestIdp({
    entityId: `https://idp.${name}.test/idp/shibboleth`,
    ssoUrl: `https://idp.${name}.test/sso`,
    signing,
  })
}

const signed = (idp: TestIdp, hints: { validUntil?: number; cacheDuration?: string } = {}) =>
  signMetadata(withHints(idp.metadataXml(), hints), federation)

describe('withMdq: entities from an MDQ responder, on first use', () => {
  let responder: MdqResponder
  before(async () => {
    responder = await startMdqResponder()
  })
  after(() => responder.close())

  const mdq = (inner: IdpStore, options: Partial<MdqOptions> = {}) =>
    withMdq(inner, {
      baseUrl: responder.baseUrl,
      signingCerts: [federation.cert],
      entityIdPrefixes: ['https://idp.'],
      fetch: local,
      ...options,
    })

  it('fetches a signed entity by its percent-encoded entityID and stores a record the refresher can keep fresh', async () => {
    const idp = newEntity()
    responder.answer(idp.entityId, { kind: 'document', xml: signed(idp, { cacheDuration: 'PT1H' }) })
    const inner = new MemoryIdpStore()
    const lookups: MdqLookup[] = []
    const store = mdq(inner, {
      recordFields: { attributeMap: 'eduPerson', allowIdpInitiated: true },
      onLookup: (l) => lookups.push(l),
    })

    const record = await store.findByEntityId(idp.entityId)
    assert.ok(record)
    assert.equal(record.id, mdqIdpId(idp.entityId))
    assert.match(record.id, /^mdq-[0-9a-f]{40}$/)
    assert.equal(record.entityId, idp.entityId)
    assert.equal(record.metadataUrl, `${responder.baseUrl}/entities/${encodeURIComponent(idp.entityId)}`)
    assert.deepEqual(record.metadataSigningCerts, [normalizeCertificate(federation.cert)])
    assert.deepEqual(record.signingCerts, [normalizeCertificate(idp.cert)])
    assert.equal(record.attributeMap, 'eduPerson')
    assert.equal(record.allowIdpInitiated, true)
    // An ordinary record of the inner store, with its fetch status.
    assert.deepEqual(await inner.get(record.id), record)
    const status = await inner.getMetadataStatus(record.id)
    assert.equal(status?.url, record.metadataUrl)
    assert.equal(status?.cacheDurationMs, 3_600_000)
    assert.ok(status?.etag)

    const [request] = responder.requests(idp.entityId)
    assert.equal(request?.path, `/entities/${encodeURIComponent(idp.entityId)}`)
    assert.match(String(request?.headers.accept), /^application\/samlmetadata\+xml\b/)
    assert.deepEqual(lookups, [{ idp: record.id, entityId: idp.entityId, outcome: 'added' }])

    // Known now: read from the store, no second fetch.
    assert.deepEqual(await store.findByEntityId(idp.entityId), record)
    assert.deepEqual(await store.get(record.id), record)
    assert.equal(responder.requests(idp.entityId).length, 1)
  })

  it('get of a derived id fetches the entity by its {sha1} identifier (a discovery link)', async () => {
    const idp = newEntity()
    responder.answer(idp.entityId, { kind: 'document', xml: signed(idp) })
    const inner = new MemoryIdpStore()
    const record = await mdq(inner).get(mdqIdpId(idp.entityId))
    assert.equal(record?.entityId, idp.entityId)
    const [request] = responder.requests(idp.entityId)
    assert.match(request!.path, /^\/entities\/%7Bsha1%7D[0-9a-f]{40}$/)
    // It refreshes from the URL that names the entity.
    assert.equal(record?.metadataUrl, `${responder.baseUrl}/entities/${encodeURIComponent(idp.entityId)}`)
    // Other ids are the inner store's alone.
    assert.equal(await mdq(inner).get('acme'), undefined)
    assert.equal(await mdq(inner).get(`mdq-${'0'.repeat(39)}`), undefined)
    assert.deepEqual(
      responder.unknownRequests().filter((p) => p.includes('0'.repeat(39))),
      [],
    )
  })

  it('a derived id whose entity the allow rule refuses is not stored', async () => {
    const idp = newEntity()
    responder.answer(idp.entityId, { kind: 'document', xml: signed(idp) })
    const inner = new MemoryIdpStore()
    const store = mdq(inner, { entityIdPrefixes: ['https://elsewhere.test/'] })
    assert.equal(await store.get(mdqIdpId(idp.entityId)), undefined)
    assert.equal(responder.requests(idp.entityId).length, 1)
    assert.deepEqual(await inner.list(), [])
    // Remembered as a miss.
    assert.equal(await store.get(mdqIdpId(idp.entityId)), undefined)
    assert.equal(responder.requests(idp.entityId).length, 1)
  })

  it('registrationAuthorities: only entities registered by those federations are stored', async () => {
    const registered = (idp: TestIdp, authority: string) =>
      signMetadata(
        idp
          .metadataXml()
          .replace(
            '<IDPSSODescriptor',
            `<Extensions><mdrpi:RegistrationInfo xmlns:mdrpi="urn:oasis:names:tc:SAML:metadata:rpi" registrationAuthority="${authority}"/></Extensions><IDPSSODescriptor`,
          ),
        federation,
      )
    const [ours, theirs, silent, aggregated] = [newEntity(), newEntity(), newEntity(), newEntity()]
    // The authority may also be said once for every entity of an EntitiesDescriptor.
    const aggregate = signMetadata(
      entitiesDescriptor(aggregated!.metadataXml()).replace(
        /(<EntitiesDescriptor[^>]*>)/,
        '$1<Extensions><mdrpi:RegistrationInfo xmlns:mdrpi="urn:oasis:names:tc:SAML:metadata:rpi" registrationAuthority="https://federation-a.test"/></Extensions>',
      ),
      federation,
    )
    responder.answer(aggregated!.entityId, { kind: 'document', xml: aggregate })
    responder.answer(ours!.entityId, {
      kind: 'document',
      xml: registered(ours!, 'https://federation-a.test'),
    })
    responder.answer(theirs!.entityId, {
      kind: 'document',
      xml: registered(theirs!, 'https://federation-b.test'),
    })
    responder.answer(silent!.entityId, { kind: 'document', xml: signed(silent!) })
    const inner = new MemoryIdpStore()
    const lookups: MdqLookup[] = []
    const store = mdq(inner, {
      registrationAuthorities: ['https://federation-a.test'],
      onLookup: (l) => lookups.push(l),
    })
    assert.equal((await store.findByEntityId(ours!.entityId))?.entityId, ours!.entityId)
    assert.equal(await store.findByEntityId(theirs!.entityId), undefined)
    assert.equal(await store.get(mdqIdpId(silent!.entityId)), undefined)
    assert.equal((await store.get(mdqIdpId(aggregated!.entityId)))?.entityId, aggregated!.entityId)
    assert.deepEqual(
      (await inner.list()).map((r) => r.entityId).sort(),
      [ours!.entityId, aggregated!.entityId].sort(),
    )
    assert.deepEqual(
      lookups.map((l) => [l.entityId, l.outcome]),
      [
        [ours!.entityId, 'added'],
        [theirs!.entityId, 'not-found'],
        [silent!.entityId, 'not-found'],
        [aggregated!.entityId, 'added'],
      ],
    )
  })

  const refused: [string, (idp: TestIdp) => string, string][] = [
    ['unsigned', (idp) => idp.metadataXml(), 'ERR_SAML_METADATA_SIGNATURE'],
    [
      'tampered after signing',
      (idp) => signed(idp).replace(`Location="${idp.ssoUrl}"`, 'Location="https://evil.test/sso"'),
      'ERR_SAML_METADATA_SIGNATURE',
    ],
    [
      'signed by another key',
      (idp) => signMetadata(idp.metadataXml(), keys.attacker),
      'ERR_SAML_METADATA_SIGNATURE',
    ],
    [
      'expired (validUntil in the past)',
      (idp) => signed(idp, { validUntil: Date.now() - 60_000 }),
      'ERR_SAML_METADATA_EXPIRED',
    ],
    ['another entity than asked for', () => signed(newEntity()), 'ERR_SAML_METADATA_INVALID'],
  ]
  for (const [what, document, expected] of refused) {
    it(`refuses a document ${what} (${expected}), stores nothing and remembers the refusal`, async () => {
      const idp = newEntity()
      const xml = document(idp)
      if (what === 'tampered after signing') assert.notEqual(xml, signed(idp))
      responder.answer(idp.entityId, { kind: 'document', xml })
      const inner = new MemoryIdpStore()
      const lookups: MdqLookup[] = []
      const store = mdq(inner, { onLookup: (l) => lookups.push(l) })
      await assert.rejects(store.findByEntityId(idp.entityId), code(expected))
      assert.deepEqual(await inner.list(), [])
      assert.deepEqual(
        lookups.map((l) => [l.outcome, (l.error as SamlError).code]),
        [['failed', expected]],
      )
      // Within the negative TTL: the same refusal, no second fetch.
      await assert.rejects(store.findByEntityId(idp.entityId), code(expected))
      await assert.rejects(store.get(mdqIdpId(idp.entityId)), code(expected))
      assert.equal(responder.requests(idp.entityId).length, 1)
    })
  }

  it('an entity the responder does not know (404) is no IdP, and costs one fetch per negative TTL', async () => {
    let now = Date.parse('2026-12-01T00:00:00.000Z')
    const entityId = `https://idp.unknown-${++serial}.test/idp`
    const path = `/entities/${encodeURIComponent(entityId)}`
    const store = mdq(new MemoryIdpStore(), { negativeTtlMs: 60_000, clock: () => now })
    const fetches = () => responder.unknownRequests().filter((p) => p === path).length
    assert.equal(await store.findByEntityId(entityId), undefined)
    assert.equal(await store.findByEntityId(entityId), undefined)
    assert.equal(await store.get(mdqIdpId(entityId)), undefined)
    assert.equal(fetches(), 1)
    now += 59_999
    assert.equal(await store.findByEntityId(entityId), undefined)
    assert.equal(fetches(), 1)
    now += 1
    assert.equal(await store.findByEntityId(entityId), undefined)
    assert.equal(fetches(), 2)
  })

  it('an entity published after a miss is found once the miss has run out', async () => {
    let now = Date.parse('2026-12-01T00:00:00.000Z')
    const idp = newEntity()
    const store = mdq(new MemoryIdpStore(), { negativeTtlMs: 1000, clock: () => now })
    assert.equal(await store.findByEntityId(idp.entityId), undefined)
    responder.answer(idp.entityId, { kind: 'document', xml: signed(idp) })
    assert.equal(await store.findByEntityId(idp.entityId), undefined)
    now += 1000
    assert.equal((await store.findByEntityId(idp.entityId))?.entityId, idp.entityId)
  })

  it('remembers at most negativeCacheSize misses, the oldest dropped first', async () => {
    const ids = [1, 2, 3].map((n) => `https://idp.gone-${++serial}-${n}.test/idp`)
    const store = mdq(new MemoryIdpStore(), { negativeCacheSize: 2 })
    for (const id of ids) assert.equal(await store.findByEntityId(id), undefined)
    const fetchesOf = (id: string) =>
      responder.unknownRequests().filter((p) => p === `/entities/${encodeURIComponent(id)}`).length
    // The two newest are remembered; the first was dropped and costs a fetch again.
    await store.findByEntityId(ids[2]!)
    await store.findByEntityId(ids[1]!)
    assert.deepEqual(ids.map(fetchesOf), [1, 1, 1])
    await store.findByEntityId(ids[0]!)
    assert.deepEqual(ids.map(fetchesOf), [2, 1, 1])
  })

  it('entityIDs the allow rule refuses are never fetched', async () => {
    const before = responder.unknownRequests().length
    const store = mdq(new MemoryIdpStore(), {
      entityIdPrefixes: ['https://idp.'],
      filter: (entityId) => !entityId.includes('blocked'),
    })
    for (const entityId of [
      'urn:attacker:chosen',
      'https://attacker.test/idp',
      'https://idp.blocked.test/idp',
      '',
      `https://idp.${'x'.repeat(1100)}.test/`,
    ])
      assert.equal(await store.findByEntityId(entityId), undefined)
    const throwing = mdq(new MemoryIdpStore(), {
      filter: () => {
        throw new Error('bug in a filter')
      },
    })
    assert.equal(await throwing.findByEntityId('https://idp.any.test/idp'), undefined)
    assert.equal(responder.unknownRequests().length, before)
  })

  it('N concurrent first uses of one entity make one fetch', async () => {
    const idp = newEntity()
    responder.answer(idp.entityId, { kind: 'hang', then: { kind: 'document', xml: signed(idp) } })
    const store = mdq(new MemoryIdpStore())
    const lookups = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0 ? store.findByEntityId(idp.entityId) : store.get(mdqIdpId(idp.entityId)),
    )
    await responder.held()
    responder.release()
    const records = await Promise.all(lookups)
    assert.ok(records.every((r) => r !== undefined && r.version === records[0]!.version))
    assert.equal(responder.requests(idp.entityId).length, 1)
  })

  it('fetches at most `concurrency` entities at once, and refuses lookups past `maxWaiting`', async () => {
    const [a, b, c] = [newEntity(), newEntity(), newEntity()]
    for (const idp of [a, b, c])
      responder.answer(idp!.entityId, { kind: 'hang', then: { kind: 'document', xml: signed(idp!) } })
    const store = mdq(new MemoryIdpStore(), { concurrency: 1, maxWaiting: 1 })
    const first = store.findByEntityId(a!.entityId)
    await responder.held(1)
    const second = store.findByEntityId(b!.entityId)
    // The third distinct entity finds the one slot taken and the one waiting place too.
    await assert.rejects(store.findByEntityId(c!.entityId), code('ERR_SAML_METADATA_FETCH'))
    assert.equal(responder.requests(b!.entityId).length, 0)
    responder.release()
    assert.equal((await first)?.entityId, a!.entityId)
    await responder.held(1)
    assert.equal(responder.requests(b!.entityId).length, 1)
    responder.release()
    assert.equal((await second)?.entityId, b!.entityId)
    // Refused for load, not remembered as a miss: the entity is fetched once a slot is free.
    const third = store.findByEntityId(c!.entityId)
    await responder.held(1)
    responder.release()
    assert.equal((await third)?.entityId, c!.entityId)
  })

  it('a slow responder fails the lookup at the fetch timeout (ERR_SAML_METADATA_FETCH), remembered', async () => {
    const idp = newEntity()
    responder.answer(idp.entityId, { kind: 'hang', then: { kind: 'status', status: 500 } })
    const store = mdq(new MemoryIdpStore(), { fetch: { ...local, timeoutMs: 200 } })
    await assert.rejects(store.findByEntityId(idp.entityId), code('ERR_SAML_METADATA_FETCH'))
    await assert.rejects(store.findByEntityId(idp.entityId), code('ERR_SAML_METADATA_FETCH'))
    assert.equal(responder.requests(idp.entityId).length, 1)
    responder.release()
  })

  it('never overwrites a record of another entity that holds the derived id', async () => {
    const idp = newEntity()
    const other = newEntity(keys.idpAcmeNext)
    responder.answer(idp.entityId, { kind: 'document', xml: signed(idp) })
    const inner = new MemoryIdpStore()
    const squatter = await inner.put({ id: mdqIdpId(idp.entityId), metadataXml: other.metadataXml() })
    assert.equal(await mdq(inner).findByEntityId(idp.entityId), undefined)
    assert.deepEqual(await inner.get(squatter.id), squatter)
    assert.equal(responder.requests(idp.entityId).length, 0)
  })

  it('an admin record of the entity put while it is being fetched is the one used', async () => {
    const idp = newEntity()
    responder.answer(idp.entityId, { kind: 'hang', then: { kind: 'document', xml: signed(idp) } })
    const inner = new MemoryIdpStore()
    const lookup = mdq(inner).findByEntityId(idp.entityId)
    await responder.held()
    const admin = await inner.put({ id: 'admin-added', metadataXml: idp.metadataXml() })
    responder.release()
    assert.deepEqual(await lookup, admin)
    assert.deepEqual(
      (await inner.list()).map((r) => r.id),
      ['admin-added'],
    )
  })

  it('an admin record of the entity wins: no fetch', async () => {
    const idp = newEntity()
    responder.answer(idp.entityId, { kind: 'document', xml: signed(idp) })
    const inner = new MemoryIdpStore()
    await inner.put({ id: 'pasted', metadataXml: idp.metadataXml() })
    assert.equal((await mdq(inner).findByEntityId(idp.entityId))?.id, 'pasted')
    assert.equal(responder.requests(idp.entityId).length, 0)
  })

  it('the existing refresher keeps the record fresh: conditional, then a rotated key adopted, signature still required', async () => {
    const T0 = Date.now()
    let now = T0
    const idp = newEntity()
    responder.answer(idp.entityId, { kind: 'document', xml: signed(idp, { cacheDuration: 'PT1H' }) })
    const inner = new MemoryIdpStore()
    const record = await mdq(inner, { clock: () => now, random: () => 0 }).findByEntityId(idp.entityId)
    assert.ok(record)
    const refresher = startMetadataRefresh(inner, {
      immediate: false,
      clock: () => now,
      random: () => 0,
      fetch: local,
    })
    try {
      assert.deepEqual(await refresher.refreshDue(), [])
      now = T0 + 3_600_000
      const [notModified] = await refresher.refreshDue()
      assert.equal(notModified?.outcome, 'not-modified')
      assert.ok(responder.requests(idp.entityId).at(-1)?.headers['if-none-match'])

      // The IdP rotates its key; the responder publishes the new document, signed.
      const rotated = new TestIdp({ entityId: idp.entityId, ssoUrl: idp.ssoUrl, signing: keys.idpAcmeNext })
      responder.answer(idp.entityId, { kind: 'document', xml: signed(rotated) })
      now += 3_600_000
      const [updated] = await refresher.refreshDue()
      assert.equal(updated?.outcome, 'updated')
      const refreshed = await inner.get(record.id)
      assert.deepEqual(refreshed?.signingCerts, [normalizeCertificate(keys.idpAcmeNext.cert)])
      assert.equal(refreshed?.metadataUrl, record.metadataUrl)

      // The same document unsigned is refused by the refresher too: the record keeps its metadata.
      responder.answer(idp.entityId, { kind: 'document', xml: rotated.metadataXml() })
      const failed = await refresher.refreshIdp(record.id)
      assert.equal(failed.outcome, 'failed')
      assert.ok(code('ERR_SAML_METADATA_SIGNATURE')(failed.error))
      assert.deepEqual((await inner.get(record.id))?.signingCerts, refreshed?.signingCerts)
    } finally {
      refresher.stop()
    }
  })

  it('checks its options up front, naming the option', () => {
    const inner = new MemoryIdpStore()
    const base = {
      baseUrl: 'https://mdq.example.org',
      signingCerts: [federation.cert],
      entityIdPrefixes: ['https://'],
    }
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...base, signingCerts: [] }, /"options\.signingCerts"/],
      [{ ...base, signingCerts: ['not a certificate'] }, /"options\.signingCerts\[0\]"/],
      [{ ...base, signingCerts: [keys.sp.key] }, /"options\.signingCerts\[0\]"/],
      // A certificate by its shape whose key OpenSSL cannot decode: refused now, not at every lookup.
      [{ ...base, signingCerts: [undecodableCertificate()] }, /"options\.signingCerts\[0\]" cannot be used/],
      [
        { ...base, entityIdPrefixes: undefined },
        /"options\.filter" or "options\.entityIdPrefixes" is required/,
      ],
      [{ ...base, entityIdPrefixes: [''] }, /"options\.entityIdPrefixes"/],
      [{ ...base, registrationAuthorities: [] }, /"options\.registrationAuthorities"/],
      [{ ...base, filter: 'https://' }, /"options\.filter"/],
      [{ ...base, baseUrl: 'mdq.example.org' }, /"options\.baseUrl"/],
      [{ ...base, baseUrl: 'ftp://mdq.example.org' }, /"options\.baseUrl"/],
      [{ ...base, baseUrl: 'https://mdq.example.org/?x=1' }, /"options\.baseUrl"/],
      [{ ...base, negativeTtlMs: 10 }, /"options\.negativeTtlMs"/],
      [{ ...base, negativeCacheSize: 0 }, /"options\.negativeCacheSize"/],
      [{ ...base, concurrency: 65 }, /"options\.concurrency"/],
      [{ ...base, maxWaiting: -1 }, /"options\.maxWaiting"/],
      [{ ...base, onLookup: 1 }, /"options\.onLookup"/],
      [{ ...base, recordFields: { attributeMap: 'no-such-preset' } }, /"options\.recordFields"/],
      [{ ...base, minIntervalMs: 1 }, /"options\.minIntervalMs"/],
      [{ ...base, recordFields: { emailDomains: ['uni.test'] } }, /"options\.recordFields\.emailDomains"/],
      [{ ...base, recordFields: { entityId: 'https://idp.x.test/' } }, /"options\.recordFields\.entityId"/],
      [{ ...base, baseUrl: 'http://mdq.example.org' }, /"options\.baseUrl" is http/],
      [{ ...base, fetch: { entityId: 'https://idp.x.test/' } }, /"options\.fetch\.entityId"/],
    ]
    for (const [options, message] of bad)
      assert.throws(
        () => withMdq(inner, options as unknown as MdqOptions),
        (err: unknown) => {
          assert.ok(err instanceof TypeError, String(err))
          assert.match(err.message, message)
          return true
        },
      )
    assert.ok(withMdq(inner, { ...base, baseUrl: 'https://mdq.example.org/' }))
  })

  it('delegates everything else to the inner store, metadata-status capability included', async () => {
    const inner = new MemoryIdpStore()
    const store = mdq(inner)
    const idp = newEntity()
    const put = await store.put({ id: 'x', metadataXml: idp.metadataXml(), emailDomains: ['x.test'] })
    assert.deepEqual(await inner.get('x'), put)
    assert.deepEqual(await store.findByEmailDomain('x.test'), put)
    assert.deepEqual(await store.list(), [put])
    assert.equal(typeof store.claimMetadataRefresh, 'function')
    assert.equal(await store.claimMetadataRefresh!('x', 'me', Date.now(), 60_000), true)
    assert.equal(await store.delete('x'), true)
    assert.equal(await inner.get('x'), undefined)
  })
})

/** keys.sp's certificate with its key's algorithm OID tagged as an OCTET STRING: a certificate's shape, no key. */
function undecodableCertificate(): string {
  const der = Buffer.from(new X509Certificate(keys.sp.cert).raw)
  der[der.indexOf(Buffer.from('06092a864886f70d010101', 'hex'))] = 0x04
  return der.toString('base64')
}

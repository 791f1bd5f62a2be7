// Issue #11 item 4: a federation source. Aggregates are signed by xmlsec1 and served by a real
// loopback metadata server; every refusal asserts its code and that nothing was written.
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import {
  federationRecordId,
  importFederation,
  MemoryIdpStore,
  parseIdpMetadata,
  REFEDS_RESEARCH_AND_SCHOLARSHIP,
  SamlError,
  searchIdps,
  SIRTFI,
  type FederationSource,
} from '../../lib/index.js'
import { startMetadataServer, type MetadataServer } from '../support/metadata-server.js'
import { keys } from '../support/test-idp.js'
import {
  aggregate,
  ASSURANCE,
  ENTITY_CATEGORY_SUPPORT,
  federationIdp,
  registered,
  signedAggregate,
  spEntity,
} from './federation-fixtures.js'

const local = { allowHttp: true, allowPrivateNetwork: true }
const code = (expected: string) => (err: unknown) => err instanceof SamlError && err.code === expected
const FED_A = 'https://registrar.fed-a.example'
const FED_B = 'https://registrar.fed-b.example'

const uniA = registered(federationIdp('uni-a').metadataXml(), {
  registrationAuthority: FED_A,
  displayNames: { de: 'Universität A', en: 'University of A' },
  logo: 'https://uni-a.example/logo.png',
  scopes: [{ value: 'uni-a.example' }, { value: '^.*\\.uni-a\\.example$', regexp: true }],
  attributes: {
    [ENTITY_CATEGORY_SUPPORT]: [REFEDS_RESEARCH_AND_SCHOLARSHIP],
    [ASSURANCE]: [SIRTFI],
  },
})
const uniB = registered(federationIdp('uni-b', keys.idpGlobex).metadataXml(), {
  registrationAuthority: FED_B,
  displayNames: { en: 'Zürich Institute B' },
  scopes: [{ value: 'inst-b.example' }],
})
const uniC = registered(federationIdp('uni-c').metadataXml(), {
  registrationAuthority: FED_A,
  displayNames: { en: 'College C' },
  scopes: [{ value: 'c.example' }],
  attributes: { [ENTITY_CATEGORY_SUPPORT]: [REFEDS_RESEARCH_AND_SCHOLARSHIP] },
})
/** An IdP whose only signing certificate is not a certificate: its record cannot be written. */
const broken = registered(
  federationIdp('broken')
    .metadataXml()
    .replace(/<(\w+:)?X509Certificate>[^<]+</g, '<$1X509Certificate>bm90IGEgY2VydGlmaWNhdGU=<'),
  { registrationAuthority: FED_A },
)
const sp = spEntity('portal')

const entityIdOf = (xml: string) => /entityID="([^"]+)"/.exec(xml)![1]!

describe('importFederation', () => {
  let server: MetadataServer
  let store: MemoryIdpStore
  const path = '/federation/aggregate.xml'
  const source = (extra: Partial<FederationSource> = {}): FederationSource => ({
    id: 'fed',
    url: server.url(path),
    signingCerts: [keys.idpGlobex.cert],
    ...extra,
  })
  const serve = (xml: string) => server.answer(path, { kind: 'document', xml })
  const original = signedAggregate(aggregate([uniA, sp, uniB, broken, uniC]))

  before(async () => {
    server = await startMetadataServer()
  })
  after(() => server.close())
  beforeEach(() => {
    store = new MemoryIdpStore()
    serve(original)
  })

  it('imports each IdP of a signed aggregate as its own record; SPs are left out, a bad entity is reported', async () => {
    const result = await importFederation(store, source(), { fetch: local })
    assert.equal(result.outcome, 'imported')
    assert.equal(result.entities, 5)
    assert.equal(result.selected, 4)
    const ids = [uniA, uniB, uniC].map((x) => federationRecordId(entityIdOf(x))).sort()
    assert.deepEqual(result.created, ids)
    assert.deepEqual(result.removed, [])
    assert.equal(result.skipped.length, 1)
    assert.equal(result.skipped[0]!.entityId, entityIdOf(broken))
    assert.equal(result.skipped[0]!.code, 'ERR_SAML_METADATA_INVALID')
    assert.match(result.skipped[0]!.reason, /certificate/i)
    assert.deepEqual(
      (await store.list()).map((r) => r.id),
      ids,
    )

    const a = (await store.findByEntityId(entityIdOf(uniA)))!
    assert.equal(a.federation, 'fed')
    assert.equal(a.displayName, 'University of A')
    assert.equal(a.logoUrl, 'https://uni-a.example/logo.png')
    assert.deepEqual(a.scopes, ['uni-a.example'])
    assert.equal(a.registrationAuthority, FED_A)
    assert.equal(a.metadataUrl, undefined)
    // The record holds its own entity alone, a document of its own.
    assert.match(a.metadataXml!, /^<EntityDescriptor /)
    assert.doesNotMatch(a.metadataXml!, /uni-b|portal|Signature/)
    assert.equal(parseIdpMetadata(a.metadataXml!).entityId, entityIdOf(uniA))
    assert.equal(a.signingCerts[0], keys.idpAcme.cert)
    assert.equal((await store.findByEntityId(entityIdOf(uniB)))!.displayName, 'Zürich Institute B')
  })

  it('ids are derived from the entityID: stable across imports and stores, within the id rules', async () => {
    await importFederation(store, source(), { fetch: local })
    const other = new MemoryIdpStore()
    await importFederation(other, source(), { fetch: local })
    assert.deepEqual(
      (await store.list()).map((r) => r.id),
      (await other.list()).map((r) => r.id),
    )
    const id = federationRecordId('https://idp.uni-a.example/idp/shibboleth')
    assert.match(id, /^idp\.uni-a\.example-idp-shibboleth-[0-9a-f]{12}$/)
    assert.equal(federationRecordId('https://idp.uni-a.example/idp/shibboleth'), id)
    assert.notEqual(federationRecordId('https://idp.uni-a.example/idp/shibboleth/'), id)
    const long = federationRecordId(`urn:mace:${'x'.repeat(300)}`)
    assert.ok(long.length <= 64 && /^[a-z0-9][a-z0-9._-]*$/.test(long), long)
    assert.match(federationRecordId('!!!'), /^idp-[0-9a-f]{12}$/)
  })

  for (const [name, xml] of [
    ['tampered (one byte in an entity)', () => original.replace('University of A', 'University of 4')],
    ['unsigned', () => aggregate([uniA, uniB])],
    ['signed by another key', () => signedAggregate(aggregate([uniA, uniB]), keys.attacker)],
    [
      'its signature moved onto another aggregate',
      () => original.replace(/(<\/ds:Signature>)[\s\S]*(<\/md:EntitiesDescriptor>)/, `$1${uniB}$2`),
    ],
  ] as const) {
    it(`refuses an aggregate ${name}, and writes nothing`, async () => {
      await store.put({ id: 'mine', metadataXml: federationIdp('mine').metadataXml() })
      serve(xml())
      await assert.rejects(
        importFederation(store, source(), { fetch: local }),
        code('ERR_SAML_METADATA_SIGNATURE'),
      )
      assert.deepEqual(
        (await store.list()).map((r) => r.id),
        ['mine'],
      )
    })
  }

  it('refuses an expired aggregate, malformed XML and a DOCTYPE; a refused import keeps the records', async () => {
    await importFederation(store, source(), { fetch: local })
    const before = await store.list()
    serve(signedAggregate(aggregate([uniA], { validUntil: '2001-01-01T00:00:00Z' })))
    await assert.rejects(
      importFederation(store, source(), { fetch: local }),
      code('ERR_SAML_METADATA_EXPIRED'),
    )
    serve(original.slice(0, original.length / 2))
    await assert.rejects(
      importFederation(store, source(), { fetch: local }),
      code('ERR_SAML_METADATA_INVALID'),
    )
    serve(`<!DOCTYPE x [<!ENTITY a "b">]>${original.replace(/^<\?xml[^>]*\?>/, '')}`)
    await assert.rejects(
      importFederation(store, source(), { fetch: local }),
      code('ERR_SAML_METADATA_INVALID'),
    )
    assert.deepEqual(await store.list(), before)
  })

  it('a changed aggregate: an entity added, one removed, one changed; only those are written', async () => {
    await importFederation(store, source(), { fetch: local })
    const versions = new Map((await store.list()).map((r) => [r.id, r.version]))
    const uniD = registered(federationIdp('uni-d').metadataXml(), { displayNames: { en: 'D' } })
    const uniCRenamed = uniC.replace('College C', 'College of C')
    serve(signedAggregate(aggregate([uniA, sp, uniCRenamed, broken, uniD])))
    const result = await importFederation(store, source(), { fetch: local })
    const [a, b, c, d] = [uniA, uniB, uniC, uniD].map((x) => federationRecordId(entityIdOf(x)))
    assert.deepEqual(result.created, [d])
    assert.deepEqual(result.updated, [c])
    assert.deepEqual(result.removed, [b])
    assert.equal(result.unchanged, 1)
    assert.equal((await store.get(a!))!.version, versions.get(a!))
    assert.equal((await store.get(c!))!.displayName, 'College of C')
    assert.equal(await store.get(b!), undefined)
  })

  it('removes and replaces only records the same source created; an id taken by another record is reported', async () => {
    const idOfA = federationRecordId(entityIdOf(uniA))
    await store.put({ id: idOfA, metadataXml: federationIdp('taken').metadataXml() })
    await store.put({ id: 'admin-own', metadataXml: federationIdp('own').metadataXml() })
    const result = await importFederation(store, source(), { fetch: local })
    assert.ok(
      result.skipped.some((s) => s.entityId === entityIdOf(uniA) && s.code === 'ERR_SAML_IDP_CONFLICT'),
    )
    assert.equal((await store.get(idOfA))!.entityId, 'https://idp.taken.example/idp/shibboleth')
    await importFederation(store, source({ id: 'other-fed' }), { fetch: local })
    serve(signedAggregate(aggregate([uniB])))
    const second = await importFederation(store, source(), { fetch: local })
    assert.deepEqual(second.removed, [federationRecordId(entityIdOf(uniC))])
    assert.ok(await store.get('admin-own'))
    assert.ok(await store.get(idOfA))
  })

  it('a 304 to the validators of the last import reads and writes nothing', async () => {
    const first = await importFederation(store, source(), { fetch: local })
    assert.ok(first.etag)
    const again = await importFederation(store, source(), { fetch: local, etag: first.etag! })
    assert.equal(again.outcome, 'not-modified')
    assert.equal(server.requests(path).at(-1)!['if-none-match'], first.etag)
    assert.equal((await store.list()).length, 3)
  })

  it('filters: entityIDs, registration authority, entity categories, IdPs only', async () => {
    const ids = async (filters: FederationSource['filters']) => {
      const s = new MemoryIdpStore()
      const result = await importFederation(s, source({ filters }), { fetch: local })
      return { ids: (await s.list()).map((r) => r.entityId).sort(), result }
    }
    const [a, b, c] = [uniA, uniB, uniC].map(entityIdOf)
    assert.deepEqual((await ids({ entityIds: [b!, 'https://nowhere.example'] })).ids, [b])
    assert.deepEqual((await ids({ registrationAuthorities: [FED_A] })).ids, [a, c])
    assert.deepEqual((await ids({ entityCategories: [REFEDS_RESEARCH_AND_SCHOLARSHIP] })).ids, [a, c])
    assert.deepEqual((await ids({ entityCategories: [SIRTFI] })).ids, [a])
    assert.deepEqual(
      (await ids({ registrationAuthorities: [FED_A], entityCategories: [SIRTFI], entityIds: [c!] })).ids,
      [],
    )
    // Without idpsOnly the SP is selected too, and refused as a record (no IDPSSODescriptor).
    const all = await ids({ idpsOnly: false })
    assert.equal(all.result.selected, 5)
    assert.ok(all.result.skipped.some((s) => s.entityId === entityIdOf(sp)))
    // Narrowing the filters removes what they no longer select.
    await importFederation(store, source(), { fetch: local })
    const narrowed = await importFederation(store, source({ filters: { entityIds: [a!] } }), { fetch: local })
    assert.deepEqual(narrowed.removed, [b, c].map((x) => federationRecordId(x!)).sort())
  })

  it('checks the source up front', async () => {
    const bad: [string, Partial<FederationSource>][] = [
      ['source.id', { id: '-x' }],
      ['source.url', { url: 'ftp://x' }],
      ['source.signingCerts', { signingCerts: [] }],
      ['source.signingCerts', { signingCerts: ['not a cert'] }],
      ['source.filters.entityIds', { filters: { entityIds: [''] } }],
      ['source.recordDefaults.entityId', { recordDefaults: { entityId: 'x' } as never }],
      ['source.recordDefaults', { recordDefaults: { clockSkewMs: -1 } }],
    ]
    for (const [name, extra] of bad) {
      await assert.rejects(
        importFederation(store, source(extra), { fetch: local }),
        (err: unknown) => err instanceof TypeError && err.message.includes(`"${name}`),
        name,
      )
    }
    assert.equal(server.requests(path).length > 0, true)
  })

  it('record defaults apply to every record, and a change of them rewrites the records', async () => {
    await importFederation(store, source({ recordDefaults: { attributeMap: 'eduPerson' } }), { fetch: local })
    assert.ok((await store.list()).every((r) => r.attributeMap === 'eduPerson'))
    const again = await importFederation(store, source({ recordDefaults: { attributeMap: 'eduPerson' } }), {
      fetch: local,
    })
    assert.equal(again.unchanged, 3)
    const changed = await importFederation(store, source({ recordDefaults: { forceAuthn: true } }), {
      fetch: local,
    })
    assert.equal(changed.updated.length, 3)
  })

  it('searchIdps finds imported IdPs by display name, domain and entityID', async () => {
    await importFederation(store, source(), { fetch: local })
    const [a, b] = [uniA, uniB].map((x) => federationRecordId(entityIdOf(x)))
    assert.deepEqual(
      (await searchIdps(store, 'univ of')).map((r) => r.id),
      [a],
    )
    assert.deepEqual(
      (await searchIdps(store, 'zurich')).map((r) => [r.id, r.matchedBy]),
      [[b, 'displayName']],
    )
    const byMail = await searchIdps(store, 'alice@cs.uni-a.example')
    assert.deepEqual(
      byMail.map((r) => [r.id, r.matchedBy]),
      [[a, 'domain']],
    )
    assert.equal(byMail[0]!.logoUrl, 'https://uni-a.example/logo.png')
    assert.deepEqual(
      (await searchIdps(store, entityIdOf(uniB))).map((r) => [r.id, r.matchedBy]),
      [[b, 'entityId']],
    )
    assert.equal((await searchIdps(store, 'example', { limit: 2 })).length, 2)
    assert.deepEqual(await searchIdps(store, 'no such idp'), [])
  })
})

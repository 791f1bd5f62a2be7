// Issue #11, items 1 and 2, against a real loopback metadata server that serves changing, expired,
// 304, slow and failing answers. Time is a clock the spec moves (the refresher's and the strategy's);
// nothing sleeps and nothing asserts on how long anything took.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  MemoryIdpStore,
  normalizeCertificate,
  putIdpRecord,
  SamlError,
  startMetadataRefresh,
  type IdpStore,
  type MetadataRefreshOptions,
} from '../../lib/index.js'
import { SqlIdpStore } from '../../lib/entries/sql.js'
import { startTestApp, TestBrowser } from '../support/app.js'
import { etagOf, startMetadataServer, withHints, type MetadataServer } from '../support/metadata-server.js'
import { keys, TestIdp } from '../support/test-idp.js'
import { acme } from '../support/tenant-idps.js'

const MIN = 60_000
const HOUR = 60 * MIN
const T0 = Date.parse('2026-12-01T00:00:00.000Z')
const local = { allowHttp: true, allowPrivateNetwork: true }
const code = (expected: string) => (err: unknown) => err instanceof SamlError && err.code === expected

const acmeRotated = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  signing: keys.idpAcmeNext,
})

/** A clock the spec moves, shared by the refresher and (where used) the strategy. */
function manualClock(start = T0) {
  let now = start
  return { now: () => now, set: (t: number) => void (now = t), advance: (ms: number) => void (now += ms) }
}

let server: MetadataServer
before(async () => {
  server = await startMetadataServer()
})
after(() => server.close())

const publish = (xml: string): string => server.publish(xml)

describe('putIdpRecord: a record from a metadata URL alone', () => {
  it('fetches the URL, stores the parsed metadata and saves the fetch status beside the record', async () => {
    const clock = manualClock()
    const xml = withHints(acme.metadataXml(), { validUntil: T0 + 10 * 24 * HOUR, cacheDuration: 'PT1H' })
    const path = publish(xml)
    const store = new MemoryIdpStore()
    // A store never fetches: the URL alone is refused by put, naming what to use instead.
    await assert.rejects(
      store.put({ id: 'acme', metadataUrl: server.url(path) }),
      (err: unknown) => code('ERR_SAML_IDP_CONFIG')(err) && /putIdpRecord/.test((err as Error).message),
    )
    const record = await putIdpRecord(
      store,
      { id: 'acme', metadataUrl: server.url(path), emailDomains: ['acme.test'], attributeMap: 'okta' },
      { fetch: local, clock: clock.now, random: () => 0 },
    )
    assert.equal(record.entityId, 'https://idp.acme.test/saml')
    assert.equal(record.metadataXml, xml)
    assert.deepEqual(record.signingCerts, [normalizeCertificate(keys.idpAcme.cert)])
    assert.deepEqual([record.attributeMap, record.emailDomains], ['okta', ['acme.test']])
    assert.deepEqual(await store.getMetadataStatus('acme'), {
      url: server.url(path),
      nextRefreshAt: new Date(T0 + HOUR).toISOString(), // cacheDuration PT1H
      consecutiveFailures: 0,
      lastFetchAt: new Date(T0).toISOString(),
      lastSuccessAt: new Date(T0).toISOString(),
      etag: etagOf(xml),
      validUntil: new Date(T0 + 10 * 24 * HOUR).toISOString(),
      cacheDurationMs: HOUR,
      recordVersion: 1,
    })
  })

  it('refuses expired, failing, unsafe and foreign metadata, and stores nothing', async () => {
    const store = new MemoryIdpStore()
    const clock = manualClock()
    const opts = { fetch: local, clock: clock.now }
    const expired = publish(withHints(acme.metadataXml(), { validUntil: Date.parse('2001-01-01T00:00:00Z') }))
    await assert.rejects(
      putIdpRecord(store, { id: 'acme', metadataUrl: server.url(expired) }, opts),
      code('ERR_SAML_METADATA_EXPIRED'),
    )
    // Pasted metadata that has expired is refused the same way.
    await assert.rejects(
      putIdpRecord(
        store,
        { id: 'acme', metadataXml: withHints(acme.metadataXml(), { validUntil: T0 - 1 }) },
        opts,
      ),
      code('ERR_SAML_METADATA_EXPIRED'),
    )
    server.answer('/down.xml', { kind: 'status', status: 503 })
    await assert.rejects(
      putIdpRecord(store, { id: 'acme', metadataUrl: server.url('/down.xml') }, opts),
      (err: unknown) => code('ERR_SAML_METADATA_FETCH')(err) && (err as SamlError).idp === 'acme',
    )
    // The SSRF guard is on unless the options turn it off: loopback is refused by default.
    await assert.rejects(
      putIdpRecord(store, { id: 'acme', metadataUrl: server.url(publish(acme.metadataXml())) }),
      code('ERR_SAML_METADATA_FETCH'),
    )
    await assert.rejects(
      putIdpRecord(
        store,
        { id: 'acme', entityId: 'https://other.test', metadataUrl: server.url(publish(acme.metadataXml())) },
        opts,
      ),
      code('ERR_SAML_METADATA_INVALID'),
    )
    assert.deepEqual(await store.list(), [])
    // Options are checked up front, a TypeError naming the option.
    for (const [bad, name] of [
      [{ minIntervalMs: 10 }, 'minIntervalMs'],
      [{ minIntervalMs: 60_000, maxIntervalMs: 1000 }, 'maxIntervalMs'],
      [{ allowHttp: true }, 'allowHttp'],
      [{ clock: 5 }, 'clock'],
    ] as const) {
      await assert.rejects(
        putIdpRecord(store, { id: 'acme' }, bad as never),
        (err: unknown) => err instanceof TypeError && err.message.includes(`"options.${name}"`),
      )
    }
    for (const [bad, name] of [
      [{ intervalMs: 60_000 }, 'intervalMs'],
      [{ checkIntervalMs: 10 }, 'checkIntervalMs'],
      [{ concurrency: 0 }, 'concurrency'],
      [{ leaseMs: 1 }, 'leaseMs'],
      [{ onResult: 'log' }, 'onResult'],
    ] as const) {
      assert.throws(
        () => startMetadataRefresh(store, bad as never),
        (err: unknown) => err instanceof TypeError && err.message.includes(`"options.${name}"`),
      )
    }
  })
})

/** `xml` with each X509Certificate's key made undecodable (its RSAPublicKey SEQUENCE tagged as a SET). */
function withUnusableCertificate(xml: string): string {
  return xml.replace(
    /(<(?:\w+:)?X509Certificate>)([^<]+)(<)/g,
    (_, open: string, base64: string, close: string) => {
      const der = Buffer.from(base64.replace(/\s+/g, ''), 'base64')
      der[der.indexOf(Buffer.from('0382010f003082010a', 'hex')) + 5] = 0x31
      return `${open}${der.toString('base64')}${close}`
    },
  )
}

describe('putIdpRecord: certificates OpenSSL cannot use', () => {
  it('refuses them at the write, fetched, pasted or by hand, and stores nothing (store.put checks shape only)', async () => {
    const store = new MemoryIdpStore()
    const bad = withUnusableCertificate(acme.metadataXml())
    await assert.rejects(
      putIdpRecord(store, { id: 'fetched', metadataUrl: server.url(publish(bad)) }, { fetch: local }),
      (err: unknown) =>
        code('ERR_SAML_METADATA_INVALID')(err) && /cannot be used/.test((err as Error).message),
    )
    await assert.rejects(
      putIdpRecord(store, { id: 'pasted', metadataXml: bad }),
      code('ERR_SAML_METADATA_INVALID'),
    )
    const certificate = /<(?:\w+:)?X509Certificate>([^<]+)</.exec(bad)![1]!
    await assert.rejects(
      putIdpRecord(store, {
        id: 'manual',
        entityId: 'https://idp.manual.test',
        ssoUrl: 'https://idp.manual.test/sso',
        signingCerts: [keys.idpAcme.cert, certificate],
      }),
      (err: unknown) =>
        code('ERR_SAML_IDP_CONFIG')(err) &&
        /signingCerts: signing certificate #2 cannot be used/.test((err as Error).message),
    )
    assert.deepEqual(await store.list(), [])
    // The store alone takes it by its shape: its logins then fail typed (ERR_SAML_IDP_UNUSABLE).
    assert.equal((await store.put({ id: 'pasted', metadataXml: bad })).id, 'pasted')
  })
})

describe('startMetadataRefresh: refresh by the rules', () => {
  /** A memory store holding acme from `path`, and a refresher on the manual clock (no timer of its own). */
  async function setUp(path: string, options: MetadataRefreshOptions = {}) {
    const clock = manualClock()
    const store = new MemoryIdpStore()
    const schedule = { fetch: local, clock: clock.now, random: () => 0 }
    await putIdpRecord(
      store,
      { id: 'acme', metadataUrl: server.url(path), allowIdpInitiated: true },
      schedule,
    )
    const refresher = startMetadataRefresh(store, {
      ...schedule,
      immediate: false,
      checkIntervalMs: 3_600_000,
      ...options,
    })
    return { clock, store, refresher }
  }
  const statusOf = async (store: IdpStore) => (await store.getMetadataStatus!('acme'))!
  const dueAt = async (store: IdpStore) => Date.parse((await statusOf(store)).nextRefreshAt)

  it('304s keep the record; a changed document is adopted; expired ones never; failures back off', async () => {
    const path = publish(acme.metadataXml()) // no hints: refreshed every maxIntervalMs (6 h)
    const { clock, store, refresher } = await setUp(path)
    try {
      const fetches = () => server.requests(path).length
      assert.equal(fetches(), 1)
      assert.equal(await dueAt(store), T0 + 6 * HOUR)

      // Not due: nothing is fetched, however often the refresher looks.
      clock.set(T0 + 6 * HOUR - 1)
      for (let i = 0; i < 3; i++) assert.deepEqual(await refresher.refreshDue(), [])
      assert.equal(fetches(), 1)

      // Due: a conditional request; the IdP answers 304 and the record stays as it is.
      clock.set(T0 + 6 * HOUR)
      const [kept] = await refresher.refreshDue()
      assert.equal(kept!.outcome, 'not-modified')
      assert.equal(server.requests(path).at(-1)!['if-none-match'], etagOf(acme.metadataXml()))
      assert.equal((await store.get('acme'))!.version, 1)
      assert.equal((await statusOf(store)).lastFetchAt, new Date(T0 + 6 * HOUR).toISOString())
      assert.equal(await dueAt(store), T0 + 12 * HOUR)

      // The IdP rotates its key: the new document is adopted, with its own validators and hints.
      const rotatedXml = withHints(acmeRotated.metadataXml(), { cacheDuration: 'PT2H' })
      server.answer(path, { kind: 'document', xml: rotatedXml })
      clock.set(T0 + 12 * HOUR)
      const [updated] = await refresher.refreshDue()
      assert.equal(updated!.outcome, 'updated')
      const record = (await store.get('acme'))!
      assert.equal(record.version, 2)
      assert.deepEqual(record.signingCerts, [normalizeCertificate(keys.idpAcmeNext.cert)])
      assert.equal(record.allowIdpInitiated, true, "the admin's fields are kept")
      assert.equal((await statusOf(store)).etag, etagOf(rotatedXml))
      assert.equal(await dueAt(store), T0 + 14 * HOUR, 'cacheDuration PT2H')

      // A document that expired in 2001 is never adopted: a failure, with backoff from the minimum.
      server.answer(path, {
        kind: 'document',
        xml: withHints(acme.metadataXml(), { validUntil: Date.parse('2001-01-01T00:00:00Z') }),
      })
      clock.set(T0 + 14 * HOUR)
      const [expired] = await refresher.refreshDue()
      assert.equal(expired!.outcome, 'failed')
      assert.ok(code('ERR_SAML_METADATA_EXPIRED')(expired!.error))
      assert.equal((await store.get('acme'))!.version, 2, 'the last good metadata stays')
      let status = await statusOf(store)
      assert.deepEqual([status.consecutiveFailures, status.lastError?.code], [1, 'ERR_SAML_METADATA_EXPIRED'])
      assert.equal(await dueAt(store), T0 + 14 * HOUR + 10 * MIN)

      // The IdP fails: 10, 20, 40 minutes... (exponential), the record untouched.
      server.answer(path, { kind: 'status', status: 503 })
      for (const [failures, backoff] of [
        [2, 20],
        [3, 40],
        [4, 80],
      ] as const) {
        clock.set(await dueAt(store))
        const at = clock.now()
        const [failed] = await refresher.refreshDue()
        assert.ok(code('ERR_SAML_METADATA_FETCH')(failed!.error))
        status = await statusOf(store)
        assert.equal(status.consecutiveFailures, failures)
        assert.equal(await dueAt(store), at + backoff * MIN)
        assert.equal(status.etag, etagOf(rotatedXml), 'the validators of the held document are kept')
      }
      assert.equal((await store.get('acme'))!.version, 2)

      // Back: the held document is still current, so a 304, and the failures are forgotten.
      server.answer(path, { kind: 'document', xml: rotatedXml })
      clock.set(await dueAt(store))
      const [back] = await refresher.refreshDue()
      assert.equal(back!.outcome, 'not-modified')
      status = await statusOf(store)
      assert.deepEqual([status.consecutiveFailures, status.lastError], [0, undefined])
    } finally {
      refresher.stop()
    }
  })

  it('metadata whose signing certificate OpenSSL cannot use is never adopted: the last good metadata stays', async () => {
    const path = publish(acme.metadataXml())
    const { clock, store, refresher } = await setUp(path)
    try {
      // The IdP publishes its certificate with the key's SEQUENCE tagged as a SET: a certificate by
      // its shape (records accept it), but no login could verify with it.
      server.answer(path, { kind: 'document', xml: withUnusableCertificate(acme.metadataXml()) })
      clock.set(await dueAt(store))
      const [refused] = await refresher.refreshDue()
      assert.equal(refused!.outcome, 'failed')
      assert.ok(code('ERR_SAML_METADATA_INVALID')(refused!.error), String(refused!.error))
      assert.match((refused!.error as Error).message, /signing certificate #1 cannot be used/)
      const record = (await store.get('acme'))!
      assert.equal(record.version, 1, 'the last good metadata stays')
      assert.deepEqual(record.signingCerts, [normalizeCertificate(keys.idpAcme.cert)])
      assert.equal((await statusOf(store)).lastError?.code, 'ERR_SAML_METADATA_INVALID')
    } finally {
      refresher.stop()
    }
  })

  it('the next refresh follows cacheDuration and validUntil, the earliest winning', async () => {
    const path = publish(withHints(acme.metadataXml(), { validUntil: T0 + 2 * HOUR, cacheDuration: 'PT6H' }))
    const { store, refresher } = await setUp(path)
    try {
      assert.equal(await dueAt(store), T0 + 90 * MIN, 'three quarters of the 2 h left before validUntil')
      server.answer(path, {
        kind: 'document',
        xml: withHints(acme.metadataXml(), { validUntil: T0 + 48 * HOUR, cacheDuration: 'PT30M' }),
      })
      assert.equal((await refresher.refreshIdp('acme')).outcome, 'updated')
      assert.equal(await dueAt(store), T0 + 30 * MIN, 'cacheDuration PT30M is earlier')
    } finally {
      refresher.stop()
    }
  })

  it('a new metadataUrl is fetched at the next look, its failures and validators starting afresh', async () => {
    const path = publish(acme.metadataXml())
    const { clock, store, refresher } = await setUp(path)
    try {
      assert.deepEqual(await refresher.refreshDue(), [], 'the old URL is not due for 6 h')
      // The admin moves the IdP to another URL with a plain put (its metadata pasted beside it).
      const moved = publish(acmeRotated.metadataXml())
      const current = (await store.get('acme'))!
      await store.put({ ...current, metadataUrl: server.url(moved) })
      clock.advance(MIN)
      const [result] = await refresher.refreshDue()
      assert.equal(result!.outcome, 'updated')
      assert.deepEqual(
        server.requests(moved).map((h) => h['if-none-match']),
        [undefined],
        "the old URL's validators are not sent",
      )
      const status = await statusOf(store)
      assert.deepEqual([status.url, status.consecutiveFailures], [server.url(moved), 0])
    } finally {
      refresher.stop()
    }
  })

  it('two refreshers on one store: one fetch per due IdP, whoever looks', async () => {
    const path = publish(acme.metadataXml())
    const { clock, store, refresher } = await setUp(path)
    const other = startMetadataRefresh(store, {
      fetch: local,
      clock: clock.now,
      random: () => 0,
      immediate: false,
    })
    try {
      for (let round = 1; round <= 3; round++) {
        clock.advance(6 * HOUR)
        const results = await Promise.all([refresher.refreshDue(), other.refreshDue()])
        assert.deepEqual(
          results.flat().map((r) => r.outcome),
          ['not-modified'],
          `round ${round}: one of them fetched, the other found it not due or claimed`,
        )
        assert.equal(server.requests(path).length, 1 + round)
      }
    } finally {
      refresher.stop()
      other.stop()
    }
  })

  it('a slow fetch never blocks a login, and a held claim keeps other refreshes off', async (t) => {
    const path = publish(acme.metadataXml())
    const { clock, store, refresher } = await setUp(path)
    const app = await startTestApp({ store })
    try {
      server.answer(path, { kind: 'hang', then: { kind: 'document', xml: acmeRotated.metadataXml() } })
      clock.set(T0 + 6 * HOUR)
      const held = server.held(path)
      const refreshing = refresher.refreshDue()
      await held
      // The IdP's metadata endpoint is stuck mid-refresh; logins go on with the stored metadata.
      const login = await new TestBrowser().get(`${app.baseUrl}/saml/acme/login`)
      assert.equal(login.status, 302)
      // Meanwhile a forced refresh from elsewhere finds the refresh claimed and does not fetch.
      const other = startMetadataRefresh(store, { fetch: local, clock: clock.now, immediate: false })
      assert.equal((await other.refreshIdp('acme')).outcome, 'skipped')
      other.stop()
      assert.equal(server.requests(path).length, 2)
      server.release()
      const [done] = await refreshing
      assert.equal(done!.outcome, 'updated', t.name)
    } finally {
      server.release()
      refresher.stop()
      await app.close()
    }
  })
})

describe('expired metadata at login', () => {
  it('a restart during an IdP outage keeps logins working; past validUntil + grace they fail typed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'saml-refresh-restart-'))
    const clock = manualClock()
    const validUntil = T0 + 24 * HOUR
    const path = publish(withHints(acme.metadataXml(), { validUntil }))
    const schedule = { fetch: local, clock: clock.now, random: () => 0 }
    try {
      const first = await SqlIdpStore.open({ dataDir })
      await putIdpRecord(first, { id: 'acme', metadataUrl: server.url(path) }, schedule)
      await first.close()

      // The IdP goes down; the app restarts.
      server.answer(path, { kind: 'status', status: 503 })
      const store = await SqlIdpStore.open({ dataDir })
      const grace = HOUR
      const app = await startTestApp({ store, strategy: { clock: clock.now, metadataExpiryGraceMs: grace } })
      const refresher = startMetadataRefresh(store, { ...schedule, immediate: false })
      const login = () =>
        new TestBrowser().get(`${app.baseUrl}/saml/acme/login`, true).then(async (res) => ({
          status: res.status,
          code:
            res.status === 302 ? undefined : ((await res.json()) as { error: { code: string } }).error.code,
        }))
      try {
        clock.set(validUntil - HOUR)
        assert.equal((await refresher.refreshIdp('acme')).outcome, 'failed')
        assert.deepEqual(await login(), { status: 302, code: undefined }, 'the stored metadata still serves')
        clock.set(validUntil + grace)
        assert.deepEqual(await login(), { status: 302, code: undefined }, 'within the grace')
        clock.set(validUntil + grace + 1)
        assert.deepEqual(await login(), { status: 502, code: 'ERR_SAML_METADATA_EXPIRED' })
        const sp = { spEntityId: `${app.baseUrl}/saml/acme/metadata`, acsUrl: `${app.baseUrl}/saml/acme/acs` }
        const acs = await new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, {
          SAMLResponse: (await acme.createResponse({ ...sp, nameId: 'a@acme.test' })).base64,
        })
        assert.equal(
          ((await acs.json()) as { error: { code: string } }).error.code,
          'ERR_SAML_METADATA_EXPIRED',
        )
        assert.equal((await new TestBrowser().get(`${app.baseUrl}/saml/acme/metadata`)).status, 200)

        // The IdP is back with current metadata: the refresher adopts it, and logins work again.
        server.answer(path, {
          kind: 'document',
          xml: withHints(acme.metadataXml(), { validUntil: validUntil + 30 * 24 * HOUR }),
        })
        assert.equal((await refresher.refreshIdp('acme')).outcome, 'updated')
        assert.deepEqual(await login(), { status: 302, code: undefined })
      } finally {
        refresher.stop()
        await app.close()
        await store.close()
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

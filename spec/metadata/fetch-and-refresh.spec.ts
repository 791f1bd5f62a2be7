import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import {
  fetchIdpMetadata,
  fetchIdpMetadataDocument,
  MemoryIdpStore,
  normalizeCertificate,
  SamlError,
  startMetadataRefresh,
  type MetadataRefreshResult,
} from '../../lib/index.js'
import { isPrivateAddress } from '../../lib/metadata/fetch-idp-metadata.js'
import { startTestApp, TestBrowser } from '../support/app.js'
import { keys, TestIdp } from '../support/test-idp.js'

const before_ = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  signing: keys.idpAcme,
})
// The same IdP after a key rotation: the new key signs, the metadata lists only the new cert.
const rotated = new TestIdp({
  entityId: 'https://idp.acme.test/saml',
  ssoUrl: 'https://idp.acme.test/sso',
  signing: keys.idpAcmeNext,
})

/** A real HTTP server publishing metadata; `routes` can be changed between requests. */
async function metadataServer(routes: Record<string, (res: ServerResponse, req: IncomingMessage) => void>) {
  const server: Server = createServer((req, res) => {
    const route = routes[req.url ?? '']
    if (!route) return void res.writeHead(404).end('not found')
    route(res, req)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

const local = { allowHttp: true, allowPrivateNetwork: true }
const code = (expected: string) => (err: unknown) => err instanceof SamlError && err.code === expected

/** True when `err` or one of its causes is the TimeoutError of an `AbortSignal.timeout` deadline. */
function endedByDeadline(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) if (e.name === 'TimeoutError') return true
  return false
}

describe('fetchIdpMetadata', { timeout: 120_000 }, () => {
  let server: Awaited<ReturnType<typeof metadataServer>>
  const seen: IncomingMessage['headers'][] = []
  const routes: Record<string, (res: ServerResponse, req: IncomingMessage) => void> = {
    '/cached.xml': (res, req) => {
      seen.push(req.headers)
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end()
      res
        .writeHead(200, { etag: '"v1"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' })
        .end(before_.metadataXml())
    },
    '/metadata.xml': (res) =>
      res.writeHead(200, { 'content-type': 'application/xml' }).end(before_.metadataXml()),
    '/redirect': (res) => res.writeHead(302, { location: '/metadata.xml' }).end(),
    '/loop': (res) => res.writeHead(302, { location: '/loop' }).end(),
    '/login-page': (res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>'),
    '/huge': (res) => {
      res.writeHead(200)
      res.end('<x>' + 'a'.repeat(200_000) + '</x>')
    },
    '/hang': () => {
      // never answers
    },
    '/to-private': (res) => res.writeHead(302, { location: 'https://10.1.2.3/metadata.xml' }).end(),
  }
  before(async () => {
    server = await metadataServer(routes)
  })
  after(() => server.close())

  it('fetches and checks metadata, following a redirect', async () => {
    assert.equal(await fetchIdpMetadata(`${server.url}/metadata.xml`, local), before_.metadataXml())
    assert.equal(await fetchIdpMetadata(`${server.url}/redirect`, local), before_.metadataXml())
  })

  it('sends the validators it is given and reports a 304 as notModified', async () => {
    const first = await fetchIdpMetadataDocument(`${server.url}/cached.xml`, local)
    assert.ok(!first.notModified)
    assert.equal(first.xml, before_.metadataXml())
    assert.equal(first.metadata.entityId, 'https://idp.acme.test/saml')
    assert.deepEqual([first.etag, first.lastModified], ['"v1"', 'Tue, 01 Dec 2026 10:00:00 GMT'])
    assert.equal(seen.at(-1)!['if-none-match'], undefined, 'nothing held, nothing sent')
    const again = await fetchIdpMetadataDocument(`${server.url}/cached.xml`, {
      ...local,
      etag: first.etag!,
      lastModified: first.lastModified!,
    })
    assert.deepEqual(again, { notModified: true, etag: '"v1"' })
    assert.equal(seen.at(-1)!['if-modified-since'], 'Tue, 01 Dec 2026 10:00:00 GMT')
    await assert.rejects(
      fetchIdpMetadataDocument(`${server.url}/cached.xml`, { ...local, etag: 'a\r\nx: y' }),
      TypeError,
    )
  })

  it('refuses http and private addresses by default (SSRF)', async () => {
    await assert.rejects(fetchIdpMetadata(`${server.url}/metadata.xml`), code('ERR_SAML_METADATA_FETCH'))
    await assert.rejects(
      fetchIdpMetadata(`${server.url}/metadata.xml`, { allowHttp: true }),
      (err: unknown) => code('ERR_SAML_METADATA_FETCH')(err) && /private/.test((err as Error).message),
    )
    // A public-looking name that resolves to loopback is refused at connect time.
    await assert.rejects(
      fetchIdpMetadata(`http://localhost:${new URL(server.url).port}/metadata.xml`, { allowHttp: true }),
      (err: unknown) => code('ERR_SAML_METADATA_FETCH')(err) && /private/.test((err as Error).message),
    )
    await assert.rejects(fetchIdpMetadata('https://user:pw@idp.test/m.xml'), code('ERR_SAML_METADATA_FETCH'))
    await assert.rejects(fetchIdpMetadata('file:///etc/passwd', local), code('ERR_SAML_METADATA_FETCH'))
    await assert.rejects(fetchIdpMetadata('not a url'), code('ERR_SAML_METADATA_FETCH'))
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fe80::1',
      '::ffff:127.0.0.1',
    ])
      assert.ok(isPrivateAddress(address), address)
    for (const address of ['8.8.8.8', '2606:4700::1111']) assert.ok(!isPrivateAddress(address), address)
  })

  it('bounds redirects, size and time; refuses non-metadata and HTTP errors', async () => {
    await assert.rejects(fetchIdpMetadata(`${server.url}/loop`, local), code('ERR_SAML_METADATA_FETCH'))
    await assert.rejects(
      fetchIdpMetadata(`${server.url}/huge`, { ...local, maxBytes: 100_000 }),
      code('ERR_SAML_METADATA_FETCH'),
    )
    // Gave up on time, structurally: the fetch was ended by its own `timeoutMs` deadline (the
    // AbortSignal.timeout's TimeoutError is in the cause chain), not by anything the silent server did;
    // that it settles at all is what the suite's timeout checks.
    await assert.rejects(
      fetchIdpMetadata(`${server.url}/hang`, { ...local, timeoutMs: 300 }),
      (err: unknown) => code('ERR_SAML_METADATA_FETCH')(err) && endedByDeadline(err),
    )
    await assert.rejects(fetchIdpMetadata(`${server.url}/missing`, local), code('ERR_SAML_METADATA_FETCH'))
    await assert.rejects(
      fetchIdpMetadata(`${server.url}/login-page`, local),
      code('ERR_SAML_METADATA_INVALID'),
    )
    await assert.rejects(
      fetchIdpMetadata(`${server.url}/to-private`, { allowHttp: true }),
      code('ERR_SAML_METADATA_FETCH'),
    )
  })
})

describe('startMetadataRefresh: a key rotation published in metadata reaches the strategy', () => {
  it('updates the record when the document changes, keeps admin fields, survives failures', async () => {
    let published = before_.metadataXml()
    let failing = false
    const server = await metadataServer({
      '/acme.xml': (res) => (failing ? res.writeHead(503).end() : res.writeHead(200).end(published)),
    })
    const app = await startTestApp()
    const results: MetadataRefreshResult[] = []
    const refresher = startMetadataRefresh(app.store, {
      immediate: false,
      fetch: local,
      onResult: (r) => results.push(r),
    })
    try {
      const metadataUrl = `${server.url}/acme.xml`
      await app.store.put({
        id: 'acme',
        metadataXml: await fetchIdpMetadata(metadataUrl, local),
        metadataUrl,
        attributeMap: 'okta',
        emailDomains: ['acme.test'],
        allowIdpInitiated: true,
      })
      await app.store.put({
        id: 'manual',
        entityId: 'https://other.test',
        ssoUrl: 'https://other.test/sso',
        signingCerts: [keys.idpGlobex.cert],
      })
      const sp = { spEntityId: `${app.baseUrl}/saml/acme/metadata`, acsUrl: `${app.baseUrl}/saml/acme/acs` }
      const post = async (idp: TestIdp) =>
        new TestBrowser().post(`${app.baseUrl}/saml/acme/acs`, {
          SAMLResponse: (await idp.createResponse({ ...sp, nameId: 'a@acme.test' })).base64,
        })

      assert.deepEqual(
        (await refresher.refreshDue()).map((r) => [r.idp, r.outcome]),
        [['acme', 'unchanged']],
        'only records with a metadataUrl',
      )
      assert.equal((await post(rotated)).status, 400, 'the new key is not trusted yet')

      published = rotated.metadataXml()
      const updated = await refresher.refreshIdp('acme')
      assert.equal(updated.outcome, 'updated')
      const record = (await app.store.get('acme'))!
      assert.equal(record.version, 2)
      assert.deepEqual(record.signingCerts, [normalizeCertificate(keys.idpAcmeNext.cert)])
      assert.deepEqual(
        [record.attributeMap, record.emailDomains, record.allowIdpInitiated],
        ['okta', ['acme.test'], true],
      )

      const accepted = await new TestBrowser().post(
        `${app.baseUrl}/saml/acme/acs`,
        { SAMLResponse: (await rotated.createResponse({ ...sp, nameId: 'a@acme.test' })).base64 },
        false,
      )
      assert.equal(accepted.status, 302, 'the rotated key signs valid responses now')
      assert.equal((await post(before_)).status, 400, 'the retired key is no longer trusted')

      failing = true
      const failed = await refresher.refreshIdp('acme')
      assert.equal(failed.outcome, 'failed')
      assert.equal((await app.store.get('acme'))!.version, 2, 'a failed fetch keeps the stored metadata')
      assert.ok(results.length >= 3)
    } finally {
      refresher.stop()
      await app.close()
      await server.close()
    }
  })

  it('never writes over a change or a delete made while the metadata was being fetched', async () => {
    let release: () => void = () => {}
    let requested: () => void = () => {}
    const server = await metadataServer({
      '/slow.xml': (res) => {
        requested()
        new Promise<void>((resolve) => (release = resolve)).then(() =>
          res.writeHead(200).end(rotated.metadataXml()),
        )
      },
    })
    const store = new MemoryIdpStore()
    try {
      for (const [change, expected] of [
        ['delete', undefined],
        ['edit', false],
      ] as const) {
        await store.put({
          id: 'acme',
          metadataXml: before_.metadataXml(),
          metadataUrl: `${server.url}/slow.xml`,
          allowIdpInitiated: true,
        })
        const refresher = startMetadataRefresh(store, { immediate: false, fetch: local })
        const fetching = new Promise<void>((resolve) => (requested = resolve))
        const round = refresher.refreshIdp('acme')
        await fetching
        // The admin offboards the IdP (or tightens it) while the fetch is in flight.
        if (change === 'delete') await store.delete('acme')
        else await store.put({ ...(await store.get('acme'))!, allowIdpInitiated: false })
        release()
        const result = await round
        refresher.stop()
        assert.equal(result.outcome, 'skipped', change)
        assert.equal((await store.get('acme'))?.allowIdpInitiated, expected, change)
        await store.delete('acme')
      }
    } finally {
      await server.close()
    }
  })

  it('refuses metadata that names another entity (the entityID is pinned)', async () => {
    const impostor = new TestIdp({
      entityId: 'https://evil.test/saml',
      ssoUrl: 'https://evil.test/sso',
      signing: keys.attacker,
    })
    let published = before_.metadataXml()
    const server = await metadataServer({ '/m.xml': (res) => res.writeHead(200).end(published) })
    const store = new MemoryIdpStore()
    try {
      await store.put({ id: 'acme', metadataXml: published, metadataUrl: `${server.url}/m.xml` })
      published = impostor.metadataXml()
      const refresher = startMetadataRefresh(store, { immediate: false, fetch: local })
      const result = await refresher.refreshIdp('acme')
      refresher.stop()
      assert.equal(result.outcome, 'failed')
      assert.equal((await store.get('acme'))!.entityId, 'https://idp.acme.test/saml')
    } finally {
      await server.close()
    }
  })
})

// The one capped body reader of metadata fetches (a single IdP's document and a federation
// aggregate), against a real loopback server: Content-Length over the cap, a chunked body that
// grows past it, a connection cut mid-body, and a consumer that stops early.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, get, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { SamlError } from '../../lib/errors/saml-error.js'
import { readCappedBody } from '../../lib/metadata/read-capped-body.js'

const CAP = 1000
const chunk = (n: number) => 'x'.repeat(n)

describe('readCappedBody', () => {
  let server: Server
  let origin = ''
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/declared')
        return void res.writeHead(200, { 'content-length': CAP + 1 }).end(chunk(CAP + 1))
      if (req.url === '/within') return void res.writeHead(200, { 'content-length': CAP }).end(chunk(CAP))
      res.writeHead(200) // chunked: no Content-Length to refuse up front
      res.write(chunk(600))
      if (req.url === '/cut') return void res.write('', () => req.socket.destroy())
      res.write(chunk(600))
      res.end(chunk(600))
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => server.close())

  const open = async (path: string): Promise<IncomingMessage> => {
    const req = get(`${origin}${path}`, { agent: false })
    const [response] = (await once(req, 'response')) as [IncomingMessage]
    return response
  }
  const fail = (message: string, cause?: unknown) =>
    new SamlError(`fetch: ${message}`, 'ERR_SAML_METADATA_FETCH', cause === undefined ? undefined : { cause })
  const read = async (response: IncomingMessage, names?: { maxBytes: string; timeoutMs: string }) => {
    let size = 0
    for await (const c of readCappedBody(response, CAP, fail, names)) size += c.length
    return size
  }
  const refused = (pattern: RegExp) => (err: unknown) =>
    err instanceof SamlError && err.code === 'ERR_SAML_METADATA_FETCH' && pattern.test(err.message)

  it('reads a body of exactly the cap', async () => {
    assert.equal(await read(await open('/within')), CAP)
  })

  it('refuses a declared Content-Length over the cap before reading, and closes the response', async () => {
    const response = await open('/declared')
    await assert.rejects(read(response), refused(/larger than 1000 bytes$/))
    assert.ok(response.destroyed)
  })

  it('refuses a chunked body once it grows past the cap, naming the option when told its name', async () => {
    const response = await open('/chunked')
    const names = { maxBytes: 'fetch.maxBytes', timeoutMs: 'fetch.timeoutMs' }
    await assert.rejects(read(response, names), refused(/larger than 1000 bytes \(fetch\.maxBytes\)$/))
    assert.ok(response.destroyed)
  })

  it('turns a connection cut mid-body into the typed fetch error, with the cause', async () => {
    await assert.rejects(
      read(await open('/cut')),
      (err: unknown) => refused(/connection failed while reading/)(err) && (err as Error).cause !== undefined,
    )
  })

  it('closes the response when the consumer stops early', async () => {
    const response = await open('/chunked')
    for await (const c of readCappedBody(response, 10 * CAP, fail)) {
      assert.equal(c.length > 0, true)
      break
    }
    assert.ok(response.destroyed)
  })
})

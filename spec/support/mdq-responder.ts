// A real loopback MDQ responder (draft-young-md-query) for the MDQ specs: `GET /entities/{entityID}`
// (percent-encoded) and `GET /entities/{sha1}{hex}` answer what the entity's current `answer` says
// (a document with an ETag and 304 on If-None-Match, an HTTP status, or nothing until released),
// 404 for entities it does not know; every request is counted per entityID with its headers.
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { etagOf, type MetadataAnswer } from './metadata-server.js'

export interface MdqResponder {
  /** The base URL to give `withMdq`. */
  readonly baseUrl: string
  /** What `entityId` answers from now on. */
  answer(entityId: string, answer: MetadataAnswer): void
  /** Requests seen for `entityId` (by either form), with their headers and paths, oldest first. */
  requests(entityId: string): readonly { readonly path: string; readonly headers: IncomingHttpHeaders }[]
  /** Requests for entities the responder does not know (404), by path. */
  unknownRequests(): readonly string[]
  /** Resolves once `count` requests are being held (kind `hang`). */
  held(count?: number): Promise<void>
  /** Answers every held request. */
  release(): void
  close(): Promise<void>
}

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex')

export async function startMdqResponder(): Promise<MdqResponder> {
  const answers = new Map<string, MetadataAnswer>()
  const byHash = new Map<string, string>()
  const seen = new Map<string, { path: string; headers: IncomingHttpHeaders }[]>()
  const unknown: string[] = []
  const holding: (() => void)[] = []
  let waiters: { count: number; resolve: () => void }[] = []
  const server = createServer((req, res) => {
    const path = req.url ?? ''
    const match = /^\/entities\/(.+)$/.exec(path)
    const key = match ? decodeURIComponent(match[1]!) : undefined
    const hash = key === undefined ? undefined : /^\{sha1\}([0-9a-f]{40})$/.exec(key)?.[1]
    const entityId = hash === undefined ? key : byHash.get(hash)
    const known = entityId === undefined ? undefined : answers.get(entityId)
    if (entityId === undefined || known === undefined) {
      unknown.push(path)
      return void res.writeHead(404).end()
    }
    seen.set(entityId, [...(seen.get(entityId) ?? []), { path, headers: req.headers }])
    const send = (answer: MetadataAnswer): void => {
      if (answer.kind === 'status') return void res.writeHead(answer.status).end()
      if (answer.kind === 'hang') {
        holding.push(() => send(answer.then))
        waiters = waiters.filter((w) => (w.count <= holding.length ? (w.resolve(), false) : true))
        return
      }
      const etag = answer.etag === false ? undefined : etagOf(answer.xml)
      if (etag !== undefined && req.headers['if-none-match'] === etag)
        return void res.writeHead(304, { etag }).end()
      res
        .writeHead(200, { 'content-type': 'application/samlmetadata+xml', ...(etag && { etag }) })
        .end(answer.xml)
    }
    send(known)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mdq`
  // Served under /mdq: the base URL has a path, as real responders' do.
  server.prependListener('request', (req) => {
    req.url = req.url?.startsWith('/mdq/') ? req.url.slice(4) : '/'
  })
  return {
    baseUrl,
    answer: (entityId, answer) => {
      answers.set(entityId, answer)
      byHash.set(sha1(entityId), entityId)
    },
    requests: (entityId) => seen.get(entityId) ?? [],
    unknownRequests: () => unknown,
    held: (count = 1) =>
      holding.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    release: () => {
      for (const answer of holding.splice(0)) answer()
    },
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

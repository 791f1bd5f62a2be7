// A real loopback HTTP server publishing IdP metadata, for the refresh specs: each path serves what
// its current `answer` says (a document, a 304 when the request's If-None-Match matches, an HTTP
// error, or nothing until released), and every request is counted with its headers.
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type MetadataAnswer =
  | { readonly kind: 'document'; readonly xml: string; readonly etag?: boolean }
  | { readonly kind: 'status'; readonly status: number }
  /** Holds the request until `release()`, then answers with `then`. */
  | { readonly kind: 'hang'; readonly then: MetadataAnswer }

export interface MetadataServer {
  readonly origin: string
  url(path: string): string
  /** What `path` answers from now on. */
  answer(path: string, answer: MetadataAnswer): void
  /** Serves `xml` at a fresh path, which it returns. */
  publish(xml: string): string
  /** Requests seen per path, with their headers, oldest first. */
  requests(path: string): IncomingHttpHeaders[]
  /** Resolves once a request to `path` is being held (kind `hang`). */
  held(path: string): Promise<void>
  /** Answers every held request. */
  release(): void
  close(): Promise<void>
}

export const etagOf = (xml: string) => `"${createHash('sha256').update(xml).digest('hex').slice(0, 16)}"`

/** A document whose root element carries `validUntil` / `cacheDuration`. */
export function withHints(xml: string, hints: { validUntil?: number; cacheDuration?: string }): string {
  const attrs = [
    hints.validUntil === undefined ? '' : ` validUntil="${new Date(hints.validUntil).toISOString()}"`,
    hints.cacheDuration === undefined ? '' : ` cacheDuration="${hints.cacheDuration}"`,
  ].join('')
  return xml.replace(/^<((?:\w+:)?EntityDescriptor)\b/, `<$1${attrs}`)
}

export async function startMetadataServer(): Promise<MetadataServer> {
  const answers = new Map<string, MetadataAnswer>()
  const seen = new Map<string, IncomingHttpHeaders[]>()
  const holding: (() => void)[] = []
  const waiting = new Map<string, (() => void)[]>()
  const send = (res: ServerResponse, answer: MetadataAnswer, headers: IncomingHttpHeaders): void => {
    if (answer.kind === 'status') return void res.writeHead(answer.status).end()
    if (answer.kind === 'hang') return void holding.push(() => send(res, answer.then, headers))
    const etag = answer.etag === false ? undefined : etagOf(answer.xml)
    if (etag !== undefined && headers['if-none-match'] === etag)
      return void res.writeHead(304, { etag }).end()
    res
      .writeHead(200, { 'content-type': 'application/samlmetadata+xml', ...(etag && { etag }) })
      .end(answer.xml)
  }
  const server = createServer((req, res) => {
    const path = req.url ?? ''
    const answer = answers.get(path)
    if (!answer) return void res.writeHead(404).end()
    seen.set(path, [...(seen.get(path) ?? []), req.headers])
    send(res, answer, req.headers)
    if (answer.kind === 'hang') for (const resolve of waiting.get(path)?.splice(0) ?? []) resolve()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    url: (path) => `${origin}${path}`,
    answer: (path, answer) => void answers.set(path, answer),
    publish: (xml) => {
      const path = `/published-${answers.size + 1}/metadata.xml`
      answers.set(path, { kind: 'document', xml })
      return path
    },
    requests: (path) => seen.get(path) ?? [],
    held: (path) => new Promise((resolve) => waiting.set(path, [...(waiting.get(path) ?? []), resolve])),
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

/**
 * The demo's HTTP server. It listens before the app exists, because port 0 and the default
 * `BASE_URL` need the port the server got, and answers 503 until the app is handed over.
 *
 * @module
 */
import { once } from 'node:events'
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A listening server that answers 503 until {@link StartingServer.serve} is called. */
export interface StartingServer {
  readonly server: Server
  /** The port it listens on (the one picked when 0 was asked for). */
  readonly port: number
  /** Hands every further request to `app` (instead of the 503 answer, or the app given before). */
  serve(app: RequestListener): void
  /** Stops accepting connections, closes the open ones and waits until the server is closed. */
  close(): Promise<void>
}

/**
 * Listens on `port` (0 picks a free one) and `host` (default every interface).
 *
 * @example
 * ```ts
 * const server = await listenWhileStarting(0)
 * server.serve(express())
 * await server.close()
 * ```
 */
export async function listenWhileStarting(port: number, host?: string): Promise<StartingServer> {
  const starting = (_req: unknown, res: ServerResponse) => {
    res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '1' }).end('starting\n')
  }
  const server: Server = createServer(starting)
  server.listen(port, host)
  await once(server, 'listening')
  let current: RequestListener = starting
  return {
    server,
    port: (server.address() as AddressInfo).port,
    serve: (app) => {
      server.off('request', current)
      server.on('request', app)
      current = app
    },
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close').catch(() => {})
    },
  }
}

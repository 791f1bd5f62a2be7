/**
 * A TCP proxy in front of a real service (PostgreSQL, Redis) that a spec can cut and restore, so
 * outage specs stop real connections instead of mocking a client.
 *
 * - `cut()` destroys every open connection and refuses new ones (the listener stays bound, so the
 *   port does not change and clients see "connection refused"/"reset" exactly as in an outage);
 * - `restore()` accepts connections again.
 *
 * Two counters let a spec wait for what it means by readiness instead of by time: `refused` (how many
 * connection attempts a cut proxy turned away, e.g. a client's reconnects) and `bytesToTarget` (bytes
 * forwarded from clients to the service, e.g. "the command has been sent").
 *
 * @example
 * ```ts
 * const proxy = await startTcpProxy({ port: 6379 })
 * const cache = RedisSamlCache.connect(`redis://127.0.0.1:${proxy.port}`)
 * proxy.cut()      // Redis is now unreachable for `cache`
 * proxy.restore()  // and back
 * await proxy.close()
 * ```
 */
import { once } from 'node:events'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'

export interface TcpProxy {
  /** The local port clients connect to. */
  readonly port: number
  /** Number of client connections currently open. */
  readonly connections: number
  /** Connection attempts refused while cut, since the proxy started. */
  readonly refused: number
  /** Bytes received from clients and passed on to the target, since the proxy started. */
  readonly bytesToTarget: number
  cut(): void
  restore(): void
  close(): Promise<void>
}

export interface TcpProxyTarget {
  host?: string
  port: number
}

export async function startTcpProxy(target: TcpProxyTarget): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1'
  const open = new Set<Socket>()
  let cut = false
  let refused = 0
  let bytesToTarget = 0

  const server = createServer((client) => {
    if (cut) {
      refused++
      client.resetAndDestroy()
      return
    }
    const upstream = connect(target.port, host)
    open.add(client)
    open.add(upstream)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      open.delete(client)
      open.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.on('data', (chunk: Buffer) => (bytesToTarget += chunk.length))
    client.pipe(upstream)
    upstream.pipe(client)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  return {
    port,
    get connections() {
      return Math.floor(open.size / 2)
    },
    get refused() {
      return refused
    },
    get bytesToTarget() {
      return bytesToTarget
    },
    cut() {
      cut = true
      for (const socket of open) socket.resetAndDestroy()
      open.clear()
    },
    restore() {
      cut = false
    },
    async close() {
      cut = true
      for (const socket of open) socket.destroy()
      open.clear()
      server.close()
      await once(server, 'close')
    },
  }
}

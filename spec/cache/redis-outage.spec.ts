// RedisSamlCache during a real outage: a TCP proxy in front of the machine's Redis is cut and
// restored, so the ioredis client sees real resets and refused connections. No elapsed time is
// measured: "fast" is proven by what settles a call (ioredis' own fail-fast paths, or the cache's
// command timeout on a mocked clock), a hang by each test's `timeout`; timings are for `npm run bench`.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { RedisSamlCache } from '../../lib/cache/redis-saml-cache.js'
import { isSamlError, type SamlError } from '../../lib/errors/saml-error.js'
import { startTcpProxy } from '../support/tcp-proxy.js'
import { waitUntil } from '../support/wait-until.js'

/** The cache's client as the ioredis client it is, for commands the cache itself never sends. */
const ioredis = (cache: RedisSamlCache) => cache.client as unknown as Redis

const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
const prefix = () => `spec:redis-outage:${randomBytes(6).toString('hex')}:`

/** `redisUrl` with its host and port replaced (credentials and database kept). */
function urlVia(port: number): string {
  const url = new URL(redisUrl)
  url.hostname = '127.0.0.1'
  url.port = String(port)
  return url.href
}

/** Awaits `call` and expects it to reject with ERR_SAML_CACHE_UNAVAILABLE. */
async function expectUnavailable(call: () => Promise<unknown>): Promise<SamlError> {
  let outcome: unknown
  try {
    outcome = { resolved: await call() }
  } catch (err) {
    outcome = err
  }
  assert.ok(
    isSamlError(outcome, 'ERR_SAML_CACHE_UNAVAILABLE'),
    `expected a rejection, got ${String(outcome)}`,
  )
  return outcome
}

/** Lets every pending promise callback run (setImmediate is never mocked here). */
const settle = () => new Promise((resolve) => setImmediate(resolve))

/** Length in bytes of a command as RESP puts it on the wire (an array of bulk strings). */
function respLength(...args: string[]): number {
  return args.reduce(
    (n, arg) => n + `$${Buffer.byteLength(arg)}\r\n`.length + Buffer.byteLength(arg) + 2,
    `*${args.length}\r\n`.length,
  )
}

/** Records ioredis' "Unhandled error event" console output and uncaught exceptions while `fn` runs. */
async function watchUnhandled(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = []
  const consoleError = console.error
  console.error = (...args: unknown[]) => {
    seen.push(args.map(String).join(' '))
    consoleError(...args)
  }
  const onUncaught = (err: unknown) => seen.push(`uncaught: ${String(err)}`)
  process.on('uncaughtException', onUncaught)
  process.on('unhandledRejection', onUncaught)
  try {
    await fn()
  } finally {
    console.error = consoleError
    process.off('uncaughtException', onUncaught)
    process.off('unhandledRejection', onUncaught)
  }
  return seen
}

describe('RedisSamlCache outage', () => {
  it(
    'fails closed and fast while Redis is cut off, then works again on its own',
    { timeout: 60_000 },
    async (t) => {
      const port = Number(redisUrl.port || 6379)
      const proxy = await startTcpProxy({ host: redisUrl.hostname, port })
      const cache = await RedisSamlCache.connect(urlVia(proxy.port), { keyPrefix: prefix() })
      try {
        // Fast, structurally: the client connect() made keeps no offline queue and retries no request,
        // so while the connection is down ioredis rejects a command at once instead of holding it until
        // Redis is back. That every call below settles at all is what the test's timeout checks.
        const options = (cache.client as Redis).options
        assert.equal(options.enableOfflineQueue, false)
        assert.equal(options.maxRetriesPerRequest, 0)

        const unhandled = await watchUnhandled(async () => {
          await cache.set('saml:req:acme:survivor', 'still-here', 60_000)
          await cache.set('saml:req:acme:pending', 'pending-value', 60_000)
          assert.equal(await cache.add('saml:replay:acme:seen', '1', 60_000), true)

          proxy.cut()
          // Right after the cut, and again once the cut proxy has refused the client's first and its
          // second reconnect (the client keeps retrying): every call rejects, none resolves (no
          // "undefined" from take, no true from add).
          for (const refusals of [0, 1, 2]) {
            await waitUntil(() => proxy.refused >= refusals, {
              signal: t.signal,
              what: `${refusals} refused reconnects`,
            })
            for (const call of [
              () => cache.set('saml:req:acme:new', 'v', 60_000),
              () => cache.take('saml:req:acme:pending'),
              () => cache.add('saml:replay:acme:fresh', '1', 60_000),
              () => cache.add('saml:replay:acme:seen', '1', 60_000),
            ]) {
              const err = await expectUnavailable(call)
              assert.ok(err.cause !== undefined, 'the client error is attached as cause')
            }
          }

          proxy.restore()
          // Back by itself: poll (a fresh key each time, so a probe that Redis applied but the client
          // gave up on cannot turn the next one into a false) until an add goes through.
          let probe = 0
          await waitUntil(
            async () => {
              try {
                assert.equal(await cache.add(`saml:replay:acme:probe:${probe++}`, '1', 60_000), true)
                return true
              } catch (err) {
                assert.ok(isSamlError(err, 'ERR_SAML_CACHE_UNAVAILABLE'), String(err))
                return false
              }
            },
            { signal: t.signal, what: 'the cache to work again once Redis is back', pauseMs: 50 },
          )

          // Redis kept what was written before the outage; failed calls changed nothing.
          assert.equal(await cache.take('saml:req:acme:survivor'), 'still-here')
          assert.equal(await cache.take('saml:req:acme:pending'), 'pending-value')
          assert.equal(await cache.take('saml:req:acme:new'), undefined)
          assert.equal(await cache.add('saml:replay:acme:seen', '1', 60_000), false, 'replay record kept')
          assert.equal(await cache.add('saml:replay:acme:fresh', '1', 60_000), true)
          await cache.set('saml:req:acme:after', 'v', 60_000)
          assert.equal(await cache.take('saml:req:acme:after'), 'v')
        })
        assert.deepEqual(unhandled, [], 'no unhandled client errors')
      } finally {
        await cache.close()
        await proxy.close()
      }
    },
  )

  it(
    'a call in flight when the connection drops rejects at once rather than waiting to be resent',
    { timeout: 60_000 },
    async (t) => {
      const port = Number(redisUrl.port || 6379)
      const proxy = await startTcpProxy({ host: redisUrl.hostname, port })
      const keyPrefix = prefix()
      const cache = await RedisSamlCache.connect(urlVia(proxy.port), { keyPrefix, commandTimeoutMs: 10_000 })
      try {
        // Hold the connection busy on a command Redis answers only when the list gets an element (it
        // never does), so the take queued behind it is still waiting for its reply when the cut comes.
        const blockKey = `${keyPrefix}never`
        const sent = proxy.bytesToTarget
        const blocker = ioredis(cache)
          .call('BLPOP', blockKey, '0')
          .catch((err: unknown) => err)
        const take = expectUnavailable(() => cache.take('saml:req:acme:k'))
        // In flight: both commands have gone through the proxy to Redis (readiness, not a sleep).
        const both = respLength('BLPOP', blockKey, '0') + respLength('GETDEL', `${keyPrefix}saml:req:acme:k`)
        await waitUntil(() => proxy.bytesToTarget >= sent + both, {
          signal: t.signal,
          what: 'the take to reach Redis',
        })
        proxy.cut()
        const err = await take
        // "At once", structurally: ioredis flushed the command when the connection dropped
        // (maxRetriesPerRequest 0), before its first reconnect attempt reached the cut proxy, instead
        // of keeping it to resend after reconnecting. Had it waited, a refused reconnect would have come
        // first (or the cache's 10 s command timeout would be the cause).
        assert.equal((err.cause as Error | undefined)?.name, 'MaxRetriesPerRequestError', String(err.cause))
        assert.equal(proxy.refused, 0, 'rejected before any reconnect attempt')
        await blocker
      } finally {
        await cache.close()
        await proxy.close()
      }
    },
  )

  it(
    'bounds every call by commandTimeoutMs even on a user client that queues commands forever',
    { timeout: 60_000 },
    async (t) => {
      // A server that accepts connections and never answers: a hung Redis, or a dead network path.
      const sockets = new Set<Socket>()
      const silent = createServer((socket) => {
        sockets.add(socket)
        socket.on('error', () => {})
      })
      silent.listen(0, '127.0.0.1')
      await once(silent, 'listening')
      const { port } = silent.address() as AddressInfo
      const client = new Redis({
        host: '127.0.0.1',
        port,
        maxRetriesPerRequest: null,
        connectTimeout: 60_000,
      })
      // The command timeout runs on a mocked clock. Nothing else can settle a call (the server never
      // answers and the client queues forever), so a call must still be pending 1 ms before
      // commandTimeoutMs on that clock and must reject when it is reached: exact, whatever the load.
      t.mock.timers.enable({ apis: ['setTimeout'] })
      const cache = new RedisSamlCache({ client, commandTimeoutMs: 300 })
      try {
        for (const call of [
          () => cache.set('k', 'v', 60_000),
          () => cache.take('k'),
          () => cache.add('k', 'v', 60_000),
        ]) {
          let settled = false
          const outcome = expectUnavailable(call).finally(() => (settled = true))
          t.mock.timers.tick(299)
          await settle()
          assert.equal(settled, false, 'still waiting 1 ms before commandTimeoutMs')
          t.mock.timers.tick(1)
          await outcome
        }
      } finally {
        await cache.close()
        // Closed before the test ends: ioredis clears a timer when the socket closes, and a late clear
        // would land on the next test's mocked clock.
        const ended = once(client, 'end')
        client.disconnect()
        for (const socket of sockets) socket.destroy()
        await ended
        silent.close()
      }
    },
  )

  it(
    'connect() rejects with ERR_SAML_CACHE_UNAVAILABLE when Redis stays unreachable, and stops retrying',
    { timeout: 60_000 },
    async (t) => {
      // A port that accepts and at once resets every connection, counting the attempts.
      let attempts = 0
      const refusing = createServer((socket) => {
        attempts++
        socket.resetAndDestroy()
      })
      refusing.listen(0, '127.0.0.1')
      await once(refusing, 'listening')
      const { port } = refusing.address() as AddressInfo
      // Every connection attempt of an ioredis client, the first and each reconnect, calls
      // Redis#connect: the spy counts them, and on the first one (before any I/O could have happened)
      // records the reconnect delays the client connect() made schedules.
      const delays: number[] = []
      let hooked = false
      const connect = Redis.prototype.connect
      const connects = t.mock.method(Redis.prototype, 'connect', function (this: Redis) {
        if (!hooked) {
          hooked = true
          this.on('reconnecting', (delay: number) => delays.push(delay))
        }
        return connect.call(this)
      })
      // connect()'s deadline and the client's reconnect delays are timers on a mocked clock, which moves
      // only when the spec ticks it: each reconnect delay is let pass once the client has scheduled it
      // (its 'reconnecting' event), so "retried while waiting" and "gave up at connectTimeoutMs" are
      // exact whatever the load.
      t.mock.timers.enable({ apis: ['setTimeout'] })
      const connectTimeoutMs = 500
      try {
        let settled = false
        const outcome = expectUnavailable(() =>
          RedisSamlCache.connect(urlVia(port), { connectTimeoutMs }),
        ).finally(() => (settled = true))
        let clock = 0
        for (let scheduled = 1; ; scheduled++) {
          await waitUntil(() => delays.length >= scheduled, {
            signal: t.signal,
            what: `reconnect ${scheduled} to be scheduled`,
          })
          const delay = delays[scheduled - 1]!
          if (clock + delay >= connectTimeoutMs) break
          t.mock.timers.tick(delay)
          clock += delay
        }
        t.mock.timers.tick(connectTimeoutMs - 1 - clock)
        await settle()
        assert.equal(settled, false, 'still trying 1 ms before connectTimeoutMs')
        t.mock.timers.tick(1)
        const err = await outcome
        assert.ok(err.cause instanceof Error, 'the last connection error is the cause')
        assert.ok(attempts >= 2, `it retried while waiting (${attempts} attempts)`)

        // Stopped, structurally: no connection was open when it gave up (the client was waiting to
        // reconnect), so only a reconnect timer could make another attempt, and running every pending
        // timer now makes none.
        const before = connects.mock.callCount()
        t.mock.timers.runAll()
        await settle()
        assert.equal(connects.mock.callCount(), before, 'and stopped retrying once it gave up')
      } finally {
        refusing.close()
      }
    },
  )
})

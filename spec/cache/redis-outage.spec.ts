// RedisSamlCache during a real outage: a TCP proxy in front of the machine's Redis is cut and
// restored, so the ioredis client sees real resets and refused connections. Elapsed times are
// measured only as hang checks with wide bounds.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { RedisSamlCache } from '../../lib/cache/redis-saml-cache.js'
import { isSamlError, type SamlError } from '../../lib/errors/saml-error.js'
import { startTcpProxy } from '../support/tcp-proxy.js'

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

/** Awaits `call`, expects ERR_SAML_CACHE_UNAVAILABLE, and returns the error and how long it took. */
async function expectUnavailable(call: () => Promise<unknown>): Promise<{ err: SamlError; ms: number }> {
  const started = performance.now()
  let outcome: unknown
  try {
    outcome = { resolved: await call() }
  } catch (err) {
    outcome = err
  }
  const ms = performance.now() - started
  assert.ok(
    isSamlError(outcome, 'ERR_SAML_CACHE_UNAVAILABLE'),
    `expected a rejection, got ${String(outcome)}`,
  )
  return { err: outcome, ms }
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
    { timeout: 20_000 },
    async () => {
      const port = Number(redisUrl.port || 6379)
      const proxy = await startTcpProxy({ host: redisUrl.hostname, port })
      const cache = await RedisSamlCache.connect(urlVia(proxy.port), { keyPrefix: prefix() })
      let recoveryMs = Number.NaN
      let slowest = 0
      try {
        const unhandled = await watchUnhandled(async () => {
          await cache.set('saml:req:acme:survivor', 'still-here', 60_000)
          await cache.set('saml:req:acme:pending', 'pending-value', 60_000)
          assert.equal(await cache.add('saml:replay:acme:seen', '1', 60_000), true)

          proxy.cut()
          // Right after the cut, and again while the client keeps retrying against the refusing
          // proxy: every call rejects, none resolves (no "undefined" from take, no true from add).
          const pollUntil = performance.now() + 1_500
          let rounds = 0
          while (rounds < 2 || performance.now() < pollUntil) {
            rounds++
            for (const call of [
              () => cache.set('saml:req:acme:new', 'v', 60_000),
              () => cache.take('saml:req:acme:pending'),
              () => cache.add('saml:replay:acme:fresh', '1', 60_000),
              () => cache.add('saml:replay:acme:seen', '1', 60_000),
            ]) {
              const { err, ms } = await expectUnavailable(call)
              assert.ok(err.cause !== undefined, 'the client error is attached as cause')
              assert.ok(ms < 3_000, `a call during the outage took ${Math.round(ms)} ms`)
              slowest = Math.max(slowest, ms)
            }
            await new Promise((resolve) => setTimeout(resolve, 100))
          }

          proxy.restore()
          const restored = performance.now()
          const deadline = restored + 5_000
          for (;;) {
            try {
              assert.equal(await cache.add('saml:replay:acme:probe', '1', 60_000), true)
              break
            } catch (err) {
              assert.ok(isSamlError(err, 'ERR_SAML_CACHE_UNAVAILABLE'), String(err))
              assert.ok(performance.now() < deadline, 'the cache works again within 5 s of Redis coming back')
              await new Promise((resolve) => setTimeout(resolve, 50))
            }
          }
          recoveryMs = performance.now() - restored

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
      console.log(
        `# redis outage: slowest failing call ${Math.round(slowest)} ms, recovered ${Math.round(recoveryMs)} ms after restore`,
      )
    },
  )

  it(
    'a call in flight when the connection drops rejects at once rather than waiting to be resent',
    { timeout: 20_000 },
    async () => {
      const port = Number(redisUrl.port || 6379)
      const proxy = await startTcpProxy({ host: redisUrl.hostname, port })
      const keyPrefix = prefix()
      const cache = await RedisSamlCache.connect(urlVia(proxy.port), { keyPrefix, commandTimeoutMs: 10_000 })
      try {
        // Hold the connection busy on a server-side sleep so the next command is in flight when cut.
        const blocker = ioredis(cache)
          .call('WAIT', '1', '800')
          .catch((err: unknown) => err)
        const take = expectUnavailable(() => cache.take('saml:req:acme:k'))
        await new Promise((resolve) => setTimeout(resolve, 50))
        proxy.cut()
        const { ms } = await take
        assert.ok(ms < 1_000, `in-flight take rejected after ${Math.round(ms)} ms (timeout was 10 s)`)
        await blocker
      } finally {
        await cache.close()
        await proxy.close()
      }
    },
  )

  it(
    'bounds every call by commandTimeoutMs even on a user client that queues commands forever',
    { timeout: 20_000 },
    async () => {
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
      const cache = new RedisSamlCache({ client, commandTimeoutMs: 300 })
      try {
        for (const call of [
          () => cache.set('k', 'v', 60_000),
          () => cache.take('k'),
          () => cache.add('k', 'v', 60_000),
        ]) {
          const { ms } = await expectUnavailable(call)
          assert.ok(ms >= 250 && ms < 2_000, `rejected after ${Math.round(ms)} ms`)
        }
      } finally {
        await cache.close()
        client.disconnect()
        for (const socket of sockets) socket.destroy()
        silent.close()
      }
    },
  )

  it(
    'connect() rejects with ERR_SAML_CACHE_UNAVAILABLE when Redis stays unreachable, and stops retrying',
    { timeout: 20_000 },
    async () => {
      // A port that accepts and at once resets every connection, counting the attempts.
      let attempts = 0
      const refusing = createServer((socket) => {
        attempts++
        socket.resetAndDestroy()
      })
      refusing.listen(0, '127.0.0.1')
      await once(refusing, 'listening')
      const { port } = refusing.address() as AddressInfo
      try {
        const { err, ms } = await expectUnavailable(() =>
          RedisSamlCache.connect(urlVia(port), { connectTimeoutMs: 500 }),
        )
        assert.ok(err.cause instanceof Error, 'the last connection error is the cause')
        assert.ok(ms >= 450 && ms < 3_000, `connect gave up after ${Math.round(ms)} ms`)
        assert.ok(attempts >= 2, `it retried while waiting (${attempts} attempts)`)
        const after = attempts
        await new Promise((resolve) => setTimeout(resolve, 400))
        assert.equal(attempts, after, 'and stopped retrying once it gave up')
      } finally {
        refusing.close()
      }
    },
  )
})

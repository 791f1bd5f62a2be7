// The demo on the external backends: DATABASE_URL → the IdP store on PostgreSQL (a random schema of
// its own, dropped after), REDIS_URL → the request/replay cache and the sessions in Redis (a random
// key prefix, its keys deleted after).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import pg from 'pg'
import { TestBrowser, postToAcs, spInitiated, startTestDemo } from './demo-client.js'

const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

describe('demo with DATABASE_URL and REDIS_URL', () => {
  const suffix = randomBytes(6).toString('hex')
  const schema = `demo_spec_${suffix}`
  const prefix = `demo-spec-${suffix}:`
  let demo: Awaited<ReturnType<typeof startTestDemo>>
  let redis: Redis
  let pool: pg.Pool

  before(async () => {
    redis = new Redis(REDIS_URL)
    pool = new pg.Pool({ connectionString: PG_URL, max: 1 })
    demo = await startTestDemo({
      databaseUrl: PG_URL,
      databaseSchema: schema,
      redisUrl: REDIS_URL,
      redisKeyPrefix: prefix,
    })
  })

  after(async () => {
    await demo?.close()
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await pool.end()
  })

  it('keeps IdP records in PostgreSQL and sessions and request IDs in Redis', async () => {
    assert.match(demo.backends.join('\n'), /IdP store: PostgreSQL/)
    assert.match(demo.backends.join('\n'), /sessions: Redis/)
    const rows = await pool.query(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`,
      [schema],
    )
    assert.ok(rows.rows[0].n > 0, 'the store created its tables in the schema')
    assert.deepEqual(
      (await demo.store.list()).map((r) => r.id),
      ['acme', 'globex'],
    )

    const browser = new TestBrowser()
    const post = await spInitiated(
      browser,
      demo,
      '/saml/acme/login?returnTo=%2Fdeep%2Flink',
      'alice@acme.test',
      'alice-demo',
    )
    const acs = await postToAcs(browser, post)
    assert.equal(acs.status, 302)
    assert.equal(acs.headers.get('location'), '/deep/link')

    const sid = decodeURIComponent(browser.cookie('demo.sid')!).replace(/^s:/, '').split('.')[0]!
    const session = await redis.get(`${prefix}sess:${sid}`)
    assert.ok(session, 'the session is in Redis')
    assert.equal(
      (JSON.parse(session) as { passport: { user: { nameID: string } } }).passport.user.nameID,
      'alice@acme.test',
    )
    assert.ok(
      (await redis.keys(`${prefix}saml:saml:replay:acme:*`)).length > 0,
      'the assertion ID is in Redis',
    )

    const me = await browser.get(`${demo.url}/me`, true)
    assert.equal(me.status, 200)
  })
})

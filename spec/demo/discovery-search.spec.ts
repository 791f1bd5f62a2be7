// The sign-in page's IdP search (`/login?q=`): by display name, domain or entityID, through the
// library's searchIdps, so a store of a federation's thousands of IdPs stays usable.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startTestDemo } from './demo-client.js'

type Demo = Awaited<ReturnType<typeof startTestDemo>>

const listed = (page: string): string[] => [...page.matchAll(/data-idp="([^"]+)"/g)].map((m) => m[1]!)

describe('demo: the sign-in page searches IdPs', { timeout: 120_000 }, () => {
  let demo: Demo
  const find = async (q: string): Promise<string> => {
    const res = await fetch(`${demo.url}/login?q=${encodeURIComponent(q)}&returnTo=%2Fdeep%2Flink`)
    assert.equal(res.status, 200)
    return res.text()
  }

  before(async () => {
    demo = await startTestDemo({ adminToken: 'search-spec-admin-token-0123' })
  })
  after(async () => {
    await demo?.close()
  })

  it('lists every IdP without a query, and those matching a name, a domain or an entityID with one', async () => {
    const all = await (await fetch(`${demo.url}/login`)).text()
    assert.deepEqual(listed(all), ['acme', 'globex'])
    assert.match(all, /<form method="get" action="\/login" id="idp-search"/)

    const globex = await demo.store.get('globex')
    assert.ok(globex)
    assert.deepEqual(listed(await find('Globex')), ['globex'], 'by display name, any case')
    assert.deepEqual(listed(await find('acme.test')), ['acme'], 'by domain')
    assert.deepEqual(listed(await find('carol@globex.test')), ['globex'], 'by the domain of an email')
    assert.deepEqual(listed(await find(globex.entityId)), ['globex'], 'by entityID')
  })

  it('says when nothing matches, keeps the deep link, and escapes the query', async () => {
    const page = await find('<b>nobody</b>')
    assert.deepEqual(listed(page), [])
    assert.match(page, /id="idp-search-empty"/)
    assert.doesNotMatch(page, /<b>nobody<\/b>/, 'the query is escaped')
    assert.match(page, /name="returnTo" value="\/deep\/link"/)
  })
})

// postForm, the outbound HTTP-POST binding: read with an HTML parser (values escaped, no external
// resources, the script the exported CSP hash allows), then submitted by a real browser (Debian's
// Chromium through playwright-core) under a strict Content-Security-Policy, with scripting on (it
// submits itself) and off (the Continue button), to a local endpoint that records what arrives.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import { chromium, type Browser } from 'playwright-core'
import { POST_FORM_SCRIPT_HASH, postForm } from '../../lib/bindings/post-binding.js'
import { buildAuthnRequest } from '../../lib/messages/authn-request.js'
import { newMessageId } from '../../lib/messages/message-id.js'
import { readPostForm } from '../support/samlify-peer.js'

const CHROMIUM = '/usr/bin/chromium'
const RELAY_STATE = `/deep?a=1&b="2"<script>alert('x')</script> ü`
const xml = buildAuthnRequest({
  id: newMessageId(),
  issueInstant: Date.now(),
  destination: 'https://idp.test/sso',
  issuer: 'https://app.test/saml/metadata',
  assertionConsumerServiceUrl: 'https://app.test/saml/acs',
})

describe('postForm, read as HTML', () => {
  const html = postForm('https://idp.test/sso?tenant=a&x="1"', {
    type: 'SAMLRequest',
    xml,
    relayState: RELAY_STATE,
  })
  const doc = new DOMParser().parseFromString(html, 'text/html')

  it('posts the base64 XML (no DEFLATE) and RelayState, escaped, to the endpoint as given', () => {
    const form = readPostForm(html)
    assert.equal(form.action, 'https://idp.test/sso?tenant=a&x="1"')
    assert.deepEqual(form.fields, {
      SAMLRequest: Buffer.from(xml).toString('base64'),
      RelayState: RELAY_STATE,
    })
    assert.equal(doc.getElementsByTagName('form')[0]!.getAttribute('method'), 'post')
  })

  it('loads nothing from elsewhere, runs only the script the CSP hash names, has a noscript button', () => {
    for (const tag of ['link', 'img', 'iframe', 'object', 'embed', 'style']) {
      assert.equal(doc.getElementsByTagName(tag).length, 0, tag)
    }
    assert.doesNotMatch(html, /\s(src|href|on\w+)=/i)
    const scripts = Array.from(doc.getElementsByTagName('script'))
    assert.equal(scripts.length, 1)
    const hash = createHash('sha256').update(scripts[0]!.textContent!).digest('base64')
    assert.equal(POST_FORM_SCRIPT_HASH, `'sha256-${hash}'`)
    const noscript = doc.getElementsByTagName('noscript')[0]!
    assert.equal(noscript.parentNode, doc.getElementsByTagName('form')[0], 'the button submits the form')
    assert.equal(noscript.getElementsByTagName('button')[0]!.getAttribute('type'), 'submit')
  })

  it('refuses an endpoint that is not http(s), and an unknown message type', () => {
    assert.throws(() => postForm('javascript:alert(1)', { type: 'SAMLRequest', xml }), TypeError)
    assert.throws(() => postForm(' https://idp.test/', { type: 'SAMLRequest', xml }), TypeError)
    assert.throws(() => postForm('https://idp.test/', { type: 'SAMLart' as 'SAMLRequest', xml }), TypeError)
  })
})

describe('postForm in a real browser under a strict CSP', { timeout: 300_000 }, () => {
  let server: Server
  let origin: string
  let browser: Browser
  const received: Array<{ query: string; body: URLSearchParams }> = []

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: npm test installs it (apt-get install chromium)`)
    server = createServer((req, res) => {
      const url = new URL(req.url!, origin)
      if (req.method === 'GET' && url.pathname === '/start') {
        const html = postForm(`${origin}/sso?tenant=a`, { type: 'SAMLRequest', xml, relayState: RELAY_STATE })
        res.setHeader(
          'Content-Security-Policy',
          `default-src 'none'; script-src ${POST_FORM_SCRIPT_HASH}; form-action ${origin}`,
        )
        res.setHeader('Content-Type', 'text/html; charset=utf-8')
        return res.end(html)
      }
      if (req.method === 'POST' && url.pathname === '/sso') {
        let body = ''
        req.setEncoding('utf8')
        req.on('data', (chunk: string) => (body += chunk))
        req.on('end', () => {
          received.push({ query: url.search, body: new URLSearchParams(body) })
          res.setHeader('Content-Type', 'text/html')
          res.end('<!DOCTYPE html><title>IdP</title><p id="arrived">arrived</p>')
        })
        return
      }
      res.statusCode = 404
      res.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    })
  })

  after(async () => {
    await browser?.close()
    await new Promise((resolve) => server?.close(resolve))
  })

  async function visit(javaScriptEnabled: boolean): Promise<{ requests: string[] }> {
    const context = await browser.newContext({ javaScriptEnabled })
    const page = await context.newPage()
    // No deadline of Playwright's own on a wait (a busy machine only makes pages slower): the suite's
    // timeout bounds the run, and closing the browser in `after` ends any wait still pending.
    page.setDefaultTimeout(0)
    const requests: string[] = []
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`))
    try {
      await page.goto(`${origin}/start`)
      if (!javaScriptEnabled) await page.click('button[type=submit]')
      await page.waitForSelector('#arrived')
      return { requests }
    } finally {
      await context.close()
    }
  }

  function assertArrived(): void {
    const last = received.at(-1)!
    assert.equal(last.query, '?tenant=a')
    assert.deepEqual([...last.body.keys()], ['SAMLRequest', 'RelayState'])
    assert.equal(Buffer.from(last.body.get('SAMLRequest')!, 'base64').toString('utf8'), xml)
    assert.equal(last.body.get('RelayState'), RELAY_STATE)
  }

  it('submits itself: the script runs under the CSP hash, and nothing else is fetched', async () => {
    const { requests } = await visit(true)
    assertArrived()
    assert.deepEqual(requests, [`GET ${origin}/start`, `POST ${origin}/sso?tenant=a`])
  })

  it('with scripting off, the Continue button posts the same fields', async () => {
    const before = received.length
    await visit(false)
    assert.equal(received.length, before + 1)
    assertArrived()
  })
})

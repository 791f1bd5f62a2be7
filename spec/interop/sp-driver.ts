/**
 * Our side of the interop matrix: the test app (real Express, real Passport, our strategy and router)
 * with one record per IdP, set per scenario, and the browser steps every scenario takes through it.
 * The IdP specs only add what their implementation does in between.
 *
 * @module
 */
import assert from 'node:assert/strict'
import { inflateRawSync } from 'node:zlib'
import { DOMParser } from '@xmldom/xmldom'
import type { IdpRecordInput, SamlLogoutRequest } from '../../lib/index.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import { readPostForm } from '../support/samlify-peer.js'
import { keys } from '../support/test-idp.js'

/** A SAML message on its way through the browser: a Redirect-binding URL, or an auto-submitted form. */
export type BrowserMessage =
  | { readonly binding: 'redirect'; readonly url: string }
  | { readonly binding: 'post'; readonly action: string; readonly fields: Readonly<Record<string, string>> }

/** How the record is set for a scenario (see {@link InteropSp.use}). */
export type Variant = 'redirect' | 'post' | 'enc'

/** What our SP publishes for one record, as the IdP configures it. */
export interface SpEndpointsOf {
  readonly entityId: string
  readonly acsUrl: string
  readonly sloUrl: string
  readonly metadataXml: string
}

/** The user's profile as our test app's `/me` shows it. */
export interface Me {
  readonly idp: string
  readonly nameID: string
  readonly mapped: Record<string, unknown>
}

const RETURN_TO = '/interop/home'
const LOGGED_OUT_TO = '/interop/bye'

export class InteropSp {
  private readonly records = new Map<string, Omit<IdpRecordInput, 'id'>>()

  private constructor(
    readonly app: TestApp,
    /** LogoutRequests the router handed to `onLogoutRequest`, newest last. */
    readonly logoutRequests: SamlLogoutRequest[],
  ) {}

  /**
   * Starts the test app. Assertions are encrypted to a key apart from the signing key, as a real
   * deployment does, so the IdP must pick the encryption certificate out of our metadata.
   */
  static async start(): Promise<InteropSp> {
    const logoutRequests: SamlLogoutRequest[] = []
    const app = await startTestApp({
      strategy: { sp: { decryptionKey: keys.spNext.key, decryptionCert: keys.spNext.cert } },
      router: { onLogoutRequest: (_req, request) => void logoutRequests.push(request) },
    })
    return new InteropSp(app, logoutRequests)
  }

  /**
   * Registers the IdP as record `idp`, in the `redirect` variant. All variants sign their AuthnRequests
   * and take IdP-initiated logins.
   */
  async register(idp: string, metadataXml: string, extra: Partial<IdpRecordInput> = {}): Promise<void> {
    this.records.set(idp, { metadataXml, allowIdpInitiated: true, signAuthnRequests: true, ...extra })
    await this.use(idp, 'redirect')
  }

  /**
   * Rewrites record `idp` as `variant`: `redirect` (AuthnRequests and logout on HTTP-Redirect), `post`
   * (both on HTTP-POST) or `enc` (HTTP-Redirect, encrypted assertions required). One record per IdP,
   * as a store holds an IdP's entityID once, so the IdP sees one SP throughout.
   */
  async use(idp: string, variant: Variant): Promise<void> {
    const base = this.records.get(idp)
    assert.ok(base, `register ${idp} first`)
    const binding = variant === 'post' ? 'post' : 'redirect'
    await this.app.store.put({
      ...base,
      id: idp,
      authnRequestBinding: binding,
      logoutBinding: binding,
      requireEncryptedAssertions: variant === 'enc',
    })
  }

  /** Our SP as record `id`'s IdP sees it, metadata fetched from the app. */
  async endpoints(id: string): Promise<SpEndpointsOf> {
    const res = await fetch(`${this.app.baseUrl}/saml/${id}/metadata`)
    assert.equal(res.status, 200)
    return {
      entityId: `${this.app.baseUrl}/saml/${id}/metadata`,
      acsUrl: `${this.app.baseUrl}/saml/${id}/acs`,
      sloUrl: `${this.app.baseUrl}/saml/${id}/slo`,
      metadataXml: await res.text(),
    }
  }

  /** A new browser, and our AuthnRequest on the binding the record chose. */
  async startLogin(id: string, binding: 'redirect' | 'post'): Promise<[TestBrowser, BrowserMessage]> {
    const browser = new TestBrowser()
    const res = await browser.get(
      `${this.app.baseUrl}/saml/${id}/login?returnTo=${encodeURIComponent(RETURN_TO)}`,
    )
    const message = await messageOf(res)
    assert.equal(message.binding, binding, `the AuthnRequest goes over HTTP-${binding}`)
    assert.equal(samlMessage(message).name, 'SAMLRequest')
    return [browser, message]
  }

  /**
   * Hands the IdP's Response to our ACS, and checks the browser is signed in as `nameID`: the app
   * redirects to the login's return path (or `/` when IdP-initiated) and `/me` shows the profile.
   */
  async finishLogin(
    browser: TestBrowser,
    response: BrowserMessage,
    expected: { nameID: string; idp: string; unsolicited?: boolean },
  ): Promise<Me> {
    assert.equal(response.binding, 'post', 'Responses come over HTTP-POST')
    const { action, fields } = response as Extract<BrowserMessage, { binding: 'post' }>
    assert.equal(action, `${this.app.baseUrl}/saml/${expected.idp}/acs`)
    assert.ok(fields.SAMLResponse, 'a SAMLResponse field')
    const res = await browser.post(action, fields, false)
    assert.equal(res.status, 302, `our ACS accepts the Response: ${await res.clone().text()}`)
    assert.equal(res.headers.get('location'), expected.unsolicited ? '/' : RETURN_TO)
    const me = await browser.get(`${this.app.baseUrl}/me`, true)
    assert.equal(me.status, 200, 'signed in')
    const profile = (await me.json()) as Me
    assert.equal(profile.idp, expected.idp)
    assert.equal(profile.nameID, expected.nameID)
    return profile
  }

  /**
   * Our AuthnRequest on HTTP-Redirect with its signature altered, taken to the IdP: the IdP's answer,
   * which must be a refusal when it checks signatures.
   */
  async sendForgedLogin(id: string): Promise<Response> {
    const [browser, request] = await this.startLogin(id, 'redirect')
    return deliver(browser, forgeSignature(request))
  }

  /** Starts logout at our app: the local session ends at once, and our LogoutRequest goes to the IdP. */
  async startLogout(browser: TestBrowser, id: string, binding: 'redirect' | 'post'): Promise<BrowserMessage> {
    const res = await browser.get(
      `${this.app.baseUrl}/saml/${id}/logout?returnTo=${encodeURIComponent(LOGGED_OUT_TO)}`,
    )
    const message = await messageOf(res)
    assert.equal(message.binding, binding, `the LogoutRequest goes over HTTP-${binding}`)
    assert.equal(samlMessage(message).name, 'SAMLRequest')
    await this.expectSignedOut(browser)
    return message
  }

  /**
   * SP-initiated logout at an IdP served over HTTP: our LogoutRequest goes through the browser to the
   * IdP, and the LogoutResponse it answers with (on `binding`, answering our request) is accepted.
   */
  async logOutAtIdp(browser: TestBrowser, id: string, binding: 'redirect' | 'post'): Promise<void> {
    const request = await this.startLogout(browser, id, binding)
    const response = await browseIdp(browser, this, request)
    assert.equal(response.binding, binding)
    assert.match(samlMessage(response).xml, new RegExp(`InResponseTo="${messageId(request)}"`))
    await this.finishLogout(browser, id, response)
  }

  /** Hands the IdP's LogoutResponse to our SLO endpoint, which accepts it and lands on the return path. */
  async finishLogout(browser: TestBrowser, id: string, response: BrowserMessage): Promise<void> {
    assert.equal(samlMessage(response).name, 'SAMLResponse')
    assert.equal(targetOf(response).split('?')[0], `${this.app.baseUrl}/saml/${id}/slo`)
    const res = await deliver(browser, response)
    assert.equal(res.status, 302, `our SLO endpoint accepts the LogoutResponse: ${await res.clone().text()}`)
    assert.equal(res.headers.get('location'), LOGGED_OUT_TO)
  }

  /**
   * Hands the IdP's LogoutRequest to our SLO endpoint: the session ends, `onLogoutRequest` sees the
   * user, and our LogoutResponse goes back on the record's logout binding.
   */
  async answerLogout(
    browser: TestBrowser,
    id: string,
    request: BrowserMessage,
    nameID: string,
    binding: 'redirect' | 'post',
  ): Promise<BrowserMessage> {
    assert.equal(samlMessage(request).name, 'SAMLRequest')
    assert.equal(targetOf(request).split('?')[0], `${this.app.baseUrl}/saml/${id}/slo`)
    const before = this.logoutRequests.length
    const message = await messageOf(await deliver(browser, request))
    assert.equal(message.binding, binding, `our LogoutResponse goes over HTTP-${binding}`)
    assert.equal(samlMessage(message).name, 'SAMLResponse')
    await this.expectSignedOut(browser)
    assert.equal(this.logoutRequests.length, before + 1)
    assert.equal(this.logoutRequests.at(-1)?.idp, id)
    assert.equal(this.logoutRequests.at(-1)?.nameID, nameID)
    return message
  }

  async expectSignedOut(browser: TestBrowser): Promise<void> {
    assert.equal((await browser.get(`${this.app.baseUrl}/me`, true)).status, 401, 'signed out')
  }

  close(): Promise<void> {
    return this.app.close()
  }
}

/** The SAML message an answer carries: a 3xx Location (HTTP-Redirect), or a page with a form (HTTP-POST). */
export async function messageOf(res: Response): Promise<BrowserMessage> {
  if (res.status >= 300 && res.status < 400) {
    return { binding: 'redirect', url: new URL(res.headers.get('location')!, res.url || undefined).href }
  }
  const body = await res.text()
  assert.equal(res.status, 200, body)
  const { action, fields } = readPostForm(body)
  return { binding: 'post', action: new URL(action, res.url || undefined).href, fields }
}

/**
 * Walks the browser through an IdP served over HTTP: follows its redirects and submits its
 * auto-posting forms until the next hop is a message to our app, which it returns undelivered.
 * `onPage` answers any other page (a login form), or the walk fails with that page.
 */
export async function browseIdp(
  browser: TestBrowser,
  sp: InteropSp,
  start: BrowserMessage,
  onPage?: (page: { url: string; body: string }) => BrowserMessage | undefined,
): Promise<BrowserMessage> {
  let next = start
  for (let hops = 0; hops < 20; hops++) {
    if (targetOf(next).startsWith(`${sp.app.baseUrl}/`)) return next
    const res = await deliver(browser, next)
    if (res.status >= 300 && res.status < 400) {
      next = { binding: 'redirect', url: new URL(res.headers.get('location')!, targetOf(next)).href }
      continue
    }
    const body = await res.text()
    const page = { url: targetOf(next), body }
    const answered = res.status === 200 && /<form/i.test(body) ? (onPage?.(page) ?? formOf(page)) : undefined
    assert.ok(answered, `the IdP answered ${res.status} at ${page.url}: ${body.slice(0, 2000)}`)
    next = answered
  }
  throw new Error('the IdP redirected more than 20 times')
}

/** An auto-submitting form of a page, as the browser submits it. */
export function formOf(page: { url: string; body: string }): BrowserMessage {
  const { action, fields } = readPostForm(page.body)
  return { binding: 'post', action: new URL(action, page.url).href, fields }
}

/** A Redirect-binding message whose query Signature no longer matches. */
export function forgeSignature(message: BrowserMessage): BrowserMessage {
  assert.equal(message.binding, 'redirect')
  return { binding: 'redirect', url: targetOf(message).replace(/Signature=[^&]+/, 'Signature=AAAA') }
}

/** The `ID` of a message's root element. */
export function messageId(message: BrowserMessage): string {
  const id = /^<[^>]*\sID="([^"]+)"/.exec(samlMessage(message).xml.replace(/^<\?xml[^>]*>\s*/, ''))?.[1]
  assert.ok(id, 'the message has an ID')
  return id
}

/** Sends a message the way the browser would: follows the redirect, or submits the form. */
export function deliver(browser: TestBrowser, message: BrowserMessage): Promise<Response> {
  return message.binding === 'redirect'
    ? browser.get(message.url)
    : browser.post(message.action, { ...message.fields }, false)
}

/** Where a message goes: the URL (query included) or the form's action. */
export function targetOf(message: BrowserMessage): string {
  return message.binding === 'redirect' ? message.url : message.action
}

/** The SAML parameter of a message, decoded (Redirect messages are deflated). */
export function samlMessage(message: BrowserMessage): {
  name: 'SAMLRequest' | 'SAMLResponse'
  value: string
  xml: string
  relayState: string | undefined
} {
  const params =
    message.binding === 'redirect'
      ? Object.fromEntries(new URL(message.url).searchParams)
      : (message.fields as Record<string, string>)
  const name = params.SAMLRequest !== undefined ? 'SAMLRequest' : 'SAMLResponse'
  const value = params[name]
  assert.ok(value, `a SAMLRequest or SAMLResponse in ${targetOf(message)}`)
  const raw = Buffer.from(value, 'base64')
  const xml = (message.binding === 'redirect' ? inflateRawSync(raw) : raw).toString('utf8')
  return { name, value, xml, relayState: params.RelayState }
}

const XENC = 'http://www.w3.org/2001/04/xmlenc#'
const ALGORITHM_NAMES: Record<string, string> = {
  'http://www.w3.org/2009/xmlenc11#aes128-gcm': 'AES-128-GCM',
  'http://www.w3.org/2009/xmlenc11#aes256-gcm': 'AES-256-GCM',
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc': 'AES-128-CBC',
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc': 'AES-256-CBC',
  'http://www.w3.org/2001/04/xmlenc#tripledes-cbc': '3DES-CBC',
  'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p': 'RSA-OAEP-MGF1P',
  'http://www.w3.org/2009/xmlenc11#rsa-oaep': 'RSA-OAEP',
  'http://www.w3.org/2001/04/xmlenc#rsa-1_5': 'RSA-1.5',
}

/**
 * The algorithms an IdP encrypted a Response's assertion with, read from its EncryptedData: the block
 * cipher and the key transport, e.g. `AES-128-CBC, RSA-OAEP-MGF1P`. Fails when nothing is encrypted.
 */
export function encryptionOf(responseXml: string): string {
  const doc = new DOMParser().parseFromString(responseXml, 'text/xml')
  const methods = Array.from(doc.getElementsByTagNameNS(XENC, 'EncryptionMethod'))
  const data = doc.getElementsByTagNameNS(XENC, 'EncryptedData')[0]
  assert.ok(data, 'an EncryptedData in the Response')
  assert.equal(doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion').length, 0)
  return algorithmsOf(methods, data)
}

/** `block cipher, key transport` of an EncryptedData, from the EncryptionMethods around it. */
function algorithmsOf(methods: readonly Element[], data: Element): string {
  const named = (el: Element | undefined) => {
    const uri = el?.getAttribute('Algorithm') ?? ''
    return ALGORITHM_NAMES[uri] ?? uri
  }
  const dataMethod = methods.find((m) => m.parentNode === data)
  const keyMethod = methods.find((m) => (m.parentNode as Element | null)?.localName === 'EncryptedKey')
  return `${named(dataMethod)}, ${named(keyMethod)}`
}

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion'

/**
 * The algorithms of the EncryptedID a message carries where its NameID goes (the Subject of a
 * Response's assertion, or a LogoutRequest), e.g. `AES-128-CBC, RSA-OAEP-MGF1P`. Fails when that
 * NameID is in clear, or the assertion itself is encrypted (its Subject could not be seen).
 */
export function encryptedIdOf(messageXml: string): string {
  const doc = new DOMParser().parseFromString(messageXml, 'text/xml')
  const root = doc.documentElement!
  let holder: Element | undefined = root
  if (root.localName !== 'LogoutRequest') {
    const assertions = doc.getElementsByTagNameNS(SAML, 'Assertion')
    assert.equal(assertions.length, 1, 'one assertion, in clear')
    holder = Array.from(assertions[0]!.childNodes).find(
      (n): n is Element => (n as Element).localName === 'Subject',
    )
    assert.ok(holder, 'the assertion has a Subject')
  }
  const children = Array.from(holder.childNodes).filter((n): n is Element => n.nodeType === 1)
  assert.deepEqual(
    children
      .filter((c) => c.namespaceURI === SAML && /^(NameID|EncryptedID)$/.test(c.localName))
      .map((c) => c.localName),
    ['EncryptedID'],
    `the ${holder.localName} carries an EncryptedID and no NameID`,
  )
  const encryptedId = children.find((c) => c.localName === 'EncryptedID')!
  const data = encryptedId.getElementsByTagNameNS(XENC, 'EncryptedData')[0]
  assert.ok(data, 'an EncryptedData in the EncryptedID')
  return algorithmsOf(Array.from(encryptedId.getElementsByTagNameNS(XENC, 'EncryptionMethod')), data)
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata'
const DSIG = 'http://www.w3.org/2000/09/xmldsig#'

/** The first certificate our SP metadata publishes for `use`, as PEM (what an admin copies into an IdP). */
export function certificateOf(metadataXml: string, use: 'signing' | 'encryption'): string {
  const doc = new DOMParser().parseFromString(metadataXml, 'text/xml')
  const descriptor = Array.from(doc.getElementsByTagNameNS(MD, 'KeyDescriptor')).find(
    (d) => d.getAttribute('use') === use,
  )
  const base64 = descriptor
    ?.getElementsByTagNameNS(DSIG, 'X509Certificate')[0]
    ?.textContent?.replace(/\s+/g, '')
  assert.ok(base64, `our SP metadata publishes a ${use} certificate`)
  return `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`
}

/**
 * The demo's own SAML identity provider, so the demo works offline on first run. It is samlify acting
 * as an IdP: samlify publishes the metadata, parses and checks the AuthnRequest (HTTP-Redirect or
 * HTTP-POST), renders the Response from its login response template, signs the Assertion and, for
 * tenants that ask for it, encrypts it to the SP's encryption certificate taken from the SP metadata.
 *
 * Routes, mounted at `/idp`:
 *
 * - `GET  /:tenant` — the IdP's portal: "sign in to the app" (IdP-initiated)
 * - `GET  /:tenant/metadata` — IdP metadata XML
 * - `GET|POST /:tenant/sso` — SingleSignOnService: receives the AuthnRequest, shows the login form
 * - `GET  /:tenant/login` — login form for an IdP-initiated login
 * - `POST /:tenant/login` — checks the password, answers with an auto-posting form to the ACS
 * - `GET  /:tenant/slo` — SingleLogoutService: checks the app's signed LogoutRequest and answers
 *   with a signed LogoutResponse (HTTP-Redirect)
 *
 * It keeps no state between requests: the login form carries the AuthnRequest it answers.
 *
 * @module
 */
import { DOMImplementation, DOMParser, XMLSerializer } from '@xmldom/xmldom'
import express, { type Request, type Response, type Router } from 'express'
import { randomUUID, timingSafeEqual } from 'node:crypto'
import samlify from 'samlify'
import type { IdentityProviderInstance, ServiceProviderInstance } from 'samlify'
import { loadOrCreateKeyPair } from '../data-dir.js'
import { autoPostPage, html, raw, type Html } from '../html.js'
import type { PemKeyPair } from './self-signed-certificate.js'
import type { IdpTenant, IdpUser } from './tenants.js'

const NS_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol'
const NS_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion'
const NS_XS = 'http://www.w3.org/2001/XMLSchema'
const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance'
const NS_XMLNS = 'http://www.w3.org/2000/xmlns/'
const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'
const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'
const ATTRNAME_UNSPECIFIED = 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified'
const ATTRNAME_URI = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri'
const PASSWORD_PROTECTED = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'

/** Options of {@link EmbeddedIdp.create}. */
export interface EmbeddedIdpOptions {
  /** Public origin of the demo; the IdP lives at `${baseUrl}${mountPath}/:tenant`. */
  baseUrl: string
  /** Where the router is mounted. Default `/idp`. */
  mountPath?: string
  /** Keys are generated into `dataDir/keys` at first start. */
  dataDir: string
  tenants: readonly IdpTenant[]
  /**
   * The metadata of the SP this tenant serves, as the IdP's admin would have uploaded it. The demo
   * looks it up in-process; `undefined` when the app has no record for this IdP.
   */
  spMetadata: (idpEntityId: string) => Promise<string | undefined>
}

let schemaValidatorInstalled = false

/**
 * samlify refuses to parse messages until an XML schema validator is installed. The demo ships no
 * XSD engine, so this one checks what the IdP relies on: well-formed XML without a DTD whose root is
 * a SAML protocol message. (The SP side of the demo does not use samlify.)
 */
function installSchemaValidator(): void {
  if (schemaValidatorInstalled) return
  samlify.setSchemaValidator({
    validate: (xml: string) => {
      if (/<!DOCTYPE/i.test(xml)) return Promise.reject(new Error('DTD not allowed'))
      let root: Element | null
      try {
        const fail = (msg: string): never => {
          throw new Error(msg)
        }
        root = new DOMParser({
          errorHandler: { warning: () => {}, error: fail, fatalError: fail },
        }).parseFromString(xml, 'text/xml').documentElement
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)))
      }
      if (!root || root.namespaceURI !== NS_PROTOCOL)
        return Promise.reject(new Error('not a SAML protocol message'))
      return Promise.resolve('ok')
    },
  })
  schemaValidatorInstalled = true
}

/** Runs `fn` with samlify's construction-time warning about the (deliberately absent) SLO endpoint muted. */
function quietly<T>(fn: () => T): T {
  const warn = console.warn
  console.warn = () => {}
  try {
    return fn()
  } finally {
    console.warn = warn
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function fragment(build: (doc: Document) => Element): string {
  const doc = new DOMImplementation().createDocument(NS_ASSERTION, 'root', null)
  return new XMLSerializer().serializeToString(build(doc))
}

/** `<AuthnStatement>` for a password login now, with a fresh SessionIndex. */
function authnStatement(prefix: string, now: Date): string {
  return fragment((doc) => {
    const el = (name: string) => doc.createElementNS(NS_ASSERTION, `${prefix}:${name}`)
    const statement = el('AuthnStatement')
    statement.setAttribute('AuthnInstant', now.toISOString())
    statement.setAttribute('SessionIndex', `_${randomUUID()}`)
    const context = el('AuthnContext')
    const classRef = el('AuthnContextClassRef')
    classRef.textContent = PASSWORD_PROTECTED
    context.appendChild(classRef)
    statement.appendChild(context)
    return statement
  })
}

/** `<AttributeStatement>` with one `<AttributeValue xsi:type="xs:string">` per value. */
function attributeStatement(prefix: string, user: IdpUser): string {
  if (user.attributes.length === 0) return ''
  return fragment((doc) => {
    const el = (name: string) => doc.createElementNS(NS_ASSERTION, `${prefix}:${name}`)
    const statement = el('AttributeStatement')
    for (const attribute of user.attributes) {
      const a = el('Attribute')
      a.setAttribute('Name', attribute.name)
      if (attribute.friendlyName) a.setAttribute('FriendlyName', attribute.friendlyName)
      a.setAttribute('NameFormat', attribute.name.includes(':') ? ATTRNAME_URI : ATTRNAME_UNSPECIFIED)
      for (const value of attribute.values) {
        const v = el('AttributeValue')
        v.setAttributeNS(NS_XMLNS, 'xmlns:xs', NS_XS)
        v.setAttributeNS(NS_XMLNS, 'xmlns:xsi', NS_XSI)
        v.setAttributeNS(NS_XSI, 'xsi:type', 'xs:string')
        v.textContent = value
        a.appendChild(v)
      }
      statement.appendChild(a)
    }
    return statement
  })
}

/** The parts of a received AuthnRequest the IdP answers to. */
interface ParsedRequest {
  id: string
  spEntityId: string
}

/** Where a login form came from: an AuthnRequest (SP-initiated) or the portal (IdP-initiated). */
interface LoginContext {
  /** The AuthnRequest as received, replayed on POST: binding + its parameters. */
  request?: { binding: 'redirect' | 'post'; params: Record<string, string>; octetString?: string }
  relayState?: string
}

class IdpError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}

/** A samlify IdP with one entity per tenant; see the module documentation. */
export class EmbeddedIdp {
  readonly tenants: readonly IdpTenant[]
  private readonly baseUrl: string
  private readonly mountPath: string
  private readonly entities = new Map<string, IdentityProviderInstance>()
  private readonly keys = new Map<string, PemKeyPair>()
  private readonly spEntities = new Map<string, ServiceProviderInstance>()

  private constructor(private readonly options: EmbeddedIdpOptions) {
    this.tenants = options.tenants
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.mountPath = (options.mountPath ?? '/idp').replace(/\/+$/, '')
  }

  /** Loads (or generates, at first start) each tenant's signing key and builds its samlify entity. */
  static create(options: EmbeddedIdpOptions): EmbeddedIdp {
    installSchemaValidator()
    const idp = new EmbeddedIdp(options)
    for (const tenant of options.tenants) {
      const pair = loadOrCreateKeyPair(options.dataDir, `idp-${tenant.id}`, `${tenant.id} demo IdP`)
      idp.keys.set(tenant.id, pair)
      idp.entities.set(tenant.id, idp.buildEntity(tenant, pair))
    }
    return idp
  }

  /** The tenant's IdP base URL, e.g. `http://localhost:3000/idp/acme`. */
  tenantUrl(tenantId: string): string {
    return `${this.baseUrl}${this.mountPath}/${encodeURIComponent(tenantId)}`
  }

  entityId(tenantId: string): string {
    return this.tenantUrl(tenantId)
  }

  metadataUrl(tenantId: string): string {
    return `${this.tenantUrl(tenantId)}/metadata`
  }

  /** The tenant's IdP metadata XML (samlify's `getMetadata()`). */
  metadataXml(tenantId: string): string {
    return this.entity(tenantId).getMetadata()
  }

  tenant(tenantId: string): IdpTenant | undefined {
    return this.tenants.find((t) => t.id === tenantId)
  }

  /** Express router with the IdP endpoints; mount it at `mountPath`. */
  router(): Router {
    const router = express.Router()
    const form = express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 20 })
    router.get('/:tenant', (req, res) => this.handle(req, res, () => this.portal(req, res)))
    router.get('/:tenant/metadata', (req, res) =>
      this.handle(req, res, async () => {
        res.type('application/samlmetadata+xml').send(this.metadataXml(this.tenantOf(req).id))
      }),
    )
    router.get('/:tenant/sso', (req, res) => this.handle(req, res, () => this.sso(req, res, 'redirect')))
    router.post('/:tenant/sso', form, (req, res) => this.handle(req, res, () => this.sso(req, res, 'post')))
    router.get('/:tenant/login', (req, res) =>
      this.handle(req, res, async () => {
        const relayState = typeof req.query.RelayState === 'string' ? req.query.RelayState : undefined
        this.loginForm(res, this.tenantOf(req), { relayState })
      }),
    )
    router.post('/:tenant/login', form, (req, res) => this.handle(req, res, () => this.login(req, res)))
    router.get('/:tenant/slo', (req, res) => this.handle(req, res, () => this.slo(req, res)))
    return router
  }

  private buildEntity(tenant: IdpTenant, pair: PemKeyPair): IdentityProviderInstance {
    const url = this.tenantUrl(tenant.id)
    return quietly(() =>
      samlify.IdentityProvider({
        entityID: url,
        signingCert: pair.cert,
        privateKey: pair.key,
        nameIDFormat: [tenant.nameIdFormat],
        singleSignOnService: [
          { Binding: BINDING_REDIRECT, Location: `${url}/sso` },
          { Binding: BINDING_POST, Location: `${url}/sso` },
        ],
        singleLogoutService: [{ Binding: BINDING_REDIRECT, Location: `${url}/slo` }],
        // samlify then checks the signature of the app's LogoutRequests.
        wantLogoutRequestSigned: true,
        isAssertionEncrypted: tenant.encryptAssertions,
        dataEncryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
        keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
        requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        ...(tenant.prefixes === 'saml2'
          ? { tagPrefix: { protocol: 'saml2p', assertion: 'saml2', encryptedAssertion: 'saml2' } }
          : {}),
      } as Parameters<typeof samlify.IdentityProvider>[0]),
    )
  }

  private entity(tenantId: string): IdentityProviderInstance {
    const entity = this.entities.get(tenantId)
    if (!entity) throw new IdpError(`no IdP tenant "${tenantId.slice(0, 60)}"`, 404)
    return entity
  }

  private tenantOf(req: Request): IdpTenant {
    const tenant = this.tenant(String(req.params.tenant))
    if (!tenant) throw new IdpError(`no IdP tenant "${String(req.params.tenant).slice(0, 60)}"`, 404)
    return tenant
  }

  /** The SP as this tenant knows it: a samlify SP built from the app's SP metadata. */
  private async serviceProvider(tenant: IdpTenant): Promise<ServiceProviderInstance> {
    const metadata = await this.options.spMetadata(this.entityId(tenant.id))
    if (!metadata) {
      throw new IdpError(
        `the app has no IdP record for ${this.entityId(tenant.id)}; register this IdP in the app's admin first`,
        409,
      )
    }
    let sp = this.spEntities.get(metadata)
    if (!sp) {
      // The app wants signed logout messages: samlify signs a LogoutResponse when the SP asks for it.
      sp = quietly(() =>
        samlify.ServiceProvider({ metadata, wantLogoutRequestSigned: true, wantLogoutResponseSigned: true }),
      )
      if (this.spEntities.size > 50) this.spEntities.clear()
      this.spEntities.set(metadata, sp)
    }
    return sp
  }

  private async handle(req: Request, res: Response, run: () => Promise<void> | void): Promise<void> {
    try {
      await run()
    } catch (err) {
      const status = err instanceof IdpError ? err.status : 400
      const message = err instanceof Error ? err.message : String(err)
      const tenant = this.tenant(String(req.params.tenant))
      res.status(status)
      this.page(
        res,
        tenant,
        'Error',
        html`<h1>The IdP could not handle this request</h1>
          <p class="error">${message}</p>`,
      )
    }
  }

  /** Checks an AuthnRequest with samlify (schema, and signature when WantAuthnRequestsSigned). */
  private async parseRequest(tenant: IdpTenant, context: LoginContext): Promise<ParsedRequest> {
    const request = context.request!
    const sp = await this.serviceProvider(tenant)
    const parsed = await this.entity(tenant.id)
      .parseLoginRequest(sp, request.binding, {
        query: request.binding === 'redirect' ? request.params : {},
        body: request.binding === 'post' ? request.params : {},
        octetString: request.octetString ?? '',
      })
      .catch((err: unknown) => {
        throw new IdpError(
          `the AuthnRequest was refused: ${err instanceof Error ? err.message : String(err)}`,
        )
      })
    const extracted = parsed.extract as { request?: { id?: string }; issuer?: string }
    const id = extracted.request?.id
    if (!id) throw new IdpError('the AuthnRequest has no ID')
    const spEntityId = sp.entityMeta.getEntityID()
    if (extracted.issuer !== undefined && extracted.issuer !== spEntityId) {
      throw new IdpError(`the AuthnRequest is from "${String(extracted.issuer)}", not from ${spEntityId}`)
    }
    return { id, spEntityId }
  }

  /** The signed octet string of an HTTP-Redirect message: the query as sent, in binding order. */
  private octetString(req: Request, messageParam: 'SAMLRequest' | 'SAMLResponse'): string {
    const raw = req.originalUrl.split('?')[1] ?? ''
    const parts = new Map(raw.split('&').map((p) => [p.split('=')[0]!, p] as const))
    return [messageParam, 'RelayState', 'SigAlg']
      .map((k) => parts.get(k))
      .filter((p): p is string => p !== undefined)
      .join('&')
  }

  /**
   * SP-initiated Single Logout. The IdP keeps no sessions, so logging out here is only checking the
   * app's LogoutRequest (signature, issuer) and answering it with a signed LogoutResponse.
   */
  private async slo(req: Request, res: Response): Promise<void> {
    const tenant = this.tenantOf(req)
    const query: Record<string, string> = {}
    for (const key of ['SAMLRequest', 'RelayState', 'SigAlg', 'Signature']) {
      if (typeof req.query[key] === 'string') query[key] = req.query[key]
    }
    if (!query.SAMLRequest) throw new IdpError('no SAMLRequest: sign out at the app')
    const sp = await this.serviceProvider(tenant)
    const idp = this.entity(tenant.id)
    const parsed = await idp
      .parseLogoutRequest(sp, 'redirect', { query, octetString: this.octetString(req, 'SAMLRequest') })
      .catch((err: unknown) => {
        throw new IdpError(
          `the LogoutRequest was refused: ${err instanceof Error ? err.message : String(err)}`,
        )
      })
    const reply = idp.createLogoutResponse(
      sp,
      { extract: parsed.extract },
      'redirect',
      query.RelayState ?? '',
    ) as {
      context: string
    }
    res.redirect(302, reply.context)
  }

  private async sso(req: Request, res: Response, binding: 'redirect' | 'post'): Promise<void> {
    const tenant = this.tenantOf(req)
    const source = (binding === 'redirect' ? req.query : req.body) as Record<string, unknown>
    const params: Record<string, string> = {}
    for (const key of ['SAMLRequest', 'RelayState', 'SigAlg', 'Signature']) {
      if (typeof source[key] === 'string') params[key] = source[key]
    }
    if (!params.SAMLRequest) throw new IdpError('no SAMLRequest: start the login at the app')
    // The signed octet string of the HTTP-Redirect binding is the query as sent, in this order.
    const octetString = binding === 'redirect' ? this.octetString(req, 'SAMLRequest') : undefined
    const context: LoginContext = { request: { binding, params, octetString }, relayState: params.RelayState }
    await this.parseRequest(tenant, context)
    this.loginForm(res, tenant, context)
  }

  private async login(req: Request, res: Response): Promise<void> {
    const tenant = this.tenantOf(req)
    const body = req.body as Record<string, unknown>
    let context: LoginContext = {}
    if (typeof body.context === 'string' && body.context !== '') {
      try {
        context = JSON.parse(Buffer.from(body.context, 'base64url').toString('utf8')) as LoginContext
      } catch {
        throw new IdpError('the login form was tampered with')
      }
    }
    if (typeof body.RelayState === 'string' && !context.request)
      context.relayState = body.RelayState || undefined
    const username = typeof body.username === 'string' ? body.username.trim().toLowerCase() : ''
    const password = typeof body.password === 'string' ? body.password : ''
    const user = tenant.users.find((u) => u.username === username)
    if (!user || !sameSecret(user.password, password)) {
      res.status(401)
      return this.loginForm(res, tenant, context, 'Wrong username or password.')
    }
    const sp = await this.serviceProvider(tenant)
    const request = context.request ? await this.parseRequest(tenant, context) : undefined
    const idp = this.entity(tenant.id)
    const prefix = tenant.prefixes === 'saml2' ? 'saml2' : 'saml'
    const now = new Date()
    const later = new Date(now.getTime() + 5 * 60_000).toISOString()
    const acsUrl = sp.entityMeta.getAssertionConsumerService('post') as string
    const spEntityId = sp.entityMeta.getEntityID()
    // customTagReplacement below writes InResponseTo itself; samlify only needs the request for context.
    const requestInfo = { extract: request ? { request: { id: request.id } } : {} }
    const response = await idp.createLoginResponse(
      sp,
      requestInfo,
      'post',
      { email: user.nameId },
      {
        relayState: context.relayState,
        customTagReplacement: (template: string) => {
          const id = `_${randomUUID()}`
          const withStatements = template
            .replace('{AuthnStatement}', authnStatement(prefix, now))
            .replace('{AttributeStatement}', attributeStatement(prefix, user))
          const context = samlify.SamlLib.replaceTagsByValue(withStatements, {
            ID: id,
            AssertionID: `_${randomUUID()}`,
            IssueInstant: now.toISOString(),
            Destination: acsUrl,
            // Undefined drops the attribute: an IdP-initiated response answers no request.
            InResponseTo: request?.id,
            Issuer: this.entityId(tenant.id),
            StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
            NameIDFormat: tenant.nameIdFormat,
            NameID: user.nameId,
            SubjectConfirmationDataNotOnOrAfter: later,
            SubjectRecipient: acsUrl,
            ConditionsNotBefore: now.toISOString(),
            ConditionsNotOnOrAfter: later,
            Audience: spEntityId,
          })
          return { id, context }
        },
      },
    )
    res.setHeader('Cache-Control', 'no-store')
    res
      .type('html')
      .send(
        autoPostPage(
          acsUrl,
          { SAMLResponse: response.context, RelayState: context.relayState },
          `Signing in to ${spEntityId}`,
        ),
      )
  }

  private async portal(req: Request, res: Response): Promise<void> {
    const tenant = this.tenantOf(req)
    const tenantUrl = this.tenantUrl(tenant.id)
    this.page(
      res,
      tenant,
      'Apps',
      html`<h1>${tenant.displayName}</h1>
        <p class="muted">
          This is the IdP's own portal. An IdP-initiated login starts here: the IdP posts a response nobody
          asked for, which the app accepts only when the IdP record allows it.
        </p>
        <div class="apps">
          <form method="get" action="${tenantUrl}/login">
            <button type="submit">Sign in to the demo app</button>
          </form>
          <form method="get" action="${tenantUrl}/login">
            <input type="hidden" name="RelayState" value="/deep/link" />
            <button type="submit" class="secondary">… and open /deep/link</button>
          </form>
        </div>
        <p class="muted">Metadata: <a href="${tenantUrl}/metadata">${tenantUrl}/metadata</a></p>`,
    )
  }

  private loginForm(res: Response, tenant: IdpTenant, context: LoginContext, error?: string): void {
    const encoded = Buffer.from(JSON.stringify(context), 'utf8').toString('base64url')
    const users = tenant.users.map(
      (u) =>
        html`<tr>
          <td>${u.displayName}</td>
          <td><code>${u.username}</code></td>
          <td><code>${u.password}</code></td>
          <td>
            <button
              type="button"
              class="secondary fill"
              data-user="${u.username}"
              data-password="${u.password}"
            >
              Use
            </button>
          </td>
        </tr>`,
    )
    this.page(
      res,
      tenant,
      'Sign in',
      html`<h1>Sign in to ${tenant.displayName}</h1>
        <p class="muted">
          ${
            context.request
              ? 'An app sent you here with a SAML AuthnRequest. After you sign in, the IdP posts a signed response back to it.'
              : 'IdP-initiated: after you sign in, the IdP posts an unsolicited response to the app.'
          }
        </p>
        ${error ? html`<p class="error">${error}</p>` : ''}
        <form method="post" action="${this.tenantUrl(tenant.id)}/login" id="login">
          <input type="hidden" name="context" value="${encoded}" />
          <label for="username">Username</label>
          <input id="username" name="username" type="text" autocomplete="username" required />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit">Sign in</button>
        </form>
        <h2>Test users</h2>
        <p class="muted">It is a demo: the passwords are shown.</p>
        <table>
          ${users}
        </table>
        <script>
          ${raw(`for (const b of document.querySelectorAll('button.fill')) b.addEventListener('click', () => {
        document.getElementById('username').value = b.dataset.user
        document.getElementById('password').value = b.dataset.password
      })`)}
        </script>`,
    )
  }

  private page(res: Response, tenant: IdpTenant | undefined, title: string, body: Html): void {
    const color = tenant?.color ?? '#444'
    res.type('html').send(
      html`<!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>${title} · ${tenant?.displayName ?? 'Demo IdP'}</title>
            <style>
              ${raw(`body{margin:0;font:15px/1.5 system-ui,sans-serif;background:#eef0f4;color:#1c2430}
.brand{background:${color};color:#fff;padding:14px 24px;font-weight:700;letter-spacing:.02em}
.brand small{font-weight:400;opacity:.8;margin-left:8px}
main{max-width:520px;margin:32px auto;background:#fff;border-radius:12px;padding:28px;box-shadow:0 2px 10px rgba(0,0,0,.06)}
h1{font-size:22px;margin:0 0 8px}h2{font-size:16px;margin:24px 0 4px}.muted{color:#5b6675}
label{display:block;font-weight:600;margin:12px 0 4px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:9px 11px;border:1px solid #d3d8e0;border-radius:7px;font:inherit}
button{margin-top:16px;background:${color};color:#fff;border:0;border-radius:7px;padding:9px 16px;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:${color};border:1px solid ${color};margin-top:0;padding:4px 10px}
.apps{display:flex;gap:10px;flex-wrap:wrap;margin:16px 0}.apps button.secondary{margin-top:16px;padding:9px 16px}
table{width:100%;border-collapse:collapse;margin-top:8px}td{padding:6px 4px;border-bottom:1px solid #eef0f4}
code{font:12.5px ui-monospace,monospace;background:#f1f3f8;padding:1px 5px;border-radius:4px}
.error{background:#fdeceb;color:#b42318;padding:10px 12px;border-radius:8px}`)}
            </style>
          </head>
          <body>
            <div class="brand">
              ${tenant?.displayName ?? 'Demo IdP'}<small>embedded demo IdP (samlify)</small>
            </div>
            <main>${body}</main>
          </body>
        </html>`.value,
    )
  }
}

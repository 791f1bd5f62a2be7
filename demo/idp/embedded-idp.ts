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
 *   (`authn-request.ts`)
 * - `GET  /:tenant/login` — login form for an IdP-initiated login
 * - `POST /:tenant/login` — checks the password, answers with an auto-posting form to the ACS
 *   (`login-response.ts`)
 * - `GET  /:tenant/slo` — SingleLogoutService: checks the app's signed LogoutRequest and answers
 *   with a signed LogoutResponse (HTTP-Redirect) (`single-logout.ts`)
 *
 * It keeps no state between requests: the login form carries the AuthnRequest it answers.
 * This file holds the tenants' entities and keys and routes each request to its handler.
 *
 * Each tenant's signing keys are a ring (`signing-keys.ts`): {@link EmbeddedIdp.rotateSigningKey}
 * publishes a new certificate in the metadata beside the current one and signs with it after the
 * rollover period (or at once). Two samlify entities per key state: one signs (only its own
 * certificate in KeyInfo), the other publishes the metadata with every published certificate.
 *
 * @module
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express'
import type { IdentityProviderInstance, ServiceProviderInstance } from 'samlify'
import { html } from '../html.js'
import { receiveAuthnRequest } from './authn-request.js'
import { sendIdpPage, sendLoginForm, sendPortal } from './idp-pages.js'
import { signIn } from './login-response.js'
import { createIdpEntity, createSpEntity, installSchemaValidator } from './samlify-entities.js'
import { singleLogout } from './single-logout.js'
import { SigningKeyRing, type RotationMode, type SigningKeyState } from './signing-keys.js'
import { IdpError, type TenantIdp } from './tenant-idp.js'
import type { IdpTenant } from './tenants.js'

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
  /**
   * Key rotation: how long a new signing certificate is published before the IdP signs with it,
   * and the replaced one after. Default 300000 (5 minutes).
   */
  keyRolloverMs?: number
}

/** A tenant's samlify entities for one state of its keys. */
interface TenantEntities {
  /** The key ring state they were built for (signing and published certificates). */
  readonly stamp: string
  /** Signs, with only the signing certificate in KeyInfo. */
  readonly signer: IdentityProviderInstance
  /** Publishes the metadata: every published certificate. */
  readonly publisher: IdentityProviderInstance
}

/** A route of one tenant. */
type TenantHandler = (idp: TenantIdp, req: Request, res: Response) => Promise<void> | void

/** A samlify IdP with one entity per tenant; see the module documentation. */
export class EmbeddedIdp {
  readonly tenants: readonly IdpTenant[]
  private readonly baseUrl: string
  private readonly mountPath: string
  private readonly rings = new Map<string, SigningKeyRing>()
  private readonly entities = new Map<string, TenantEntities>()
  /** samlify SPs by SP metadata, so a changed record gets a new one. */
  private readonly spEntities = new Map<string, ServiceProviderInstance>()

  private constructor(private readonly options: EmbeddedIdpOptions) {
    this.tenants = options.tenants
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.mountPath = (options.mountPath ?? '/idp').replace(/\/+$/, '')
  }

  /** Loads (or generates, at first start) each tenant's signing keys and builds its samlify entities. */
  static create(options: EmbeddedIdpOptions): EmbeddedIdp {
    installSchemaValidator()
    const idp = new EmbeddedIdp(options)
    const rolloverMs = options.keyRolloverMs ?? 300_000
    for (const tenant of options.tenants) {
      const ring = new SigningKeyRing(
        options.dataDir,
        `idp-${tenant.id}`,
        `${tenant.id} demo IdP`,
        rolloverMs,
      )
      idp.rings.set(tenant.id, ring)
      idp.entitiesOf(tenant.id)
    }
    return idp
  }

  /**
   * Where the tenant's signing keys stand: the key signing now, a new one being rolled over to,
   * the replaced one still published.
   */
  signingKeys(tenantId: string): SigningKeyState {
    return this.ring(tenantId).state()
  }

  /** The rollover period of every tenant's key rotations, in ms. */
  get keyRolloverMs(): number {
    return this.options.keyRolloverMs ?? 300_000
  }

  /**
   * Rotates the tenant's signing key: a new key pair, published in the metadata at once beside the
   * current one; it signs after the rollover period (`rollover`) or at once (`now`). Keys persist
   * in `DATA_DIR/keys`.
   *
   * @example
   * ```ts
   * idp.rotateSigningKey('acme', 'rollover')
   * ```
   */
  rotateSigningKey(tenantId: string, mode: RotationMode): SigningKeyState {
    this.ring(tenantId).rotate(mode)
    return this.signingKeys(tenantId)
  }

  /** Ends a rollover under way: the new key signs from now. False when none is under way. */
  signWithNewKeyNow(tenantId: string): boolean {
    return this.ring(tenantId).signWithNextNow()
  }

  /** The tenant whose entity ID this is, if it is one of ours. */
  tenantByEntityId(entityId: string): IdpTenant | undefined {
    return this.tenants.find((t) => this.entityId(t.id) === entityId)
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

  /** The tenant's IdP metadata XML (samlify's `getMetadata()`), listing every published certificate. */
  metadataXml(tenantId: string): string {
    return this.entitiesOf(tenantId).publisher.getMetadata()
  }

  tenant(tenantId: string): IdpTenant | undefined {
    return this.tenants.find((t) => t.id === tenantId)
  }

  /** Express router with the IdP endpoints; mount it at `mountPath`. */
  router(): Router {
    const router = express.Router()
    const form = express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 20 })
    const on =
      (handler: TenantHandler): RequestHandler =>
      (req, res) =>
        this.handle(req, res, () => handler(this.tenantOf(req), req, res))
    router.get(
      '/:tenant',
      on((idp, _req, res) => sendPortal(res, idp)),
    )
    router.get(
      '/:tenant/metadata',
      // Express adds an ETag and answers If-None-Match with 304: the refresher's requests are conditional.
      on(
        (idp, _req, res) =>
          void res.type('application/samlmetadata+xml').send(this.metadataXml(idp.tenant.id)),
      ),
    )
    router.get(
      '/:tenant/sso',
      on((idp, req, res) => receiveAuthnRequest(idp, req, res, 'redirect')),
    )
    router.post(
      '/:tenant/sso',
      form,
      on((idp, req, res) => receiveAuthnRequest(idp, req, res, 'post')),
    )
    router.get(
      '/:tenant/login',
      on((idp, req, res) => {
        const relayState = typeof req.query.RelayState === 'string' ? req.query.RelayState : undefined
        sendLoginForm(res, idp, { relayState })
      }),
    )
    router.post('/:tenant/login', form, on(signIn))
    router.get('/:tenant/slo', on(singleLogout))
    return router
  }

  private ring(tenantId: string): SigningKeyRing {
    const ring = this.rings.get(tenantId)
    if (!ring) throw new IdpError(`no IdP tenant "${tenantId.slice(0, 60)}"`, 404)
    return ring
  }

  /** The tenant's entities for its keys as they stand now, rebuilt when a rotation changed them. */
  private entitiesOf(tenantId: string): TenantEntities {
    const tenant = this.tenant(tenantId)
    const keys = this.ring(tenantId).state()
    const stamp = [keys.signing.cert, ...keys.published].join('\n')
    const cached = this.entities.get(tenantId)
    if (tenant === undefined) throw new IdpError(`no IdP tenant "${tenantId.slice(0, 60)}"`, 404)
    if (cached?.stamp === stamp) return cached
    const url = this.tenantUrl(tenantId)
    const entities: TenantEntities = {
      stamp,
      signer: createIdpEntity(tenant, keys.signing, url),
      publisher: createIdpEntity(tenant, keys.signing, url, keys.published),
    }
    this.entities.set(tenantId, entities)
    return entities
  }

  /** The request's `:tenant` as its handlers see it; 404 when there is no such tenant. */
  private tenantOf(req: Request): TenantIdp {
    const tenant = this.tenant(String(req.params.tenant))
    if (!tenant) throw new IdpError(`no IdP tenant "${String(req.params.tenant).slice(0, 60)}"`, 404)
    return {
      tenant,
      url: this.tenantUrl(tenant.id),
      entityId: this.entityId(tenant.id),
      entity: this.entitiesOf(tenant.id).signer,
      serviceProvider: () => this.serviceProvider(tenant),
    }
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
      sp = createSpEntity(metadata)
      if (this.spEntities.size > 50) this.spEntities.clear()
      this.spEntities.set(metadata, sp)
    }
    return sp
  }

  /** Runs a route; whatever it throws is answered with the IdP's error page. */
  private async handle(req: Request, res: Response, run: () => Promise<void> | void): Promise<void> {
    try {
      await run()
    } catch (err) {
      const status = err instanceof IdpError ? err.status : 400
      const message = err instanceof Error ? err.message : String(err)
      const tenant = this.tenant(String(req.params.tenant))
      res.status(status)
      sendIdpPage(
        res,
        tenant,
        'Error',
        html`<h1>The IdP could not handle this request</h1>
          <p class="error">${message}</p>`,
      )
    }
  }
}

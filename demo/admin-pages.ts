/**
 * Admin pages behind the local admin password: list, add (metadata XML or URL), SP metadata and the
 * URLs to give the IdP, delete, and the test-connection view of the last attempts.
 *
 * @module
 */
import express, { type Request, type Response, type Router } from 'express'
import {
  isSamlError,
  presets,
  type IdpRecord,
  type IdpStore,
  type MultiIdpSamlStrategy,
  type SamlAttempt,
} from '../lib/index.js'
import type { AdminAuth } from './admin-auth.js'
import type { AttemptLog } from './attempts.js'
import { html, layout, type Html } from './html.js'
import { prettyXml } from './pretty-xml.js'
import { DemoHttpError, registerIdp, type MetadataFetchPolicy } from './register-idp.js'

/** Options of {@link adminPages}. */
export interface AdminPagesOptions {
  strategy: MultiIdpSamlStrategy
  /** The IdP store the strategy reads (records are listed, added and deleted through it). */
  store: IdpStore
  auth: AdminAuth
  attempts: AttemptLog
  metadataPolicy: MetadataFetchPolicy
  /** Metadata URLs of the embedded IdP tenants, offered as examples. */
  exampleMetadataUrls: readonly string[]
  /** Whether the login comes from a browser that is signed in as a SAML user (for the header). */
  userName: (req: Request) => string | undefined
}

function page(req: Request, options: AdminPagesOptions, title: string, body: Html): string {
  return layout({ title, body, user: options.userName(req), admin: true })
}

function spUrls(strategy: MultiIdpSamlStrategy, record: IdpRecord): Html {
  const sp = strategy.serviceProvider.endpointsFor(record)
  return html`<dl class="kv">
    <dt>SP entity ID (Audience)</dt>
    <dd><code>${sp.entityId}</code></dd>
    <dt>ACS URL (HTTP-POST)</dt>
    <dd><code>${sp.acsUrl}</code></dd>
    <dt>Shared ACS URL</dt>
    <dd><code>${sp.sharedAcsUrl}</code> <span class="muted">(any IdP; resolved by Issuer)</span></dd>
    <dt>SP metadata</dt>
    <dd>
      <a href="${sp.metadataUrl}"><code>${sp.metadataUrl}</code></a>
    </dd>
    <dt>Login URL</dt>
    <dd><code>${sp.loginUrl}</code></dd>
  </dl>`
}

function attemptCard(attempt: SamlAttempt, index: number): Html {
  const profile = attempt.profile
  return html`<div class="card attempt" data-ok="${String(attempt.ok)}">
    <div class="row" style="justify-content:space-between">
      <strong>${attempt.at.toISOString()}</strong>
      ${attempt.ok ? html`<span class="pill ok">accepted</span>` : html`<span class="pill bad">rejected</span>`}
    </div>
    ${attempt.error ? html`<p class="notice bad" style="margin:10px 0"><code>${attempt.error.code}</code> ${attempt.error.message}</p>` : ''}
    <details ${index === 0 ? 'open' : ''}>
      <summary>Checks, mapped profile and decoded response</summary>
      <h2>Checks</h2>
      <table>
        ${attempt.checks.map(
          (c) =>
            html`<tr>
              <td>
                ${c.ok ? html`<span class="pill ok">pass</span>` : html`<span class="pill bad">fail</span>`}
              </td>
              <td>${c.title}</td>
              <td>${c.code ? html`<code>${c.code}</code>` : ''}</td>
            </tr>`,
        )}
      </table>
      ${
        profile
          ? html`<h2>Mapped profile</h2>
              <dl class="kv">
                <dt>NameID</dt>
                <dd><code>${profile.nameID}</code></dd>
                ${Object.entries(profile.mapped)
                  .filter(([, v]) => v !== undefined)
                  .map(
                    ([k, v]) =>
                      html`<dt>${k}</dt>
                        <dd><code>${Array.isArray(v) ? v.join(', ') : v}</code></dd>`,
                  )}
              </dl>`
          : ''
      }
      ${
        attempt.assertionXml
          ? html`<h2>
                Assertion
                <span class="muted" style="font-weight:400"
                  >(verified, decrypted when it came encrypted)</span
                >
              </h2>
              <pre class="xml">${prettyXml(attempt.assertionXml)}</pre>`
          : ''
      }
      ${
        attempt.responseXml
          ? html`<h2>
                Response
                <span class="muted" style="font-weight:400"
                  >(decoded; signatures and certificates shortened)</span
                >
              </h2>
              <pre class="xml">${prettyXml(attempt.responseXml)}</pre>`
          : ''
      }
    </details>
  </div>`
}

function idpForm(
  req: Request,
  options: AdminPagesOptions,
  error?: string,
  values: Record<string, string> = {},
): Html {
  const presetNames = Object.keys(presets)
  return html`<div class="card" id="add-idp">
    <h2 style="margin-top:0">Add or replace an IdP</h2>
    ${error ? html`<div class="notice bad" id="form-error">${error}</div>` : ''}
    <form method="post" action="/admin/idp">
      <input type="hidden" name="_csrf" value="${options.auth.csrfToken(req)}" />
      <label for="id">ID (used in URLs)</label>
      <input
        id="id"
        name="id"
        type="text"
        pattern="[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
        required
        value="${values.id ?? ''}"
        placeholder="initech"
      />
      <label for="displayName">Display name</label>
      <input
        id="displayName"
        name="displayName"
        type="text"
        value="${values.displayName ?? ''}"
        placeholder="Initech"
      />
      <label for="metadataUrl">Metadata URL</label>
      <input
        id="metadataUrl"
        name="metadataUrl"
        type="url"
        value="${values.metadataUrl ?? ''}"
        placeholder="${options.exampleMetadataUrls[0] ?? 'https://idp.example.com/metadata'}"
      />
      <label for="metadataXml">… or paste the metadata XML</label>
      <textarea id="metadataXml" name="metadataXml" placeholder="&lt;EntityDescriptor …">
${values.metadataXml ?? ''}</textarea>
      <label for="emailDomains">Email domains (comma-separated)</label>
      <input
        id="emailDomains"
        name="emailDomains"
        type="text"
        value="${values.emailDomains ?? ''}"
        placeholder="initech.test"
      />
      <label for="attributeMap">Attribute map</label>
      <select id="attributeMap" name="attributeMap">
        <option value="">default (common names of every vendor)</option>
        ${presetNames.map((p) => html`<option value="${p}" ${values.attributeMap === p ? 'selected' : ''}>${p}</option>`)}
      </select>
      <label
        ><input
          type="checkbox"
          name="allowIdpInitiated"
          value="true"
          ${values.allowIdpInitiated ? 'checked' : ''}
        />
        Allow IdP-initiated login</label
      >
      <p><button type="submit">Save IdP</button></p>
    </form>
  </div>`
}

function formBody(body: Record<string, unknown>): Record<string, unknown> {
  const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '')
  const out: Record<string, unknown> = {}
  if (text('displayName')) out.displayName = text('displayName')
  if (text('metadataXml')) out.metadataXml = text('metadataXml')
  if (text('metadataUrl')) out.metadataUrl = text('metadataUrl')
  const domains = text('emailDomains')
    .split(/[\s,]+/)
    .filter(Boolean)
  if (domains.length) out.emailDomains = domains
  if (text('attributeMap')) out.attributeMap = text('attributeMap')
  out.allowIdpInitiated = body.allowIdpInitiated === 'true'
  return out
}

/**
 * Router for `/admin` pages.
 *
 * @example
 * ```ts
 * app.use('/admin', adminPages({ strategy, auth, attempts, metadataPolicy, exampleMetadataUrls, userName }))
 * ```
 */
export function adminPages(options: AdminPagesOptions): Router {
  const { strategy, store, auth, attempts } = options
  const router = express.Router()
  const form = express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 20 })

  const requireAdmin = (req: Request, res: Response): boolean => {
    if (auth.isAdmin(req)) return true
    res.status(401).type('html').send(loginForm(req))
    return false
  }
  const loginForm = (req: Request, error?: string) =>
    page(
      req,
      options,
      'Admin sign-in',
      html`<div class="card narrow">
        <h1>Admin</h1>
        <p class="muted">
          Local admin password: this works even when SAML is misconfigured. It was printed when the demo
          started (or set with <code>ADMIN_PASSWORD</code>).
        </p>
        ${error ? html`<div class="notice bad">${error}</div>` : ''}
        <form method="post" action="/admin/login">
          <label for="password">Admin password</label>
          <input id="password" name="password" type="password" required autofocus />
          <p><button type="submit" id="admin-sign-in">Sign in</button></p>
        </form>
      </div>`,
    )
  const csrfOk = (req: Request, res: Response): boolean => {
    if (auth.checkCsrf(req)) return true
    res
      .status(403)
      .type('html')
      .send(
        page(
          req,
          options,
          'Forbidden',
          html`<h1>The form expired</h1>
            <p><a href="/admin">Back to admin</a></p>`,
        ),
      )
    return false
  }
  const renderList = async (
    req: Request,
    res: Response,
    status = 200,
    error?: string,
    values?: Record<string, string>,
  ) => {
    const idps = await store.list({ limit: 500 })
    res
      .status(status)
      .type('html')
      .send(
        page(
          req,
          options,
          'Admin',
          html`<div class="row" style="justify-content:space-between">
              <h1>Identity providers</h1>
              <form method="post" action="/admin/logout">
                <input type="hidden" name="_csrf" value="${auth.csrfToken(req)}" /><button class="secondary">
                  Admin sign-out
                </button>
              </form>
            </div>
            <div class="card">
              <table>
                <tr>
                  <th>ID</th>
                  <th>Name</th>
                  <th>Email domains</th>
                  <th>IdP entity ID</th>
                  <th></th>
                </tr>
                ${idps.map(
                  (r) =>
                    html`<tr>
                      <td>
                        <a href="/admin/idp/${r.id}"><code>${r.id}</code></a>
                      </td>
                      <td>${r.displayName ?? ''}</td>
                      <td>${r.emailDomains.join(', ')}</td>
                      <td><code>${r.entityId}</code></td>
                      <td><a href="/admin/idp/${r.id}/test">test connection</a></td>
                    </tr>`,
                )}
              </table>
              ${idps.length === 0 ? html`<p class="muted">None yet.</p>` : ''}
            </div>
            ${idpForm(req, options, error, values)}
            <p class="muted">
              Embedded IdP metadata, to try the form:
              ${options.exampleMetadataUrls.map((u) => html`<code>${u}</code> `)}
            </p>`,
        ),
      )
  }

  router.get('/', async (req, res, next) => {
    try {
      if (!requireAdmin(req, res)) return
      await renderList(req, res)
    } catch (err) {
      next(err)
    }
  })

  router.post('/login', form, (req, res) => {
    if (!auth.checkPassword((req.body as Record<string, unknown>).password)) {
      return void res.status(401).type('html').send(loginForm(req, 'Wrong password.'))
    }
    auth.signIn(res)
    res.redirect(303, '/admin')
  })

  router.post('/logout', form, (req, res) => {
    if (!requireAdmin(req, res) || !csrfOk(req, res)) return
    auth.signOut(res)
    res.redirect(303, '/')
  })

  router.post('/idp', form, async (req, res, next) => {
    if (!requireAdmin(req, res) || !csrfOk(req, res)) return
    const body = req.body as Record<string, string>
    const id = typeof body.id === 'string' ? body.id.trim() : ''
    try {
      const { record } = await registerIdp(store, id, formBody(body), options.metadataPolicy)
      res.redirect(303, `/admin/idp/${encodeURIComponent(record.id)}`)
    } catch (err) {
      if (isSamlError(err) || err instanceof DemoHttpError) {
        const code = isSamlError(err) ? err.code : err.code
        return void renderList(req, res, 400, `${code}: ${err.message}`, body).catch(next)
      }
      next(err)
    }
  })

  const withRecord =
    (render: (req: Request, res: Response, record: IdpRecord) => void | Promise<void>) =>
    async (req: Request, res: Response, next: (err?: unknown) => void) => {
      try {
        if (!requireAdmin(req, res)) return
        const record = await store.get(String(req.params.id))
        if (!record) {
          return void res
            .status(404)
            .type('html')
            .send(
              page(
                req,
                options,
                'Not found',
                html`<h1>No IdP "${String(req.params.id)}"</h1>
                  <p><a href="/admin">Back</a></p>`,
              ),
            )
        }
        await render(req, res, record)
      } catch (err) {
        next(err)
      }
    }

  router.get(
    '/idp/:id',
    withRecord((req, res, record) => {
      const spMetadata = strategy.serviceProvider.metadataFor(record)
      res.type('html').send(
        page(
          req,
          options,
          record.displayName ?? record.id,
          html`<h1>${record.displayName ?? record.id} <span class="pill">${record.id}</span></h1>
            <p>
              <a class="button" href="/admin/idp/${record.id}/test">Test connection</a>
              <a class="button secondary" href="/admin">All IdPs</a>
            </p>
            <div class="card">
              <h2 style="margin-top:0">Give these to the IdP</h2>
              ${spUrls(strategy, record)}
            </div>
            <div class="card">
              <h2 style="margin-top:0">The IdP as registered</h2>
              <dl class="kv">
                <dt>Entity ID (Issuer)</dt>
                <dd><code>${record.entityId}</code></dd>
                <dt>SSO URL</dt>
                <dd><code>${record.ssoUrls.redirect ?? record.ssoUrls.post ?? ''}</code></dd>
                <dt>Metadata URL</dt>
                <dd><code>${record.metadataUrl ?? '—'}</code></dd>
                <dt>Signing certificates</dt>
                <dd>${record.signingCerts.length}</dd>
                <dt>Email domains</dt>
                <dd>${record.emailDomains.join(', ') || '—'}</dd>
                <dt>Attribute map</dt>
                <dd>
                  <code
                    >${typeof record.attributeMap === 'string' ? record.attributeMap : record.attributeMap ? 'custom' : 'default'}</code
                  >
                </dd>
                <dt>IdP-initiated login</dt>
                <dd>${record.allowIdpInitiated ? 'allowed' : 'refused'}</dd>
                <dt>Signed assertions</dt>
                <dd>${record.wantAssertionsSigned ? 'required' : 'not required'}</dd>
                <dt>Encrypted assertions</dt>
                <dd>${record.requireEncryptedAssertions ? 'required' : 'accepted'}</dd>
                <dt>Version</dt>
                <dd>${record.version} (updated ${record.updatedAt})</dd>
              </dl>
            </div>
            <div class="card">
              <h2 style="margin-top:0">SP metadata for this IdP</h2>
              <pre class="xml" id="sp-metadata">${prettyXml(spMetadata)}</pre>
            </div>
            <div class="card">
              <h2 style="margin-top:0">Delete</h2>
              <form
                method="post"
                action="/admin/idp/${record.id}/delete"
                onsubmit="return confirm('Delete ${record.id}?')"
              >
                <input type="hidden" name="_csrf" value="${auth.csrfToken(req)}" />
                <button class="danger" type="submit">Delete this IdP</button>
              </form>
            </div>`,
        ),
      )
    }),
  )

  router.get(
    '/idp/:id/test',
    withRecord((req, res, record) => {
      const list = attempts.list(record.id)
      const loginPath = new URL(strategy.serviceProvider.endpointsFor(record).loginUrl).pathname
      const loginUrl = `${loginPath}?returnTo=${encodeURIComponent(`/admin/idp/${record.id}/test`)}`
      res.type('html').send(
        page(
          req,
          options,
          `Test ${record.id}`,
          html`<h1>Test connection: ${record.displayName ?? record.id}</h1>
            <div class="card">
              <p>
                Start a login at this IdP; you come back here and the attempt shows below with every check,
                the decoded response and the mapped profile. Logins from anywhere else show up here too (the
                last 10, kept in memory).
              </p>
              <p>
                <a class="button" href="${loginUrl}" id="run-test">Run a test login</a>
                <a class="button secondary" href="/admin/idp/${record.id}">IdP settings</a>
              </p>
            </div>
            <h2>Last attempts</h2>
            ${list.length === 0 ? html`<p class="muted" id="no-attempts">No attempts yet.</p>` : list.map((a, i) => attemptCard(a, i))}`,
        ),
      )
    }),
  )

  router.post('/idp/:id/delete', form, async (req, res, next) => {
    try {
      if (!requireAdmin(req, res) || !csrfOk(req, res)) return
      await store.delete(String(req.params.id))
      attempts.clear(String(req.params.id))
      res.redirect(303, '/admin')
    } catch (err) {
      next(err)
    }
  })

  return router
}

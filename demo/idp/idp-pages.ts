/**
 * The embedded IdP's own pages, in each tenant's colours: the portal (start of an IdP-initiated
 * login), the login form with the test users, and the error page.
 *
 * @module
 */
import type { Response } from 'express'
import { html, raw, type Html } from '../html.js'
import { encodeLoginContext, type LoginContext } from './login-context.js'
import type { TenantIdp } from './tenant-idp.js'
import type { IdpTenant } from './tenants.js'

function stylesheet(color: string): Html {
  return raw(`body{margin:0;font:15px/1.5 system-ui,sans-serif;background:#eef0f4;color:#1c2430}
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
.error{background:#fdeceb;color:#b42318;padding:10px 12px;border-radius:8px}`)
}

/**
 * Answers with an IdP page branded for `tenant` (a neutral one when the tenant is unknown).
 *
 * @example
 * ```ts
 * sendIdpPage(res.status(400), tenant, 'Error', html`<h1>Refused</h1>`)
 * ```
 */
export function sendIdpPage(res: Response, tenant: IdpTenant | undefined, title: string, body: Html): void {
  res.type('html').send(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>${title} · ${tenant?.displayName ?? 'Demo IdP'}</title>
          <style>
            ${stylesheet(tenant?.color ?? '#444')}
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

/**
 * `GET /:tenant`: the IdP's portal, where an IdP-initiated login starts.
 *
 * @example
 * ```ts
 * router.get('/:tenant', (req, res) => sendPortal(res, idp))
 * ```
 */
export function sendPortal(res: Response, idp: TenantIdp): void {
  sendIdpPage(
    res,
    idp.tenant,
    'Apps',
    html`<h1>${idp.tenant.displayName}</h1>
      <p class="muted">
        This is the IdP's own portal. An IdP-initiated login starts here: the IdP posts a response nobody
        asked for, which the app accepts only when the IdP record allows it.
      </p>
      <div class="apps">
        <form method="get" action="${idp.url}/login">
          <button type="submit">Sign in to the demo app</button>
        </form>
        <form method="get" action="${idp.url}/login">
          <input type="hidden" name="RelayState" value="/deep/link" />
          <button type="submit" class="secondary">… and open /deep/link</button>
        </form>
      </div>
      <p class="muted">Metadata: <a href="${idp.url}/metadata">${idp.url}/metadata</a></p>`,
  )
}

function testUsers(tenant: IdpTenant): Html[] {
  return tenant.users.map(
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
}

/**
 * The login form for `context` (an AuthnRequest, or none for an IdP-initiated login), with `error`
 * above it after a wrong password.
 *
 * @example
 * ```ts
 * sendLoginForm(res, idp, { relayState: '/deep/link' })
 * ```
 */
export function sendLoginForm(res: Response, idp: TenantIdp, context: LoginContext, error?: string): void {
  const { tenant } = idp
  sendIdpPage(
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
      <form method="post" action="${idp.url}/login" id="login">
        <input type="hidden" name="context" value="${encodeLoginContext(context)}" />
        <label for="username">Username</label>
        <input id="username" name="username" type="text" autocomplete="username" required />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>
      <h2>Test users</h2>
      <p class="muted">It is a demo: the passwords are shown.</p>
      <table>
        ${testUsers(tenant)}
      </table>
      <script>
        ${raw(`for (const b of document.querySelectorAll('button.fill')) b.addEventListener('click', () => {
      document.getElementById('username').value = b.dataset.user
      document.getElementById('password').value = b.dataset.password
    })`)}
      </script>`,
  )
}

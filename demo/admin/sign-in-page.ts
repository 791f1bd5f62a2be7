/**
 * The admin sign-in form: the local admin password, which works even when SAML is misconfigured.
 *
 * @module
 */
import { html } from '../html.js'
import type { AdminPage } from './admin-page.js'

/**
 * The sign-in page, with `error` above the form when the last password was wrong.
 *
 * @example
 * ```ts
 * sendAdminPage(req, res, options, adminSignInPage('Wrong password.'), 401)
 * ```
 */
export function adminSignInPage(error?: string): AdminPage {
  return {
    title: 'Admin sign-in',
    body: html`<div class="card narrow">
      <h1>Admin</h1>
      <p class="muted">
        Local admin password: this works even when SAML is misconfigured. It was printed when the demo started
        (or set with <code>ADMIN_PASSWORD</code>).
      </p>
      ${error ? html`<div class="notice bad">${error}</div>` : ''}
      <form method="post" action="/admin/login">
        <label for="password">Admin password</label>
        <input id="password" name="password" type="password" required autofocus />
        <p><button type="submit" id="admin-sign-in">Sign in</button></p>
      </form>
      <p class="muted">
        Single sign-on down and you need the app itself?
        <a href="/login/break-glass" id="break-glass-link">Break-glass sign-in</a> (audited, time-limited).
      </p>
    </div>`,
  }
}

/**
 * The pages of the non-SAML logins: the password form of a tenant without SSO, and the admin's
 * break-glass form.
 *
 * @module
 */
import { html, layout } from '../html.js'

/** What the password form shows. */
export interface PasswordPageOptions {
  email: string
  returnTo: string
  error?: string
}

/**
 * The password form for a local account (`GET /login/password`).
 *
 * @example
 * ```ts
 * res.type('html').send(passwordPage({ email: 'erin@initech.test', returnTo: '/' }))
 * ```
 */
export function passwordPage(options: PasswordPageOptions): string {
  return layout({
    title: 'Sign in with a password',
    body: html`<div class="card narrow">
      <h1>Sign in with a password</h1>
      <p class="muted">
        Your company has no single sign-on set up with us, so you have a password of your own here.
      </p>
      ${options.error ? html`<div class="notice bad" id="password-error">${options.error}</div>` : ''}
      <form method="post" action="/login/password" id="password-form">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" value="${options.email}" required />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" required autofocus />
        <input type="hidden" name="returnTo" value="${options.returnTo}" />
        <p><button type="submit" id="password-sign-in">Sign in</button></p>
      </form>
      <p class="muted">
        Demo account: <code>erin@initech.test</code> / <code>erin-demo</code>.
        <a href="/login?returnTo=${encodeURIComponent(options.returnTo)}">Use single sign-on instead</a>
      </p>
    </div>`,
  })
}

/** What the break-glass form shows. */
export interface BreakGlassPageOptions {
  /** How long a break-glass session lasts, in minutes. */
  ttlMinutes: number
  error?: string
}

/** The phrase the admin types to confirm. */
export const BREAK_GLASS_PHRASE = 'BREAK GLASS'

/**
 * The break-glass form (`GET /login/break-glass`): the admin password, a reason and the typed
 * confirmation.
 *
 * @example
 * ```ts
 * res.type('html').send(breakGlassPage({ ttlMinutes: 15 }))
 * ```
 */
export function breakGlassPage(options: BreakGlassPageOptions): string {
  return layout({
    title: 'Break-glass sign-in',
    body: html`<div class="card narrow">
      <h1>Break-glass sign-in</h1>
      <div class="notice bad">
        For admins, when single sign-on is down or misconfigured. Every attempt is logged and shown on the
        admin page; the session ends after ${options.ttlMinutes} minutes.
      </div>
      ${options.error ? html`<div class="notice bad" id="break-glass-error">${options.error}</div>` : ''}
      <form method="post" action="/login/break-glass" id="break-glass-form">
        <label for="password">Admin password</label>
        <input id="password" name="password" type="password" required autofocus />
        <label for="reason">Reason (kept in the audit trail)</label>
        <input id="reason" name="reason" type="text" minlength="10" maxlength="300" required />
        <label for="confirm">Type <code>${BREAK_GLASS_PHRASE}</code> to confirm</label>
        <input id="confirm" name="confirm" type="text" required />
        <p><button class="danger" type="submit" id="break-glass-sign-in">Sign in (break glass)</button></p>
      </form>
    </div>`,
  })
}

/**
 * The user-facing pages: home, sign-in / discovery and the deep-link page.
 *
 * @module
 */
import { html, layout, type Html } from './html.js'

/**
 * What the demo keeps in the session for a signed-in user; `/me` answers with it as is. A SAML login
 * has the IdP's id in `idp`; a local login (password or break-glass) has `idp: null` (no IdP record
 * can be named null, so a tool that follows `/saml/:idp/…` never mistakes it for one) and says how
 * it signed in in `login`.
 */
export interface DemoUser {
  idp: string | null
  nameID: string
  nameIDFormat: string | null
  sessionIndex: string | null
  /** Fields produced by the IdP record's attribute map. */
  profile: Record<string, string | string[] | undefined>
  /** Every attribute as sent: name → values (none for a local login). */
  attributes: Record<string, string[]>
  /** Local logins only: `password` (a local account) or `break-glass` (the admin's emergency login). */
  login?: 'password' | 'break-glass'
  /** Break-glass only: when the session ends (ISO-8601). */
  expiresAt?: string
}

function valueCell(value: string | string[] | undefined): Html {
  if (Array.isArray(value)) return html`${value.map((v, i) => html`${i > 0 ? ', ' : ''}<code>${v}</code>`)}`
  return html`<code>${value ?? ''}</code>`
}

/** Tables of the mapped profile and the raw attributes. */
export function profileTables(user: DemoUser): Html {
  const mapped = Object.entries(user.profile).filter(([, v]) => v !== undefined)
  return html` <div class="card" id="profile">
      <h2 style="margin-top:0">Mapped profile</h2>
      <p class="muted">What the app sees: the IdP record's attribute map applied to the assertion.</p>
      <table>
        <tr>
          <th>Field</th>
          <th>Value</th>
        </tr>
        ${mapped.map(
          ([k, v]) =>
            html`<tr>
              <td>${k}</td>
              <td data-field="${k}">${valueCell(v)}</td>
            </tr>`,
        )}
      </table>
    </div>
    <div class="card">
      <h2 style="margin-top:0">Raw attributes</h2>
      <p class="muted">Exactly what the IdP sent, attribute names and all.</p>
      <table>
        <tr>
          <th>Attribute</th>
          <th>Values</th>
        </tr>
        ${Object.entries(user.attributes).map(
          ([k, v]) =>
            html`<tr>
              <td><code>${k}</code></td>
              <td>${valueCell(v)}</td>
            </tr>`,
        )}
      </table>
    </div>`
}

function identityCard(user: DemoUser): Html {
  return html`<div class="card">
    <dl class="kv">
      <dt>IdP</dt>
      <dd><code id="signed-in-idp">${user.idp ?? `none (${user.login ?? 'local'} login)`}</code></dd>
      ${
        user.expiresAt
          ? html`<dt>Session ends</dt>
              <dd id="session-ends">${user.expiresAt}</dd>`
          : ''
      }
      <dt>NameID</dt>
      <dd><code id="signed-in-nameid">${user.nameID}</code></dd>
      <dt>NameID format</dt>
      <dd><code>${user.nameIDFormat ?? '—'}</code></dd>
      <dt>Session index</dt>
      <dd><code>${user.sessionIndex ?? '—'}</code></dd>
    </dl>
    <p class="muted" style="margin-bottom:0">JSON of this session: <a href="/me">/me</a></p>
  </div>`
}

function displayName(user: DemoUser): string {
  const { displayName, firstName, lastName } = user.profile
  if (typeof displayName === 'string') return displayName
  const name = [firstName, lastName].filter((p): p is string => typeof p === 'string').join(' ')
  return name || user.nameID
}

export function homePage(user: DemoUser | undefined): string {
  if (!user) {
    return layout({
      title: 'Home',
      body: html`<div class="card narrow" style="text-align:center;padding:36px">
        <h1>Welcome</h1>
        <p class="muted">
          A small SaaS app that signs users in through SAML 2.0, one IdP per customer. Two customers are set
          up: Acme (Okta-style) and Globex (Entra-style, encrypted assertions), both served by the demo's
          embedded IdP. A third, Initech, has no SSO: its users sign in with a password.
        </p>
        <p><a class="button" href="/login" id="sign-in">Sign in</a></p>
        <p class="muted">
          Or try a <a href="/deep/link?tab=reports">deep link</a>: it survives the round trip.
        </p>
      </div>`,
    })
  }
  return layout({
    title: 'Home',
    user: user.nameID,
    body: html`<h1>Signed in as ${displayName(user)}</h1>
      ${identityCard(user)} ${profileTables(user)}`,
  })
}

export function deepLinkPage(user: DemoUser, url: string): string {
  return layout({
    title: 'Deep link',
    user: user.nameID,
    body: html`<h1 id="deep-link">You are on the deep link</h1>
      <div class="card">
        <p>
          This page needs a signed-in user. You asked for <code id="deep-link-url">${url}</code> before
          signing in, and the app brought you back to it after the IdP round trip.
        </p>
      </div>
      ${identityCard(user)} ${profileTables(user)}`,
  })
}

/** One IdP on the sign-in page. */
export interface LoginIdp {
  readonly id: string
  readonly name: string
  /** Its email domains (and, for a federation's IdPs, its scopes). */
  readonly domains: readonly string[]
}

export function loginPage(
  idps: readonly LoginIdp[],
  returnTo: string,
  error?: string,
  email?: string,
  query = '',
): string {
  const q = (id: string) => `/saml/${encodeURIComponent(id)}/login?returnTo=${encodeURIComponent(returnTo)}`
  return layout({
    title: 'Sign in',
    body: html`<div class="card narrow">
      <h1>Sign in</h1>
      ${error ? html`<div class="notice bad" id="login-error">${error}</div>` : ''}
      <form method="get" action="/login/sso">
        <label for="email">Work email</label>
        <div class="row">
          <input
            id="email"
            name="email"
            type="email"
            placeholder="you@company.com"
            value="${email ?? ''}"
            required
            autofocus
          />
          <button type="submit" id="continue">Continue</button>
        </div>
        <input type="hidden" name="returnTo" value="${returnTo}" />
        <p class="muted" style="margin:6px 0 0">
          We send you to your company's identity provider. Try <code>alice@acme.test</code> or
          <code>carol@globex.test</code>. No SSO at your company? Your email takes you to a password form: try
          <code>erin@initech.test</code>.
        </p>
      </form>
      <div class="divider">or pick your company</div>
      <form method="get" action="/login" id="idp-search" class="row">
        <input
          name="q"
          type="search"
          placeholder="Name, domain or entity ID"
          value="${query}"
          aria-label="Find your company"
        />
        <input type="hidden" name="returnTo" value="${returnTo}" />
        <button type="submit">Find</button>
      </form>
      ${
        idps.length === 0 && query !== ''
          ? html`<p class="muted" id="idp-search-empty">No company matches "${query}".</p>`
          : idps.length === 0
            ? html`<p class="muted">
                No IdP is registered yet. An admin can add one at <a href="/admin">/admin</a>.
              </p>`
            : html`<ul class="idp-list">
                ${idps.map(
                  (r) =>
                    html`<li>
                      <a href="${q(r.id)}" data-idp="${r.id}"
                        ><span>${r.name}</span> <span class="muted">${r.domains.join(', ')}</span></a
                      >
                    </li>`,
                )}
              </ul>`
      }
      ${returnTo !== '/' ? html`<p class="muted">After signing in you go back to <code>${returnTo}</code>.</p>` : ''}
    </div>`,
  })
}

/**
 * The admin home: every registered IdP, the form to add one, the embedded IdP's metadata URLs to
 * try it with, and the break-glass audit trail.
 *
 * @module
 */
import type { IdpRecord } from '../../lib/index.js'
import { html, type Html } from '../html.js'
import type { BreakGlassEvent } from '../local/break-glass-audit.js'
import type { AdminPage } from './admin-page.js'

/** What {@link idpListPage} shows. */
export interface IdpListPageOptions {
  idps: readonly IdpRecord[]
  csrfToken: string
  /** The add form (`idpForm`), possibly with the last post's error and values. */
  form: Html
  exampleMetadataUrls: readonly string[]
  /** The newest break-glass attempts, newest first. */
  breakGlass: readonly BreakGlassEvent[]
}

function breakGlassCard(events: readonly BreakGlassEvent[]): Html {
  return html`<div class="card" id="break-glass-audit">
    <h2 style="margin-top:0">Break-glass sign-ins</h2>
    <p class="muted">
      Every attempt at <a href="/login/break-glass">/login/break-glass</a>, granted or refused (also in the
      server log and in <code>DATA_DIR/break-glass-audit.jsonl</code>).
    </p>
    ${
      events.length === 0
        ? html`<p class="muted">None.</p>`
        : html`<table>
            <tr>
              <th>When</th>
              <th>Outcome</th>
              <th>Reason</th>
              <th>From</th>
              <th>Session until</th>
            </tr>
            ${events.map(
              (e) =>
                html`<tr data-outcome="${e.outcome}">
                  <td>${e.at}</td>
                  <td><code>${e.outcome}</code></td>
                  <td>${e.reason}</td>
                  <td><code>${e.ip}</code></td>
                  <td>${e.expiresAt ?? '—'}</td>
                </tr>`,
            )}
          </table>`
    }
  </div>`
}

function idpTable(idps: readonly IdpRecord[]): Html {
  return html`<table>
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
    ${idps.length === 0 ? html`<p class="muted">None yet.</p>` : ''}`
}

/**
 * The list page.
 *
 * @example
 * ```ts
 * sendAdminPage(req, res, options, idpListPage({ idps, csrfToken, form, exampleMetadataUrls, breakGlass: audit.list() }))
 * ```
 */
export function idpListPage(options: IdpListPageOptions): AdminPage {
  return {
    title: 'Admin',
    body: html`<div class="row" style="justify-content:space-between">
        <h1>Identity providers</h1>
        <form method="post" action="/admin/logout">
          <input type="hidden" name="_csrf" value="${options.csrfToken}" /><button class="secondary">
            Admin sign-out
          </button>
        </form>
      </div>
      <div class="card">${idpTable(options.idps)}</div>
      ${options.form}
      <p class="muted">
        Embedded IdP metadata, to try the form:
        ${options.exampleMetadataUrls.map((u) => html`<code>${u}</code> `)}
      </p>
      ${breakGlassCard(options.breakGlass)}`,
  }
}

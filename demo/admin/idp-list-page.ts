/**
 * The admin home: every registered IdP, the form to add one, and the embedded IdP's metadata URLs
 * to try it with.
 *
 * @module
 */
import type { IdpRecord } from '../../lib/index.js'
import { html, type Html } from '../html.js'
import type { AdminPage } from './admin-page.js'

/** What {@link idpListPage} shows. */
export interface IdpListPageOptions {
  idps: readonly IdpRecord[]
  csrfToken: string
  /** The add form (`idpForm`), possibly with the last post's error and values. */
  form: Html
  exampleMetadataUrls: readonly string[]
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
 * sendAdminPage(req, res, options, idpListPage({ idps, csrfToken, form, exampleMetadataUrls }))
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
      </p>`,
  }
}

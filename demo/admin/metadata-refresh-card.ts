/**
 * The IdP page's metadata card: where the refresher's fetches of the record's `metadataUrl` stand
 * (last fetch, next refresh, ETag, failures in a row, the last error), the last refresh this process
 * ran, and the "Refresh metadata now" button.
 *
 * @module
 */
import type { IdpMetadataStatus, IdpRecord } from '../../lib/index.js'
import { html, type Html } from '../html.js'
import type { LastRefresh } from '../metadata-refresh.js'

/** What {@link metadataRefreshCard} shows. */
export interface MetadataRefreshCardOptions {
  record: IdpRecord
  /** `store.getMetadataStatus(id)`: kept in the store, shared by every instance. */
  status: IdpMetadataStatus | undefined
  /** The last refresh this process ran, if any. */
  last: LastRefresh | undefined
  csrfToken: string
}

function errorCode(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) return String(error.code)
  return error instanceof Error ? error.message : String(error)
}

/**
 * The card; a record without a `metadataUrl` says that it is not refreshed.
 *
 * @example
 * ```ts
 * metadataRefreshCard({ record, status: await store.getMetadataStatus?.(record.id), last, csrfToken })
 * ```
 */
export function metadataRefreshCard(options: MetadataRefreshCardOptions): Html {
  const { record, status, last } = options
  if (record.metadataUrl === undefined) {
    return html`<div class="card" id="metadata-refresh">
      <h2 style="margin-top:0">Metadata refresh</h2>
      <p class="muted">Registered without a metadata URL: nothing to refresh.</p>
    </div>`
  }
  return html`<div class="card" id="metadata-refresh">
    <h2 style="margin-top:0">Metadata refresh</h2>
    <dl class="kv">
      <dt>Metadata URL</dt>
      <dd><code>${record.metadataUrl}</code></dd>
      <dt>Last fetch</dt>
      <dd id="fetch-last">${status?.lastFetchAt ?? 'not yet'}</dd>
      <dt>Last good fetch</dt>
      <dd>${status?.lastSuccessAt ?? '—'}</dd>
      <dt>Next refresh</dt>
      <dd id="fetch-next">${status?.nextRefreshAt ?? 'at the refresher\u2019s next look'}</dd>
      <dt>ETag</dt>
      <dd><code id="fetch-etag">${status?.etag ?? '—'}</code></dd>
      <dt>Last-Modified</dt>
      <dd>${status?.lastModified ?? '—'}</dd>
      <dt>Failures in a row</dt>
      <dd id="fetch-failures">
        ${String(status?.consecutiveFailures ?? 0)}${
          status?.lastError ? html` (<code>${status.lastError.code}</code>: ${status.lastError.message})` : ''
        }
      </dd>
      <dt>Last refresh here</dt>
      <dd id="fetch-outcome">
        ${
          last
            ? html`<code>${last.outcome}</code> at
                ${last.at}${last.error === undefined ? '' : html` (<code>${errorCode(last.error)}</code>)`}`
            : '—'
        }
      </dd>
    </dl>
    <form method="post" action="/admin/idp/${record.id}/refresh" style="margin-top:12px">
      <input type="hidden" name="_csrf" value="${options.csrfToken}" />
      <button type="submit" id="refresh-now">Refresh metadata now</button>
      <span class="muted">The refresher also fetches it on its own schedule.</span>
    </form>
  </div>`
}

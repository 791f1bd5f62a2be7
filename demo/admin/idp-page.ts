/**
 * One IdP's admin page: the values to give the IdP (SP entity ID, ACS URLs, SP metadata), its
 * health (certificates' dates, metadata fetches), its metadata refresh status and, for the embedded
 * IdP's tenants, its signing keys, the chosen vendor's setup steps with those values,
 * the record as registered, and the delete button.
 *
 * @module
 */
import type { IdpHealth, IdpRecord, SpEndpoints } from '../../lib/index.js'
import { html, type Html } from '../html.js'
import { prettyXml } from '../pretty-xml.js'
import type { AdminPage } from './admin-page.js'
import { idpSetupCard } from './idp-setup-card.js'
import { spValuesFor, type IdpVendorId } from './idp-setup-steps.js'

/** What {@link idpPage} shows. */
export interface IdpPageOptions {
  record: IdpRecord
  /** `strategy.serviceProvider.endpointsFor(record)` */
  sp: SpEndpoints
  /** `strategy.serviceProvider.metadataFor(record)` */
  spMetadata: string
  /** `checkIdpRecordHealth(record, { metadataStatus })` */
  health: IdpHealth
  csrfToken: string
  /** The vendor whose setup steps to show (`?vendor=`), if one was chosen. */
  vendor?: IdpVendorId
  /** What the last action did (rotate, refresh), shown at the top. */
  notice?: string
  /** `metadataRefreshCard(…)`: fetch status and "Refresh metadata now". */
  refreshCard: Html
  /** `signingKeysCard(…)`, for a tenant of the embedded IdP only. */
  keysCard?: Html
}

function spUrls(sp: SpEndpoints): Html {
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

function attributeMapName(record: IdpRecord): string {
  if (typeof record.attributeMap === 'string') return record.attributeMap
  return record.attributeMap ? 'custom' : 'default'
}

function registeredIdp(record: IdpRecord): Html {
  return html`<dl class="kv">
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
      <code>${attributeMapName(record)}</code>
    </dd>
    <dt>IdP-initiated login</dt>
    <dd>${record.allowIdpInitiated ? 'allowed' : 'refused'}</dd>
    <dt>Signed assertions</dt>
    <dd>${record.wantAssertionsSigned ? 'required' : 'not required'}</dd>
    <dt>Encrypted assertions</dt>
    <dd>${record.requireEncryptedAssertions ? 'required' : 'accepted'}</dd>
    <dt>Version</dt>
    <dd>${record.version} (updated ${record.updatedAt})</dd>
  </dl>`
}

const PILL: Readonly<Record<IdpHealth['status'], string>> = {
  ok: 'pill ok',
  warning: 'pill',
  error: 'pill bad',
}

/**
 * Whether the metadata's signature is required: "pinned" with each pinned certificate's notAfter
 * (a pinned certificate is a trust anchor; its date is shown, not judged), or "not pinned".
 */
function metadataSignatures(health: IdpHealth): Html {
  const pinned = health.certificates.filter((c) => c.use === 'metadata-signing')
  if (pinned.length === 0) return html`not pinned: the metadata's signature is not checked`
  return html`pinned: signed by one of ${pinned.length} certificate(s) or refused
  (${pinned.map((c, i) => html`${i > 0 ? ', ' : ''}<code>${c.subject}</code> notAfter ${c.notAfter}`)})`
}

function healthCard(health: IdpHealth): Html {
  const fetch = health.metadataStatus
  return html`<div class="card" id="idp-health">
    <h2 style="margin-top:0">
      Health <span class="${PILL[health.status]}" id="idp-health-status">${health.status}</span>
    </h2>
    ${
      health.reasons.length === 0
        ? html`<p class="muted">
            Nothing to do: the signing certificates are current and the metadata is fresh.
          </p>`
        : html`<ul>
            ${health.reasons.map((r) => html`<li><code>${r.code}</code> (${r.status}): ${r.message}</li>`)}
          </ul>`
    }
    <table>
      <tr>
        <th>Certificate</th>
        <th>Subject</th>
        <th>Not before</th>
        <th>Not after</th>
        <th>State</th>
      </tr>
      ${health.certificates.map(
        (c) =>
          html`<tr>
            <td>${c.use}</td>
            <td><code>${c.subject}</code></td>
            <td>${c.notBefore}</td>
            <td>${c.notAfter}</td>
            <td>${c.state}</td>
          </tr>`,
      )}
    </table>
    <dl class="kv" style="margin-top:12px">
      <dt>Metadata signatures</dt>
      <dd id="metadata-signatures">${metadataSignatures(health)}</dd>
      <dt>Expired signing certificates</dt>
      <dd id="expired-signing-certs">
        ${
          health.acceptExpiredSigningCerts
            ? 'accepted: they still verify logins (the default)'
            : 'refused: a response or logout message verified only by an expired certificate fails (ERR_SAML_CERTIFICATE_EXPIRED)'
        }
      </dd>
      <dt>Metadata valid until</dt>
      <dd>${health.metadataValidUntil ?? '—'}</dd>
      <dt>Metadata fetches</dt>
      <dd>
        ${
          fetch === undefined
            ? '—'
            : `last good ${fetch.lastSuccessAt ?? 'never'}, ${fetch.consecutiveFailures} failed in a row${
                fetch.lastError ? ` (${fetch.lastError.code})` : ''
              }, next ${fetch.nextRefreshAt}`
        }
      </dd>
    </dl>
  </div>`
}

/**
 * The IdP's page.
 *
 * @example
 * ```ts
 * const sp = strategy.serviceProvider.endpointsFor(record)
 * const spMetadata = strategy.serviceProvider.metadataFor(record)
 * const health = checkIdpRecordHealth(record, { metadataStatus: await store.getMetadataStatus?.(record.id) })
 * const refreshCard = metadataRefreshCard({ record, status, last, csrfToken })
 * sendAdminPage(req, res, options, idpPage({ record, sp, spMetadata, health, csrfToken, refreshCard }))
 * ```
 */
export function idpPage(options: IdpPageOptions): AdminPage {
  const { record } = options
  return {
    title: record.displayName ?? record.id,
    body: html`<h1>${record.displayName ?? record.id} <span class="pill">${record.id}</span></h1>
      <p>
        <a class="button" href="/admin/idp/${record.id}/test">Test connection</a>
        <a class="button secondary" href="/admin">All IdPs</a>
      </p>
      ${options.notice ? html`<div class="notice ok" id="idp-notice">${options.notice}</div>` : ''}
      <div class="card">
        <h2 style="margin-top:0">Give these to the IdP</h2>
        ${spUrls(options.sp)}
      </div>
      ${healthCard(options.health)} ${options.refreshCard} ${options.keysCard}
      ${idpSetupCard(record, spValuesFor(options.sp), options.vendor)}
      <div class="card">
        <h2 style="margin-top:0">The IdP as registered</h2>
        ${registeredIdp(record)}
      </div>
      <div class="card">
        <h2 style="margin-top:0">SP metadata for this IdP</h2>
        <pre class="xml" id="sp-metadata">${prettyXml(options.spMetadata)}</pre>
      </div>
      <div class="card">
        <h2 style="margin-top:0">Delete</h2>
        <form
          method="post"
          action="/admin/idp/${record.id}/delete"
          onsubmit="return confirm('Delete ${record.id}?')"
        >
          <input type="hidden" name="_csrf" value="${options.csrfToken}" />
          <button class="danger" type="submit">Delete this IdP</button>
        </form>
      </div>`,
  }
}

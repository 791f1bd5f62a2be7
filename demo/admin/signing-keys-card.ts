/**
 * The IdP page's card for an embedded-IdP tenant: the tenant's signing keys (the one signing now, a
 * new one being rolled over to, the replaced one still published), whether the app's record holds
 * each certificate yet, and the rotation actions.
 *
 * @module
 */
import { X509Certificate } from 'node:crypto'
import { normalizeCertificate, type IdpRecord } from '../../lib/index.js'
import { html, type Html } from '../html.js'
import type { RingKey, SigningKeyState } from '../idp/signing-keys.js'

/** What {@link signingKeysCard} shows. */
export interface SigningKeysCardOptions {
  record: IdpRecord
  keys: SigningKeyState
  /** The rollover period, in ms. */
  rolloverMs: number
  csrfToken: string
}

function fingerprint(cert: string): string {
  return new X509Certificate(cert).fingerprint256.slice(0, 23)
}

function keyRow(role: string, key: RingKey, inRecord: boolean, from: string): Html {
  return html`<tr data-key="${role}">
    <td>${role}</td>
    <td><code>${fingerprint(key.cert)}…</code></td>
    <td>${from}</td>
    <td data-in-record="${inRecord ? 'yes' : 'no'}">
      ${inRecord ? html`<span class="pill ok">yes</span>` : html`<span class="pill bad">not yet</span>`}
    </td>
  </tr>`
}

/**
 * The card.
 *
 * @example
 * ```ts
 * signingKeysCard({ record, keys: idp.signingKeys('acme'), rolloverMs: idp.keyRolloverMs, csrfToken })
 * ```
 */
export function signingKeysCard(options: SigningKeysCardOptions): Html {
  const { record, keys, csrfToken } = options
  const held = new Set(record.signingCerts.map((c) => normalizeCertificate(c)))
  const has = (key: RingKey) => held.has(normalizeCertificate(key.cert))
  const minutes = Math.round(options.rolloverMs / 60_000)
  const csrf = html`<input type="hidden" name="_csrf" value="${csrfToken}" />`
  return html`<div class="card" id="signing-keys">
    <h2 style="margin-top:0">Embedded IdP: signing keys</h2>
    <p class="muted">
      This IdP is the demo's own. Rotating its key publishes a new certificate in its metadata beside the
      current one for ${String(minutes)} minutes (the rollover), then signs with it. The metadata refresher
      brings the new certificate to this record; logins signed by a key the record does not hold are refused.
    </p>
    <table>
      <tr>
        <th>Key</th>
        <th>SHA-256 fingerprint</th>
        <th>Signs</th>
        <th>In this record</th>
      </tr>
      ${keyRow('signing', keys.signing, has(keys.signing), 'now')}
      ${keys.next ? keyRow('next', keys.next, has(keys.next), `from ${keys.next.signFrom}`) : ''}
      ${
        keys.previous
          ? keyRow(
              'previous',
              keys.previous,
              has(keys.previous),
              `no more (published until ${keys.previousUntil})`,
            )
          : ''
      }
    </table>
    ${
      keys.next
        ? html`<form method="post" action="/admin/idp/${record.id}/sign-with-new-key" style="margin-top:12px">
            ${csrf}
            <button type="submit" id="sign-with-new-key">Sign with the new key now</button>
            <span class="muted">Ends the rollover early.</span>
          </form>`
        : html`<form method="post" action="/admin/idp/${record.id}/rotate-key" style="margin-top:12px">
            ${csrf}
            <label
              ><input type="radio" name="mode" value="rollover" checked /> with a rollover: publish now, sign
              in ${String(minutes)} minutes</label
            >
            <label
              ><input type="radio" name="mode" value="now" id="rotate-mode-now" /> at once: sign with the new
              key now (logins fail until the record is refreshed)</label
            >
            <p><button type="submit" id="rotate-key">Rotate signing key</button></p>
          </form>`
    }
  </div>`
}

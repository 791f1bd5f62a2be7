/**
 * One login attempt in the test-connection view: accepted or rejected with its error, every check
 * as it ran, the mapped profile, and the decoded assertion and response (pretty-printed, with
 * signatures, certificates and cipher text shortened).
 *
 * @module
 */
import type { SamlAttempt } from '../../lib/index.js'
import { html, type Html } from '../html.js'
import { prettyXml } from '../pretty-xml.js'

function passFail(ok: boolean, pass: string, fail: string): Html {
  return ok ? html`<span class="pill ok">${pass}</span>` : html`<span class="pill bad">${fail}</span>`
}

function checksTable(attempt: SamlAttempt): Html {
  return html`<table>
    ${attempt.checks.map(
      (c) =>
        html`<tr>
          <td>${passFail(c.ok, 'pass', 'fail')}</td>
          <td>${c.title}</td>
          <td>${c.code ? html`<code>${c.code}</code>` : ''}</td>
        </tr>`,
    )}
  </table>`
}

function mappedProfile(profile: NonNullable<SamlAttempt['profile']>): Html {
  return html`<h2>Mapped profile</h2>
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
}

function xmlSection(title: string, note: string, xml: string): Html {
  return html`<h2>${title} <span class="muted" style="font-weight:400">(${note})</span></h2>
    <pre class="xml">${prettyXml(xml)}</pre>`
}

/**
 * The card of one attempt; the newest (`index` 0) starts unfolded.
 *
 * @example
 * ```ts
 * attempts.list('acme').map((a, i) => attemptCard(a, i))
 * ```
 */
export function attemptCard(attempt: SamlAttempt, index: number): Html {
  return html`<div class="card attempt" data-ok="${String(attempt.ok)}">
    <div class="row" style="justify-content:space-between">
      <strong>${attempt.at.toISOString()}</strong>
      ${passFail(attempt.ok, 'accepted', 'rejected')}
    </div>
    ${attempt.error ? html`<p class="notice bad" style="margin:10px 0"><code>${attempt.error.code}</code> ${attempt.error.message}</p>` : ''}
    <details ${index === 0 ? 'open' : ''}>
      <summary>Checks, mapped profile and decoded response</summary>
      <h2>Checks</h2>
      ${checksTable(attempt)} ${attempt.profile ? mappedProfile(attempt.profile) : ''}
      ${
        attempt.assertionXml
          ? xmlSection('Assertion', 'verified, decrypted when it came encrypted', attempt.assertionXml)
          : ''
      }
      ${
        attempt.responseXml
          ? xmlSection('Response', 'decoded; signatures and certificates shortened', attempt.responseXml)
          : ''
      }
    </details>
  </div>`
}

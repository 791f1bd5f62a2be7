/**
 * One login attempt in the test-connection view, from its trace: accepted or rejected with its
 * error and trace id, every check as it ran, the mapped profile, and the decoded assertion and
 * response (pretty-printed; the trace already replaced signatures, certificates and cipher text).
 *
 * @module
 */
import type { SamlTrace } from '../../lib/index.js'
import { html, type Html } from '../html.js'
import { prettyXml } from '../pretty-xml.js'

function passFail(ok: boolean, pass: string, fail: string): Html {
  return ok ? html`<span class="pill ok">${pass}</span>` : html`<span class="pill bad">${fail}</span>`
}

function checksTable(attempt: SamlTrace): Html {
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

function mappedProfile(profile: NonNullable<SamlTrace['profile']>): Html {
  const mapped = (profile.mapped ?? {}) as Record<string, unknown>
  return html`<h2>Mapped profile</h2>
    <dl class="kv">
      <dt>NameID</dt>
      <dd><code>${String(profile.nameID)}</code></dd>
      ${Object.entries(mapped)
        .filter(([, v]) => v !== undefined)
        .map(
          ([k, v]) =>
            html`<dt>${k}</dt>
              <dd><code>${Array.isArray(v) ? v.join(', ') : String(v)}</code></dd>`,
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
export function attemptCard(attempt: SamlTrace, index: number): Html {
  const ok = attempt.outcome === 'accepted'
  return html`<div class="card attempt" data-ok="${String(ok)}" data-trace-id="${attempt.id}">
    <div class="row" style="justify-content:space-between">
      <strong>${attempt.at}</strong>
      ${passFail(ok, 'accepted', 'rejected')}
    </div>
    <p class="muted" style="margin:4px 0">Trace <code class="trace-id">${attempt.id}</code></p>
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
          ? xmlSection('Response', 'decoded; signatures and certificates redacted', attempt.responseXml)
          : ''
      }
    </details>
  </div>`
}

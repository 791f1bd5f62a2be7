/**
 * The IdP page's vendor chooser and the chosen vendor's setup steps, from
 * `idp-setup-steps.ts` (the data `docs/idp-setup.md` is written from), with this IdP's own values
 * filled in.
 *
 * @module
 */
import type { IdpRecord } from '../../lib/index.js'
import { escapeHtml, html, raw, type Html } from '../html.js'
import {
  IDP_SETUP_GUIDES,
  IDP_VENDOR_IDS,
  fillPlaceholders,
  type IdpSetupGuide,
  type IdpVendorId,
  type SpValues,
} from './idp-setup-steps.js'

/** A guide text as HTML: our values filled in as code, `**x**` bold, `` `x` `` code; the rest escaped. */
function inline(text: string, values: SpValues): Html {
  const filled = fillPlaceholders(text, values, (_name, value) => `\`${value}\``)
  return raw(
    escapeHtml(filled)
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/`([^`]+)`/g, '<code>$1</code>'),
  )
}

/** The form that picks a vendor: `GET /admin/idp/:id?vendor=…`. */
function vendorChooser(recordId: string, selected: IdpVendorId | undefined): Html {
  return html`<form method="get" action="/admin/idp/${recordId}" class="row" id="vendor-chooser">
    <select name="vendor" id="vendor" style="flex:1" onchange="this.form.submit()">
      <option value="" ${selected ? '' : raw('selected')}>Choose the IdP's vendor…</option>
      ${IDP_VENDOR_IDS.map(
        (id) =>
          html`<option value="${id}" ${selected === id ? raw('selected') : ''}>
            ${IDP_SETUP_GUIDES[id].name}
          </option>`,
      )}
    </select>
    <button type="submit" class="secondary" id="show-setup">Show the steps</button>
  </form>`
}

function attributeMapAdvice(guide: IdpSetupGuide, record: IdpRecord): Html {
  const current = record.attributeMap === guide.preset
  return html`<p>
    Attribute map: the <code>${guide.preset}</code> preset (<code>attributeMap: '${guide.preset}'</code>)
    ${
      current
        ? html`<span class="pill ok">this record uses it</span>`
        : html`<span class="muted">— choose it when you register or replace this IdP</span>`
    }
  </p>`
}

function steps(guide: IdpSetupGuide, record: IdpRecord, values: SpValues): Html {
  return html`<h3>${guide.name}</h3>
    <p class="muted">${inline(guide.console, values)}</p>
    <ol>
      ${guide.steps.map((step) => html`<li>${inline(step, values)}</li>`)}
    </ol>
    <table id="setup-fields">
      <tr>
        <th>${guide.name} field</th>
        <th>Value</th>
      </tr>
      ${guide.fields.map(
        (f) =>
          html`<tr>
            <td>${inline(f.field, values)}</td>
            <td>${inline(f.value, values)}</td>
          </tr>`,
      )}
    </table>
    <p><strong>NameID format</strong>: ${inline(guide.nameIdFormat, values)}</p>
    ${
      guide.attributes.length > 0
        ? html`<table id="setup-attributes">
            <tr>
              <th>Attribute name</th>
              <th>Value</th>
            </tr>
            ${guide.attributes.map(
              (a) =>
                html`<tr>
                  <td><code>${a.name}</code></td>
                  <td>${inline(a.source, values)}</td>
                </tr>`,
            )}
          </table>`
        : ''
    }
    <p><strong>What it sends</strong>: ${inline(guide.sends, values)}</p>
    ${attributeMapAdvice(guide, record)}
    <p><strong>Metadata for us</strong>: ${inline(guide.metadata, values)}</p>
    ${
      guide.notes.length > 0
        ? html`<ul>
            ${guide.notes.map((n) => html`<li>${inline(n, values)}</li>`)}
          </ul>`
        : ''
    }`
}

/**
 * The "Set up at the IdP" card: a vendor chooser and, when one is chosen, its steps with this IdP's
 * values.
 *
 * @example
 * ```ts
 * idpSetupCard(record, spValuesFor(strategy.serviceProvider.endpointsFor(record)), 'okta')
 * ```
 */
export function idpSetupCard(record: IdpRecord, values: SpValues, vendor: IdpVendorId | undefined): Html {
  return html`<div class="card" id="idp-setup" ${vendor ? html`data-vendor="${vendor}"` : ''}>
    <h2 style="margin-top:0">Set up at the IdP</h2>
    ${vendorChooser(record.id, vendor)}
    ${
      vendor
        ? steps(IDP_SETUP_GUIDES[vendor], record, values)
        : html`<p class="muted">The same steps as <code>docs/idp-setup.md</code>, with this IdP's values.</p>`
    }
  </div>`
}

/**
 * The "Add or replace an IdP" form of the admin list page, and what its fields become: the same
 * IdP record input the JSON API takes (`registerIdp`).
 *
 * @module
 */
import { presets } from '../../lib/index.js'
import { html, type Html } from '../html.js'

/** Options of {@link idpForm}. */
export interface IdpFormOptions {
  csrfToken: string
  /** Shown as the metadata URL's placeholder. */
  exampleMetadataUrl: string | undefined
  /** Why the last post was refused, shown above the form. */
  error?: string
  /** The fields as last posted, to fill the form again. */
  values?: Record<string, string>
}

/** The attribute map preset and the IdP-initiated checkbox. */
function attributeMapAndIdpInitiated(values: Record<string, string>): Html {
  const presetNames = Object.keys(presets)
  return html`<label for="attributeMap">Attribute map</label>
    <select id="attributeMap" name="attributeMap">
      <option value="">default (common names of every vendor)</option>
      ${presetNames.map((p) => html`<option value="${p}" ${values.attributeMap === p ? 'selected' : ''}>${p}</option>`)}
    </select>
    <label
      ><input
        type="checkbox"
        name="allowIdpInitiated"
        value="true"
        ${values.allowIdpInitiated ? 'checked' : ''}
      />
      Allow IdP-initiated login</label
    >`
}

/**
 * The form, posting to `/admin/idp`.
 *
 * @example
 * ```ts
 * idpForm({ csrfToken: auth.csrfToken(req), exampleMetadataUrl: 'http://localhost:3000/idp/acme/metadata' })
 * ```
 */
export function idpForm(options: IdpFormOptions): Html {
  const { csrfToken, error, values = {} } = options
  return html`<div class="card" id="add-idp">
    <h2 style="margin-top:0">Add or replace an IdP</h2>
    ${error ? html`<div class="notice bad" id="form-error">${error}</div>` : ''}
    <form method="post" action="/admin/idp">
      <input type="hidden" name="_csrf" value="${csrfToken}" />
      <label for="id">ID (used in URLs)</label>
      <input
        id="id"
        name="id"
        type="text"
        pattern="[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
        required
        value="${values.id ?? ''}"
        placeholder="initech"
      />
      <label for="displayName">Display name</label>
      <input
        id="displayName"
        name="displayName"
        type="text"
        value="${values.displayName ?? ''}"
        placeholder="Initech"
      />
      <label for="metadataUrl">Metadata URL</label>
      <input
        id="metadataUrl"
        name="metadataUrl"
        type="url"
        value="${values.metadataUrl ?? ''}"
        placeholder="${options.exampleMetadataUrl ?? 'https://idp.example.com/metadata'}"
      />
      <label for="metadataXml">… or paste the metadata XML</label>
      <textarea id="metadataXml" name="metadataXml" placeholder="&lt;EntityDescriptor …">
${values.metadataXml ?? ''}</textarea>
      <label for="emailDomains">Email domains (comma-separated)</label>
      <input
        id="emailDomains"
        name="emailDomains"
        type="text"
        value="${values.emailDomains ?? ''}"
        placeholder="initech.test"
      />
      ${attributeMapAndIdpInitiated(values)}
      <p><button type="submit">Save IdP</button></p>
    </form>
  </div>`
}

/**
 * The posted form as IdP record fields: empty fields left out, email domains split on commas and
 * spaces, the checkbox as a boolean.
 *
 * @example
 * ```ts
 * idpFormInput({ emailDomains: 'a.test, b.test' }) // { emailDomains: ['a.test', 'b.test'], allowIdpInitiated: false }
 * ```
 */
export function idpFormInput(body: Record<string, unknown>): Record<string, unknown> {
  const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '')
  const out: Record<string, unknown> = {}
  if (text('displayName')) out.displayName = text('displayName')
  if (text('metadataXml')) out.metadataXml = text('metadataXml')
  if (text('metadataUrl')) out.metadataUrl = text('metadataUrl')
  const domains = text('emailDomains')
    .split(/[\s,]+/)
    .filter(Boolean)
  if (domains.length) out.emailDomains = domains
  if (text('attributeMap')) out.attributeMap = text('attributeMap')
  out.allowIdpInitiated = body.allowIdpInitiated === 'true'
  return out
}

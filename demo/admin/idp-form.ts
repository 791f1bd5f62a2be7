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
  values?: Record<string, unknown>
}

/**
 * The expired-certificate checkbox's state as posted: a hidden `false` always comes first, and the
 * checked box adds `true` (a browser sends nothing for an unchecked box). Undefined when neither was
 * posted (a client that predates the field): the record then keeps the library's default.
 */
function postedAcceptExpired(value: unknown): boolean | undefined {
  const posted = Array.isArray(value) ? (value as unknown[]) : [value]
  if (posted.includes('true')) return true
  return posted.includes('false') ? false : undefined
}

/**
 * The metadata signing certificates textarea's PEM blocks, one entry each; text without a PEM
 * header is one entry (a bare base64 certificate). The library judges each entry, so a private key
 * or garbage is refused with its code, never stored.
 */
function pinnedCertificateEntries(text: string): string[] {
  const blocks = text.match(/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----/g)
  if (blocks === null) return text ? [text] : []
  // Text outside the blocks is not dropped silently: it becomes an entry the library refuses.
  const rest = blocks.reduce((left, block) => left.replace(block, ''), text).trim()
  return rest ? [...blocks, rest] : blocks
}

/**
 * Signed metadata and the expired-certificate policy: the pinned signers of the metadata (URL or
 * pasted) and whether an expired signing certificate still verifies logins.
 */
function signaturePolicy(values: Record<string, unknown>): Html {
  const acceptExpired = postedAcceptExpired(values.acceptExpiredSigningCerts) ?? true
  const posted = typeof values.metadataSigningCerts === 'string' ? values.metadataSigningCerts : ''
  // A private key pasted in the wrong place is refused; never send it back in the page.
  const pinned = /PRIVATE KEY/.test(posted) ? '' : posted
  return html`<label for="metadataSigningCerts">Metadata signing certificates (PEM, optional)</label>
    <textarea
      id="metadataSigningCerts"
      name="metadataSigningCerts"
      placeholder="-----BEGIN CERTIFICATE-----&#10;…&#10;-----END CERTIFICATE-----"
    >
${pinned}</textarea>
    <p class="muted">
      For the metadata URL or the pasted metadata: when given, the metadata must be signed by one of these
      certificates (obtained from the IdP or its federation, never from the metadata itself).
    </p>
    <input type="hidden" name="acceptExpiredSigningCerts" value="false" />
    <label
      ><input
        type="checkbox"
        id="acceptExpiredSigningCerts"
        name="acceptExpiredSigningCerts"
        value="true"
        ${acceptExpired ? 'checked' : ''}
      />
      Accept expired signing certificates</label
    >
    <p class="muted">
      An IdP's key does not weaken when its certificate's date passes, and refusing it locks users out on that
      day; uncheck it when a policy requires current certificates (see
      <code>docs/metadata.md#expired-signing-certificates</code>).
    </p>`
}

/** The attribute map preset and the IdP-initiated checkbox. */
function attributeMapAndIdpInitiated(values: Record<string, unknown>): Html {
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
  const { csrfToken, error, values: posted = {} } = options
  // Text fields refill as posted; the expired-certificate checkbox (posted twice when checked) apart.
  const values: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(posted)) if (typeof value === 'string') values[key] = value
  const checkbox = { acceptExpiredSigningCerts: posted.acceptExpiredSigningCerts }
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
      ${signaturePolicy({ ...values, ...checkbox })} ${attributeMapAndIdpInitiated(values)}
      <p><button type="submit">Save IdP</button></p>
    </form>
  </div>`
}

/**
 * The posted form as IdP record fields: empty fields left out, email domains split on commas and
 * spaces, pinned metadata signing certificates split into PEM blocks, the checkboxes as booleans
 * (`acceptExpiredSigningCerts` only when unchecked, so a checked box keeps the library's default).
 *
 * @example
 * ```ts
 * idpFormInput({ emailDomains: 'a.test, b.test' }) // { emailDomains: ['a.test', 'b.test'], allowIdpInitiated: false }
 * idpFormInput({ acceptExpiredSigningCerts: 'false' }) // { allowIdpInitiated: false, acceptExpiredSigningCerts: false }
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
  const pinned = pinnedCertificateEntries(text('metadataSigningCerts'))
  if (pinned.length) out.metadataSigningCerts = pinned
  out.allowIdpInitiated = body.allowIdpInitiated === 'true'
  if (postedAcceptExpired(body.acceptExpiredSigningCerts) === false) out.acceptExpiredSigningCerts = false
  return out
}

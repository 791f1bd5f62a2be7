/**
 * `docs/idp-setup.md`'s vendor sections, written from {@link IDP_SETUP_GUIDES} with example values.
 * `npm run docs:idp-setup` rewrites the part between the markers; `spec/docs/idp-setup.spec.ts`
 * fails when the committed page differs from what this writes.
 *
 * @module
 */
import prettier from 'prettier'
import {
  IDP_SETUP_GUIDES,
  IDP_VENDOR_IDS,
  fillPlaceholders,
  type IdpSetupGuide,
  type SpValues,
} from './idp-setup-steps.js'

/** Our values for an IdP with id `acme` on `https://app.example.com`, with the default SP URLs. */
export const EXAMPLE_SP_VALUES: SpValues = {
  acsUrl: 'https://app.example.com/saml/acme/acs',
  entityId: 'https://app.example.com/saml/acme/metadata',
  metadataUrl: 'https://app.example.com/saml/acme/metadata',
  sloUrl: 'https://app.example.com/saml/acme/slo',
  sharedAcsUrl: 'https://app.example.com/saml/acs',
  loginUrl: 'https://app.example.com/saml/acme/login',
  acsUrlPattern: '^https:\\/\\/app\\.example\\.com\\/saml\\/acme\\/acs$',
}

export const BEGIN_MARKER =
  '<!-- BEGIN generated from demo/admin/idp-setup-steps.ts: npm run docs:idp-setup -->'
export const END_MARKER = '<!-- END generated -->'

function md(text: string): string {
  return fillPlaceholders(text, EXAMPLE_SP_VALUES, (_name, value) => `\`${value}\``).replace(/\|/g, '\\|')
}

/** Whether the vendor offers its metadata only as a download (then the example registers XML). */
function xmlOnly(guide: IdpSetupGuide): boolean {
  return guide.id === 'google' || guide.id === 'jumpcloud'
}

function recordExample(guide: IdpSetupGuide): string {
  const source = xmlOnly(guide)
    ? '  metadataXml, // the XML the admin downloaded'
    : `  metadataUrl, // ${guide.name}'s metadata URL`
  const head = xmlOnly(guide) ? '' : 'declare const metadataUrl: string\n'
  return [
    '```ts',
    `// ${guide.id}.ts`,
    "import { putIdpRecord } from 'passport-saml-multi-idp'",
    head,
    'await putIdpRecord(store, {',
    "  id: 'acme',",
    source,
    "  emailDomains: ['acme.example'],",
    `  attributeMap: '${guide.preset}',`,
    '})',
    '```',
  ].join('\n')
}

/** One vendor's section. */
export function vendorMarkdown(guide: IdpSetupGuide): string {
  const out: string[] = [`## ${guide.name}`, '', `Console: ${md(guide.console)}.`, '']
  guide.steps.forEach((step, i) => out.push(`${i + 1}. ${md(step)}`))
  out.push('', `| ${guide.name} field | Value |`, '| --- | --- |')
  for (const f of guide.fields) out.push(`| ${md(f.field)} | ${md(f.value)} |`)
  out.push('', `**NameID format**: ${md(guide.nameIdFormat)}`, '')
  if (guide.attributes.length > 0) {
    out.push('Attributes to add:', '', '| Attribute name | Value |', '| --- | --- |')
    for (const a of guide.attributes) out.push(`| \`${a.name}\` | ${md(a.source)} |`)
    out.push('')
  }
  out.push(`**What it sends**: ${md(guide.sends)}`, '')
  out.push(`**Attribute map**: the \`${guide.preset}\` preset (\`attributeMap: '${guide.preset}'\`).`, '')
  out.push(recordExample(guide), '')
  out.push(`**Metadata for us**: ${md(guide.metadata)}`, '')
  if (guide.notes.length > 0) {
    out.push('**Signing, encryption, logout**:', '')
    for (const n of guide.notes) out.push(`- ${md(n)}`)
    out.push('')
  }
  return out.join('\n')
}

/** Every vendor's section, in order. */
export function idpSetupMarkdown(): string {
  return IDP_VENDOR_IDS.map((id) => vendorMarkdown(IDP_SETUP_GUIDES[id])).join('\n')
}

/**
 * `page` with the part between the markers written anew, formatted as `npm run lint` wants.
 *
 * @example
 * ```ts
 * const page = await rewriteIdpSetupPage(await readFile('docs/idp-setup.md', 'utf8'), 'docs/idp-setup.md')
 * ```
 */
export async function rewriteIdpSetupPage(page: string, path: string): Promise<string> {
  const begin = page.indexOf(BEGIN_MARKER)
  const end = page.indexOf(END_MARKER)
  if (begin < 0 || end < begin) throw new Error(`${path}: the generated-section markers are missing`)
  const next = `${page.slice(0, begin + BEGIN_MARKER.length)}\n\n${idpSetupMarkdown()}\n${page.slice(end)}`
  const config = (await prettier.resolveConfig(path)) ?? {}
  return prettier.format(next, { ...config, filepath: path })
}

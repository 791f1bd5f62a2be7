// What an import reads of each EntityDescriptor while streaming past it: its identity, what the
// filters match on, and the discovery fields (mdui, shibmd, mdrpi). Everything else is in its XML.
import { NS } from '../xml/namespaces.js'

/** `mdattr:EntityAttributes` names whose values are entity categories and assurance certifications. */
const ENTITY_CATEGORY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'http://macedir.org/entity-category',
  'http://macedir.org/entity-category-support',
  'urn:oasis:names:tc:SAML:attribute:assurance-certification',
])

/** One entity of an aggregate as the import read it. */
export interface AggregateEntity {
  readonly entityId: string
  /** The EntityDescriptor alone, with every namespace declaration in scope on it: a document of its own. */
  readonly xml: string
  /** It has an IDPSSODescriptor. */
  readonly isIdp: boolean
  /** `mdrpi:RegistrationInfo/@registrationAuthority`. */
  readonly registrationAuthority?: string
  /** Values of the entity category, category support and assurance certification attributes. */
  readonly entityCategories: readonly string[]
  /** `mdui:DisplayName` (English preferred), else `md:OrganizationDisplayName`. */
  readonly displayName?: string
  /** The first http(s) `mdui:Logo`. */
  readonly logoUrl?: string
  /** `shibmd:Scope` values that are domains (not regular expressions). */
  readonly scopes: readonly string[]
}

const { metadata: MD, assertion: SAML, mdui: MDUI, mdrpi: MDRPI, mdattr: MDATTR, shibmd: SHIBMD } = NS

/** Where an element sits, by its parent's place and its own name; anything unlisted is `''`. */
const PLACES = new Map<string, string>(
  (
    [
      ['entity', MD, 'Extensions', 'entity-ext'],
      ['entity-ext', MDRPI, 'RegistrationInfo', 'registration'],
      ['entity-ext', MDATTR, 'EntityAttributes', 'entity-attributes'],
      ['entity-attributes', SAML, 'Attribute', 'attribute'],
      ['attribute', SAML, 'AttributeValue', 'attribute-value'],
      ['entity', MD, 'IDPSSODescriptor', 'idp'],
      ['idp', MD, 'Extensions', 'idp-ext'],
      ['idp-ext', MDUI, 'UIInfo', 'ui'],
      ['ui', MDUI, 'DisplayName', 'display-name'],
      ['ui', MDUI, 'Logo', 'logo'],
      ['idp-ext', SHIBMD, 'Scope', 'scope'],
      ['entity', MD, 'Organization', 'organization'],
      ['organization', MD, 'OrganizationDisplayName', 'organization-name'],
    ] as const
  ).map(([parent, uri, local, place]) => [`${parent} ${uri} ${local}`, place]),
)
/** Places whose text is read. */
const TEXT_PLACES: ReadonlySet<string> = new Set([
  'attribute-value',
  'display-name',
  'logo',
  'scope',
  'organization-name',
])

type Attributes = readonly { readonly uri: string; readonly local: string; readonly value: string }[]
const attribute = (attributes: Attributes, local: string, uri = '') =>
  attributes.find((a) => a.local === local && a.uri === uri)?.value
const XML_NS = 'http://www.w3.org/XML/1998/namespace'

/** Collects one entity's fields from the events inside its EntityDescriptor. */
export class EntityFieldsReader {
  private readonly places: string[] = ['entity']
  private text = ''
  private isIdp = false
  private registrationAuthority: string | undefined
  private readonly categories: string[] = []
  private readonly displayNames: { lang: string; name: string }[] = []
  private readonly organizationNames: { lang: string; name: string }[] = []
  private logoUrl: string | undefined
  private readonly scopes: string[] = []
  private attributeName: string | undefined
  private lang = ''
  private scopeIsRegexp = false

  constructor(readonly entityId: string) {}

  open(uri: string, local: string, attributes: Attributes): void {
    const place = PLACES.get(`${this.places[this.places.length - 1]} ${uri} ${local}`) ?? ''
    this.places.push(place)
    this.text = ''
    if (place === 'idp') this.isIdp = true
    else if (place === 'registration')
      this.registrationAuthority ??= attribute(attributes, 'registrationAuthority')?.trim()
    else if (place === 'attribute') this.attributeName = attribute(attributes, 'Name')
    else if (place === 'display-name' || place === 'organization-name')
      this.lang = attribute(attributes, 'lang', XML_NS) ?? ''
    else if (place === 'scope') this.scopeIsRegexp = attribute(attributes, 'regexp') === 'true'
  }

  addText(text: string): void {
    if (TEXT_PLACES.has(this.places[this.places.length - 1]!)) this.text += text
  }

  close(): void {
    const place = this.places.pop()
    const value = this.text.trim()
    this.text = ''
    if (value === '') return
    if (place === 'attribute-value' && ENTITY_CATEGORY_ATTRIBUTES.has(this.attributeName ?? ''))
      this.categories.push(value)
    else if (place === 'display-name') this.displayNames.push({ lang: this.lang, name: value })
    else if (place === 'organization-name') this.organizationNames.push({ lang: this.lang, name: value })
    else if (place === 'logo' && this.logoUrl === undefined && /^https?:\/\//i.test(value))
      this.logoUrl = value
    else if (place === 'scope' && !this.scopeIsRegexp) this.scopes.push(value)
  }

  finish(xml: string): AggregateEntity {
    const pick = (names: { lang: string; name: string }[]) =>
      (names.find((n) => n.lang.toLowerCase().startsWith('en')) ?? names[0])?.name
    const displayName = pick(this.displayNames) ?? pick(this.organizationNames)
    return Object.freeze({
      entityId: this.entityId,
      xml,
      isIdp: this.isIdp,
      ...(this.registrationAuthority && { registrationAuthority: this.registrationAuthority }),
      entityCategories: Object.freeze([...new Set(this.categories)]),
      ...(displayName !== undefined && { displayName }),
      ...(this.logoUrl !== undefined && { logoUrl: this.logoUrl }),
      scopes: Object.freeze([...new Set(this.scopes)]),
    })
  }
}

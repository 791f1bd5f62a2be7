import { X509Certificate } from 'node:crypto'
import { BINDING, type BindingName } from '../bindings/binding-uris.js'
import { escapeXmlAttribute as attr, escapeXmlText as text } from '../xml/escape-xml.js'
import { NS } from '../xml/namespaces.js'

/** Block ciphers node-saml 5 lists for the encryption key, all of which our decryptor takes. */
export const DEFAULT_ENCRYPTION_METHODS: readonly string[] = Object.freeze([
  'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
])

/** What the SP publishes to one IdP. The caller validates every value; this only writes them. */
export interface SpMetadataOptions {
  /** The SP's entityID for this IdP. */
  readonly entityId: string
  /** ACS URLs, HTTP-POST binding; the first is the default (`index` 1, `isDefault="true"`). */
  readonly assertionConsumerServiceUrls: readonly string[]
  /** `AuthnRequestsSigned`: whether this SP signs its AuthnRequests. */
  readonly authnRequestsSigned: boolean
  /** `WantAssertionsSigned`: whether this SP needs the Assertion itself signed. */
  readonly wantAssertionsSigned: boolean
  /** PEM certificates IdPs check our signatures with; several during a key rollover. */
  readonly signingCerts?: readonly string[]
  /** PEM certificates IdPs encrypt assertions to; several during a key rollover. */
  readonly encryptionCerts?: readonly string[]
  /** `EncryptionMethod`s listed under each encryption key. Default {@link DEFAULT_ENCRYPTION_METHODS}. */
  readonly encryptionMethods?: readonly string[]
  /** One `SingleLogoutService` per entry, in the order given. */
  readonly singleLogoutServices?: readonly { readonly binding: BindingName; readonly location: string }[]
  /** `NameIDFormat`s this SP takes, in order of preference. */
  readonly nameIdFormats?: readonly string[]
  /** The EntityDescriptor's `ID`, which a metadata signature references. */
  readonly id?: string
  /** `validUntil`, in ms since the epoch: when IdPs must stop trusting this copy. */
  readonly validUntil?: number
  /** `cacheDuration`, in ms: how long IdPs may cache it before fetching it again. */
  readonly cacheDurationMs?: number
  /** Who runs the SP: `md:Organization`, in the EntityDescriptor. */
  readonly organization?: SpOrganization
  /** `md:ContactPerson`s, in the order given. */
  readonly contacts?: readonly SpContact[]
  /** One `md:AttributeConsumingService` (index 0, default): the attributes this SP asks IdPs for. */
  readonly requestedAttributes?: SpRequestedAttributes
}

/** `md:Organization`: names and URL in one language. */
export interface SpOrganization {
  readonly name: string
  readonly displayName: string
  readonly url: string
  /** `xml:lang` of the three. Default `en`. */
  readonly lang?: string
}

/** `md:ContactPerson`. */
export interface SpContact {
  readonly type: 'technical' | 'support' | 'administrative' | 'billing' | 'other'
  readonly company?: string
  readonly givenName?: string
  readonly surName?: string
  /** Written as `mailto:` URIs. */
  readonly emailAddresses?: readonly string[]
  readonly telephoneNumbers?: readonly string[]
}

/** `md:AttributeConsumingService`: what the SP asks for, and why. */
export interface SpRequestedAttributes {
  /** `ServiceName`, e.g. the application's name. */
  readonly serviceName: string
  readonly serviceDescription?: string
  /** `xml:lang` of the name and description. Default `en`. */
  readonly lang?: string
  readonly attributes: readonly {
    /** The attribute's `Name` as IdPs send it (a URI or OID for `uri` format). */
    readonly name: string
    /** `NameFormat`. Default `urn:oasis:names:tc:SAML:2.0:attrname-format:uri`. */
    readonly nameFormat?: string
    readonly friendlyName?: string
    readonly isRequired?: boolean
  }[]
}

const URI_NAME_FORMAT = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri'

/** `xs:duration` for a number of milliseconds, e.g. `PT3600S`. */
function duration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new TypeError('cacheDurationMs must be a whole number of ms')
  return `PT${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(3)}S`
}

function organizationXml(o: SpOrganization, indent: string): string {
  const lang = attr(o.lang ?? 'en', 'organization.lang')
  return (
    `
${indent}<md:Organization>` +
    `\n${indent}  <md:OrganizationName xml:lang="${lang}">${text(o.name, 'organization.name')}</md:OrganizationName>` +
    `\n${indent}  <md:OrganizationDisplayName xml:lang="${lang}">${text(o.displayName, 'organization.displayName')}</md:OrganizationDisplayName>` +
    `\n${indent}  <md:OrganizationURL xml:lang="${lang}">${text(o.url, 'organization.url')}</md:OrganizationURL>` +
    `\n${indent}</md:Organization>`
  )
}

function contactXml(c: SpContact, i: number, indent: string): string {
  const name = `contacts[${i}]`
  if (!['technical', 'support', 'administrative', 'billing', 'other'].includes(c.type))
    throw new TypeError(`${name}.type must be technical, support, administrative, billing or other`)
  const element = (tag: string, value: string | undefined, field: string) =>
    value === undefined ? '' : `\n${indent}  <md:${tag}>${text(value, `${name}.${field}`)}</md:${tag}>`
  return (
    `\n${indent}<md:ContactPerson contactType="${c.type}">` +
    element('Company', c.company, 'company') +
    element('GivenName', c.givenName, 'givenName') +
    element('SurName', c.surName, 'surName') +
    (c.emailAddresses ?? [])
      .map((e, j) =>
        element('EmailAddress', e.startsWith('mailto:') ? e : `mailto:${e}`, `emailAddresses[${j}]`),
      )
      .join('') +
    (c.telephoneNumbers ?? [])
      .map((t, j) => element('TelephoneNumber', t, `telephoneNumbers[${j}]`))
      .join('') +
    `\n${indent}</md:ContactPerson>`
  )
}

function attributeConsumingServiceXml(r: SpRequestedAttributes): string {
  const lang = attr(r.lang ?? 'en', 'requestedAttributes.lang')
  if (r.attributes.length === 0)
    throw new TypeError(
      'requestedAttributes.attributes must list at least one attribute (the schema requires one)',
    )
  return (
    '\n    <md:AttributeConsumingService index="0" isDefault="true">' +
    `\n      <md:ServiceName xml:lang="${lang}">${text(r.serviceName, 'requestedAttributes.serviceName')}</md:ServiceName>` +
    (r.serviceDescription === undefined
      ? ''
      : `\n      <md:ServiceDescription xml:lang="${lang}">${text(r.serviceDescription, 'requestedAttributes.serviceDescription')}</md:ServiceDescription>`) +
    r.attributes
      .map((a, i) => {
        const name = `requestedAttributes.attributes[${i}]`
        return (
          `\n      <md:RequestedAttribute Name="${attr(a.name, `${name}.name`)}"` +
          ` NameFormat="${attr(a.nameFormat ?? URI_NAME_FORMAT, `${name}.nameFormat`)}"` +
          (a.friendlyName === undefined
            ? ''
            : ` FriendlyName="${attr(a.friendlyName, `${name}.friendlyName`)}"`) +
          (a.isRequired === true ? ' isRequired="true"' : '') +
          '/>'
        )
      })
      .join('') +
    '\n    </md:AttributeConsumingService>'
  )
}

/** The certificate's DER in base64, for `ds:X509Certificate`; anything but a certificate is a `TypeError`. */
function certificateBody(pem: string, name: string): string {
  try {
    return new X509Certificate(pem).raw.toString('base64')
  } catch (err) {
    throw new TypeError(`${name} is not a PEM certificate`, { cause: err })
  }
}

function keyDescriptor(use: 'signing' | 'encryption', body: string, methods: readonly string[]): string {
  const encryptionMethods = methods.map(
    (m, i) => `\n      <md:EncryptionMethod Algorithm="${attr(m, `encryptionMethods[${i}]`)}"/>`,
  )
  return (
    `\n    <md:KeyDescriptor use="${use}">` +
    `\n      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    encryptionMethods.join('') +
    '\n    </md:KeyDescriptor>'
  )
}

/**
 * Writes SP metadata (SAML metadata 2.4.4): one `md:EntityDescriptor` with one `md:SPSSODescriptor`
 * holding, in schema order, a KeyDescriptor per signing and per encryption certificate, the
 * SingleLogoutServices, the NameIDFormats and the AssertionConsumerServices. Certificates are
 * decoded (a bad one is a `TypeError` naming it) and written as their DER in base64.
 *
 * Differences from node-saml 5: no random `ID` on the EntityDescriptor (the document no longer
 * changes on every call, and nothing references it unless metadata is signed); every signing and
 * encryption certificate is published, not only the first encryption one; the signing
 * certificate is published whenever given (IdPs check logout signatures with it even when
 * AuthnRequests are unsigned); SingleLogoutService for each binding given, not HTTP-POST only.
 *
 * @example
 * const xml = buildSpMetadata({
 *   entityId: 'https://app.example.com/saml/acme/metadata',
 *   assertionConsumerServiceUrls: ['https://app.example.com/saml/acme/acs'],
 *   authnRequestsSigned: true,
 *   wantAssertionsSigned: true,
 *   signingCerts: [signingCertPem],
 *   encryptionCerts: [currentCertPem, nextCertPem],
 *   singleLogoutServices: [{ binding: 'redirect', location: 'https://app.example.com/saml/acme/slo' }],
 * })
 */
export function buildSpMetadata(options: SpMetadataOptions): string {
  const o = options
  if (o.assertionConsumerServiceUrls.length === 0) {
    throw new TypeError('assertionConsumerServiceUrls must list at least one URL (the schema requires one)')
  }
  const methods = o.encryptionMethods ?? DEFAULT_ENCRYPTION_METHODS
  const signing = (o.signingCerts ?? []).map((pem, i) =>
    keyDescriptor('signing', certificateBody(pem, `signingCerts[${i}]`), []),
  )
  const encryption = (o.encryptionCerts ?? []).map((pem, i) =>
    keyDescriptor('encryption', certificateBody(pem, `encryptionCerts[${i}]`), methods),
  )
  const slo = (o.singleLogoutServices ?? []).map((s, i) => {
    if (!Object.hasOwn(BINDING, s.binding)) {
      throw new TypeError(`singleLogoutServices[${i}].binding must be redirect or post`)
    }
    const location = attr(s.location, `singleLogoutServices[${i}].location`)
    return `\n    <md:SingleLogoutService Binding="${BINDING[s.binding]}" Location="${location}"/>`
  })
  const formats = (o.nameIdFormats ?? []).map(
    (f, i) => `\n    <md:NameIDFormat>${text(f, `nameIdFormats[${i}]`)}</md:NameIDFormat>`,
  )
  const acs = o.assertionConsumerServiceUrls.map(
    (url, i) =>
      `\n    <md:AssertionConsumerService index="${i + 1}"${i === 0 ? ' isDefault="true"' : ''}` +
      ` Binding="${BINDING.post}" Location="${attr(url, `assertionConsumerServiceUrls[${i}]`)}"/>`,
  )
  const contacts = (o.contacts ?? []).map((c, i) => contactXml(c, i, '  '))
  return (
    `<md:EntityDescriptor xmlns:md="${NS.metadata}" xmlns:ds="${NS.dsig}"` +
    (o.id === undefined ? '' : ` ID="${attr(o.id, 'id')}"`) +
    (o.validUntil === undefined ? '' : ` validUntil="${new Date(o.validUntil).toISOString()}"`) +
    (o.cacheDurationMs === undefined ? '' : ` cacheDuration="${duration(o.cacheDurationMs)}"`) +
    ` entityID="${attr(o.entityId, 'entityId')}">` +
    `\n  <md:SPSSODescriptor protocolSupportEnumeration="${NS.protocol}"` +
    ` AuthnRequestsSigned="${o.authnRequestsSigned === true}"` +
    ` WantAssertionsSigned="${o.wantAssertionsSigned === true}">` +
    // Schema order: KeyDescriptor, SingleLogoutService, NameIDFormat, AssertionConsumerService,
    // AttributeConsumingService; then, in the EntityDescriptor, Organization and ContactPerson.
    [...signing, ...encryption, ...slo, ...formats, ...acs].join('') +
    (o.requestedAttributes ? attributeConsumingServiceXml(o.requestedAttributes) : '') +
    '\n  </md:SPSSODescriptor>' +
    (o.organization ? organizationXml(o.organization, '  ') : '') +
    contacts.join('') +
    '\n</md:EntityDescriptor>\n'
  )
}

// Federation aggregates for the specs: entities are IdP metadata rendered by samlify (TestIdp) and SP
// metadata rendered by samlify, with the registrar's extensions added the way a federation operator
// adds them (mdrpi, mdattr, mdui, shibmd), wrapped in an EntitiesDescriptor and signed by xmlsec1.
import { DOMParser, XMLSerializer } from '@xmldom/xmldom'
import samlify from 'samlify'
import { MD, signMetadata } from '../support/signed-metadata.js'
import { keys, TestIdp, type KeyPair } from '../support/test-idp.js'

export const NS = {
  md: MD,
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  mdui: 'urn:oasis:names:tc:SAML:metadata:ui',
  mdrpi: 'urn:oasis:names:tc:SAML:metadata:rpi',
  mdattr: 'urn:oasis:names:tc:SAML:metadata:attribute',
  shibmd: 'urn:mace:shibboleth:metadata:1.0',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const

export const ENTITY_CATEGORY = 'http://macedir.org/entity-category'
export const ENTITY_CATEGORY_SUPPORT = 'http://macedir.org/entity-category-support'
export const ASSURANCE = 'urn:oasis:names:tc:SAML:attribute:assurance-certification'

/** What a federation operator adds to an entity it registers. */
export interface Registration {
  registrationAuthority?: string
  /** mdattr:EntityAttributes: attribute name → values. */
  attributes?: Record<string, string[]>
  /** mdui:DisplayName by xml:lang. */
  displayNames?: Record<string, string>
  logo?: string
  scopes?: { value: string; regexp?: boolean }[]
}

/** One IdP of the federation: signs responses with `signing`, registered as `registration` says. */
export function federationIdp(name: string, signing: KeyPair = keys.idpAcme): TestIdp {
  return new TestIdp({
    entityId: `https://idp.${name}.example/idp/shibboleth`,
    ssoUrl: `https://idp.${name}.example/idp/profile/SAML2/Redirect/SSO`,
    signing,
  })
}

/** `metadataXml` (an EntityDescriptor rendered by samlify) with `registration`'s extensions added. */
export function registered(metadataXml: string, registration: Registration): string {
  const doc = new DOMParser().parseFromString(metadataXml, 'text/xml') as unknown as Document
  const entity = doc.documentElement
  const el = (ns: string, qname: string, attrs: Record<string, string> = {}, text?: string) => {
    const e = doc.createElementNS(ns, qname)
    for (const [k, v] of Object.entries(attrs)) {
      if (k.startsWith('xml:')) e.setAttributeNS(NS.xml, k, v)
      else e.setAttribute(k, v)
    }
    if (text !== undefined) e.appendChild(doc.createTextNode(text))
    return e
  }
  const extensions = el(MD, 'md:Extensions')
  if (registration.registrationAuthority)
    extensions.appendChild(
      el(NS.mdrpi, 'mdrpi:RegistrationInfo', { registrationAuthority: registration.registrationAuthority }),
    )
  if (registration.attributes) {
    const attrs = el(NS.mdattr, 'mdattr:EntityAttributes')
    for (const [name, values] of Object.entries(registration.attributes)) {
      const attribute = el(NS.saml, 'saml:Attribute', {
        Name: name,
        NameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
      })
      for (const value of values) attribute.appendChild(el(NS.saml, 'saml:AttributeValue', {}, value))
      attrs.appendChild(attribute)
    }
    extensions.appendChild(attrs)
  }
  if (extensions.firstChild) entity.insertBefore(extensions, entity.firstChild)
  const idp = doc.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0]
  if (idp && (registration.displayNames || registration.logo || registration.scopes)) {
    const idpExtensions = el(MD, 'md:Extensions')
    for (const scope of registration.scopes ?? [])
      idpExtensions.appendChild(
        el(NS.shibmd, 'shibmd:Scope', { regexp: scope.regexp ? 'true' : 'false' }, scope.value),
      )
    const ui = el(NS.mdui, 'mdui:UIInfo')
    for (const [lang, name] of Object.entries(registration.displayNames ?? {}))
      ui.appendChild(el(NS.mdui, 'mdui:DisplayName', { 'xml:lang': lang }, name))
    if (registration.logo)
      ui.appendChild(el(NS.mdui, 'mdui:Logo', { height: '60', width: '80' }, registration.logo))
    if (ui.firstChild) idpExtensions.appendChild(ui)
    idp.insertBefore(idpExtensions, idp.firstChild)
  }
  return new XMLSerializer().serializeToString(doc as never)
}

/** An SP's metadata, rendered by samlify. */
export function spEntity(name: string): string {
  return samlify
    .ServiceProvider({
      entityID: `https://sp.${name}.example/shibboleth`,
      assertionConsumerService: [
        {
          Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
          Location: `https://sp.${name}.example/Shibboleth.sso/SAML2/POST`,
        },
      ],
    })
    .getMetadata()
}

/** The aggregate of `entities` with namespace declarations at its root, as federations publish. */
export function aggregate(
  entities: string[],
  attrs: { validUntil?: string; cacheDuration?: string } = {},
): string {
  const inner = entities.map((xml) => xml.replace(/^<\?xml[^>]*\?>\s*/, '')).join('\n  ')
  const hints = [
    attrs.validUntil ? ` validUntil="${attrs.validUntil}"` : '',
    attrs.cacheDuration ? ` cacheDuration="${attrs.cacheDuration}"` : '',
  ].join('')
  return (
    `<md:EntitiesDescriptor xmlns:md="${MD}" xmlns:mdui="${NS.mdui}" xmlns:shibmd="${NS.shibmd}"` +
    ` Name="urn:example:federation"${hints}>\n  ${inner}\n</md:EntitiesDescriptor>`
  )
}

/** `xml` signed on its root by the federation's key, by xmlsec1. */
export function signedAggregate(xml: string, signer: KeyPair = keys.idpGlobex): string {
  return signMetadata(xml, signer)
}

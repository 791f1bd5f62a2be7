import { attr, childElements, childrenNamed } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import { METADATA_XML_LIMITS, parseXml } from '../xml/parse-xml.js'
import type { XmlElement } from '../xml/tree.js'

/** The Metadata Registration and Publication Info namespace (SAML V2.0 Metadata Extensions). */

const isDescriptor = (el: XmlElement) =>
  el.namespaceURI === NS.metadata &&
  (el.localName === 'EntityDescriptor' || el.localName === 'EntitiesDescriptor')

/** The EntityDescriptor of `entityId` at or inside `el`, through nested EntitiesDescriptors. */
function findEntity(el: XmlElement, entityId: string): XmlElement | undefined {
  if (el.namespaceURI !== NS.metadata) return undefined
  if (el.localName === 'EntityDescriptor') return attr(el, 'entityID') === entityId ? el : undefined
  if (el.localName !== 'EntitiesDescriptor') return undefined
  for (const child of childElements(el)) {
    const found = findEntity(child, entityId)
    if (found) return found
  }
  return undefined
}

/**
 * The `registrationAuthority` of `entityId` in a metadata document: its EntityDescriptor's
 * `mdrpi:RegistrationInfo`, else the nearest enclosing EntitiesDescriptor's (which the profile says
 * applies to every entity inside). Undefined when none says.
 */
export function registrationAuthorityOf(xml: string, entityId: string): string | undefined {
  const root = parseXml(xml, METADATA_XML_LIMITS, 'ERR_SAML_METADATA_INVALID').root
  const entity = findEntity(root, entityId)
  for (let el: XmlElement | null | undefined = entity; el && isDescriptor(el); el = el.parent) {
    for (const extensions of childrenNamed(el, NS.metadata, 'Extensions')) {
      const [info] = childrenNamed(extensions, NS.mdrpi, 'RegistrationInfo')
      if (info) return attr(info, 'registrationAuthority')
    }
  }
  return undefined
}

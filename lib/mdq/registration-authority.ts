import { attr, childrenNamed } from '../xml/dom.js'
import { NS } from '../xml/namespaces.js'
import { METADATA_XML_LIMITS, parseXml } from '../xml/parse-xml.js'

/** The Metadata Registration and Publication Info namespace (SAML V2.0 Metadata Extensions). */
const MDRPI = 'urn:oasis:names:tc:SAML:metadata:rpi'

const isDescriptor = (el: Element) =>
  el.namespaceURI === NS.metadata &&
  (el.localName === 'EntityDescriptor' || el.localName === 'EntitiesDescriptor')

/**
 * The `registrationAuthority` of `entityId` in a metadata document: its EntityDescriptor's
 * `mdrpi:RegistrationInfo`, else the nearest enclosing EntitiesDescriptor's (which the profile says
 * applies to every entity inside). Undefined when none says.
 */
export function registrationAuthorityOf(xml: string, entityId: string): string | undefined {
  const root = parseXml(xml, METADATA_XML_LIMITS, 'ERR_SAML_METADATA_INVALID').documentElement
  const entity = [root, ...Array.from(root.getElementsByTagNameNS(NS.metadata, 'EntityDescriptor'))].find(
    (el) => el.localName === 'EntityDescriptor' && attr(el, 'entityID') === entityId,
  )
  for (
    let el = entity;
    el !== undefined && isDescriptor(el);
    el = (el.parentNode ?? undefined) as Element | undefined
  ) {
    for (const extensions of childrenNamed(el, NS.metadata, 'Extensions')) {
      const [info] = childrenNamed(extensions, MDRPI, 'RegistrationInfo')
      if (info) return attr(info, 'registrationAuthority')
    }
  }
  return undefined
}

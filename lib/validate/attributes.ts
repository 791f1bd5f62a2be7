import type { SamlAttribute } from '../profile/types.js'
import { attr, attrNS, isElement, onlyChildElement, trimmedText } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import { decryptSamlElement, ENCRYPTED, type ElementDecryption } from './encrypted-elements.js'
import { fail } from './validation-step.js'
import type { XmlElement } from '../xml/tree.js'

function readAttributeValue(value: XmlElement): string | undefined {
  if (attrNS(value, NS.xsi, 'nil') === 'true') return undefined
  // eduPersonTargetedID carries a NameID inside the value.
  const only = onlyChildElement(value)
  if (only !== undefined && isElement(only, NS.assertion, 'NameID')) return trimmedText(only)
  return trimmedText(value)
}

/**
 * `attribute-statement`: the attributes of every AttributeStatement, in document order: Attributes
 * with a Name and AttributeValues, and EncryptedAttributes decrypted with the SP's keys.
 */
export function readAttributes(assertion: XmlElement, decryption: ElementDecryption): SamlAttribute[] {
  const out: SamlAttribute[] = []
  // Indexed loops over the children, no arrays of them: this runs for every attribute and value.
  const statements = assertion.children
  for (let s = 0; s < statements.length; s++) {
    const statement = statements[s]!
    if (!isElement(statement, NS.assertion, 'AttributeStatement')) continue
    const children = statement.children
    for (let c = 0; c < children.length; c++) {
      const child = children[c]!
      if (child.type !== 'element') continue
      const el = isElement(child, NS.assertion, 'EncryptedAttribute')
        ? decryptSamlElement(child, ENCRYPTED.attribute, decryption)
        : child
      if (!isElement(el, NS.assertion, 'Attribute'))
        fail('ERR_SAML_STRUCTURE', `AttributeStatement may not contain <${(el as XmlElement).localName}>`)
      const name = attr(el, 'Name')
      if (!name) fail('ERR_SAML_MALFORMED', 'an Attribute has no Name')
      const values: string[] = []
      const valueNodes = el.children
      for (let v = 0; v < valueNodes.length; v++) {
        const value = valueNodes[v]!
        if (value.type !== 'element') continue
        if (!isElement(value, NS.assertion, 'AttributeValue'))
          fail('ERR_SAML_STRUCTURE', `Attribute may not contain <${(value as XmlElement).localName}>`)
        const text = readAttributeValue(value)
        if (text !== undefined) values.push(text)
      }
      const friendlyName = attr(el, 'FriendlyName')
      const nameFormat = attr(el, 'NameFormat')
      // Keys assigned one by one in the order they always had (name, friendlyName, nameFormat,
      // values): conditional spreads would allocate a temporary object for each.
      const attribute: { -readonly [K in keyof SamlAttribute]?: SamlAttribute[K] } = { name }
      if (friendlyName !== undefined) attribute.friendlyName = friendlyName
      if (nameFormat !== undefined) attribute.nameFormat = nameFormat
      attribute.values = values
      out.push(attribute as SamlAttribute)
    }
  }
  return out
}

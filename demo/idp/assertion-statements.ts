/**
 * The statements of the embedded IdP's assertions, written with a DOM (values are escaped by the
 * serializer) and put into samlify's login response template in place of its placeholders.
 *
 * @module
 */
import { randomUUID } from 'node:crypto'
import { DOMImplementation, XMLSerializer } from '@xmldom/xmldom'
import type { IdpUser } from './tenants.js'

const NS_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion'
const NS_XS = 'http://www.w3.org/2001/XMLSchema'
const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance'
const NS_XMLNS = 'http://www.w3.org/2000/xmlns/'
const ATTRNAME_UNSPECIFIED = 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified'
const ATTRNAME_URI = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri'
const PASSWORD_PROTECTED = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'

function fragment(build: (doc: Document) => Element): string {
  const doc = new DOMImplementation().createDocument(NS_ASSERTION, 'root', null)
  return new XMLSerializer().serializeToString(build(doc))
}

/**
 * `<AuthnStatement>` for a password login now, with a fresh SessionIndex.
 *
 * @example
 * ```ts
 * authnStatement('saml2', new Date()) // '<saml2:AuthnStatement AuthnInstant="…" SessionIndex="_…">…'
 * ```
 */
export function authnStatement(prefix: string, now: Date): string {
  return fragment((doc) => {
    const el = (name: string) => doc.createElementNS(NS_ASSERTION, `${prefix}:${name}`)
    const statement = el('AuthnStatement')
    statement.setAttribute('AuthnInstant', now.toISOString())
    statement.setAttribute('SessionIndex', `_${randomUUID()}`)
    const context = el('AuthnContext')
    const classRef = el('AuthnContextClassRef')
    classRef.textContent = PASSWORD_PROTECTED
    context.appendChild(classRef)
    statement.appendChild(context)
    return statement
  })
}

/**
 * `<AttributeStatement>` with one `<AttributeValue xsi:type="xs:string">` per value; empty when
 * the user has no attributes.
 *
 * @example
 * ```ts
 * attributeStatement('saml', user) // '<saml:AttributeStatement>…'
 * ```
 */
export function attributeStatement(prefix: string, user: IdpUser): string {
  if (user.attributes.length === 0) return ''
  return fragment((doc) => {
    const el = (name: string) => doc.createElementNS(NS_ASSERTION, `${prefix}:${name}`)
    const statement = el('AttributeStatement')
    for (const attribute of user.attributes) {
      const a = el('Attribute')
      a.setAttribute('Name', attribute.name)
      if (attribute.friendlyName) a.setAttribute('FriendlyName', attribute.friendlyName)
      a.setAttribute('NameFormat', attribute.name.includes(':') ? ATTRNAME_URI : ATTRNAME_UNSPECIFIED)
      for (const value of attribute.values) {
        const v = el('AttributeValue')
        v.setAttributeNS(NS_XMLNS, 'xmlns:xs', NS_XS)
        v.setAttributeNS(NS_XMLNS, 'xmlns:xsi', NS_XSI)
        v.setAttributeNS(NS_XSI, 'xsi:type', 'xs:string')
        v.textContent = value
        a.appendChild(v)
      }
      statement.appendChild(a)
    }
    return statement
  })
}

import { inflateRawSync } from 'node:zlib'
import { DOMParser } from '@xmldom/xmldom'

export interface ReadAuthnRequest {
  readonly id: string
  readonly issuer: string
  readonly acsUrl: string
  readonly destination: string
  readonly relayState: string | null
  readonly signed: boolean
  readonly xml: string
}

/** Decodes the AuthnRequest an SP sent with the HTTP-Redirect binding (what an IdP does first). */
export function readRedirectAuthnRequest(location: string): ReadAuthnRequest {
  const url = new URL(location)
  const encoded = url.searchParams.get('SAMLRequest')
  if (!encoded) throw new Error(`no SAMLRequest in ${location}`)
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8')
  const doc = new DOMParser().parseFromString(xml, 'text/xml')
  const root = doc.documentElement!
  const issuer = root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]
  return {
    id: root.getAttribute('ID')!,
    issuer: issuer?.textContent ?? '',
    acsUrl: root.getAttribute('AssertionConsumerServiceURL') ?? '',
    destination: root.getAttribute('Destination') ?? '',
    relayState: url.searchParams.get('RelayState'),
    signed: url.searchParams.has('Signature'),
    xml,
  }
}

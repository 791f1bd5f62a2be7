import { DOMParser, XMLSerializer } from '@xmldom/xmldom'
import { NS } from '../xml/namespaces.js'

const HTTP_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'
const HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'

function certificateBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')
}

/**
 * Completes node-saml's SP metadata for Single Logout. node-saml lists the SLO endpoint with the
 * HTTP-POST binding only, and publishes the signing certificate only when AuthnRequests are signed;
 * this SP answers logout on HTTP-Redirect too (what most IdPs use) and always signs its logout
 * messages when it has a key, so the IdP needs that certificate to check them.
 */
export function withSingleLogout(xml: string, signingCert: string | undefined): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml')
  const descriptor = doc.getElementsByTagNameNS(NS.metadata, 'SPSSODescriptor')[0]
  if (!descriptor) return xml

  const keyDescriptors = Array.from(descriptor.getElementsByTagNameNS(NS.metadata, 'KeyDescriptor'))
  if (signingCert && !keyDescriptors.some((kd) => kd.getAttribute('use') === 'signing')) {
    const keyDescriptor = doc.createElementNS(NS.metadata, 'KeyDescriptor')
    keyDescriptor.setAttribute('use', 'signing')
    const keyInfo = doc.createElementNS(NS.dsig, 'ds:KeyInfo')
    const x509Data = doc.createElementNS(NS.dsig, 'ds:X509Data')
    const certificate = doc.createElementNS(NS.dsig, 'ds:X509Certificate')
    certificate.appendChild(doc.createTextNode(certificateBase64(signingCert)))
    x509Data.appendChild(certificate)
    keyInfo.appendChild(x509Data)
    keyDescriptor.appendChild(keyInfo)
    // KeyDescriptors come first in an SPSSODescriptor.
    descriptor.insertBefore(keyDescriptor, descriptor.firstChild)
  }

  const slo = descriptor.getElementsByTagNameNS(NS.metadata, 'SingleLogoutService')[0]
  if (slo && slo.getAttribute('Binding') === HTTP_POST) {
    const redirect = slo.cloneNode(false) as Element
    redirect.setAttribute('Binding', HTTP_REDIRECT)
    slo.parentNode!.insertBefore(redirect, slo)
  }
  return new XMLSerializer().serializeToString(doc)
}

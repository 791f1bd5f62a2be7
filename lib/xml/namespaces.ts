/** Namespace URIs the library matches elements by (never by prefix). */
export const NS = Object.freeze({
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  mdui: 'urn:oasis:names:tc:SAML:metadata:ui',
  mdrpi: 'urn:oasis:names:tc:SAML:metadata:rpi',
  mdattr: 'urn:oasis:names:tc:SAML:metadata:attribute',
  shibmd: 'urn:mace:shibboleth:metadata:1.0',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  xenc11: 'http://www.w3.org/2009/xmlenc11#',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
})

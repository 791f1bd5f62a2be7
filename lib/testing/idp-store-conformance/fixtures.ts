// What the conformance tests share: the certificates and metadata they put in records, fresh names
// per test, and small helpers.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { isSamlError } from '../../errors/saml-error.js'
import type { IdpRecordInput } from '../../record/record-fields.js'
import { TEST_CERTIFICATES } from '../test-certificates.js'

/** Test certificates (PEM) the suite puts in records; use them in your adapter's own specs too. */
export const CERTS = TEST_CERTIFICATES

function base64Of(certPem: string): string {
  return certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')
}

/** Minimal IdP metadata, prefixed `md:`/`ds:`, built by hand so the suite needs no SAML library. */
export function idpMetadataXml(entityId: string, certPem: string = CERTS.acme): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">`,
    '<md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
    `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Of(certPem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    '<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>',
    '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/sso/redirect"/>',
    '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.test/sso/post"/>',
    '<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/slo"/>',
    '</md:IDPSSODescriptor>',
    '</md:EntityDescriptor>',
  ].join('\n')
}

/** A fresh namespace for one test: ids, entityIDs and domains nobody else uses. */
export function freshNames() {
  const tag = randomBytes(6).toString('hex')
  return {
    tag,
    id: (suffix = 'idp') => `t${tag}-${suffix}`,
    entityId: (suffix = 'idp') => `https://idp-${tag}.example.test/${suffix}`,
    domain: (suffix = 'corp') => `${suffix}-${tag}.example.test`,
  }
}

/** A record input without metadata XML: entityID, SSO URL and signing certificate given by hand. */
export function manualInput(
  id: string,
  entityId: string,
  extra: Partial<IdpRecordInput> = {},
): IdpRecordInput {
  return {
    id,
    entityId,
    ssoUrl: `https://idp.example.test/${id}/sso`,
    signingCerts: [CERTS.acme],
    ...extra,
  }
}

/** Asserts that `promise` rejects with a `SamlError` carrying `code`. */
export async function expectCode(
  promise: Promise<unknown>,
  code: 'ERR_SAML_IDP_CONFIG' | 'ERR_SAML_IDP_CONFLICT',
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isSamlError(err), `expected a SamlError, got ${String(err)}`)
    assert.equal(err.code, code)
    return true
  })
}

/** Waits `ms` of real time. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * samlify as the embedded IdP: its schema validator, and the entities built from our keys and the
 * app's SP metadata. The IdP entity publishes the tenant's metadata; the SP entity is the app as
 * the tenant knows it.
 *
 * @module
 */
import { DOMParser } from '@xmldom/xmldom'
import samlify from 'samlify'
import type { IdentityProviderInstance, ServiceProviderInstance } from 'samlify'
import type { PemKeyPair } from './self-signed-certificate.js'
import type { IdpTenant } from './tenants.js'

const NS_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol'
const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'
const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'

let schemaValidatorInstalled = false

/**
 * samlify refuses to parse messages until an XML schema validator is installed. The demo ships no
 * XSD engine, so this one checks what the IdP relies on: well-formed XML without a DTD whose root is
 * a SAML protocol message. (The SP side of the demo does not use samlify.)
 *
 * @example
 * ```ts
 * installSchemaValidator() // once, before any samlify entity parses a message
 * ```
 */
export function installSchemaValidator(): void {
  if (schemaValidatorInstalled) return
  samlify.setSchemaValidator({
    validate: (xml: string) => {
      if (/<!DOCTYPE/i.test(xml)) return Promise.reject(new Error('DTD not allowed'))
      let root: Element | null
      try {
        const fail = (msg: string): never => {
          throw new Error(msg)
        }
        root = new DOMParser({
          errorHandler: { warning: () => {}, error: fail, fatalError: fail },
        }).parseFromString(xml, 'text/xml').documentElement
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)))
      }
      if (!root || root.namespaceURI !== NS_PROTOCOL)
        return Promise.reject(new Error('not a SAML protocol message'))
      return Promise.resolve('ok')
    },
  })
  schemaValidatorInstalled = true
}

/** Runs `fn` with samlify's construction-time warning about the (deliberately absent) SLO endpoint muted. */
function quietly<T>(fn: () => T): T {
  const warn = console.warn
  console.warn = () => {}
  try {
    return fn()
  } finally {
    console.warn = warn
  }
}

/**
 * The tenant's samlify IdP at `url` (its entity ID), signing with `pair`. `publishedCerts` (default
 * `pair.cert` alone) are the signing certificates its metadata lists: during a key rollover, the
 * current and the new one. Sign with an entity that lists only its own certificate: samlify puts
 * the listed certificate in the signature's KeyInfo.
 *
 * @example
 * ```ts
 * createIdpEntity(tenant, pair, 'http://localhost:3000/idp/acme').getMetadata()
 * ```
 */
export function createIdpEntity(
  tenant: IdpTenant,
  pair: PemKeyPair,
  url: string,
  publishedCerts: readonly string[] = [pair.cert],
): IdentityProviderInstance {
  return quietly(() =>
    samlify.IdentityProvider({
      entityID: url,
      signingCert: publishedCerts.length === 1 ? publishedCerts[0] : [...publishedCerts],
      privateKey: pair.key,
      nameIDFormat: [tenant.nameIdFormat],
      singleSignOnService: [
        { Binding: BINDING_REDIRECT, Location: `${url}/sso` },
        { Binding: BINDING_POST, Location: `${url}/sso` },
      ],
      singleLogoutService: [{ Binding: BINDING_REDIRECT, Location: `${url}/slo` }],
      // samlify then checks the signature of the app's LogoutRequests.
      wantLogoutRequestSigned: true,
      isAssertionEncrypted: tenant.encryptAssertions,
      dataEncryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
      keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
      requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      ...(tenant.prefixes === 'saml2'
        ? { tagPrefix: { protocol: 'saml2p', assertion: 'saml2', encryptedAssertion: 'saml2' } }
        : {}),
    } as Parameters<typeof samlify.IdentityProvider>[0]),
  )
}

/**
 * The app as a samlify SP, from its SP metadata.
 *
 * @example
 * ```ts
 * createSpEntity(strategy.serviceProvider.metadataFor(record)).entityMeta.getEntityID()
 * ```
 */
export function createSpEntity(metadata: string): ServiceProviderInstance {
  // The app wants signed logout messages: samlify signs a LogoutResponse when the SP asks for it.
  return quietly(() =>
    samlify.ServiceProvider({ metadata, wantLogoutRequestSigned: true, wantLogoutResponseSigned: true }),
  )
}

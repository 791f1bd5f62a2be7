/**
 * samlify as the IdP that receives what the SP sends, for the outbound message specs: it reads our SP
 * metadata, parses our AuthnRequests and logout messages, and checks their signatures with the
 * certificate our metadata publishes.
 *
 * @module
 */
import { DOMParser } from '@xmldom/xmldom'
import samlify from 'samlify'
import type { IdentityProviderInstance, ServiceProviderInstance } from 'samlify'
import { keys } from './test-idp.js'

type IdentityProviderSettings = Parameters<typeof samlify.IdentityProvider>[0]

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol'
const binding = samlify.Constants.namespace.binding

/**
 * samlify refuses to parse until a schema validator is set, and no XSD engine ships with Node. This
 * one checks what samlify relies on: well-formed XML, no DTD, a SAML protocol message as the root.
 * (spec/messages/schema.spec.ts checks our messages against the OASIS schemas themselves.)
 */
samlify.setSchemaValidator({
  validate: (xml: string) => {
    if (/<!DOCTYPE/i.test(xml)) return Promise.reject(new Error('DTD not allowed'))
    const fail = (message: string): never => {
      throw new Error(message)
    }
    try {
      const root = new DOMParser({
        errorHandler: { warning: () => {}, error: fail, fatalError: fail },
      }).parseFromString(xml, 'text/xml').documentElement
      if (root?.namespaceURI !== PROTOCOL) return Promise.reject(new Error('not a SAML protocol message'))
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    return Promise.resolve('valid')
  },
})

/** Runs `fn` with samlify's construction-time console warnings muted. */
function quietly<T>(fn: () => T): T {
  const warn = console.warn
  console.warn = () => {}
  try {
    return fn()
  } finally {
    console.warn = warn
  }
}

/** The IdP's endpoints, for the messages the specs build. */
export const PEER_IDP = Object.freeze({
  entityId: 'https://idp.peer.test/saml',
  ssoUrl: 'https://idp.peer.test/sso',
  sloUrl: 'https://idp.peer.test/slo',
})

/**
 * A samlify IdentityProvider (signing with `idpAcme`) that wants signed messages as asked; `settings`
 * adds to (or overrides) samlify's own settings.
 */
export function samlifyIdp(
  want: { authnRequestsSigned?: boolean; logoutRequestSigned?: boolean; logoutResponseSigned?: boolean } = {},
  settings: Partial<IdentityProviderSettings> = {},
): IdentityProviderInstance {
  return quietly(() =>
    samlify.IdentityProvider({
      entityID: PEER_IDP.entityId,
      signingCert: keys.idpAcme.cert,
      privateKey: keys.idpAcme.key,
      wantAuthnRequestsSigned: want.authnRequestsSigned ?? false,
      wantLogoutRequestSigned: want.logoutRequestSigned ?? false,
      wantLogoutResponseSigned: want.logoutResponseSigned ?? false,
      singleSignOnService: [
        { Binding: binding.redirect, Location: PEER_IDP.ssoUrl },
        { Binding: binding.post, Location: PEER_IDP.ssoUrl },
      ],
      singleLogoutService: [
        { Binding: binding.redirect, Location: PEER_IDP.sloUrl },
        { Binding: binding.post, Location: PEER_IDP.sloUrl },
      ],
      ...settings,
    }),
  )
}

/** samlify's view of the SP, read from the SP metadata we wrote. */
export function samlifySp(metadata: string): ServiceProviderInstance {
  return quietly(() => samlify.ServiceProvider({ metadata }))
}

/**
 * The query of a Redirect-binding URL as samlify's parsers take it: the decoded parameters, and
 * the signed octet string (the raw query without Signature, in the order sent).
 */
export function redirectRequest(url: string): { query: Record<string, string>; octetString: string } {
  const raw = new URL(url).search.slice(1)
  const query = Object.fromEntries(new URLSearchParams(raw))
  const octetString = raw
    .split('&')
    .filter((p) => !p.startsWith('Signature='))
    .join('&')
  return { query, octetString }
}

/** The form fields and action of an auto-submitting POST page, read with an HTML parser. */
export function readPostForm(html: string): { action: string; fields: Record<string, string> } {
  const doc = new DOMParser().parseFromString(html, 'text/html')
  const form = doc.getElementsByTagName('form')[0]
  if (!form) throw new Error('no <form> in the page')
  const fields: Record<string, string> = {}
  for (const input of Array.from(form.getElementsByTagName('input'))) {
    // A browser submits named controls only (a no-script page's submit button has no name).
    const name = input.getAttribute('name')
    if (name) fields[name] = input.getAttribute('value') ?? ''
  }
  return { action: form.getAttribute('action') ?? '', fields }
}

/** What a samlify parser extracted, typed as the spec reads it (samlify types it loosely). */
export function extractOf<T>(result: { extract: unknown }): T {
  return result.extract as T
}

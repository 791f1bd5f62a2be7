/** SAML 2.0 binding URIs (SAML bindings 3.4, 3.5) as metadata and `ProtocolBinding` write them. */
export const BINDING = Object.freeze({
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
} as const)

/** One of the two bindings this library sends and receives on. */
export type BindingName = keyof typeof BINDING

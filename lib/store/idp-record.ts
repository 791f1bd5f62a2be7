import type { AttributeMap, GroupsMap } from '../profile/types.js'

/** SAML bindings the library speaks for browser messages. */
export type SamlBinding = 'redirect' | 'post'

/** One URL per binding, as an IdP's metadata lists its SingleSignOnService / SingleLogoutService. */
export interface IdpEndpoints {
  readonly redirect?: string
  readonly post?: string
}

/** Preset names accepted wherever an attribute map is. */
export type AttributePresetName =
  'okta' | 'entra' | 'google' | 'adfs' | 'awsIdentityCenter' | 'keycloak' | 'eduPerson'

/**
 * What an admin writes to a store: either `metadataXml` (pasted IdP metadata; fields given beside it
 * override what it says) or the manual fields `entityId` + `ssoUrl`/`ssoUrls` + `signingCerts`.
 * Policy flags are optional and default to the strict choice.
 */
export interface IdpRecordInput {
  /** Tenant key used in URLs (`/saml/:id/...`): 1–64 of `A–Z a–z 0–9 . _ -`, starting alphanumeric. */
  id: string
  displayName?: string
  /** IdP metadata XML (an EntityDescriptor, or an EntitiesDescriptor with `entityId` naming one entity). */
  metadataXml?: string
  /** Where the metadata came from; kept for refresh. */
  metadataUrl?: string
  entityId?: string
  /** Shorthand for `ssoUrls.redirect` (or `.post` when `authnRequestBinding` is `'post'`). */
  ssoUrl?: string
  ssoUrls?: IdpEndpoints
  sloUrls?: IdpEndpoints
  /** PEM or bare base64 X.509 certificates; several during a rotation. */
  signingCerts?: readonly string[]
  encryptionCerts?: readonly string[]
  nameIdFormat?: string
  /** Email domains routed to this IdP by discovery (`alice@acme.com` → `acme.com`). */
  emailDomains?: readonly string[]
  attributeMap?: AttributeMap | AttributePresetName
  groupsMap?: GroupsMap
  /** SP entityID this IdP knows us by; defaults to the strategy's per-IdP SP entityID. */
  spEntityId?: string
  /** Accept unsolicited (IdP-initiated) responses. Default false. */
  allowIdpInitiated?: boolean
  /** Require a valid signature on the Assertion. Default true. */
  wantAssertionsSigned?: boolean
  /** Require a valid signature on the Response. Default false. */
  wantResponseSigned?: boolean
  /** Sign AuthnRequests. Default: what the metadata's WantAuthnRequestsSigned says, else false. */
  signAuthnRequests?: boolean
  /** Binding for AuthnRequests. Default 'redirect' when the IdP has one. */
  authnRequestBinding?: SamlBinding
  forceAuthn?: boolean
  /** Overrides the strategy's clock skew for this IdP (0–600000 ms). */
  clockSkewMs?: number
  /** Accept RSA-SHA1 signatures and SHA-1 digests. Default false. */
  allowSha1?: boolean
  /** Reject assertions that are not encrypted. Default false. */
  requireEncryptedAssertions?: boolean
  /** Accept only AES-GCM content encryption (not CBC). Default false. */
  requireAesGcm?: boolean
}

/** A validated, normalized IdP record as a store returns it. Immutable. */
export interface IdpRecord {
  readonly id: string
  readonly displayName?: string
  readonly entityId: string
  readonly ssoUrls: IdpEndpoints
  readonly sloUrls: IdpEndpoints
  /** Normalized PEM certificates, de-duplicated. At least one. */
  readonly signingCerts: readonly string[]
  readonly encryptionCerts: readonly string[]
  readonly nameIdFormat?: string
  /** Lower-cased, de-duplicated. */
  readonly emailDomains: readonly string[]
  readonly attributeMap?: AttributeMap | AttributePresetName
  readonly groupsMap?: GroupsMap
  readonly spEntityId?: string
  readonly allowIdpInitiated: boolean
  readonly wantAssertionsSigned: boolean
  readonly wantResponseSigned: boolean
  readonly signAuthnRequests: boolean
  readonly authnRequestBinding: SamlBinding
  readonly forceAuthn: boolean
  readonly clockSkewMs?: number
  readonly allowSha1: boolean
  readonly requireEncryptedAssertions: boolean
  readonly requireAesGcm: boolean
  readonly metadataXml?: string
  readonly metadataUrl?: string
  /** Incremented by the store on every write. */
  readonly version: number
  /** ISO-8601 time of the last write. */
  readonly updatedAt: string
}

/** The part of a record a store does not assign. */
export type IdpRecordFields = Omit<IdpRecord, 'version' | 'updatedAt'>

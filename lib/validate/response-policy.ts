import type { KeyObject } from 'node:crypto'
import type { SamlAttribute } from '../profile/types.js'
import type { XmlLimits } from '../xml/parse-xml.js'
import type { TrustedKeys } from '../xmldsig/trusted-keys.js'
import type { XmlElement } from '../xml/tree.js'

/**
 * Everything the validator needs to know about one IdP, compiled once per record version.
 *
 * @example
 * ```ts
 * import { compileTrustedKeys } from '../xmldsig/trusted-keys.js'
 * import { MESSAGE_XML_LIMITS } from '../xml/parse-xml.js'
 * const policy: ResponsePolicy = {
 *   idp: 'acme',
 *   entityId: 'https://idp.acme.test/saml',
 *   spEntityId: 'https://sp.example.com/saml/acme/metadata',
 *   acsUrls: ['https://sp.example.com/saml/acme/acs'],
 *   trust: compileTrustedKeys([acmeCertPem], 'acme'),
 *   decryptionKeys: [],
 *   wantAssertionsSigned: true,
 *   wantResponseSigned: false,
 *   allowSha1: false,
 *   requireEncryptedAssertions: false,
 *   requireAesGcm: false,
 *   clockSkewMs: 180_000,
 *   limits: MESSAGE_XML_LIMITS,
 * }
 * ```
 */
export interface ResponsePolicy {
  readonly idp: string
  readonly entityId: string
  readonly spEntityId: string
  /** ACS URLs a Destination / Recipient may name (this IdP's ACS and the shared ACS). */
  readonly acsUrls: readonly string[]
  readonly trust: TrustedKeys
  readonly decryptionKeys: readonly KeyObject[]
  readonly wantAssertionsSigned: boolean
  readonly wantResponseSigned: boolean
  readonly allowSha1: boolean
  /** False: a signing certificate past its notAfter does not verify responses. Default true. */
  readonly acceptExpiredSigningCerts?: boolean
  readonly requireEncryptedAssertions: boolean
  readonly requireAesGcm: boolean
  readonly clockSkewMs: number
  readonly limits: XmlLimits
}

/**
 * The verified content of a response: all of it read from signed elements.
 *
 * @example
 * ```ts
 * const userKey = (a: ValidatedAssertion) => `${a.issuer}\u0000${a.nameID}`
 * ```
 */
export interface ValidatedAssertion {
  readonly responseId: string
  readonly assertionId: string
  readonly issuer: string
  readonly inResponseTo?: string
  readonly nameID: string
  readonly nameIDFormat?: string
  readonly nameQualifier?: string
  readonly spNameQualifier?: string
  readonly sessionIndex?: string
  readonly sessionNotOnOrAfter?: string
  readonly authnInstant?: string
  readonly authnContextClassRef?: string
  readonly attributes: readonly SamlAttribute[]
  /** Epoch ms after which the assertion can no longer be accepted (replay entries live this long). */
  readonly expiresAt: number
  readonly responseSigned: boolean
  readonly assertionSigned: boolean
  readonly encrypted: boolean
  /** The verified Assertion element (decrypted when it was encrypted), for diagnostics only. */
  readonly assertionElement: XmlElement
}

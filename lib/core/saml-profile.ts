import type { MappedProfile, SamlAttribute } from '../profile/types.js'
import type { IdpRecord } from '../record/record-fields.js'
import type { ValidatedAssertion } from '../validate/validate-response.js'

/** The login a profile came from: the IdP record and where the user goes next. */
export interface SamlLoginContext {
  /** The IdP record the response was validated against. */
  readonly idp: IdpRecord
  /** Where the user will be sent after login (already checked to be safe). */
  readonly returnTo: string
  /**
   * The verified Assertion as the validator read it (decrypted, when it came encrypted), serialized
   * on the first call: what passport-saml's `profile.getAssertionXml()` gave. Keep it out of logs
   * that others read: it holds the user's attributes.
   */
  assertionXml(): string
  /** The SAMLResponse as posted, decoded on the first call (passport-saml's `getSamlResponseXml()`). */
  responseXml(): string
}

/**
 * What the verify callback receives: the identity the IdP asserted, the mapped fields and every
 * raw attribute, all of it read from the signed element. JSON-serializable, except `context`.
 */
export interface SamlProfile {
  /** The IdP record's id (the tenant key). */
  readonly idp: string
  /** The IdP's entityID, as verified. */
  readonly issuer: string
  readonly nameID: string
  readonly nameIDFormat?: string
  readonly nameQualifier?: string
  readonly spNameQualifier?: string
  readonly sessionIndex?: string
  /** ISO-8601; when the IdP wants the SP session to end. */
  readonly sessionNotOnOrAfter?: string
  /** ISO-8601 AuthnInstant of the AuthnStatement. */
  readonly authnInstant?: string
  readonly authnContextClassRef?: string
  /** The AuthnRequest ID this answers; absent for IdP-initiated logins. */
  readonly inResponseTo?: string
  readonly assertionId: string
  /** Fields produced by the attribute map. */
  readonly mapped: MappedProfile
  /** Every attribute as sent, FriendlyName and all values kept. */
  readonly attributes: readonly SamlAttribute[]
  /**
   * The IdP record and the checked return path of this login. Not enumerable: `JSON.stringify` and
   * spreads leave it out, so a profile kept whole in a session stays small.
   */
  readonly context: SamlLoginContext
}

/** The profile of a verified assertion, frozen; `context` is frozen and kept (not copied). */
export function buildProfile(
  assertion: ValidatedAssertion,
  mapped: MappedProfile,
  context: SamlLoginContext,
): SamlProfile {
  // Assigned one by one in a fixed order (not conditional spreads, which allocate a temporary
  // object each): the same keys in the same order, a fraction of the cost per login.
  const a = assertion
  const profile: Record<string, unknown> = { idp: context.idp.id, issuer: a.issuer, nameID: a.nameID }
  if (a.nameIDFormat !== undefined) profile.nameIDFormat = a.nameIDFormat
  if (a.nameQualifier !== undefined) profile.nameQualifier = a.nameQualifier
  if (a.spNameQualifier !== undefined) profile.spNameQualifier = a.spNameQualifier
  if (a.sessionIndex !== undefined) profile.sessionIndex = a.sessionIndex
  if (a.sessionNotOnOrAfter !== undefined) profile.sessionNotOnOrAfter = a.sessionNotOnOrAfter
  if (a.authnInstant !== undefined) profile.authnInstant = a.authnInstant
  if (a.authnContextClassRef !== undefined) profile.authnContextClassRef = a.authnContextClassRef
  if (a.inResponseTo !== undefined) profile.inResponseTo = a.inResponseTo
  profile.assertionId = a.assertionId
  profile.mapped = mapped
  profile.attributes = a.attributes
  // Not enumerable (defineProperty's default), so JSON and spreads leave it out.
  Object.defineProperty(profile, 'context', { value: Object.freeze(context) })
  return Object.freeze(profile) as unknown as SamlProfile
}

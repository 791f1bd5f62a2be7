import type { SamlProfile } from '../core/saml-profile.js'
import type { PassportRequest } from '../strategy/passport-request.js'
import type {
  VerifyDone,
  VerifyFunction,
  VerifyFunctionWithRequest,
} from '../strategy/multi-idp-saml-strategy.js'

/** The NameID format SAML means when a NameID has none (SAML core 8.3.1). */
const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'
const MAIL_OID = 'urn:oid:0.9.2342.19200300.100.1.3'

/**
 * A profile in passport-saml's shape (node-saml 5's `Profile`), as {@link toPassportSamlProfile}
 * builds it: the identity fields under their passport-saml names, every attribute both in
 * `attributes` and as a property of its own (one value as a string, several as an array), `mail`
 * and `email` as node-saml fills them, and `getAssertionXml()`/`getSamlResponseXml()`.
 * `getAssertion()` (node-saml's xml2js object) is not offered.
 *
 * @example
 * ```ts
 * import type { PassportSamlProfile } from 'passport-saml-multi-idp/migrate'
 * const userKey = (profile: PassportSamlProfile) => `${profile.issuer}:${profile.nameID}`
 * ```
 */
export interface PassportSamlProfile {
  issuer: string
  sessionIndex?: string
  nameID: string
  /** The NameID's Format; `…:nameid-format:unspecified` when it has none (node-saml leaves it out). */
  nameIDFormat: string
  nameQualifier?: string
  spNameQualifier?: string
  /** The AuthnRequest ID this answers; absent for IdP-initiated logins. */
  inResponseTo?: string
  /** Every attribute by Name: one value as a string, several as an array. */
  attributes?: Record<string, string | string[]>
  mail?: string
  email?: string
  ['urn:oid:0.9.2342.19200300.100.1.3']?: string
  /** The verified assertion, as XML (decrypted). */
  getAssertionXml?(): string
  /** The SAMLResponse as posted, as XML. */
  getSamlResponseXml?(): string
  /** Each attribute by its Name, unless a field above has that name (node-saml's rule). */
  [attributeName: string]: unknown
}

/** passport-saml's `VerifiedCallback`. */
export type PassportSamlVerifiedCallback = (
  err: Error | null,
  user?: Record<string, unknown>,
  info?: Record<string, unknown>,
) => void

/** A passport-saml verify function, `(profile, done)` (passport-saml's `VerifyWithoutRequest`). */
export type PassportSamlVerify = (
  profile: PassportSamlProfile | null,
  done: PassportSamlVerifiedCallback,
) => void | Promise<unknown>

/** A passport-saml verify function with `passReqToCallback`, `(req, profile, done)` (`VerifyWithRequest`). */
export type PassportSamlVerifyWithRequest<Req extends PassportRequest = PassportRequest> = (
  req: Req,
  profile: PassportSamlProfile | null,
  done: PassportSamlVerifiedCallback,
) => void | Promise<unknown>

/**
 * The profile as passport-saml's verify functions read it. Built from the verified profile only:
 * nothing is read from the response that the validator did not check.
 *
 * @example
 * ```ts
 * import { MultiIdpSamlStrategy } from 'passport-saml-multi-idp'
 * import { toPassportSamlProfile } from 'passport-saml-multi-idp/migrate'
 * new MultiIdpSamlStrategy({ store, sp: { baseUrl } }, async (profile) => {
 *   const legacy = toPassportSamlProfile(profile)
 *   return findOrCreateUser(profile.idp, legacy.nameID, { email: legacy.email })
 * })
 * ```
 */
export function toPassportSamlProfile(profile: SamlProfile): PassportSamlProfile {
  const out: PassportSamlProfile = {
    issuer: profile.issuer,
    nameID: profile.nameID,
    nameIDFormat: profile.nameIDFormat ?? UNSPECIFIED,
  }
  if (profile.inResponseTo !== undefined) out.inResponseTo = profile.inResponseTo
  if (profile.sessionIndex !== undefined) out.sessionIndex = profile.sessionIndex
  if (profile.nameQualifier !== undefined) out.nameQualifier = profile.nameQualifier
  if (profile.spNameQualifier !== undefined) out.spNameQualifier = profile.spNameQualifier
  const attributes: Record<string, string | string[]> = Object.create(null) as Record<
    string,
    string | string[]
  >
  for (const attribute of profile.attributes) {
    if (attribute.values.length === 0) continue
    const value = attribute.values.length === 1 ? attribute.values[0]! : [...attribute.values]
    attributes[attribute.name] = value
    // node-saml: an attribute never replaces a field the profile already has.
    if (!Object.hasOwn(out, attribute.name))
      Object.defineProperty(out, attribute.name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      })
  }
  if (Object.keys(attributes).length > 0) out.attributes = { ...attributes }
  if (!out.mail && out[MAIL_OID]) out.mail = out[MAIL_OID]
  if (!out.email && out.mail) out.email = out.mail
  const context = profile.context as SamlProfile['context'] | undefined
  if (context) {
    out.getAssertionXml = () => context.assertionXml()
    out.getSamlResponseXml = () => context.responseXml()
  }
  return out
}

/**
 * A passport-saml verify function `(profile, done)`, unchanged, as this strategy's verify: it gets
 * the profile in passport-saml's shape ({@link toPassportSamlProfile}) and the same `done`.
 *
 * @example
 * ```ts
 * import { MultiIdpSamlStrategy } from 'passport-saml-multi-idp'
 * import { adaptPassportSamlVerify, type PassportSamlVerify } from 'passport-saml-multi-idp/migrate'
 * const legacyVerify: PassportSamlVerify = (profile, done) => done(null, { email: profile?.email })
 * new MultiIdpSamlStrategy({ store, sp: { baseUrl } }, adaptPassportSamlVerify(legacyVerify))
 * ```
 */
export function adaptPassportSamlVerify(verify: PassportSamlVerify): VerifyFunction {
  if (typeof verify !== 'function') throw new TypeError('adaptPassportSamlVerify needs a verify function')
  return (profile: SamlProfile, done: VerifyDone) => verify(toPassportSamlProfile(profile), done)
}

/**
 * A passport-saml verify function `(req, profile, done)`, for `passReqToCallback: true`.
 *
 * @example
 * ```ts
 * import type { Request } from 'express'
 * import { MultiIdpSamlStrategy } from 'passport-saml-multi-idp'
 * import { adaptPassportSamlVerifyWithRequest } from 'passport-saml-multi-idp/migrate'
 * new MultiIdpSamlStrategy(
 *   { store, sp: { baseUrl }, passReqToCallback: true },
 *   adaptPassportSamlVerifyWithRequest((req: Request, profile, done) => done(null, { ip: req.ip, id: profile?.nameID })),
 * )
 * ```
 */
export function adaptPassportSamlVerifyWithRequest<Req extends PassportRequest>(
  verify: PassportSamlVerifyWithRequest<Req>,
): VerifyFunctionWithRequest<Req> {
  if (typeof verify !== 'function')
    throw new TypeError('adaptPassportSamlVerifyWithRequest needs a verify function')
  return (req: Req, profile: SamlProfile, done: VerifyDone) =>
    verify(req, toPassportSamlProfile(profile), done)
}

import type { SamlError } from '../errors/saml-error.js'
import type { SamlProfile } from './saml-profile.js'
import type { SamlCheck } from '../validate/check-log.js'

/** Send the browser to `location` (302), setting `setCookies` first. */
export interface SamlRedirect {
  readonly type: 'redirect'
  readonly location: string
  /** `Set-Cookie` header values to send with the answer. */
  readonly setCookies: readonly string[]
}

/** Answer with an auto-submitting HTML form: the HTTP-POST binding's redirect. */
export interface SamlPostForm {
  readonly type: 'post-form'
  /** A complete HTML page; send it with `Cache-Control: no-store`. */
  readonly html: string
  readonly setCookies: readonly string[]
}

/** Answer 200 with `body` (SP metadata). */
export interface SamlDocument {
  readonly type: 'document'
  readonly contentType: string
  readonly body: string
}

/** Something went wrong: a `SamlError` (bad input, outage) or an error of the application's. */
export interface SamlFailure {
  readonly type: 'error'
  readonly error: Error
  /** The checks of a SAML response as they ran (ACS only). */
  readonly checks?: readonly SamlCheck[]
}

/** A response passed every check and the application accepted the user. */
export interface SamlAccepted<User> {
  readonly type: 'accepted'
  readonly user: User
  /** What the application's verify passed besides the user (Passport's `info`). */
  readonly info: Readonly<Record<string, unknown>>
  readonly profile: SamlProfile
  /** Where to send the user now: the checked deep link. */
  readonly returnTo: string
  /** What Single Logout needs to keep from this login. */
  readonly session: SamlSessionInfo
  readonly checks: readonly SamlCheck[]
}

/**
 * A user-level denial, not an attack: the IdP answered with a non-Success status
 * (`ERR_SAML_STATUS`, or `ERR_SAML_NO_PASSIVE` to an IsPassive request), authenticated the user
 * with another context than the login enforced (`ERR_SAML_AUTHN_CONTEXT`), or the application
 * refused the user (`ERR_SAML_ACCESS_DENIED`).
 */
export interface SamlDenied {
  readonly type: 'denied'
  readonly error: SamlError
  /** What the application's verify passed with its refusal (its own `code` and `message`). */
  readonly info: Readonly<Record<string, unknown>>
  readonly checks: readonly SamlCheck[]
}

/** What Single Logout needs to remember of a SAML login (kept in the session by the edge). */
export interface SamlSessionInfo {
  readonly idp: string
  readonly nameID: string
  readonly nameIDFormat?: string
  readonly nameQualifier?: string
  readonly spNameQualifier?: string
  readonly sessionIndex?: string
}

/** Where login start leads. */
export type SamlLoginOutcome = SamlRedirect | SamlPostForm | SamlFailure
/** What became of a posted SAMLResponse; a failure here always carries its checks. */
export type SamlAcsOutcome<User> =
  SamlAccepted<User> | SamlDenied | (SamlFailure & { readonly checks: readonly SamlCheck[] })
/** Where logout leads (to the IdP, or straight to the return path). */
export type SamlLogoutOutcome = SamlRedirect | SamlPostForm | SamlFailure
/** The SP metadata, or why not. */
export type SamlMetadataOutcome = SamlDocument | SamlFailure

// The free names the examples in README.md and docs/ leave to the reader, declared once so the
// examples type-check as written (scripts/check-docs.mjs). Not part of the package.
import type { Application, NextFunction, Request, Response } from 'express'
import type { IdpRecord, IdpStore, MultiIdpSamlStrategy, VerifyFunction } from 'passport-saml-multi-idp'
import type { SamlServiceProvider } from 'passport-saml-multi-idp/core'

declare global {
  /** Your Express app. */
  const app: Application
  const req: Request
  const res: Response
  const next: NextFunction
  /** An IdP store (`MemoryIdpStore`, `SqlIdpStore`, …). */
  const store: IdpStore
  const strategy: MultiIdpSamlStrategy
  /** Your verify callback, e.g. `async (profile) => findOrCreateUser(…)`. */
  const verify: VerifyFunction
  /** The framework-free core, e.g. `strategy.serviceProvider` or `new SamlServiceProvider(…)`. */
  const saml: SamlServiceProvider
  const record: IdpRecord
  /** The SP's public origin, e.g. `https://app.example.com`. */
  const baseUrl: string
  /** The port the app listens on. */
  const port: number
  /** Signs the session cookie. */
  const sessionSecret: string
  /** PEM key and certificate the SP signs with. */
  const signingKey: string
  const signingCert: string
  /** IdP metadata XML, as an admin pastes it. */
  const metadataXml: string
  const acmeMetadataUrl: string
  const acmeCertPem: string
  /** The certificate a federation (or an IdP) signs its metadata with, obtained out of band. */
  const federationSigningCertPem: string
  const entityId: string
  const ssoUrl: string
  const pem: string
  /** Your own user lookup. */
  function findOrCreateUser(
    idp: string,
    nameID: string,
    profile: Record<string, unknown>,
  ): Promise<Express.User>
  function requireAdmin(req: Request, res: Response, next: NextFunction): void
}

/**
 * Auth0's `samlp` (with `saml` signing and encrypting its assertions) as a real IdP: an Express app on
 * loopback with `samlp.auth` on its SingleSignOnService, `samlp.logout` on its SingleLogoutService
 * (one instance per binding, sharing the session participants) and `samlp.metadata`. samlp parses our
 * AuthnRequests and logout messages with its own code and checks their signatures with our certificate.
 *
 * samlp leaves authentication to the app ("use another mechanism to validate the user first"); here
 * the user is always signed in at the IdP.
 *
 * @module
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { createPublicKey, randomUUID } from 'node:crypto'
import express, { type RequestHandler } from 'express'
import session from 'express-session'
import { keys } from '../support/test-idp.js'

const require = createRequire(import.meta.url)

const BINDINGS = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const

/** The parts of samlp's API the IdP uses (the package ships no types). */
interface Samlp {
  auth(options: Record<string, unknown>): RequestHandler
  logout(options: Record<string, unknown>): RequestHandler
  metadata(options: Record<string, unknown>): RequestHandler
}

/** A session participant as samlp's SessionParticipants holds it: an SP the user signed in to. */
interface Participant {
  serviceProviderId: string
  nameId: string
  nameIdFormat: string
  sessionIndex: string
  serviceProviderLogoutURL: string
  cert: string
  binding: string
}

/** What samlp is told about our SP, as an admin would configure it. */
export interface SamlpSp {
  readonly entityId: string
  readonly acsUrl: string
  readonly sloUrl: string
  /** Our signing certificate: samlp checks AuthnRequests and logout messages with it. */
  readonly signingCert: string
  /** Our encryption certificate, when assertions are to be encrypted. */
  readonly encryptionCert?: string
  /** The binding samlp sends logout messages to our SP with. */
  readonly logoutBinding: 'redirect' | 'post'
}

/** The user signed in at the IdP, as a Passport profile (samlp's PassportProfileMapper reads it). */
export const SAMLP_USER = {
  id: 'linus@samlp.test',
  displayName: 'Linus',
  name: { givenName: 'Linus', familyName: 'Torvalds' },
  emails: [{ value: 'linus@samlp.test' }],
}

export interface SamlpIdp {
  readonly entityId: string
  readonly metadataUrl: string
  /** Starts an IdP-initiated login at our SP. */
  readonly unsolicitedUrl: string
  /** Starts an IdP-initiated logout of every SP the user is signed in to. */
  readonly logoutUrl: string
  /** How samlp is configured for our SP; set before each scenario. */
  sp: SamlpSp | undefined
  /** AuthnRequest IDs samlp parsed (and checked the signature of), newest last. */
  readonly parsedRequestIds: string[]
  /** SPs the user is signed in to at the IdP (samlp's session participants). */
  readonly participants: readonly Participant[]
  /** Forgets every SP session (a new user session at the IdP). */
  clearSessions(): void
  close(): Promise<void>
}

export function samlpVersion(): string {
  const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version
  return `Auth0 samlp ${version('samlp')} (saml ${version('saml')})`
}

/** Starts samlp as an IdP on 127.0.0.1 (port 0). */
export async function startSamlpIdp(): Promise<SamlpIdp> {
  const samlp = require('samlp') as Samlp
  const SessionParticipants = require('samlp/lib/sessionParticipants') as new () => {
    _participants: Participant[]
  }
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const entityId = `${baseUrl}/samlp`
  const participants = new SessionParticipants()
  const signing = { issuer: entityId, cert: keys.idpGlobex.cert, key: keys.idpGlobex.key }

  const idp: SamlpIdp = {
    entityId,
    metadataUrl: `${baseUrl}/FederationMetadata/2007-06/FederationMetadata.xml`,
    unsolicitedUrl: `${baseUrl}/sso/unsolicited`,
    logoutUrl: `${baseUrl}/logout`,
    sp: undefined,
    parsedRequestIds: [],
    participants: participants._participants,
    clearSessions: () => void participants._participants.splice(0),
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
  const currentSp = (): SamlpSp => {
    if (!idp.sp) throw new Error('samlp-idp: set idp.sp first')
    return idp.sp
  }

  /** samlp.auth for one login: a fresh SessionIndex, and the SP joins the session once samlp answers. */
  const sso =
    (unsolicited: boolean): RequestHandler =>
    (req, res, next) => {
      const sp = currentSp()
      const sessionIndex = `_${randomUUID()}`
      samlp.auth({
        ...signing,
        signResponse: false,
        signatureAlgorithm: 'rsa-sha256',
        digestAlgorithm: 'sha256',
        nameIdentifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        sessionIndex,
        recipient: sp.acsUrl,
        destination: sp.acsUrl,
        // IdP-initiated: no AuthnRequest to read the audience from.
        ...(unsolicited && { audience: sp.entityId }),
        // samlp checks the signature of the AuthnRequest with it (query or enveloped signature).
        signingCert: sp.signingCert,
        ...(sp.encryptionCert && {
          encryptionCert: sp.encryptionCert,
          encryptionPublicKey: publicKeyOf(sp.encryptionCert),
        }),
        getUserFromRequest: () => SAMLP_USER,
        getPostURL: (
          audience: string,
          request: { documentElement: { getAttribute(name: string): string | null } } | undefined,
          _req: unknown,
          callback: (err: Error | null, url?: string) => void,
        ) => {
          if (audience !== sp.entityId) return callback(null) // samlp answers 401
          const id = request?.documentElement.getAttribute('ID')
          if (id) idp.parsedRequestIds.push(id)
          participants._participants.push({
            serviceProviderId: sp.entityId,
            nameId: SAMLP_USER.id,
            nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
            sessionIndex,
            serviceProviderLogoutURL: sp.sloUrl,
            cert: sp.signingCert,
            binding: BINDINGS[sp.logoutBinding],
          })
          callback(null, sp.acsUrl)
        },
      })(req, res, next)
    }

  // One samlp.logout per request: it keeps per-message state in its options (`reference`, set to the
  // LogoutResponse once it answered one), so a long-lived instance later fails to sign a POST
  // LogoutRequest. The transaction state lives in the session, the participants are shared.
  const logout =
    (binding: 'redirect' | 'post'): RequestHandler =>
    (req, res, next) =>
      samlp.logout({
        ...signing,
        deflate: true,
        protocolBinding: BINDINGS[binding],
        sessionParticipants: participants,
      })(req, res, next)

  const app = express()
  app.use(session({ name: 'samlp-idp.sid', secret: 'samlp-idp', resave: false, saveUninitialized: true }))
  app.use(express.urlencoded({ extended: false }))
  // samlp reads req.body on GET too, which Express 4 always set and Express 5 leaves undefined.
  app.use((req, _res, next) => {
    req.body ??= {}
    next()
  })
  app.get(
    '/FederationMetadata/2007-06/FederationMetadata.xml',
    samlp.metadata({
      issuer: entityId,
      cert: signing.cert,
      redirectEndpointPath: '/sso',
      postEndpointPath: '/sso',
      logoutEndpointPaths: { redirect: '/logout', post: '/logout' },
    }),
  )
  app.get('/sso/unsolicited', sso(true))
  app.get('/sso', sso(false))
  app.post('/sso', sso(false))
  app.get('/logout', logout('redirect'))
  app.post('/logout', logout('post'))
  app.use(((err, _req, res, _next) => {
    res
      .status(400)
      .type('text')
      .send(`samlp: ${err instanceof Error ? err.message : String(err)}`)
  }) as express.ErrorRequestHandler)
  server.on('request', app)
  return idp
}

/** The PEM public key of a PEM certificate (samlp's `encryptionPublicKey`). */
function publicKeyOf(certPem: string): string {
  return createPublicKey(certPem).export({ type: 'spki', format: 'pem' }).toString()
}

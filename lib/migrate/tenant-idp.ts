// Steps of migrateTenant for the IdP: its entityID, its SingleSignOnService and the binding
// AuthnRequests go by, its signing certificates and its SingleLogoutService.
import { normalizeCertificate } from '../metadata/certificate.js'
import { unusableSigningCertificate } from '../xmldsig/trusted-keys.js'
import type { TenantRecord } from './tenant-parts.js'
import { describe, type TenantOptions } from './tenant-options.js'

/** `idpIssuer` becomes the record's entityId. Required here: every response's Issuer is checked. */
export function readIdpIssuer(t: TenantOptions, record: TenantRecord): void {
  const idpIssuer = t.text('idpIssuer')
  if (idpIssuer !== undefined) record.entityId = idpIssuer
  else if (!t.has('idpIssuer'))
    t.refuse(
      'idpIssuer',
      'missing',
      "is not set: passport-saml then accepts any Issuer, this library checks it against the IdP's entityID. Set idpIssuer to the Issuer the IdP sends (the entityID in its metadata)",
    )
}

/**
 * `authnRequestBinding` and `entryPoint`: the SSO URL is stored under the binding it is used with.
 * Both are returned for later steps (the logout note, request compression).
 */
export function readIdpSso(
  t: TenantOptions,
  record: TenantRecord,
): { binding: 'redirect' | 'post'; entryPoint: string | undefined } {
  let binding: 'redirect' | 'post' = 'redirect'
  const authnRequestBinding = t.options.authnRequestBinding
  if (authnRequestBinding === 'HTTP-POST') binding = 'post'
  else if (authnRequestBinding !== undefined && authnRequestBinding !== 'HTTP-Redirect')
    t.refuse(
      'authnRequestBinding',
      'invalid',
      `must be "HTTP-Redirect" or "HTTP-POST", got ${JSON.stringify(authnRequestBinding)}`,
    )
  record.authnRequestBinding = binding

  const entryPoint = t.url('entryPoint', "the IdP's SingleSignOnService URL")
  if (entryPoint !== undefined) record.ssoUrls = { [binding]: entryPoint }
  else if (!t.has('entryPoint'))
    t.refuse('entryPoint', 'missing', "is not set: every record needs the IdP's SingleSignOnService URL")
  return { binding, entryPoint }
}

/**
 * `idpCert` becomes the record's signingCerts. A record holds certificates as data, so a callback
 * cannot come along; all of them must parse, or none is carried.
 */
export function readIdpCerts(t: TenantOptions, record: TenantRecord): void {
  const idpCert = t.options.idpCert
  if (typeof idpCert === 'function')
    t.refuse(
      'idpCert',
      'not-supported',
      "is a callback; a record holds certificates, not code. List the certificates, or store the IdP's metadata (fetchIdpMetadata with metadataUrl) so that startMetadataRefresh applies rotations",
    )
  else if (idpCert === undefined)
    t.refuse('idpCert', 'missing', "is not set: every record needs the IdP's signing certificate")
  else {
    const certs = typeof idpCert === 'string' ? [idpCert] : Array.isArray(idpCert) ? idpCert : undefined
    if (!certs || certs.length === 0)
      t.refuse(
        'idpCert',
        'invalid',
        `must be a certificate or a non-empty array of them, got ${describe(idpCert)}`,
      )
    else {
      const pems: string[] = []
      certs.forEach((cert: unknown, i) => {
        let pem: string
        try {
          pem = normalizeCertificate(cert as string)
        } catch (err) {
          t.refuse(
            'idpCert',
            'invalid',
            `[${i}] is not an X.509 certificate (${err instanceof Error ? err.message : String(err)}); a bare public key cannot be carried over: use the IdP's certificate from its metadata`,
          )
          return
        }
        // Records check a certificate's shape only: decode it now, not at the tenant's first login.
        const unusable = unusableSigningCertificate(pem)
        if (unusable !== undefined) {
          t.refuse(
            'idpCert',
            'invalid',
            `[${i}] cannot be used: ${unusable}; use the IdP's current RSA or EC certificate from its metadata`,
          )
          return
        }
        pems.push(pem)
      })
      if (pems.length === certs.length) record.signingCerts = pems
    }
  }
}

/**
 * `logoutUrl` becomes the record's sloUrls. passport-saml fell back to `entryPoint`; a record has
 * no such fallback, hence the note when only `entryPoint` is there.
 */
export function readIdpLogout(t: TenantOptions, record: TenantRecord, entryPoint: string | undefined): void {
  const logoutUrl = t.url('logoutUrl', "the IdP's SingleLogoutService URL")
  if (logoutUrl !== undefined) record.sloUrls = { redirect: logoutUrl }
  else if (entryPoint !== undefined && !t.has('logoutUrl'))
    t.note(
      'logoutUrl',
      'is not set: passport-saml then sent LogoutRequests to entryPoint; this record has no IdP SingleLogoutService, so logout ends the local session only. Add sloUrls if the IdP does Single Logout',
    )
  if (t.nonEmptyParams('additionalLogoutParams'))
    t.notYet('additionalLogoutParams', 'Extra query parameters on logout messages')
}

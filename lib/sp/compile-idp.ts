import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'
import { SAML, ValidateInResponseTo, type CacheProvider } from '@node-saml/node-saml'
import type { LogoutPolicy } from '../logout/validate-logout.js'
import { SamlError } from '../errors/saml-error.js'
import { compileAttributeMap, type CompiledAttributeMap } from '../profile/map-profile.js'
import type { IdpRecord } from '../record/record-fields.js'
import { compileTrustedKeys } from '../validate/trusted-keys.js'
import type { ResponsePolicy } from '../validate/validate-response.js'
import type { XmlLimits } from '../xml/parse-xml.js'
import type { ResolvedServiceProvider } from './sp-options.js'

/** Everything derived from one IdP record version, built once and reused for every request. */
export interface CompiledIdp {
  readonly record: IdpRecord
  /** id + version + updatedAt: a changed record compiles anew. */
  readonly revision: string
  readonly spEntityId: string
  readonly acsUrl: string
  readonly policy: ResponsePolicy
  readonly attributeMap: CompiledAttributeMap
  /** node-saml, used for what it does well: AuthnRequests and SP metadata. */
  readonly saml: SAML
  /** What inbound logout messages are checked against. */
  readonly logoutPolicy: LogoutPolicy
  /**
   * node-saml writing LogoutRequests and LogoutResponses to the IdP's HTTP-Redirect SLO endpoint,
   * signed whenever the SP has a signing key; absent when the IdP has no such endpoint.
   */
  readonly logoutSaml: SAML | undefined
}

/** Settings shared by all IdPs that compilation needs. */
export interface CompileSettings {
  readonly sp: ResolvedServiceProvider
  readonly clockSkewMs: number
  readonly limits: XmlLimits
  /** How old an inbound logout message may be. */
  readonly logoutMaxAgeMs: number
}

/** node-saml keeps logout request IDs in a cache of its own; ours does that job, so it gets none. */
const NO_CACHE: CacheProvider = {
  saveAsync: async () => null,
  getAsync: async () => null,
  removeAsync: async () => null,
}

/** node-saml generates the AuthnRequest ID itself; this hands it the one we already stored. */
export const requestIdContext = new AsyncLocalStorage<string>()

/** A new AuthnRequest ID: 160 random bits, starting with a letter as xs:ID requires. */
export function newRequestId(): string {
  return `_${randomBytes(20).toString('hex')}`
}

export function revisionOf(record: IdpRecord): string {
  return `${record.id}\u0000${record.version}\u0000${record.updatedAt}`
}

/** Builds the per-IdP state. A record that cannot be compiled is `ERR_SAML_IDP_CONFIG`. */
export function compileIdp(record: IdpRecord, settings: CompileSettings): CompiledIdp {
  const { sp } = settings
  const spEntityId = record.spEntityId ?? sp.entityId(record.id)
  const acsUrl = sp.acsUrl(record.id)
  try {
    const policy: ResponsePolicy = Object.freeze({
      idp: record.id,
      entityId: record.entityId,
      spEntityId,
      acsUrls: Object.freeze([acsUrl, sp.sharedAcsUrl]),
      trust: compileTrustedKeys(record.signingCerts, record.id),
      decryptionKeys: sp.decryptionKeys,
      wantAssertionsSigned: record.wantAssertionsSigned,
      wantResponseSigned: record.wantResponseSigned,
      allowSha1: record.allowSha1,
      requireEncryptedAssertions: record.requireEncryptedAssertions,
      requireAesGcm: record.requireAesGcm,
      clockSkewMs: record.clockSkewMs ?? settings.clockSkewMs,
      limits: settings.limits,
    })
    const binding = record.authnRequestBinding
    const entryPoint = binding === 'post' ? record.ssoUrls.post : record.ssoUrls.redirect
    if (!entryPoint) throw new Error(`IdP has no SingleSignOnService for the ${binding} binding`)
    if (record.signAuthnRequests && !sp.signingKey)
      throw new Error('the IdP wants signed AuthnRequests but options.sp.signingKey is not set')
    const saml = new SAML({
      entryPoint,
      issuer: spEntityId,
      callbackUrl: acsUrl,
      idpCert: [...record.signingCerts],
      ...(record.signAuthnRequests && sp.signingKey
        ? { privateKey: sp.signingKey, publicCert: sp.signingCert, signatureAlgorithm: sp.signatureAlgorithm }
        : {}),
      ...(sp.decryptionKeyPem ? { decryptionPvk: sp.decryptionKeyPem } : {}),
      identifierFormat: record.nameIdFormat ?? sp.nameIdFormat ?? null,
      forceAuthn: record.forceAuthn,
      authnRequestBinding: binding === 'post' ? 'HTTP-POST' : 'HTTP-Redirect',
      // RequestedAuthnContext=PasswordProtectedTransport makes Entra/ADFS refuse MFA and Kerberos logins.
      disableRequestedAuthnContext: true,
      wantAssertionsSigned: record.wantAssertionsSigned,
      validateInResponseTo: ValidateInResponseTo.never,
      generateUniqueId: () => requestIdContext.getStore() ?? newRequestId(),
      ...(record.sloUrls.redirect
        ? { logoutUrl: record.sloUrls.redirect, logoutCallbackUrl: sp.sloUrl(record.id) }
        : {}),
    })
    const sloUrl = sp.sloUrl(record.id)
    const logoutSaml = record.sloUrls.redirect
      ? new SAML({
          entryPoint,
          logoutUrl: record.sloUrls.redirect,
          issuer: spEntityId,
          callbackUrl: acsUrl,
          idpCert: [...record.signingCerts],
          ...(sp.signingKey
            ? {
                privateKey: sp.signingKey,
                publicCert: sp.signingCert,
                signatureAlgorithm: sp.signatureAlgorithm,
              }
            : {}),
          validateInResponseTo: ValidateInResponseTo.never,
          cacheProvider: NO_CACHE,
          generateUniqueId: () => requestIdContext.getStore() ?? newRequestId(),
        })
      : undefined
    return Object.freeze({
      record,
      revision: revisionOf(record),
      spEntityId,
      acsUrl,
      policy,
      attributeMap: compileAttributeMap(record.attributeMap, record.groupsMap),
      saml,
      logoutPolicy: Object.freeze({
        idp: record.id,
        entityId: record.entityId,
        sloUrl,
        trust: policy.trust,
        allowSha1: record.allowSha1,
        clockSkewMs: policy.clockSkewMs,
        maxAgeMs: settings.logoutMaxAgeMs,
        limits: settings.limits,
      }),
      logoutSaml,
    })
  } catch (err) {
    if (err instanceof SamlError) throw err
    throw new SamlError(
      `IdP "${record.id}" cannot be used: ${(err as Error).message}`,
      'ERR_SAML_IDP_UNUSABLE',
      {
        cause: err,
        idp: record.id,
      },
    )
  }
}

/**
 * Compiled IdPs by id, recompiled when the record's revision changes; least recently used entries
 * are dropped past `maxEntries`, so 100k tenants do not mean 100k compiled objects in memory.
 */
export class CompiledIdpCache {
  private readonly entries = new Map<string, CompiledIdp>()

  constructor(
    private readonly settings: CompileSettings,
    private readonly maxEntries = 5000,
  ) {}

  get(record: IdpRecord): CompiledIdp {
    const cached = this.entries.get(record.id)
    if (cached && cached.revision === revisionOf(record)) {
      this.entries.delete(record.id)
      this.entries.set(record.id, cached)
      return cached
    }
    const compiled = compileIdp(record, this.settings)
    this.entries.delete(record.id)
    this.entries.set(record.id, compiled)
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
    return compiled
  }

  /** Drops one IdP (or all) so its next use recompiles. */
  invalidate(id?: string): void {
    if (id === undefined) this.entries.clear()
    else this.entries.delete(id)
  }
}

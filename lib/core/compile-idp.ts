import { SamlError } from '../errors/saml-error.js'
import { createHash } from 'node:crypto'
import { buildSpMetadata } from '../messages/sp-metadata.js'
import { parseIdpMetadata } from '../metadata/parse-idp-metadata.js'
import { signEnveloped } from '../xmldsig/sign-enveloped.js'
import { compileAttributeMap, type CompiledAttributeMap } from '../profile/map-profile.js'
import type { IdpRecord, SamlBinding } from '../record/record-fields.js'
import type { LogoutPolicy } from '../validate/validate-logout.js'
import { compileTrustedKeys } from '../xmldsig/trusted-keys.js'
import type { ResponsePolicy } from '../validate/validate-response.js'
import type { XmlLimits } from '../xml/parse-xml.js'
import type { ResolvedServiceProvider } from './sp-options.js'

/** An IdP endpoint to send a message to, with the binding to send it with. */
export interface IdpEndpoint {
  readonly binding: SamlBinding
  readonly url: string
}

/** The URLs of this SP for one IdP: what an admin gives the IdP. */
export interface SpEndpoints {
  /** The SP entityID this IdP knows us by (the Audience it must write). */
  readonly entityId: string
  /** This IdP's assertion consumer service. */
  readonly acsUrl: string
  /** The shared ACS, where the response's Issuer picks the IdP. */
  readonly sharedAcsUrl: string
  /** This IdP's SingleLogoutService at the SP. */
  readonly sloUrl: string
  /** The SP metadata for this IdP. */
  readonly metadataUrl: string
  /** Starts a login at this IdP. */
  readonly loginUrl: string
}

/** Everything derived from one IdP record version, built once and reused for every request. */
export interface CompiledIdp {
  readonly record: IdpRecord
  /** id + version + updatedAt: a changed record compiles anew. */
  readonly revision: string
  readonly endpoints: SpEndpoints
  /** What responses from this IdP are checked against. */
  readonly policy: ResponsePolicy
  /** What logout messages from this IdP are checked against. */
  readonly logoutPolicy: LogoutPolicy
  readonly attributeMap: CompiledAttributeMap
  /** Where AuthnRequests go, and whether they are signed. */
  readonly sso: IdpEndpoint & { readonly signed: boolean }
  /** Where logout messages go: the IdP's HTTP-Redirect SLO endpoint, else its HTTP-POST one. */
  readonly slo: IdpEndpoint | undefined
  /** SP metadata for this IdP at `now`, written on first use (and again as its validUntil nears). */
  readonly metadataXml: (now: number) => string
  /** The `validUntil` of the IdP metadata the record holds, in epoch ms, when it has one. */
  readonly metadataValidUntil: number | undefined
}

/** Settings shared by all IdPs that compilation needs. */
export interface CompileSettings {
  readonly sp: ResolvedServiceProvider
  readonly clockSkewMs: number
  readonly limits: XmlLimits
  /** How old an inbound logout message may be. */
  readonly logoutMaxAgeMs: number
}

export function revisionOf(record: IdpRecord): string {
  return `${record.id}\u0000${record.version}\u0000${record.updatedAt}`
}

/**
 * The SP's URLs for one IdP: the record's own (`spAcsUrl`, `spSloUrl`, `spMetadataUrl`,
 * `spLoginUrl`, `spEntityId`) where it has them, else those of `sp.urls` and `sp.entityId`. A
 * function of `sp` options that gives no usable URL for this IdP is `ERR_SAML_IDP_UNUSABLE`.
 */
export function spEndpointsFor(record: IdpRecord, sp: ResolvedServiceProvider): SpEndpoints {
  const id = record.id
  try {
    return Object.freeze({
      entityId: record.spEntityId ?? checkedEntityId(sp.entityId(id)),
      acsUrl: record.spAcsUrl ?? sp.acsUrl(id),
      sharedAcsUrl: sp.sharedAcsUrl,
      sloUrl: record.spSloUrl ?? sp.sloUrl(id),
      metadataUrl: record.spMetadataUrl ?? sp.metadataUrl(id),
      loginUrl: record.spLoginUrl ?? sp.loginUrl(id),
    })
  } catch (err) {
    throw unusable(record, err instanceof Error ? err.message : String(err), err)
  }
}

function checkedEntityId(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 1024)
    throw new TypeError('"options.sp.entityId" must give a non-empty string of at most 1024 characters')
  return value
}

/**
 * The Destination and Recipient values a response from this IdP may carry: its ACS URL, the ACS
 * URL `sp.urls` gives it when its record names another (so the IdP's admin may switch to the new
 * one at any time), and the shared ACS.
 */
function acceptedAcsUrls(record: IdpRecord, endpoints: SpEndpoints, sp: ResolvedServiceProvider): string[] {
  const urls = [endpoints.acsUrl]
  if (record.spAcsUrl !== undefined) {
    try {
      urls.push(sp.acsUrl(record.id))
    } catch {
      // A function of sp.urls that has no URL for this IdP: its own URL is the one.
    }
  }
  urls.push(endpoints.sharedAcsUrl)
  return [...new Set(urls)]
}

function unusable(record: IdpRecord, message: string, cause?: unknown): SamlError {
  return new SamlError(`IdP "${record.id}" cannot be used: ${message}`, 'ERR_SAML_IDP_UNUSABLE', {
    cause,
    idp: record.id,
  })
}

/** Builds the per-IdP state. A record that cannot be used with these settings is `ERR_SAML_IDP_UNUSABLE`. */
export function compileIdp(record: IdpRecord, settings: CompileSettings): CompiledIdp {
  const { sp } = settings
  const endpoints = spEndpointsFor(record, sp)
  const ssoUrl = record.ssoUrls[record.authnRequestBinding]
  if (!ssoUrl)
    throw unusable(record, `it has no SingleSignOnService for the ${record.authnRequestBinding} binding`)
  if (record.signAuthnRequests && !sp.signing) {
    throw unusable(
      record,
      'the IdP wants signed AuthnRequests (signAuthnRequests) but options.sp.signingKey is not set',
    )
  }
  let attributeMap: CompiledAttributeMap
  try {
    attributeMap = compileAttributeMap(record.attributeMap, record.groupsMap)
  } catch (err) {
    throw unusable(record, err instanceof Error ? err.message : String(err), err)
  }
  const trust = compileTrustedKeys(record.signingCerts, record.id)
  const clockSkewMs = record.clockSkewMs ?? settings.clockSkewMs
  const policy: ResponsePolicy = Object.freeze({
    idp: record.id,
    entityId: record.entityId,
    spEntityId: endpoints.entityId,
    acsUrls: Object.freeze(acceptedAcsUrls(record, endpoints, sp)),
    trust,
    decryptionKeys: sp.decryptionKeys,
    wantAssertionsSigned: record.wantAssertionsSigned,
    wantResponseSigned: record.wantResponseSigned,
    allowSha1: record.allowSha1,
    acceptExpiredSigningCerts: record.acceptExpiredSigningCerts ?? true,
    requireEncryptedAssertions: record.requireEncryptedAssertions,
    requireAesGcm: record.requireAesGcm,
    clockSkewMs,
    limits: settings.limits,
  })
  // The record's logoutBinding, else redirect when the IdP has it (the common choice), else POST.
  const sloBinding = record.logoutBinding ?? (record.sloUrls.redirect !== undefined ? 'redirect' : 'post')
  const sloUrl = record.sloUrls[sloBinding]
  const slo: IdpEndpoint | undefined = sloUrl === undefined ? undefined : { binding: sloBinding, url: sloUrl }
  let metadata: { xml: string; builtAt: number } | undefined
  const validFor = sp.metadata.validForMs
  const metadataXml = (now: number): string => {
    // Written on first use; with a validUntil, written again once half of its validity has passed.
    if (metadata === undefined || (validFor !== undefined && now - metadata.builtAt > validFor / 2))
      metadata = { xml: spMetadata(record, endpoints, sp, slo !== undefined, now), builtAt: now }
    return metadata.xml
  }
  return Object.freeze({
    record,
    revision: revisionOf(record),
    endpoints,
    policy,
    logoutPolicy: Object.freeze({
      idp: record.id,
      entityId: record.entityId,
      sloUrl: endpoints.sloUrl,
      trust,
      allowSha1: record.allowSha1,
      acceptExpiredSigningCerts: policy.acceptExpiredSigningCerts,
      clockSkewMs,
      maxAgeMs: settings.logoutMaxAgeMs,
      limits: settings.limits,
      decryptionKeys: sp.decryptionKeys,
      requireAesGcm: record.requireAesGcm,
    }),
    attributeMap,
    sso: Object.freeze({
      binding: record.authnRequestBinding,
      url: ssoUrl,
      signed: record.signAuthnRequests,
    }),
    slo: slo && Object.freeze(slo),
    metadataXml,
    metadataValidUntil: metadataValidUntilOf(record),
  })
}

/** When the record's IdP metadata expires (its earliest `validUntil`), once per compile. */
function metadataValidUntilOf(record: IdpRecord): number | undefined {
  if (record.metadataXml === undefined) return undefined
  try {
    const validUntil = parseIdpMetadata(record.metadataXml, { entityId: record.entityId }).validUntil
    return validUntil === undefined ? undefined : Date.parse(validUntil)
  } catch {
    // The store validated it; metadata that no longer parses has no date to hold it to.
    return undefined
  }
}

function spMetadata(
  record: IdpRecord,
  endpoints: SpEndpoints,
  sp: ResolvedServiceProvider,
  slo: boolean,
  now: number,
): string {
  const settings = sp.metadata
  const xml = buildSpMetadata({
    entityId: endpoints.entityId,
    assertionConsumerServiceUrls: [endpoints.acsUrl],
    authnRequestsSigned: record.signAuthnRequests,
    wantAssertionsSigned: record.wantAssertionsSigned,
    // Published whenever the SP signs: IdPs check our logout messages with it too.
    signingCerts: sp.signing ? [sp.signing.cert] : [],
    encryptionCerts: sp.decryptionCerts,
    // This SP answers logout on both bindings, whichever the IdP sends with.
    singleLogoutServices: slo
      ? [
          { binding: 'redirect', location: endpoints.sloUrl },
          { binding: 'post', location: endpoints.sloUrl },
        ]
      : [],
    nameIdFormats: [record.nameIdFormat ?? sp.nameIdFormat].filter((f): f is string => f !== undefined),
    // A stable ID, so the document only changes when what it says changes.
    ...(settings.sign && {
      id: `_${createHash('sha256').update(endpoints.entityId).digest('hex').slice(0, 40)}`,
    }),
    ...(settings.validForMs !== undefined && { validUntil: now + settings.validForMs }),
    ...(settings.cacheDurationMs !== undefined && { cacheDurationMs: settings.cacheDurationMs }),
    ...(settings.organization && { organization: settings.organization }),
    ...(settings.contacts && { contacts: settings.contacts }),
    ...(settings.requestedAttributes && { requestedAttributes: settings.requestedAttributes }),
  })
  if (!settings.sign || !sp.signing) return xml
  return signEnveloped(xml, {
    privateKey: sp.signing.key,
    certificate: sp.signing.cert,
    algorithm: sp.signatureAlgorithm,
    placement: 'first-child',
  })
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
}

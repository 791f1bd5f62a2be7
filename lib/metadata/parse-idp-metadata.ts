import { SamlError } from '../errors/saml-error.js'
import { attr, childElements, childrenNamed, isElement } from '../xml/read-element.js'
import { NS } from '../xml/namespaces.js'
import { METADATA_XML_LIMITS, parseXml } from '../xml/parse-xml.js'
import { normalizeCertificate } from './certificate.js'
import { parseXsDateTimeMs } from './xs-date-time.js'
import { parseXsDurationMs } from './xs-duration.js'
import type { XmlElement } from '../xml/tree.js'

/** One URL per binding, as an IdP's metadata lists its SingleSignOnService / SingleLogoutService. */
export interface IdpEndpoints {
  readonly redirect?: string
  readonly post?: string
}

/** What {@link parseIdpMetadata} reads from one IdP entity. Frozen. */
export interface ParsedIdpMetadata {
  readonly entityId: string
  /** First SingleSignOnService per binding (HTTP-Redirect, HTTP-POST); at least one is set. */
  readonly ssoUrls: IdpEndpoints
  /** First SingleLogoutService per binding; may be empty. */
  readonly sloUrls: IdpEndpoints
  /** Normalized PEM, de-duplicated, in document order; several during a key rotation. At least one. */
  readonly signingCerts: readonly string[]
  /** Normalized PEM, de-duplicated (KeyDescriptors with use="encryption" or no use). */
  readonly encryptionCerts: readonly string[]
  /** NameIDFormat values in document order, de-duplicated. */
  readonly nameIdFormats: readonly string[]
  /** The IDPSSODescriptor's WantAuthnRequestsSigned (false when absent). */
  readonly wantAuthnRequestsSigned: boolean
  /**
   * The earliest `validUntil` of the IDPSSODescriptor, its EntityDescriptor and any enclosing
   * EntitiesDescriptor, as an ISO-8601 UTC string. A past date is reported, not refused: deciding
   * what stale metadata means is the caller's policy.
   */
  readonly validUntil?: string
  /**
   * The shortest `cacheDuration` of the IDPSSODescriptor, its EntityDescriptor and any enclosing
   * EntitiesDescriptor, in ms: how long the publisher says the document may be cached before it is
   * fetched again. Years count 365 days and months 30 days.
   */
  readonly cacheDurationMs?: number
}

/** Options for {@link parseIdpMetadata}. */
export interface ParseIdpMetadataOptions {
  /**
   * The entityID to take. Required to pick one entity out of an EntitiesDescriptor that holds
   * several IdPs; for a single EntityDescriptor it must match that entity's entityID.
   */
  entityId?: string
}

const SAML2_PROTOCOL = NS.protocol
const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'
const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'
const MAX_ENTITY_ID = 1024
/** How many entityIDs an error message lists before "and N more" (aggregates hold thousands). */
const MAX_LISTED = 10

function invalid(message: string, cause?: unknown): SamlError {
  return new SamlError(message, 'ERR_SAML_METADATA_INVALID', cause === undefined ? undefined : { cause })
}

/** Quotes untrusted text for a message, cut short so a hostile document cannot flood logs. */
function quote(value: string, max = 120): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value
  return JSON.stringify(cut)
}

function listIds(ids: readonly string[]): string {
  if (ids.length === 0) return '(none)'
  const shown = ids.slice(0, MAX_LISTED).map((id) => quote(id))
  const more = ids.length > MAX_LISTED ? ` and ${ids.length - MAX_LISTED} more` : ''
  return shown.join(', ') + more
}

function elementName(el: XmlElement): string {
  return el.namespaceURI ? `{${el.namespaceURI}}${el.localName}` : el.localName
}

/** Text content of a value element: text and CDATA only; comments are skipped, child elements refused. */
function valueText(el: XmlElement, what: string): string {
  let text = ''
  for (const n of el.children) {
    if (n.type === 'text') text += n.text
    else if (n.type === 'element') throw invalid(`${what} must contain only text`)
  }
  return text.trim()
}

function parseDateTime(value: string, where: string): number {
  const ms = parseXsDateTimeMs(value)
  if (ms === undefined) throw invalid(`${where} validUntil ${quote(value)} is not an xs:dateTime`)
  return ms
}

function parseBoolean(value: string | undefined, where: string): boolean {
  if (value === undefined) return false
  const v = value.trim()
  if (v === 'true' || v === '1') return true
  if (v === 'false' || v === '0') return false
  throw invalid(`${where} is ${quote(value)}; expected "true" or "false"`)
}

function isHttpUrl(value: string): boolean {
  if (/\s/.test(value)) return false
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

/** EntityDescriptors inside an EntitiesDescriptor, nested ones included, with their enclosing validUntils. */
function collectEntities(root: XmlElement): { entity: XmlElement; ancestors: XmlElement[] }[] {
  const out: { entity: XmlElement; ancestors: XmlElement[] }[] = []
  const walk = (group: XmlElement, ancestors: XmlElement[]): void => {
    const chain = [...ancestors, group]
    for (const child of childElements(group)) {
      if (isElement(child, NS.metadata, 'EntityDescriptor')) out.push({ entity: child, ancestors: chain })
      else if (isElement(child, NS.metadata, 'EntitiesDescriptor')) walk(child, chain)
    }
  }
  walk(root, [])
  return out
}

function entityIdOf(entity: XmlElement): string {
  return attr(entity, 'entityID') ?? ''
}

function supportsSaml2(descriptor: XmlElement): boolean {
  return (attr(descriptor, 'protocolSupportEnumeration') ?? '').split(/\s+/).includes(SAML2_PROTOCOL)
}

function selectEntity(
  root: XmlElement,
  wanted: string | undefined,
): { entity: XmlElement; ancestors: XmlElement[] } {
  if (isElement(root, NS.metadata, 'EntityDescriptor')) {
    const id = entityIdOf(root)
    if (wanted !== undefined && id !== wanted) {
      throw invalid(`metadata describes entityID ${quote(id)}, not the requested ${quote(wanted)}`)
    }
    return { entity: root, ancestors: [] }
  }
  if (!isElement(root, NS.metadata, 'EntitiesDescriptor')) {
    throw invalid(
      `XML is not SAML 2.0 metadata: the root element is ${elementName(root)}, expected md:EntityDescriptor or md:EntitiesDescriptor (namespace ${NS.metadata})`,
    )
  }
  const entities = collectEntities(root)
  const ids = entities.map((e) => entityIdOf(e.entity))
  if (wanted !== undefined) {
    const found = entities.filter((e) => entityIdOf(e.entity) === wanted)
    if (found.length === 0) {
      throw invalid(
        `EntitiesDescriptor has no entity with entityID ${quote(wanted)}; it holds ${entities.length}: ${listIds(ids)}`,
      )
    }
    if (found.length > 1) {
      throw invalid(`EntitiesDescriptor lists entityID ${quote(wanted)} ${found.length} times`)
    }
    return found[0]!
  }
  const idps = entities.filter((e) => childrenNamed(e.entity, NS.metadata, 'IDPSSODescriptor').length > 0)
  if (idps.length === 1) return idps[0]!
  if (idps.length === 0) {
    throw invalid(
      `EntitiesDescriptor holds no identity provider (no entity has an IDPSSODescriptor); its entities: ${listIds(ids)}`,
    )
  }
  throw invalid(
    `EntitiesDescriptor holds ${idps.length} identity providers; set entityId to choose one of ${listIds(
      idps.map((e) => entityIdOf(e.entity)),
    )}`,
  )
}

function readEndpoints(descriptor: XmlElement, local: string, entityId: string): IdpEndpoints {
  let redirect: string | undefined
  let post: string | undefined
  for (const el of childrenNamed(descriptor, NS.metadata, local)) {
    const binding = attr(el, 'Binding')?.trim()
    if (binding !== BINDING_REDIRECT && binding !== BINDING_POST) continue
    if ((binding === BINDING_REDIRECT ? redirect : post) !== undefined) continue
    const location = attr(el, 'Location')?.trim() ?? ''
    if (!isHttpUrl(location)) {
      throw invalid(
        `${local} (${binding === BINDING_REDIRECT ? 'HTTP-Redirect' : 'HTTP-POST'}) of ${quote(entityId)} has Location ${quote(location)}, which is not an absolute http(s) URL`,
      )
    }
    if (binding === BINDING_REDIRECT) redirect = location
    else post = location
  }
  const out: { redirect?: string; post?: string } = {}
  if (redirect !== undefined) out.redirect = redirect
  if (post !== undefined) out.post = post
  return Object.freeze(out)
}

function readCertificates(
  descriptor: XmlElement,
  entityId: string,
): { signing: string[]; encryption: string[] } {
  const signing: string[] = []
  const encryption: string[] = []
  const keyDescriptors = childrenNamed(descriptor, NS.metadata, 'KeyDescriptor')
  keyDescriptors.forEach((kd, index) => {
    const use = attr(kd, 'use')?.trim()
    if (use !== undefined && use !== 'signing' && use !== 'encryption') {
      throw invalid(
        `KeyDescriptor #${index + 1} of ${quote(entityId)} has use=${quote(use)}; expected "signing" or "encryption"`,
      )
    }
    for (const keyInfo of childrenNamed(kd, NS.dsig, 'KeyInfo')) {
      for (const data of childrenNamed(keyInfo, NS.dsig, 'X509Data')) {
        for (const certEl of childrenNamed(data, NS.dsig, 'X509Certificate')) {
          const where = `X509Certificate in KeyDescriptor #${index + 1}${use ? ` (use="${use}")` : ''} of ${quote(entityId)}`
          let pem: string
          try {
            pem = normalizeCertificate(valueText(certEl, where))
          } catch (err) {
            if (err instanceof SamlError && err.code === 'ERR_SAML_METADATA_INVALID') throw err
            const why = err instanceof Error ? err.message : String(err)
            throw invalid(`${where} is not a valid X.509 certificate: ${why}`, err)
          }
          if (use !== 'encryption' && !signing.includes(pem)) signing.push(pem)
          if (use !== 'signing' && !encryption.includes(pem)) encryption.push(pem)
        }
      }
    }
  })
  return { signing, encryption }
}

/**
 * Reads an IdP's SAML 2.0 metadata: its entityID, SSO and SLO endpoints (HTTP-Redirect and HTTP-POST),
 * signing and encryption certificates, NameID formats and WantAuthnRequestsSigned. Accepts an
 * `EntityDescriptor`, or an `EntitiesDescriptor` (nested ones too) from which the entity named by
 * `options.entityId` is taken, or the only entity with an IDPSSODescriptor when there is one.
 * Elements are matched by namespace and local name, whatever the prefixes.
 *
 * The XML is parsed as untrusted input (no DTDs, capped size, element count and depth). The
 * metadata's own signature is not checked: trust comes from how the admin obtained it.
 *
 * Throws `SamlError`: `ERR_SAML_METADATA_INVALID` with a message saying what to fix, or
 * `ERR_SAML_XML_DTD` / `ERR_SAML_XML_LIMITS` / `ERR_SAML_TOO_LARGE` for hostile or oversized XML.
 *
 * @example
 * ```ts
 * import { parseIdpMetadata } from 'passport-saml-multi-idp'
 * const meta = parseIdpMetadata(await (await fetch('https://idp.example.com/metadata')).text())
 * meta.entityId // 'https://idp.example.com/saml'
 * meta.ssoUrls.redirect // 'https://idp.example.com/sso'
 * if (meta.validUntil && Date.parse(meta.validUntil) < Date.now()) console.warn('IdP metadata has expired')
 * ```
 */
export function parseIdpMetadata(xml: string, options: ParseIdpMetadataOptions = {}): ParsedIdpMetadata {
  if (typeof xml !== 'string') throw new TypeError(`"xml" must be a string, got ${typeof xml}`)
  if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object')
  const wanted = options.entityId
  if (wanted !== undefined && (typeof wanted !== 'string' || wanted === '')) {
    throw new TypeError('"options.entityId" must be a non-empty string')
  }
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml
  const head = text.trimStart().slice(0, 64).toLowerCase()
  if (head === '') throw invalid('metadata is empty')
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) {
    throw invalid(
      'got an HTML page, not SAML metadata; check the metadata URL (it may require a login or point at a web page)',
    )
  }
  if (!head.startsWith('<')) throw invalid('metadata is not XML (it does not start with "<")')

  const doc = parseXml(text.trimStart(), METADATA_XML_LIMITS, 'ERR_SAML_METADATA_INVALID')
  const { entity, ancestors } = selectEntity(doc.root, wanted)

  const entityId = entityIdOf(entity)
  if (entityId.trim() === '') throw invalid('EntityDescriptor has no entityID attribute')
  if (entityId.length > MAX_ENTITY_ID) {
    throw invalid(`entityID is ${entityId.length} characters; SAML allows at most ${MAX_ENTITY_ID}`)
  }
  if (entityId !== entityId.trim())
    throw invalid(`entityID ${quote(entityId)} has leading or trailing whitespace`)

  const descriptors = childrenNamed(entity, NS.metadata, 'IDPSSODescriptor')
  if (descriptors.length === 0) {
    const isSp = childrenNamed(entity, NS.metadata, 'SPSSODescriptor').length > 0
    throw invalid(
      isSp
        ? `${quote(entityId)} is service provider metadata (SPSSODescriptor, no IDPSSODescriptor); use the identity provider's metadata`
        : `${quote(entityId)} has no IDPSSODescriptor, so it is not an identity provider`,
    )
  }
  const descriptor = descriptors.find(supportsSaml2)
  if (!descriptor) {
    throw invalid(
      `the IDPSSODescriptor of ${quote(entityId)} does not list ${SAML2_PROTOCOL} in protocolSupportEnumeration (a SAML 1.1 or Shibboleth-only IdP?)`,
    )
  }

  const ssoUrls = readEndpoints(descriptor, 'SingleSignOnService', entityId)
  if (ssoUrls.redirect === undefined && ssoUrls.post === undefined) {
    const bindings = childrenNamed(descriptor, NS.metadata, 'SingleSignOnService').map(
      (el) => attr(el, 'Binding') ?? '',
    )
    throw invalid(
      `${quote(entityId)} has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding (found: ${
        bindings.length === 0 ? 'none' : listIds(bindings)
      })`,
    )
  }
  const sloUrls = readEndpoints(descriptor, 'SingleLogoutService', entityId)

  const { signing, encryption } = readCertificates(descriptor, entityId)
  if (signing.length === 0) {
    throw invalid(
      `${quote(entityId)} has no signing certificate (a KeyDescriptor with use="signing" or no use, holding ds:X509Certificate)`,
    )
  }

  const nameIdFormats: string[] = []
  for (const el of childrenNamed(descriptor, NS.metadata, 'NameIDFormat')) {
    const format = valueText(el, 'NameIDFormat')
    if (format !== '' && !nameIdFormats.includes(format)) nameIdFormats.push(format)
  }

  const wantAuthnRequestsSigned = parseBoolean(
    attr(descriptor, 'WantAuthnRequestsSigned'),
    `WantAuthnRequestsSigned of ${quote(entityId)}`,
  )

  let validUntilMs: number | undefined
  for (const el of [...ancestors, entity, descriptor]) {
    const value = attr(el, 'validUntil')
    if (value === undefined) continue
    const ms = parseDateTime(value, `<${el.localName}>`)
    if (validUntilMs === undefined || ms < validUntilMs) validUntilMs = ms
  }
  let cacheDurationMs: number | undefined
  for (const el of [...ancestors, entity, descriptor]) {
    const value = attr(el, 'cacheDuration')
    if (value === undefined) continue
    // A hint for when to fetch again only: an odd one is ignored, never a reason to refuse the
    // metadata (or to make records stored before it was read unreadable).
    const ms = parseXsDurationMs(value)
    if (ms !== undefined && (cacheDurationMs === undefined || ms < cacheDurationMs)) cacheDurationMs = ms
  }

  const result: {
    -readonly [K in keyof ParsedIdpMetadata]: ParsedIdpMetadata[K]
  } = {
    entityId,
    ssoUrls,
    sloUrls,
    signingCerts: Object.freeze(signing),
    encryptionCerts: Object.freeze(encryption),
    nameIdFormats: Object.freeze(nameIdFormats),
    wantAuthnRequestsSigned,
  }
  if (validUntilMs !== undefined) result.validUntil = new Date(validUntilMs).toISOString()
  if (cacheDurationMs !== undefined) result.cacheDurationMs = cacheDurationMs
  return Object.freeze(result)
}

// What the SP's metadata says beyond its endpoints and keys (`sp.metadata`): who runs it, whom to
// contact, which attributes it asks for, how long IdPs may trust and cache a copy, and whether it
// is signed. Validated once, up front, like the rest of the SP options.
import type { SpContact, SpOrganization, SpRequestedAttributes } from '../messages/sp-metadata.js'
import { isPlainObject } from '../values/plain-values.js'

/** `sp.metadata`: the parts of every IdP's SP metadata that describe the SP itself. */
export interface SpMetadataSettings {
  /** `md:Organization`: name, display name and URL. */
  readonly organization?: SpOrganization
  /** `md:ContactPerson`s, e.g. a technical and a support contact. */
  readonly contacts?: readonly SpContact[]
  /**
   * One `md:AttributeConsumingService` (index 0): the attributes the SP asks IdPs to release. An IdP
   * record's `authnRequestOptions.attributeConsumingServiceIndex: 0` points at it.
   */
  readonly requestedAttributes?: SpRequestedAttributes
  /** `validUntil` = now + this, refreshed on the way: IdPs stop trusting an old copy. */
  readonly validForMs?: number
  /** `cacheDuration`: how long IdPs may keep a copy before fetching it again. */
  readonly cacheDurationMs?: number
  /** Sign the metadata with `sp.signingKey` (an enveloped signature over the EntityDescriptor). */
  readonly sign?: boolean
}

type Fail = (option: string, message: string) => never

const CONTACT_TYPES: ReadonlySet<string> = new Set([
  'technical',
  'support',
  'administrative',
  'billing',
  'other',
])
const MAX_TEXT = 1024
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL = /[\u0000-\u001f]/
/** A year: longer-lived metadata outlives any key rotation. */
const MAX_VALID_MS = 366 * 24 * 3600 * 1000

function text(option: string, value: unknown, fail: Fail, required = true): string | undefined {
  if (value === undefined && !required) return undefined
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT || CONTROL.test(value))
    fail(option, `must be a non-empty string of at most ${MAX_TEXT} characters, without control characters`)
  return value.trim()
}

function strings(option: string, value: unknown, fail: Fail): string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value)) return fail(option, 'must be an array of strings')
  return value.map((v, i) => text(`${option}[${i}]`, v, fail)!)
}

function milliseconds(option: string, value: unknown, fail: Fail): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 60_000 || value > MAX_VALID_MS)
    fail(option, 'must be a whole number of milliseconds from 60000 (a minute) to a year')
  return value
}

function organization(value: unknown, fail: Fail): SpOrganization | undefined {
  if (value === undefined) return undefined
  if (!isPlainObject(value)) return fail('metadata.organization', 'must be { name, displayName, url, lang? }')
  const url = text('metadata.organization.url', value.url, fail)!
  if (!/^https?:\/\//.test(url)) fail('metadata.organization.url', 'must be an http(s) URL')
  return Object.freeze({
    name: text('metadata.organization.name', value.name, fail)!,
    displayName: text('metadata.organization.displayName', value.displayName, fail)!,
    url,
    ...(value.lang !== undefined && { lang: text('metadata.organization.lang', value.lang, fail)! }),
  })
}

function contacts(value: unknown, fail: Fail): readonly SpContact[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value)) return fail('metadata.contacts', 'must be an array of contacts')
  return Object.freeze(
    value.map((c: unknown, i) => {
      const name = `metadata.contacts[${i}]`
      if (!isPlainObject(c) || typeof c.type !== 'string' || !CONTACT_TYPES.has(c.type))
        return fail(name, 'must be { type: technical | support | administrative | billing | other, … }')
      const contact: Record<string, unknown> = { type: c.type }
      for (const field of ['company', 'givenName', 'surName'] as const) {
        const v = text(`${name}.${field}`, c[field], fail, false)
        if (v !== undefined) contact[field] = v
      }
      const emails = strings(`${name}.emailAddresses`, c.emailAddresses, fail)
      if (emails) contact.emailAddresses = Object.freeze(emails)
      const phones = strings(`${name}.telephoneNumbers`, c.telephoneNumbers, fail)
      if (phones) contact.telephoneNumbers = Object.freeze(phones)
      return Object.freeze(contact) as unknown as SpContact
    }),
  )
}

function requestedAttributes(value: unknown, fail: Fail): SpRequestedAttributes | undefined {
  if (value === undefined) return undefined
  const name = 'metadata.requestedAttributes'
  if (!isPlainObject(value) || !Array.isArray(value.attributes) || value.attributes.length === 0)
    return fail(name, 'must be { serviceName, serviceDescription?, attributes: [{ name, … }, …] }')
  return Object.freeze({
    serviceName: text(`${name}.serviceName`, value.serviceName, fail)!,
    ...(value.serviceDescription !== undefined && {
      serviceDescription: text(`${name}.serviceDescription`, value.serviceDescription, fail)!,
    }),
    ...(value.lang !== undefined && { lang: text(`${name}.lang`, value.lang, fail)! }),
    attributes: Object.freeze(
      (value.attributes as unknown[]).map((a, i) => {
        const at = `${name}.attributes[${i}]`
        if (!isPlainObject(a)) return fail(at, 'must be { name, nameFormat?, friendlyName?, isRequired? }')
        if (a.isRequired !== undefined && typeof a.isRequired !== 'boolean')
          fail(`${at}.isRequired`, 'must be true or false')
        return Object.freeze({
          name: text(`${at}.name`, a.name, fail)!,
          ...(a.nameFormat !== undefined && { nameFormat: text(`${at}.nameFormat`, a.nameFormat, fail)! }),
          ...(a.friendlyName !== undefined && {
            friendlyName: text(`${at}.friendlyName`, a.friendlyName, fail)!,
          }),
          ...(a.isRequired === true && { isRequired: true }),
        })
      }),
    ),
  })
}

/** Validates `sp.metadata`; `canSign` says whether `sp.signingKey` is there to sign with. */
export function resolveSpMetadataSettings(value: unknown, canSign: boolean, fail: Fail): SpMetadataSettings {
  if (value === undefined) return Object.freeze({})
  if (!isPlainObject(value))
    return fail('metadata', 'must be an object like { organization, contacts, sign }')
  const known = ['organization', 'contacts', 'requestedAttributes', 'validForMs', 'cacheDurationMs', 'sign']
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      fail('metadata', `has unknown field ${JSON.stringify(key.slice(0, 80))}; known: ${known.join(', ')}`)
  }
  if (value.sign !== undefined && typeof value.sign !== 'boolean')
    fail('metadata.sign', 'must be true or false')
  if (value.sign === true && !canSign)
    fail('metadata.sign', 'needs "options.sp.signingKey" and "signingCert"')
  const settings: Record<string, unknown> = {}
  const parts = {
    organization: organization(value.organization, fail),
    contacts: contacts(value.contacts, fail),
    requestedAttributes: requestedAttributes(value.requestedAttributes, fail),
    validForMs: milliseconds('metadata.validForMs', value.validForMs, fail),
    cacheDurationMs: milliseconds('metadata.cacheDurationMs', value.cacheDurationMs, fail),
    sign: value.sign === true ? true : undefined,
  }
  for (const [key, v] of Object.entries(parts)) if (v !== undefined) settings[key] = v
  return Object.freeze(settings) as SpMetadataSettings
}

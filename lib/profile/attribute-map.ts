import { SamlError } from '../errors/saml-error.js'
import { ATTRIBUTE_PRESET_NAMES, presets, type AttributePresetName } from './presets.js'
import type { AttributeFieldSpec, AttributeMap, AttributeTransform, GroupsMap } from './types.js'
import { isPlainObject, kindOf as kind } from '../values/plain-values.js'

const MAX_MAP_ENTRIES = 1000
const MAX_GROUPS = 10 * MAX_MAP_ENTRIES
const MAX_NAME = 1024
/**
 * Keys an attribute map or groups map may not have. `__proto__` would become a prototype change in
 * code that copies the profile with `Object.assign` or a deep merge; `constructor` and `prototype`
 * are the other half of the classic `constructor.prototype` pollution path.
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])
const TRANSFORMS: ReadonlySet<string> = new Set<AttributeTransform>(['lowercase', 'uppercase', 'trim'])
const SPEC_KEYS: ReadonlySet<string> = new Set<keyof AttributeFieldSpec>([
  'from',
  'multi',
  'required',
  'transform',
])

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

function invalid(message: string): never {
  throw new SamlError(message, 'ERR_SAML_IDP_CONFIG')
}

function checkKey(field: string, key: string): void {
  if (key === '' || key.length > MAX_NAME) invalid(`"${field}" has an empty or over-long key`)
  if (FORBIDDEN_KEYS.has(key)) invalid(`"${field}" must not have a key named "${key}"`)
}

function attributeNames(path: string, value: unknown): string | readonly string[] {
  if (typeof value === 'string') {
    if (value.trim() === '' || value.length > MAX_NAME)
      invalid(`"${path}" must be a non-empty attribute name`)
    return value
  }
  if (Array.isArray(value)) {
    if (value.length === 0) invalid(`"${path}" must list at least one attribute name`)
    if (value.length > MAX_MAP_ENTRIES) invalid(`"${path}" lists too many attribute names`)
    return Object.freeze(value.map((name: unknown, i) => attributeNames(`${path}[${i}]`, name) as string))
  }
  return invalid(`"${path}" must be an attribute name or an array of them, got ${kind(value)}`)
}

function fieldSpec(path: string, spec: unknown): string | readonly string[] | AttributeFieldSpec {
  if (typeof spec === 'string' || Array.isArray(spec)) return attributeNames(path, spec)
  if (!isPlainObject(spec)) {
    return invalid(
      `"${path}" must be an attribute name, an array of them or { from, multi?, required?, transform? }`,
    )
  }
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.has(key)) {
      invalid(
        `"${path}" has unknown key ${JSON.stringify(key.slice(0, 80))}; allowed: from, multi, required, transform`,
      )
    }
  }
  if (spec.from === undefined || spec.from === null) invalid(`"${path}.from" is required`)
  const out: Mutable<AttributeFieldSpec> = { from: attributeNames(`${path}.from`, spec.from) }
  for (const flag of ['multi', 'required'] as const) {
    const value = spec[flag]
    if (value === undefined || value === null) continue
    if (typeof value !== 'boolean') invalid(`"${path}.${flag}" must be true or false`)
    out[flag] = value
  }
  if (spec.transform !== undefined && spec.transform !== null) {
    const list = Array.isArray(spec.transform) ? (spec.transform as unknown[]) : [spec.transform]
    list.forEach((t, i) => {
      if (typeof t !== 'string' || !TRANSFORMS.has(t)) {
        invalid(
          `"${path}.transform${Array.isArray(spec.transform) ? `[${i}]` : ''}" must be "lowercase", "uppercase" or "trim"`,
        )
      }
    })
    out.transform = Array.isArray(spec.transform)
      ? Object.freeze([...(list as AttributeTransform[])])
      : (spec.transform as AttributeTransform)
  }
  return Object.freeze(out)
}

/**
 * Validates an attribute map (or a preset name) and returns a frozen copy: the one set of rules for
 * records written to a store and for maps compiled by the mapper. Throws `SamlError`
 * `ERR_SAML_IDP_CONFIG` naming the bad entry (`"attributeMap.email.transform" must be …`).
 *
 * @example
 * ```ts
 * normalizeAttributeMap({ email: { from: 'mail', transform: 'lowercase' } })
 * normalizeAttributeMap('okta') // 'okta'
 * ```
 */
export function normalizeAttributeMap(value: unknown): AttributeMap | AttributePresetName {
  if (typeof value === 'string') {
    if (!Object.hasOwn(presets, value)) {
      invalid(
        `"attributeMap" ${JSON.stringify(value.slice(0, 80))} is not a preset; use one of ${ATTRIBUTE_PRESET_NAMES.join(', ')}`,
      )
    }
    return value as AttributePresetName
  }
  if (!isPlainObject(value)) {
    return invalid(
      `"attributeMap" must be a preset name or an object of field → attribute names, got ${kind(value)}`,
    )
  }
  const keys = Object.keys(value)
  if (keys.length > MAX_MAP_ENTRIES) invalid(`"attributeMap" has more than ${MAX_MAP_ENTRIES} fields`)
  const out: Record<string, string | readonly string[] | AttributeFieldSpec> = {}
  for (const field of keys) {
    checkKey('attributeMap', field)
    out[field] = fieldSpec(`attributeMap.${field}`, value[field])
  }
  return Object.freeze(out)
}

/**
 * Validates a groups map (IdP group name → application group name) and returns a frozen copy.
 * Throws `SamlError` `ERR_SAML_IDP_CONFIG` naming the bad entry.
 *
 * @example
 * ```ts
 * normalizeGroupsMap({ 'Okta Admins': 'admin' })
 * ```
 */
export function normalizeGroupsMap(value: unknown): GroupsMap {
  if (!isPlainObject(value))
    return invalid(`"groupsMap" must be an object of IdP group → app group, got ${kind(value)}`)
  const keys = Object.keys(value)
  if (keys.length > MAX_GROUPS) invalid(`"groupsMap" has more than ${MAX_GROUPS} entries`)
  const out: Record<string, string> = {}
  for (const group of keys) {
    checkKey('groupsMap', group)
    const mapped = value[group]
    if (typeof mapped !== 'string' || mapped === '' || mapped.length > MAX_NAME) {
      invalid(`"groupsMap[${JSON.stringify(group.slice(0, 80))}]" must be a non-empty string`)
    }
    out[group] = mapped as string
  }
  return Object.freeze(out)
}

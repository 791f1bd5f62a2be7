import { SamlError } from '../errors/saml-error.js'
import { normalizeAttributeMap, normalizeGroupsMap } from './attribute-map.js'
import { defaultAttributeMap, presets, type AttributePresetName } from './presets.js'
import type {
  AttributeFieldSpec,
  AttributeMap,
  AttributeTransform,
  GroupsMap,
  MappedProfile,
  SamlAttribute,
} from './types.js'

/**
 * One field of a {@link CompiledAttributeMap}, validated and normalized.
 *
 * @example
 * ```ts
 * compileAttributeMap({ email: { from: 'mail', transform: 'lowercase' } }).fields[0]
 * // → { name: 'email', from: ['mail'], multi: false, required: false, transforms: ['lowercase'] }
 * ```
 */
export interface CompiledField {
  /** The profile field name (a key of {@link MappedProfile}). */
  readonly name: string
  /** Candidate attribute names, highest priority first, de-duplicated. */
  readonly from: readonly string[]
  /** Always true for `groups`. */
  readonly multi: boolean
  readonly required: boolean
  /** Applied in order to every value taken from the IdP. */
  readonly transforms: readonly AttributeTransform[]
}

/**
 * A field a candidate feeds, and the candidate's position in that field's `from` list.
 *
 * @example
 * ```ts
 * compileAttributeMap({ email: ['email', 'mail'] }).byName.get('mail')
 * // → [{ field: 0, rank: 1 }]
 * ```
 */
export interface CandidateRef {
  readonly field: number
  readonly rank: number
}

/**
 * An attribute map turned into lookup tables, built once per IdP by {@link compileAttributeMap}
 * and read by {@link mapProfile} on every login. Immutable; safe to share across requests.
 * The lookup tables are keyed by attribute names (data, never object keys).
 *
 * @example
 * ```ts
 * // Cache one per IdP record version, e.g. next to the record's other per-IdP state.
 * const compiledByIdp = new Map<string, { version: number; compiled: CompiledAttributeMap }>()
 * function compiledFor(record: IdpRecord): CompiledAttributeMap {
 *   const hit = compiledByIdp.get(record.id)
 *   if (hit?.version === record.version) return hit.compiled
 *   const compiled = compileAttributeMap(record.attributeMap, record.groupsMap)
 *   compiledByIdp.set(record.id, { version: record.version, compiled })
 *   return compiled
 * }
 * ```
 */
export interface CompiledAttributeMap {
  readonly fields: readonly CompiledField[]
  /** Attribute Name → fields (exact; for `urn:oid:X` candidates also the bare `X`). */
  readonly byName: ReadonlyMap<string, readonly CandidateRef[]>
  /** Attribute FriendlyName → fields (exact). */
  readonly byFriendlyName: ReadonlyMap<string, readonly CandidateRef[]>
  /** Lower-cased `http(s)://` claim URI → fields: claim URIs compare case-insensitively. */
  readonly byClaimUri: ReadonlyMap<string, readonly CandidateRef[]>
  /** IdP group name (as sent) → application group name; applies to the `groups` field only. */
  readonly groupsMap: ReadonlyMap<string, string>
}

const URN_OID = 'urn:oid:'
const GROUPS_FIELD = 'groups'
/** Caps on what a missing-attribute message echoes from the IdP, so it stays readable. */
const MAX_SENT_NAMES = 40
const MAX_NAME_CHARS = 160

/**
 * True for `http://…` and `https://…` in any letter case, without a regex or an allocation: these
 * are claim type URIs (Entra ID, AD FS), which IdPs do not always send in the documented case.
 */
function isClaimUri(s: string): boolean {
  if (s.length < 8) return false
  // 0x20 folds ASCII upper case to lower case: 'h' 't' 't' 'p'
  if ((s.charCodeAt(0) | 0x20) !== 0x68 || (s.charCodeAt(1) | 0x20) !== 0x74) return false
  if ((s.charCodeAt(2) | 0x20) !== 0x74 || (s.charCodeAt(3) | 0x20) !== 0x70) return false
  let i = 4
  if ((s.charCodeAt(i) | 0x20) === 0x73) i++ // 's'
  return s.charCodeAt(i) === 0x3a && s.charCodeAt(i + 1) === 0x2f && s.charCodeAt(i + 2) === 0x2f // '://'
}

/** A validated field spec as a compiled field; `normalizeAttributeMap` has checked its shape. */
function compileField(name: string, value: string | readonly string[] | AttributeFieldSpec): CompiledField {
  const spec: AttributeFieldSpec =
    typeof value === 'string' || Array.isArray(value)
      ? { from: value as string | readonly string[] }
      : (value as AttributeFieldSpec)
  const from = [...new Set(typeof spec.from === 'string' ? [spec.from] : spec.from)]
  const transforms: readonly AttributeTransform[] =
    spec.transform === undefined ? [] : typeof spec.transform === 'string' ? [spec.transform] : spec.transform
  return Object.freeze({
    name,
    from: Object.freeze(from),
    multi: name === GROUPS_FIELD || spec.multi === true,
    required: spec.required === true,
    transforms: Object.freeze([...transforms]),
  })
}

function addRef(table: Map<string, CandidateRef[]>, key: string, ref: CandidateRef): void {
  const refs = table.get(key)
  if (refs === undefined) table.set(key, [ref])
  // One entry per field and key: the first (best-ranked) candidate of that field wins.
  else if (!refs.some((r) => r.field === ref.field)) refs.push(ref)
}

function freezeTable(table: Map<string, CandidateRef[]>): ReadonlyMap<string, readonly CandidateRef[]> {
  for (const refs of table.values()) {
    for (const ref of refs) Object.freeze(ref)
    Object.freeze(refs)
  }
  return table
}

/**
 * Validates an attribute map (or a preset name, or nothing for {@link defaultAttributeMap}) and a
 * groups map, and builds the lookup tables {@link mapProfile} uses. Call it once per IdP (per
 * record version) and cache the result: mapping is then O(attributes) with no per-login setup.
 *
 * Matching rules, per candidate in a field's `from`:
 * - it matches an attribute whose Name equals it, or whose FriendlyName equals it (exact,
 *   case-sensitive);
 * - a `urn:oid:X` candidate also matches an attribute whose Name is the bare OID `X`;
 * - an `http://` or `https://` candidate (a claim URI) matches the Name case-insensitively.
 *
 * @throws SamlError `ERR_SAML_IDP_CONFIG` for what {@link normalizeAttributeMap} and
 *   {@link normalizeGroupsMap} refuse: an unknown preset, a key named `__proto__`, `constructor` or
 *   `prototype`, an empty `from`, an unknown spec key or transform, a groups map not name → name.
 *
 * @example
 * ```ts
 * import { presets } from 'passport-saml-multi-idp'
 * import { compileAttributeMap } from 'passport-saml-multi-idp/core'
 * const entra = compileAttributeMap('entra', { '5f3c…-group-object-id': 'admins' })
 * const custom = compileAttributeMap(
 *   { ...presets.okta, email: { from: ['email', 'user.email'], required: true, transform: 'lowercase' } },
 * )
 * ```
 */
export function compileAttributeMap(
  map: AttributeMap | AttributePresetName | undefined,
  groupsMap?: GroupsMap,
): CompiledAttributeMap {
  const normalized = map === undefined ? defaultAttributeMap : normalizeAttributeMap(map)
  const resolved = typeof normalized === 'string' ? presets[normalized] : normalized
  const fields: CompiledField[] = []
  const byName = new Map<string, CandidateRef[]>()
  const byFriendlyName = new Map<string, CandidateRef[]>()
  const byClaimUri = new Map<string, CandidateRef[]>()

  for (const [name, value] of Object.entries(resolved)) {
    const field = compileField(name, value)
    const index = fields.push(field) - 1
    field.from.forEach((candidate, rank) => {
      const ref: CandidateRef = { field: index, rank }
      addRef(byFriendlyName, candidate, ref)
      if (isClaimUri(candidate)) {
        addRef(byClaimUri, candidate.toLowerCase(), ref)
      } else {
        addRef(byName, candidate, ref)
        if (candidate.startsWith(URN_OID) && candidate.length > URN_OID.length) {
          addRef(byName, candidate.slice(URN_OID.length), ref)
        }
      }
    })
  }

  return Object.freeze({
    fields: Object.freeze(fields),
    byName: freezeTable(byName),
    byFriendlyName: freezeTable(byFriendlyName),
    byClaimUri: freezeTable(byClaimUri),
    // Own enumerable keys only: a group named like an Object.prototype member is looked up as data.
    groupsMap: new Map(groupsMap === undefined ? [] : Object.entries(normalizeGroupsMap(groupsMap))),
  })
}

function applyTransforms(value: string, transforms: readonly AttributeTransform[]): string {
  if (transforms.length === 0) return value
  for (const t of transforms) {
    value = t === 'trim' ? value.trim() : t === 'lowercase' ? value.toLowerCase() : value.toUpperCase()
  }
  return value
}

/** Values one matching attribute contributes to a multi-valued field, and its candidate rank. */
interface MultiHit {
  readonly rank: number
  readonly values: readonly string[]
}

/**
 * Fills the profile fields of a compiled attribute map from the attributes of a verified
 * assertion.
 *
 * - Single-valued field: the best-ranked candidate the IdP sent with a non-empty value wins, and
 *   its first non-empty value (after transforms) is used; ties go to document order.
 * - `multi: true` (always for `groups`): every non-empty value of every matching attribute,
 *   best-ranked candidate first, then document order, de-duplicated.
 * - `groups`: each value found in the groups map (looked up as sent) is replaced by its
 *   application name, which is used as is; other values are kept and transformed.
 * - Empty values count as absent. An absent field is left out of the result.
 * - A `required` field that ends up absent throws `ERR_SAML_ATTRIBUTE_MISSING`; the message names
 *   the field, the candidates tried and the attribute names the IdP did send (never values).
 *
 * The result is a null-prototype object (`Object.create(null)`) with plain string and array
 * values: JSON-serializable, and no attribute or field name can reach `Object.prototype`
 * (`mapped.constructor` is `undefined` unless a field of that name was mapped). Copy it with
 * spread (`{ ...mapped }`) if you need an ordinary object.
 *
 * @throws SamlError `ERR_SAML_ATTRIBUTE_MISSING` when a required field has no value.
 *
 * @example
 * ```ts
 * import { compileAttributeMap, mapProfile } from 'passport-saml-multi-idp/core'
 * const compiled = compileAttributeMap('keycloak')
 * const mapped = mapProfile(
 *   compiled,
 *   [
 *     { name: 'urn:oid:1.2.840.113549.1.9.1', friendlyName: 'email', values: ['Alice@Example.com'] },
 *     { name: 'Role', values: ['admin'] },
 *     { name: 'Role', values: ['user'] },
 *   ],
 *   { idp: 'acme' },
 * )
 * // mapped.email === 'alice@example.com', mapped.roles → ['admin', 'user']
 * ```
 */
export function mapProfile(
  compiled: CompiledAttributeMap,
  attributes: readonly SamlAttribute[],
  context: { idp: string },
): MappedProfile {
  const { fields, byName, byFriendlyName, byClaimUri } = compiled
  const count = fields.length
  const found: Found = {
    singleRank: new Array<number>(count).fill(Number.POSITIVE_INFINITY),
    singleValue: new Array<string | undefined>(count),
    multiHits: new Array<MultiHit[] | undefined>(count),
  }
  for (let a = 0; a < attributes.length; a++) {
    const { name, friendlyName, values } = attributes[a]!
    visit(found, fields, byName.get(name), values)
    // A FriendlyName equal to the Name adds nothing the Name lookups did not already find.
    if (friendlyName !== undefined && friendlyName !== name)
      visit(found, fields, byFriendlyName.get(friendlyName), values)
    if (byClaimUri.size > 0 && isClaimUri(name))
      visit(found, fields, byClaimUri.get(name.toLowerCase()), values)
  }

  const out: MappedProfile = Object.create(null) as MappedProfile
  let missing: CompiledField[] | undefined
  for (let i = 0; i < count; i++) {
    const spec = fields[i]!
    if (spec.multi) {
      const collected = collectMulti(found.multiHits[i], spec, compiled.groupsMap)
      if (collected.length > 0) out[spec.name] = collected
      else if (spec.required) (missing ??= []).push(spec)
    } else if (found.singleValue[i] !== undefined) {
      out[spec.name] = found.singleValue[i]
    } else if (spec.required) {
      ;(missing ??= []).push(spec)
    }
  }
  if (missing !== undefined) throw missingError(missing, attributes, context.idp)
  return out
}

/** What the attributes gave each field so far: the best single value and its rank, or the multi hits. */
interface Found {
  readonly singleRank: number[]
  readonly singleValue: (string | undefined)[]
  readonly multiHits: (MultiHit[] | undefined)[]
}

/** Feeds one attribute's values to the fields its name matched (`refs`). */
function visit(
  found: Found,
  fields: readonly CompiledField[],
  refs: readonly CandidateRef[] | undefined,
  values: readonly string[],
): void {
  if (refs === undefined) return
  for (let r = 0; r < refs.length; r++) {
    const { field, rank } = refs[r]!
    const spec = fields[field]!
    if (spec.multi) {
      const hits = found.multiHits[field]
      if (hits === undefined) found.multiHits[field] = [{ rank, values }]
      else hits.push({ rank, values })
    } else if (rank < found.singleRank[field]!) {
      for (let v = 0; v < values.length; v++) {
        const raw = values[v]!
        const value = raw === '' ? raw : applyTransforms(raw, spec.transforms)
        if (value !== '') {
          found.singleRank[field] = rank
          found.singleValue[field] = value
          break
        }
      }
    }
  }
}

/** How many values of a multi-valued field are searched for a duplicate before a Set takes over. */
const SCAN_FOR_DUPLICATES = 16

function collectMulti(
  hits: MultiHit[] | undefined,
  spec: CompiledField,
  groupsMap: ReadonlyMap<string, string>,
): string[] {
  const out: string[] = []
  if (hits === undefined) return out
  if (hits.length > 1) hits.sort((a, b) => a.rank - b.rank) // stable: document order within a rank
  const rename = spec.name === GROUPS_FIELD && groupsMap.size > 0
  // Duplicates are looked for in the output while it is short (most users have a few groups),
  // with a Set past that (Entra sends up to 150).
  let seen: Set<string> | undefined
  for (let h = 0; h < hits.length; h++) {
    const hitValues = hits[h]!.values
    for (let v = 0; v < hitValues.length; v++) {
      const raw = hitValues[v]!
      if (raw === '') continue
      const value = (rename ? groupsMap.get(raw) : undefined) ?? applyTransforms(raw, spec.transforms)
      if (value === '') continue
      if (seen !== undefined) {
        if (seen.has(value)) continue
        seen.add(value)
      } else {
        if (out.includes(value)) continue
        if (out.length === SCAN_FOR_DUPLICATES) seen = new Set(out).add(value)
      }
      out.push(value)
    }
  }
  return out
}

function quote(name: string): string {
  return JSON.stringify(name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS)}…` : name)
}

function missingError(
  missing: readonly CompiledField[],
  attributes: readonly SamlAttribute[],
  idp: string,
): SamlError {
  const wanted = missing.map((f) => `"${f.name}" (tried ${f.from.map(quote).join(', ')})`).join('; ')
  const sent: string[] = []
  const listed = new Set<string>()
  for (const { name, friendlyName, values } of attributes) {
    let label = quote(name)
    if (friendlyName !== undefined && friendlyName !== name) label += ` (FriendlyName ${quote(friendlyName)})`
    if (!values.some((v) => v !== '')) label += ' (no value)'
    if (listed.has(label)) continue
    listed.add(label)
    sent.push(label)
  }
  const shown =
    sent.length === 0
      ? 'no attributes'
      : sent.length > MAX_SENT_NAMES
        ? `${sent.slice(0, MAX_SENT_NAMES).join(', ')} and ${sent.length - MAX_SENT_NAMES} more`
        : sent.join(', ')
  const plural = missing.length > 1
  return new SamlError(
    `IdP ${JSON.stringify(idp)}: required profile field${plural ? 's' : ''} ${wanted} ${plural ? 'have' : 'has'} no value; ` +
      `the assertion carried ${shown}. Have the IdP release one of the tried attributes, ` +
      `or add the name it sends to the field's "from" in the attribute map`,
    'ERR_SAML_ATTRIBUTE_MISSING',
    { idp },
  )
}

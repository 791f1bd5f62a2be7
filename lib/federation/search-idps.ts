import type { IdpRecord } from '../record/record-fields.js'
import type { IdpStore } from '../store/idp-store.js'
import { listAllRecords } from '../store/list-all-records.js'

/** Options for {@link searchIdps}. */
export interface SearchIdpsOptions {
  /** At most this many results, best first. Default 20, at most 1000. */
  limit?: number
  /**
   * How old the in-memory index may be before the store is listed again, in ms. Default 60000.
   * Imports through {@link importFederation} refresh it at once; other writes show within this time.
   */
  maxAgeMs?: number
}

/** One IdP found by {@link searchIdps}: what a discovery page shows, and where it matched. */
export interface IdpSearchResult {
  readonly id: string
  readonly entityId: string
  readonly displayName?: string
  readonly logoUrl?: string
  /** Its `scopes` and `emailDomains`. */
  readonly domains: readonly string[]
  readonly matchedBy: 'entityId' | 'domain' | 'displayName'
}

interface IndexedIdp {
  readonly result: Omit<IdpSearchResult, 'matchedBy'>
  readonly entityId: string
  /** Display name folded (lower case, no accents), words split. */
  readonly name: string
  readonly words: readonly string[]
}

interface SearchIndex {
  readonly builtAt: number
  readonly idps: readonly IndexedIdp[]
}

const indexes = new WeakMap<IdpStore, Promise<SearchIndex>>()
const LIST_PAGE = 1000

/** Lower case without accents, so "Universität Zürich" is found by "universitat zur". */
const fold = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()

async function buildIndex(store: IdpStore): Promise<SearchIndex> {
  const idps: IndexedIdp[] = []
  const add = (record: IdpRecord) => {
    const domains = [...new Set([...(record.scopes ?? []), ...record.emailDomains])]
    const name = fold(record.displayName ?? '')
    idps.push({
      result: Object.freeze({
        id: record.id,
        entityId: record.entityId,
        ...(record.displayName !== undefined && { displayName: record.displayName }),
        ...(record.logoUrl !== undefined && { logoUrl: record.logoUrl }),
        domains: Object.freeze(domains),
      }),
      entityId: record.entityId.toLowerCase(),
      name,
      words: name.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== ''),
    })
  }
  for await (const record of listAllRecords(store, LIST_PAGE)) add(record)
  return { builtAt: Date.now(), idps }
}

/** Drops the index of `store`, so the next search lists it again (after an import). */
export function forgetIdpSearchIndex(store: IdpStore): void {
  indexes.delete(store)
}

/** A score for how well `idp` matches, higher first; 0 is no match. */
function score(
  idp: IndexedIdp,
  query: string,
  domain: string | undefined,
): [number, IdpSearchResult['matchedBy']] {
  if (idp.entityId === query) return [100, 'entityId']
  if (domain !== undefined) {
    for (const d of idp.result.domains) {
      if (d === domain) return [90, 'domain']
      if (domain.endsWith(`.${d}`)) return [80, 'domain']
    }
  }
  if (idp.name !== '') {
    if (idp.name === query) return [70, 'displayName']
    if (idp.name.startsWith(query)) return [60, 'displayName']
    const terms = query.split(/[^\p{L}\p{N}]+/u).filter((t) => t !== '')
    if (terms.length > 0 && terms.every((t) => idp.words.some((w) => w.startsWith(t))))
      return [50, 'displayName']
    if (idp.name.includes(query)) return [40, 'displayName']
  }
  if (query.length >= 3 && idp.entityId.includes(query)) return [30, 'entityId']
  if (query.length >= 3 && idp.result.domains.some((d) => d.startsWith(query))) return [20, 'domain']
  return [0, 'entityId']
}

/**
 * Searches a store's IdPs the way a discovery page does: by display name (any order of word
 * prefixes, accents ignored), by domain (an email address or a host name matches the IdP whose
 * `scopes` or `emailDomains` hold it or a parent of it) and by entityID. Best matches first. The
 * index is built in memory from `store.list()` once and reused for `maxAgeMs`; a search over 5,000
 * IdPs then takes well under a millisecond.
 *
 * @example
 * ```ts
 * import { searchIdps } from 'passport-saml-multi-idp'
 * const hits = await searchIdps(store, 'alice@cs.example.edu', { limit: 10 })
 * for (const hit of hits) console.log(hit.id, hit.displayName, hit.matchedBy)
 * ```
 */
export async function searchIdps(
  store: IdpStore,
  query: string,
  options: SearchIdpsOptions = {},
): Promise<IdpSearchResult[]> {
  const { limit = 20, maxAgeMs = 60_000 } = options
  if (typeof query !== 'string') throw new TypeError('"query" must be a string')
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new TypeError('"options.limit" must be an integer from 1 to 1000')
  if (!Number.isInteger(maxAgeMs) || maxAgeMs < 0)
    throw new TypeError('"options.maxAgeMs" must be a non-negative integer')
  const folded = fold(query.trim()).slice(0, 1024)
  if (folded === '') return []
  let pending = indexes.get(store)
  if (pending === undefined || Date.now() - (await pending).builtAt > maxAgeMs) {
    pending = buildIndex(store)
    indexes.set(store, pending)
    pending.catch(() => indexes.delete(store))
  }
  const index = await pending
  const at = folded.lastIndexOf('@')
  const domain =
    at >= 0 ? folded.slice(at + 1) : /^[a-z0-9.-]+\.[a-z0-9-]+$/.test(folded) ? folded : undefined
  // The best `limit` kept in order as the scan goes: no sort of thousands of hits for "university".
  const best: { score: number; idp: IndexedIdp; matchedBy: IdpSearchResult['matchedBy'] }[] = []
  const before = (a: (typeof best)[number], b: (typeof best)[number]) =>
    a.score > b.score ||
    (a.score === b.score && (a.idp.name || a.idp.entityId) < (b.idp.name || b.idp.entityId))
  for (const idp of index.idps) {
    const [points, matchedBy] = score(idp, folded, domain)
    if (points === 0) continue
    const hit = { score: points, idp, matchedBy }
    if (best.length === limit && !before(hit, best[limit - 1]!)) continue
    let at = best.length
    while (at > 0 && before(hit, best[at - 1]!)) at--
    best.splice(at, 0, hit)
    if (best.length > limit) best.pop()
  }
  return best.map((h) => ({ ...h.idp.result, matchedBy: h.matchedBy }))
}

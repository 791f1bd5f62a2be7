/** Options for {@link safeReturnTo}. */
export interface ReturnToPolicy {
  /** Your own origin (`https://app.example.com`); absolute URLs on it are allowed. */
  readonly baseUrl: string
  /** Further hosts (`host` or `host:port`, or `*.example.com`) absolute return URLs may point at. */
  readonly allowedHosts: readonly string[]
  /** Where to go when the asked-for target is missing or refused. */
  readonly fallback: string
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_OR_BACKSLASH = /[\u0000-\u001f\u007f\\]/

// Characters WHATWG URL parsing keeps as they are in an http URL's path, query and fragment (in
// no percent-encode set); `.` only outside `.` and `..` path segments, which isPlainPath refuses.
const PLAIN = new Uint8Array(128)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&()*+,;=:@/') {
  PLAIN[c.charCodeAt(0)] = 1
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
}

/**
 * Whether `value` is a path (`/`, not `//`) that `new URL(value, base)` serializes back unchanged:
 * only PLAIN characters, `%` with two hex digits, no `%2e` in the path and no `.` or `..` segment
 * (dot segments are resolved), a non-empty query and fragment if any (an empty one is dropped),
 * at most one `#`. Anything else takes the URL parser. spec/relay-state/safe-return-to.spec.ts
 * checks this against the parser on random strings.
 */
export function isPlainPath(value: string): boolean {
  const n = value.length
  if (value.charCodeAt(0) !== 0x2f || value.charCodeAt(1) === 0x2f) return false
  let part = 0 // 0 path, 1 query, 2 fragment
  let segment = 1 // where the current path segment starts
  for (let i = 1; i <= n; i++) {
    const c = i < n ? value.charCodeAt(i) : -1
    if (part === 0 && (c === 0x2f || c === 0x3f || c === 0x23 || c === -1)) {
      const length = i - segment
      if (
        value.charCodeAt(segment) === 0x2e &&
        (length === 1 || (length === 2 && value.charCodeAt(segment + 1) === 0x2e))
      ) {
        return false
      }
      segment = i + 1
    }
    if (c === -1) break
    if (c === 0x23 || (c === 0x3f && part === 0)) {
      if (c === 0x23 && part === 2) return false
      if (i + 1 === n || value.charCodeAt(i + 1) === 0x23) return false
      part = c === 0x23 ? 2 : 1
    } else if (c === 0x3f) {
      // `?` in a query or fragment is kept as it is.
    } else if (c === 0x25) {
      const a = value.charCodeAt(i + 1)
      const b = value.charCodeAt(i + 2)
      if (!isHex(a) || !isHex(b)) return false
      if (part === 0 && a === 0x32 && (b === 0x65 || b === 0x45)) return false
      i += 2
    } else if (c >= 128 || PLAIN[c] !== 1) {
      return false
    }
  }
  return true
}

/** Whether `host` (`host` or `host:port`) is one of `allowedHosts` (`*.example.com` covers subdomains). */
export function isAllowedHost(host: string, allowedHosts: readonly string[]): boolean {
  const h = host.toLowerCase()
  return allowedHosts.some((allowed) => {
    const a = allowed.toLowerCase()
    return a.startsWith('*.') ? h.endsWith(a.slice(1)) && h.length > a.length - 1 : h === a
  })
}

function hostAllowed(host: string, policy: ReturnToPolicy, own: string): boolean {
  return host.toLowerCase() === own || isAllowedHost(host, policy.allowedHosts)
}

/**
 * Turns a user-supplied `returnTo` / RelayState into a safe redirect target: a same-origin path, or
 * an absolute http(s) URL on your origin or an allowed host. Everything else — `//evil.com`,
 * `/\evil.com`, `javascript:`, other hosts, control characters — gives `fallback`. Never an open
 * redirect.
 *
 * @example
 * ```ts
 * safeReturnTo('/reports?id=7', { baseUrl: 'https://app.example.com', allowedHosts: [], fallback: '/' }) // '/reports?id=7'
 * safeReturnTo('https://evil.com/', { baseUrl: 'https://app.example.com', allowedHosts: [], fallback: '/' }) // '/'
 * ```
 */
export function safeReturnTo(value: unknown, policy: ReturnToPolicy): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return policy.fallback
  if (isPlainPath(value)) return value
  if (CONTROL_OR_BACKSLASH.test(value)) return policy.fallback
  if (value.startsWith('/')) {
    if (value.startsWith('//')) return policy.fallback
    // Resolve against a sentinel origin: a path that escapes it (however encoded) is refused.
    const resolved = new URL(value, 'http://return-to.invalid')
    if (resolved.origin !== 'http://return-to.invalid') return policy.fallback
    return resolved.pathname + resolved.search + resolved.hash
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return policy.fallback
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return policy.fallback
  // Parsed only here: the common case, a same-origin path, never needs it.
  const base = new URL(policy.baseUrl)
  // An https site never sends its users back over plain http (own host or allowed ones).
  if (base.protocol === 'https:' && url.protocol !== 'https:') return policy.fallback
  if (url.username || url.password) return policy.fallback
  if (!hostAllowed(url.host, policy, base.host.toLowerCase())) return policy.fallback
  return url.href
}

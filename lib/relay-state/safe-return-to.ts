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
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 2048 ||
    CONTROL_OR_BACKSLASH.test(value)
  ) {
    return policy.fallback
  }
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

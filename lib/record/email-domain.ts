import { domainToASCII } from 'node:url'

/**
 * The canonical form of an email domain, as stores index it: trimmed, lower-cased, IDNs in
 * punycode. Undefined when it is not a valid hostname of at least two labels.
 *
 * @example
 * ```ts
 * normalizeEmailDomain(' Acme.COM ') // 'acme.com'
 * normalizeEmailDomain('alice@acme.com') // undefined
 * ```
 */
export function normalizeEmailDomain(domain: string): string | undefined {
  if (typeof domain !== 'string') return undefined
  const trimmed = domain.trim().toLowerCase()
  if (trimmed === '' || trimmed.length > 253 || /[@/\s:]/.test(trimmed)) return undefined
  const ascii = domainToASCII(trimmed)
  if (ascii === '' || ascii.length > 253) return undefined
  const labels = ascii.split('.')
  if (labels.length < 2) return undefined
  const ok = labels.every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label))
  // The last label (TLD) is never all digits: that would be an IPv4 address.
  return ok && !/^\d+$/.test(labels[labels.length - 1]!) ? ascii : undefined
}

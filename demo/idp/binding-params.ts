/**
 * Reading SAML protocol messages off a request: the binding's parameters, and the signed octet
 * string of the HTTP-Redirect binding.
 *
 * @module
 */
import type { Request } from 'express'

/**
 * The binding parameters present in `source` (the query for HTTP-Redirect, the form for HTTP-POST).
 *
 * @example
 * ```ts
 * samlParams(req.query) // { SAMLRequest, RelayState?, SigAlg?, Signature? }
 * ```
 */
export function samlParams(source: Record<string, unknown>): Record<string, string> {
  const params: Record<string, string> = {}
  for (const key of ['SAMLRequest', 'RelayState', 'SigAlg', 'Signature']) {
    if (typeof source[key] === 'string') params[key] = source[key]
  }
  return params
}

/**
 * The signed octet string of an HTTP-Redirect message: the query as sent, in binding order.
 *
 * @example
 * ```ts
 * redirectOctetString(req, 'SAMLRequest') // 'SAMLRequest=…&RelayState=…&SigAlg=…'
 * ```
 */
export function redirectOctetString(req: Request, messageParam: 'SAMLRequest' | 'SAMLResponse'): string {
  const raw = req.originalUrl.split('?')[1] ?? ''
  const parts = new Map(raw.split('&').map((p) => [p.split('=')[0]!, p] as const))
  return [messageParam, 'RelayState', 'SigAlg']
    .map((k) => parts.get(k))
    .filter((p): p is string => p !== undefined)
    .join('&')
}

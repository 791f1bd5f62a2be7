/**
 * Calls a Passport strategy the way `passport.authenticate()` does: `Object.create(strategy)`, the
 * five action functions attached to that copy, then `authenticate(req, options)`; resolves with the
 * one action the strategy ended in. No HTTP server, so what is timed is the library, not Express.
 *
 * @module
 */

/** The action a strategy ended in, and its first argument (user, challenge, error or URL). */
export interface EdgeOutcome {
  readonly action: 'success' | 'fail' | 'error' | 'redirect' | 'pass'
  readonly value?: unknown
}

/** What the edge needs of a strategy: Passport's `authenticate(req, options)`. */
export interface PassportStrategyLike {
  authenticate(req: never, options: never): void
}

/** A POST to `/saml/:idp/acs` with a form body, as Express with `urlencoded()` hands it to Passport. */
export interface AcsRequest {
  readonly method: 'POST'
  readonly url: string
  readonly originalUrl: string
  readonly path: string
  readonly hostname: string
  readonly protocol: 'https'
  readonly secure: true
  readonly params: { idp: string }
  readonly query: Record<string, never>
  readonly headers: Record<string, string>
  readonly body: { SAMLResponse: string; RelayState: string }
}

/** Builds the minimal request object both strategies read. */
export function acsRequest(idp: string, samlResponse: string, relayState = '/home'): AcsRequest {
  const path = `/saml/${idp}/acs`
  return {
    method: 'POST',
    url: path,
    originalUrl: path,
    path,
    hostname: 'sp.bench.test',
    protocol: 'https',
    secure: true,
    params: { idp },
    query: {},
    headers: { host: 'sp.bench.test', 'content-type': 'application/x-www-form-urlencoded' },
    body: { SAMLResponse: samlResponse, RelayState: relayState },
  }
}

/** Runs one `authenticate` on a per-request copy of `strategy`, exactly as Passport's middleware does. */
export function authenticateOnce(strategy: PassportStrategyLike, req: AcsRequest): Promise<EdgeOutcome> {
  return new Promise((resolve) => {
    const copy = Object.create(strategy) as Record<string, unknown> & PassportStrategyLike
    let settled = false
    const end = (action: EdgeOutcome['action']) => (value?: unknown) => {
      if (settled) throw new Error(`strategy called ${action} after it had already ended`)
      settled = true
      resolve({ action, value })
    }
    copy.success = end('success')
    copy.fail = end('fail')
    copy.error = end('error')
    copy.redirect = end('redirect')
    copy.pass = end('pass')
    try {
      copy.authenticate(req as never, {} as never)
    } catch (err) {
      end('error')(err)
    }
  })
}

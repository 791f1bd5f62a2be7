/**
 * `GET /:tenant/slo`, the SingleLogoutService for SP-initiated Single Logout. The IdP keeps no
 * sessions, so logging out here is only checking the app's LogoutRequest (signature, issuer) and
 * answering it with a signed LogoutResponse (HTTP-Redirect).
 *
 * @module
 */
import type { Request, Response } from 'express'
import { redirectOctetString, samlParams } from './binding-params.js'
import { IdpError, type TenantIdp } from './tenant-idp.js'

/**
 * Checks the LogoutRequest in the query and redirects back to the app with the LogoutResponse.
 *
 * @example
 * ```ts
 * router.get('/:tenant/slo', (req, res) => singleLogout(idp, req, res))
 * ```
 */
export async function singleLogout(idp: TenantIdp, req: Request, res: Response): Promise<void> {
  const query = samlParams(req.query as Record<string, unknown>)
  if (!query.SAMLRequest) throw new IdpError('no SAMLRequest: sign out at the app')
  const sp = await idp.serviceProvider()
  const parsed = await idp.entity
    .parseLogoutRequest(sp, 'redirect', { query, octetString: redirectOctetString(req, 'SAMLRequest') })
    .catch((err: unknown) => {
      throw new IdpError(`the LogoutRequest was refused: ${err instanceof Error ? err.message : String(err)}`)
    })
  const reply = idp.entity.createLogoutResponse(
    sp,
    { extract: parsed.extract },
    'redirect',
    query.RelayState ?? '',
  ) as { context: string }
  res.redirect(302, reply.context)
}

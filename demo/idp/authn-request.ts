/**
 * The SingleSignOnService: receives an AuthnRequest (HTTP-Redirect or HTTP-POST), checks it with
 * samlify, and shows the login form, which carries the request as received (`login-context.ts`)
 * so that it is checked again when the form is posted.
 *
 * @module
 */
import type { Request, Response } from 'express'
import { redirectOctetString, samlParams } from './binding-params.js'
import { sendLoginForm } from './idp-pages.js'
import type { LoginContext } from './login-context.js'
import { IdpError, type TenantIdp } from './tenant-idp.js'

/** The parts of a received AuthnRequest the IdP answers to. */
export interface ParsedRequest {
  id: string
  spEntityId: string
}

/**
 * Checks an AuthnRequest with samlify (schema, and signature when WantAuthnRequestsSigned) and
 * that it comes from the SP this tenant serves.
 *
 * @example
 * ```ts
 * const { id } = await parseAuthnRequest(idp, context) // id: the response's InResponseTo
 * ```
 */
export async function parseAuthnRequest(idp: TenantIdp, context: LoginContext): Promise<ParsedRequest> {
  const request = context.request!
  const sp = await idp.serviceProvider()
  const parsed = await idp.entity
    .parseLoginRequest(sp, request.binding, {
      query: request.binding === 'redirect' ? request.params : {},
      body: request.binding === 'post' ? request.params : {},
      octetString: request.octetString ?? '',
    })
    .catch((err: unknown) => {
      throw new IdpError(`the AuthnRequest was refused: ${err instanceof Error ? err.message : String(err)}`)
    })
  const extracted = parsed.extract as { request?: { id?: string }; issuer?: string }
  const id = extracted.request?.id
  if (!id) throw new IdpError('the AuthnRequest has no ID')
  const spEntityId = sp.entityMeta.getEntityID()
  if (extracted.issuer !== undefined && extracted.issuer !== spEntityId) {
    throw new IdpError(`the AuthnRequest is from "${String(extracted.issuer)}", not from ${spEntityId}`)
  }
  return { id, spEntityId }
}

/**
 * `GET|POST /:tenant/sso`: checks the AuthnRequest, then shows the login form that answers it.
 *
 * @example
 * ```ts
 * router.get('/:tenant/sso', (req, res) => receiveAuthnRequest(idp, req, res, 'redirect'))
 * ```
 */
export async function receiveAuthnRequest(
  idp: TenantIdp,
  req: Request,
  res: Response,
  binding: 'redirect' | 'post',
): Promise<void> {
  const params = samlParams((binding === 'redirect' ? req.query : req.body) as Record<string, unknown>)
  if (!params.SAMLRequest) throw new IdpError('no SAMLRequest: start the login at the app')
  // The signed octet string of the HTTP-Redirect binding is the query as sent, in this order.
  const octetString = binding === 'redirect' ? redirectOctetString(req, 'SAMLRequest') : undefined
  const context: LoginContext = { request: { binding, params, octetString }, relayState: params.RelayState }
  await parseAuthnRequest(idp, context)
  sendLoginForm(res, idp, context)
}

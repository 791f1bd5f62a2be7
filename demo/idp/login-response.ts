/**
 * `POST /:tenant/login`: checks the test user's password, then answers the login context (an
 * AuthnRequest, or none for an IdP-initiated login) with a signed SAML Response, posted to the ACS
 * in the SP metadata by an auto-submitting form.
 *
 * @module
 */
import { randomUUID, timingSafeEqual } from 'node:crypto'
import type { Request, Response } from 'express'
import samlify from 'samlify'
import type { ServiceProviderInstance } from 'samlify'
import { autoPostPage } from '../html.js'
import { attributeStatement, authnStatement } from './assertion-statements.js'
import { parseAuthnRequest } from './authn-request.js'
import { sendLoginForm } from './idp-pages.js'
import { decodeLoginContext, type LoginContext } from './login-context.js'
import type { TenantIdp } from './tenant-idp.js'
import type { IdpUser } from './tenants.js'

/** A signed response and where it goes. */
interface LoginResponse {
  acsUrl: string
  spEntityId: string
  /** Base64 `SAMLResponse`. */
  samlResponse: string
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The posted form's login context; a `RelayState` field only counts for an IdP-initiated login. */
function postedContext(body: Record<string, unknown>): LoginContext {
  let context: LoginContext = {}
  if (typeof body.context === 'string' && body.context !== '') context = decodeLoginContext(body.context)
  if (typeof body.RelayState === 'string' && !context.request)
    context.relayState = body.RelayState || undefined
  return context
}

/** The tenant's user with the posted username and password, if any. */
function signedInUser(idp: TenantIdp, body: Record<string, unknown>): IdpUser | undefined {
  const username = typeof body.username === 'string' ? body.username.trim().toLowerCase() : ''
  const password = typeof body.password === 'string' ? body.password : ''
  const user = idp.tenant.users.find((u) => u.username === username)
  return user && sameSecret(user.password, password) ? user : undefined
}

/** samlify's login response, with our statements and values in its template. */
async function createLoginResponse(
  idp: TenantIdp,
  sp: ServiceProviderInstance,
  user: IdpUser,
  inResponseTo: string | undefined,
  relayState: string | undefined,
): Promise<LoginResponse> {
  const prefix = idp.tenant.prefixes === 'saml2' ? 'saml2' : 'saml'
  const now = new Date()
  const later = new Date(now.getTime() + 5 * 60_000).toISOString()
  const acsUrl = sp.entityMeta.getAssertionConsumerService('post') as string
  const spEntityId = sp.entityMeta.getEntityID()
  // customTagReplacement below writes InResponseTo itself; samlify only needs the request for context.
  const requestInfo = { extract: inResponseTo ? { request: { id: inResponseTo } } : {} }
  const response = await idp.entity.createLoginResponse(
    sp,
    requestInfo,
    'post',
    { email: user.nameId },
    {
      relayState,
      customTagReplacement: (template: string) => {
        const id = `_${randomUUID()}`
        const withStatements = template
          .replace('{AuthnStatement}', authnStatement(prefix, now))
          .replace('{AttributeStatement}', attributeStatement(prefix, user))
        const context = samlify.SamlLib.replaceTagsByValue(withStatements, {
          ID: id,
          AssertionID: `_${randomUUID()}`,
          IssueInstant: now.toISOString(),
          Destination: acsUrl,
          // Undefined drops the attribute: an IdP-initiated response answers no request.
          InResponseTo: inResponseTo,
          Issuer: idp.entityId,
          StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
          NameIDFormat: idp.tenant.nameIdFormat,
          NameID: user.nameId,
          SubjectConfirmationDataNotOnOrAfter: later,
          SubjectRecipient: acsUrl,
          ConditionsNotBefore: now.toISOString(),
          ConditionsNotOnOrAfter: later,
          Audience: spEntityId,
        })
        return { id, context }
      },
    },
  )
  return { acsUrl, spEntityId, samlResponse: response.context }
}

/**
 * `POST /:tenant/login`: the login form again (401) after a wrong password, else the auto-posting
 * form with the signed response.
 *
 * @example
 * ```ts
 * router.post('/:tenant/login', form, (req, res) => signIn(idp, req, res))
 * ```
 */
export async function signIn(idp: TenantIdp, req: Request, res: Response): Promise<void> {
  const body = req.body as Record<string, unknown>
  const context = postedContext(body)
  const user = signedInUser(idp, body)
  if (!user) {
    res.status(401)
    return sendLoginForm(res, idp, context, 'Wrong username or password.')
  }
  const sp = await idp.serviceProvider()
  const request = context.request ? await parseAuthnRequest(idp, context) : undefined
  const response = await createLoginResponse(idp, sp, user, request?.id, context.relayState)
  res.setHeader('Cache-Control', 'no-store')
  res
    .type('html')
    .send(
      autoPostPage(
        response.acsUrl,
        { SAMLResponse: response.samlResponse, RelayState: context.relayState },
        `Signing in to ${response.spEntityId}`,
      ),
    )
}

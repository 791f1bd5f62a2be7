/**
 * The two admin credentials: a bearer token for the JSON API and a local password for the admin
 * pages (the "backdoor" that still works when SAML is misconfigured). The page session is a signed,
 * HttpOnly cookie of its own, apart from the SAML login session, so a test login through an IdP
 * does not sign the admin out.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { parseCookie, stringifySetCookie } from 'cookie'

const COOKIE = 'demo_admin'
const TTL_SECONDS = 8 * 3600

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Writes `{ error: { code, message } }` with `status`. */
export function sendJsonError(res: Response, status: number, code: string, message: string): void {
  res.status(status).setHeader('Cache-Control', 'no-store')
  res.json({ error: { code, message } })
}

/** Options of {@link AdminAuth}. */
export interface AdminAuthOptions {
  token: string
  password: string
  /** Signs the page cookie. */
  secret: string
  /** Secure cookies on https. */
  secure: boolean
}

/** Checks admin credentials; see the module documentation. */
export class AdminAuth {
  constructor(private readonly options: AdminAuthOptions) {}

  /** Middleware: `Authorization: Bearer <ADMIN_TOKEN>` or 401 JSON. */
  bearer(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
      if (!match || !equal(match[1]!, this.options.token)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="demo admin"')
        return sendJsonError(
          res,
          401,
          'ERR_ADMIN_UNAUTHORIZED',
          match
            ? 'the admin token is wrong'
            : 'send the admin token as "Authorization: Bearer <ADMIN_TOKEN>"',
        )
      }
      next()
    }
  }

  checkPassword(password: unknown): boolean {
    return typeof password === 'string' && equal(password, this.options.password)
  }

  private sign(value: string): string {
    return createHmac('sha256', this.options.secret).update(value).digest('base64url')
  }

  /** Sets the admin page cookie after a correct password. */
  signIn(res: Response): void {
    const expires = Math.floor(Date.now() / 1000) + TTL_SECONDS
    const value = `${expires}.${this.sign(`admin.${expires}`)}`
    res.append('Set-Cookie', this.cookie(value, TTL_SECONDS))
  }

  signOut(res: Response): void {
    res.append('Set-Cookie', this.cookie('', 0))
  }

  private cookie(value: string, maxAge: number): string {
    return stringifySetCookie(COOKIE, value, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.options.secure,
      path: '/admin',
      maxAge,
    })
  }

  private cookieValue(req: Request): string | undefined {
    const header = req.headers.cookie
    return header ? parseCookie(header)[COOKIE] : undefined
  }

  /** True when the request carries a valid, unexpired admin page cookie. */
  isAdmin(req: Request): boolean {
    const value = this.cookieValue(req)
    const match = value ? /^(\d+)\.([A-Za-z0-9_-]+)$/.exec(value) : null
    if (!match) return false
    if (Number(match[1]) < Date.now() / 1000) return false
    return equal(match[2]!, this.sign(`admin.${match[1]}`))
  }

  /** Anti-CSRF token for the admin forms, bound to the admin cookie. */
  csrfToken(req: Request): string {
    return this.sign(`csrf.${this.cookieValue(req) ?? ''}`)
  }

  checkCsrf(req: Request): boolean {
    const sent = (req.body as Record<string, unknown> | undefined)?._csrf
    return typeof sent === 'string' && equal(sent, this.csrfToken(req))
  }
}

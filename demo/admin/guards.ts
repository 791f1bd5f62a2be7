/**
 * Checks every admin page runs before it renders: the admin cookie (else the sign-in form), the
 * CSRF token of a form post (else "the form expired"), and the IdP named in the URL (else 404).
 *
 * @module
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { IdpRecord } from '../../lib/index.js'
import { html } from '../html.js'
import { sendAdminPage, type AdminPagesOptions } from './admin-page.js'
import { adminSignInPage } from './sign-in-page.js'

/** Renders a page for one IdP record. */
export type RecordRenderer = (req: Request, res: Response, record: IdpRecord) => void | Promise<void>

/** The admin pages' checks; each one that fails has answered the request. */
export interface AdminGuards {
  /** True for the signed-in admin; otherwise answers 401 with the sign-in form. */
  requireAdmin(req: Request, res: Response): boolean
  /** True when the posted form carries a valid CSRF token; otherwise answers 403. */
  csrfOk(req: Request, res: Response): boolean
  /** A handler for the signed-in admin that loads the IdP `:id` (404 page if unknown) and renders it. */
  withRecord(render: RecordRenderer): RequestHandler
}

/**
 * The guards for the admin pages built with `options`.
 *
 * @example
 * ```ts
 * const { requireAdmin, csrfOk } = adminGuards(options)
 * router.post('/logout', form, (req, res) => {
 *   if (!requireAdmin(req, res) || !csrfOk(req, res)) return
 *   // …
 * })
 * ```
 */
export function adminGuards(options: AdminPagesOptions): AdminGuards {
  const { auth, store } = options
  const requireAdmin = (req: Request, res: Response): boolean => {
    if (auth.isAdmin(req)) return true
    sendAdminPage(req, res, options, adminSignInPage(), 401)
    return false
  }
  const csrfOk = (req: Request, res: Response): boolean => {
    if (auth.checkCsrf(req)) return true
    const body = html`<h1>The form expired</h1>
      <p><a href="/admin">Back to admin</a></p>`
    sendAdminPage(req, res, options, { title: 'Forbidden', body }, 403)
    return false
  }
  const withRecord =
    (render: RecordRenderer): RequestHandler =>
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        if (!requireAdmin(req, res)) return
        const record = await store.get(String(req.params.id))
        if (!record) {
          const body = html`<h1>No IdP "${String(req.params.id)}"</h1>
            <p><a href="/admin">Back</a></p>`
          return sendAdminPage(req, res, options, { title: 'Not found', body }, 404)
        }
        await render(req, res, record)
      } catch (err) {
        next(err)
      }
    }
  return { requireAdmin, csrfOk, withRecord }
}

/**
 * The admin pages under `/admin`, behind the local admin password: sign-in and sign-out, the IdP
 * list with the add form, one IdP's page, its test-connection view, and delete. The pages
 * themselves are in this folder; this file is the HTTP side (guards, form posts, redirects).
 *
 * @module
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express'
import { checkIdpRecordHealth, isSamlError } from '../../lib/index.js'
import { DemoHttpError, registerIdp } from '../register-idp.js'
import { sendAdminPage, type AdminPagesOptions } from './admin-page.js'
import { adminGuards } from './guards.js'
import { idpForm, idpFormInput } from './idp-form.js'
import { idpListPage } from './idp-list-page.js'
import { idpPage } from './idp-page.js'
import { isIdpVendorId } from './idp-setup-steps.js'
import { adminSignInPage } from './sign-in-page.js'
import { testConnectionPage } from './test-connection-page.js'

export type { AdminPagesOptions } from './admin-page.js'

/** Sends the IdP list, with the add form showing `error` and the posted `values` when given. */
async function sendIdpList(
  options: AdminPagesOptions,
  req: Request,
  res: Response,
  status = 200,
  error?: string,
  values?: Record<string, string>,
): Promise<void> {
  const idps = await options.store.list({ limit: 500 })
  const csrfToken = options.auth.csrfToken(req)
  const exampleMetadataUrl = options.exampleMetadataUrls[0]
  const form = idpForm({ csrfToken, exampleMetadataUrl, error, values })
  const page = idpListPage({ idps, csrfToken, form, exampleMetadataUrls: options.exampleMetadataUrls })
  sendAdminPage(req, res, options, page, status)
}

/** `POST /admin/idp`: registers the IdP, or shows the list again with the error and the form filled. */
function addIdp(options: AdminPagesOptions): RequestHandler {
  const { requireAdmin, csrfOk } = adminGuards(options)
  return async (req, res, next) => {
    if (!requireAdmin(req, res) || !csrfOk(req, res)) return
    const body = req.body as Record<string, string>
    const id = typeof body.id === 'string' ? body.id.trim() : ''
    try {
      const { record } = await registerIdp(options.store, id, idpFormInput(body), options.metadataPolicy)
      res.redirect(303, `/admin/idp/${encodeURIComponent(record.id)}`)
    } catch (err) {
      if (isSamlError(err) || err instanceof DemoHttpError) {
        return void sendIdpList(options, req, res, 400, `${err.code}: ${err.message}`, body).catch(next)
      }
      next(err)
    }
  }
}

/**
 * Router for `/admin` pages.
 *
 * @example
 * ```ts
 * app.use('/admin', adminPages({ strategy, store, auth, attempts, metadataPolicy, exampleMetadataUrls, userName }))
 * ```
 */
export function adminPages(options: AdminPagesOptions): Router {
  const { strategy, store, auth, attempts } = options
  const { requireAdmin, csrfOk, withRecord } = adminGuards(options)
  const router = express.Router()
  const form = express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 20 })

  router.get('/', async (req, res, next) => {
    try {
      if (!requireAdmin(req, res)) return
      await sendIdpList(options, req, res)
    } catch (err) {
      next(err)
    }
  })
  router.post('/login', form, (req, res) => {
    if (!auth.checkPassword((req.body as Record<string, unknown>).password)) {
      return sendAdminPage(req, res, options, adminSignInPage('Wrong password.'), 401)
    }
    auth.signIn(res)
    res.redirect(303, '/admin')
  })
  router.post('/logout', form, (req, res) => {
    if (!requireAdmin(req, res) || !csrfOk(req, res)) return
    auth.signOut(res)
    res.redirect(303, '/')
  })
  router.post('/idp', form, addIdp(options))
  router.get(
    '/idp/:id',
    withRecord(async (req, res, record) => {
      const sp = strategy.serviceProvider.endpointsFor(record)
      const spMetadata = strategy.serviceProvider.metadataFor(record)
      // `?vendor=okta` shows that vendor's setup steps; an unknown value shows the chooser alone.
      const vendor = isIdpVendorId(req.query.vendor) ? req.query.vendor : undefined
      const metadataStatus = await options.store.getMetadataStatus?.(record.id)
      const health = checkIdpRecordHealth(record, { metadataStatus })
      const page = idpPage({ record, sp, spMetadata, health, csrfToken: auth.csrfToken(req), vendor })
      sendAdminPage(req, res, options, page)
    }),
  )
  router.get(
    '/idp/:id/test',
    withRecord((req, res, record) => {
      const loginUrl = strategy.serviceProvider.endpointsFor(record).loginUrl
      const page = testConnectionPage({ record, loginUrl, attempts: attempts.list(record.id) })
      sendAdminPage(req, res, options, page)
    }),
  )
  router.post('/idp/:id/delete', form, async (req, res, next) => {
    try {
      if (!requireAdmin(req, res) || !csrfOk(req, res)) return
      await store.delete(String(req.params.id))
      attempts.clear(String(req.params.id))
      res.redirect(303, '/admin')
    } catch (err) {
      next(err)
    }
  })
  return router
}

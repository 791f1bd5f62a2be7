/**
 * The admin pages under `/admin`, behind the local admin password: sign-in and sign-out, the IdP
 * list with the add form and the break-glass audit trail, one IdP's page (with "Refresh metadata
 * now" and, for an embedded-IdP tenant, the key rotation), its test-connection view, and delete.
 * The pages themselves are in this folder; this file is the HTTP side (guards, form posts,
 * redirects).
 *
 * @module
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express'
import { checkIdpRecordHealth, isSamlError, type IdpRecord } from '../../lib/index.js'
import { DemoHttpError, registerIdp } from '../register-idp.js'
import { sendAdminPage, type AdminPagesOptions } from './admin-page.js'
import { adminGuards } from './guards.js'
import { idpForm, idpFormInput } from './idp-form.js'
import { idpListPage } from './idp-list-page.js'
import { idpPage } from './idp-page.js'
import { isIdpVendorId } from './idp-setup-steps.js'
import { metadataRefreshCard } from './metadata-refresh-card.js'
import { adminSignInPage } from './sign-in-page.js'
import { signingKeysCard } from './signing-keys-card.js'
import { testConnectionPage } from './test-connection-page.js'

export type { AdminPagesOptions } from './admin-page.js'

/** Sends the IdP list, with the add form showing `error` and the posted `values` when given. */
async function sendIdpList(
  options: AdminPagesOptions,
  req: Request,
  res: Response,
  status = 200,
  error?: string,
  values?: Record<string, unknown>,
): Promise<void> {
  const idps = await options.store.list({ limit: 500 })
  const csrfToken = options.auth.csrfToken(req)
  const exampleMetadataUrl = options.exampleMetadataUrls[0]
  const form = idpForm({ csrfToken, exampleMetadataUrl, error, values })
  const page = idpListPage({
    idps,
    csrfToken,
    form,
    exampleMetadataUrls: options.exampleMetadataUrls,
    breakGlass: options.audit.list(),
  })
  sendAdminPage(req, res, options, page, status)
}

/** `POST /admin/idp`: registers the IdP, or shows the list again with the error and the form filled. */
function addIdp(options: AdminPagesOptions): RequestHandler {
  const { requireAdmin, csrfOk } = adminGuards(options)
  return async (req, res, next) => {
    if (!requireAdmin(req, res) || !csrfOk(req, res)) return
    const body = req.body as Record<string, unknown>
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

/** What an action on the IdP page did, shown above it (`?done=`); only these fixed texts are shown. */
const DONE: Readonly<Record<string, string>> = {
  'rotated-rollover':
    'A new signing key is published in the IdP metadata; the IdP signs with it after the rollover.',
  'rotated-now': 'The IdP signs with a new key from now on: logins fail until this record is refreshed.',
  'signing-with-new-key': 'The IdP signs with the new key from now on.',
  'rotation-under-way': 'A key rotation is already under way: sign with the new key first.',
  'refresh-updated': 'Metadata refreshed: the record was updated.',
  'refresh-unchanged': 'Metadata refreshed: the IdP serves the document the record holds.',
  'refresh-not-modified': 'Metadata refreshed: the IdP answered 304 Not Modified.',
  'refresh-skipped': 'Refresh skipped: another instance is fetching it, or the record changed meanwhile.',
  'refresh-failed': 'Metadata refresh failed: the record keeps its last good metadata (see below).',
}

/** The embedded-IdP tenant a record was registered from, if any. */
function tenantOf(options: AdminPagesOptions, record: IdpRecord): string | undefined {
  return options.idp.tenantByEntityId(record.entityId)?.id
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
      // Recent traces add what logins showed: clock skew, and the last login's error.
      const recentTraces = await attempts.recent(record.id)
      const health = checkIdpRecordHealth(record, { metadataStatus, recentTraces })
      const csrfToken = auth.csrfToken(req)
      const tenant = tenantOf(options, record)
      const done = typeof req.query.done === 'string' ? DONE[req.query.done] : undefined
      const refreshCard = metadataRefreshCard({
        record,
        status: metadataStatus,
        last: options.refresh.lastRefresh(record.id),
        csrfToken,
      })
      const keysCard =
        tenant === undefined
          ? undefined
          : signingKeysCard({
              record,
              keys: options.idp.signingKeys(tenant),
              rolloverMs: options.idp.keyRolloverMs,
              csrfToken,
            })
      const page = idpPage({
        record,
        sp,
        spMetadata,
        health,
        csrfToken,
        vendor,
        notice: done,
        refreshCard,
        keysCard,
      })
      sendAdminPage(req, res, options, page)
    }),
  )
  const back = (res: Response, record: IdpRecord, done: string) =>
    res.redirect(303, `/admin/idp/${encodeURIComponent(record.id)}?done=${done}`)
  router.post(
    '/idp/:id/refresh',
    form,
    withRecord(async (req, res, record) => {
      if (!csrfOk(req, res)) return
      const result = await options.refresh.refreshNow(record)
      back(res, record, `refresh-${result.outcome}`)
    }),
  )
  router.post(
    '/idp/:id/rotate-key',
    form,
    withRecord((req, res, record) => {
      if (!csrfOk(req, res)) return
      const tenant = tenantOf(options, record)
      if (tenant === undefined)
        return void res.status(404).type('text/plain').send('not an embedded-IdP tenant')
      const mode = (req.body as Record<string, unknown>).mode === 'now' ? 'now' : 'rollover'
      if (options.idp.signingKeys(tenant).next) return back(res, record, 'rotation-under-way')
      options.idp.rotateSigningKey(tenant, mode)
      back(res, record, `rotated-${mode}`)
    }),
  )
  router.post(
    '/idp/:id/sign-with-new-key',
    form,
    withRecord((req, res, record) => {
      if (!csrfOk(req, res)) return
      const tenant = tenantOf(options, record)
      if (tenant === undefined)
        return void res.status(404).type('text/plain').send('not an embedded-IdP tenant')
      options.idp.signWithNewKeyNow(tenant)
      back(res, record, 'signing-with-new-key')
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

/**
 * What every admin page shares: the options the admin router is built with, and the layout with
 * the admin links around a page's body.
 *
 * @module
 */
import type { Request, Response } from 'express'
import type { IdpStore, MultiIdpSamlStrategy } from '../../lib/index.js'
import type { AdminAuth } from '../admin-auth.js'
import type { AttemptLog } from '../attempts.js'
import { layout, type Html } from '../html.js'
import type { EmbeddedIdp } from '../idp/embedded-idp.js'
import type { BreakGlassAudit } from '../local/break-glass-audit.js'
import type { DemoMetadataRefresh } from '../metadata-refresh.js'
import type { MetadataFetchPolicy } from '../register-idp.js'

/** Options of the admin pages' router (`adminPages` in `router.ts`). */
export interface AdminPagesOptions {
  strategy: MultiIdpSamlStrategy
  /** The IdP store the strategy reads (records are listed, added and deleted through it). */
  store: IdpStore
  auth: AdminAuth
  attempts: AttemptLog
  metadataPolicy: MetadataFetchPolicy
  /** Metadata URLs of the embedded IdP tenants, offered as examples. */
  exampleMetadataUrls: readonly string[]
  /** The SAML user this browser is also signed in as, if any, for the page header. */
  userName: (req: Request) => string | undefined
  /** The embedded IdP: its tenants' records get the key rotation actions. */
  idp: EmbeddedIdp
  /** The metadata refresher: "Refresh metadata now" and the last refresh of each IdP. */
  refresh: DemoMetadataRefresh
  /** The break-glass audit trail, shown on the IdP list. */
  audit: BreakGlassAudit
}

/** One admin page: its title and what goes inside the layout. */
export interface AdminPage {
  title: string
  body: Html
}

/**
 * Answers with `page` in the demo's layout, admin links on.
 *
 * @example
 * ```ts
 * sendAdminPage(req, res, options, { title: 'Admin', body: html`<h1>Admin</h1>` })
 * ```
 */
export function sendAdminPage(
  req: Request,
  res: Response,
  options: Pick<AdminPagesOptions, 'userName'>,
  page: AdminPage,
  status = 200,
): void {
  res
    .status(status)
    .type('html')
    .send(layout({ title: page.title, body: page.body, user: options.userName(req), admin: true }))
}

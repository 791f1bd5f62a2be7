/**
 * The test-connection view of one IdP: a button that runs a login at it and comes back here, and
 * its last attempts from anywhere, as login traces (demo/attempts.ts), each with its trace id.
 *
 * @module
 */
import type { IdpRecord, SamlTrace } from '../../lib/index.js'
import { html } from '../html.js'
import type { AdminPage } from './admin-page.js'
import { attemptCard } from './attempt-card.js'

/** What {@link testConnectionPage} shows. */
export interface TestConnectionPageOptions {
  record: IdpRecord
  /** The SP's login URL for this IdP (`endpointsFor(record).loginUrl`). */
  loginUrl: string
  /** The IdP's latest traces, newest first. */
  attempts: readonly SamlTrace[]
}

/**
 * The view. The test login starts at the login URL's path and returns to this page.
 *
 * @example
 * ```ts
 * const loginUrl = strategy.serviceProvider.endpointsFor(record).loginUrl
 * sendAdminPage(req, res, options, testConnectionPage({ record, loginUrl, attempts: attempts.list(record.id) }))
 * ```
 */
export function testConnectionPage(options: TestConnectionPageOptions): AdminPage {
  const { record, attempts } = options
  const loginPath = new URL(options.loginUrl).pathname
  const testLogin = `${loginPath}?returnTo=${encodeURIComponent(`/admin/idp/${record.id}/test`)}`
  return {
    title: `Test ${record.id}`,
    body: html`<h1>Test connection: ${record.displayName ?? record.id}</h1>
      <div class="card">
        <p>
          Start a login at this IdP; you come back here and the attempt shows below with every check, the
          decoded response and the mapped profile. Logins from anywhere else show up here too (the last 10,
          kept as login traces). A refused login's error page names its trace id.
        </p>
        <p>
          <a class="button" href="${testLogin}" id="run-test">Run a test login</a>
          <a class="button secondary" href="/admin/idp/${record.id}">IdP settings</a>
        </p>
      </div>
      <h2>Last attempts</h2>
      ${attempts.length === 0 ? html`<p class="muted" id="no-attempts">No attempts yet.</p>` : attempts.map((a, i) => attemptCard(a, i))}`,
  }
}

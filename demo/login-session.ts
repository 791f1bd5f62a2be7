/**
 * The signed-in user's session: express-session (cookie `demo.sid`, memory or Redis store) and
 * Passport's session on top of it. The admin pages' cookie is separate (see `admin-auth.ts`).
 *
 * @module
 */
import type { RequestHandler } from 'express'
import session, { type Store as SessionStore } from 'express-session'
import type passport from 'passport'

/** Options of {@link loginSession}. */
export interface LoginSessionOptions {
  /** Signs the session cookie. */
  secret: string
  /** `undefined`: express-session's memory store (one process). */
  store: SessionStore | undefined
  /** Secure cookie, on https. */
  secure: boolean
  passport: passport.Authenticator
}

/**
 * The session middleware, in order: express-session, then Passport's session.
 *
 * @example
 * ```ts
 * app.use(loginSession({ secret, store: backends.sessionStore, secure: false, passport: auth }))
 * ```
 */
export function loginSession(options: LoginSessionOptions): RequestHandler[] {
  return [
    session({
      name: 'demo.sid',
      secret: options.secret,
      store: options.store,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: options.secure, maxAge: 8 * 3600 * 1000 },
    }),
    options.passport.session(),
  ]
}

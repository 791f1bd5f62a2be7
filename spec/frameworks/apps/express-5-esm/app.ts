// An Express 5 + passport 0.7 app in ESM TypeScript, wired as docs/frameworks.md shows, importing the
// built package by its name. Run by spec/frameworks/express-5-esm.spec.ts as `node --import tsx app.ts`
// with BASE_URL, PORT, IDP_RECORDS (JSON), SP_KEY and SP_CERT in the environment.
import type { AddressInfo } from 'node:net'
import express from 'express'
import session from 'express-session'
import passport from 'passport'
import { MemoryIdpStore, MultiIdpSamlStrategy, type IdpRecordInput } from 'passport-saml-multi-idp'
import { samlErrorHandler, samlRouter } from 'passport-saml-multi-idp/express'
import { reportReady } from '../report-ready.cjs'

const baseUrl = process.env.BASE_URL ?? 'http://localhost:3000'

const store = new MemoryIdpStore()
for (const record of JSON.parse(process.env.IDP_RECORDS ?? '[]') as IdpRecordInput[]) await store.put(record)

const strategy = new MultiIdpSamlStrategy(
  { store, sp: { baseUrl, signingKey: process.env.SP_KEY, signingCert: process.env.SP_CERT } },
  async (profile) => ({ id: `${profile.idp}:${profile.nameID}`, email: profile.mapped.email }),
)
passport.use(strategy)
passport.serializeUser((user, done) => done(null, user))
passport.deserializeUser((user: Express.User, done) => done(null, user))

const app = express()
app.use(
  session({
    secret: process.env.SESSION_SECRET ?? 'dev only, set SESSION_SECRET',
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: baseUrl.startsWith('https:') },
  }),
)
app.use(passport.session())
app.use('/saml', samlRouter({ strategy, passport }))
app.get('/me', (req, res) => {
  if (!req.isAuthenticated()) {
    res.status(401).json({ error: { code: 'ERR_NOT_SIGNED_IN', message: 'sign in first' } })
    return
  }
  res.json(req.user)
})
app.use(samlErrorHandler())

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () =>
  reportReady((server.address() as AddressInfo).port),
)

// An Express 4 + passport 0.6 app in CommonJS, wired as docs/frameworks.md shows, loading the built
// package by its name. Run by spec/frameworks/express-4-cjs.spec.ts as
//   node --require ./aliases.cjs app.cjs
// with BASE_URL, PORT, IDP_RECORDS (JSON), SP_KEY and SP_CERT in the environment.
'use strict'
const express = require('express')
const session = require('express-session')
const passport = require('passport')
const { MemoryIdpStore, MultiIdpSamlStrategy } = require('passport-saml-multi-idp')
const { samlErrorHandler, samlRouter } = require('passport-saml-multi-idp/express')
const { reportReady } = require('../report-ready.cjs')

const baseUrl = process.env.BASE_URL || 'http://localhost:3000'

async function main() {
  const store = new MemoryIdpStore()
  for (const record of JSON.parse(process.env.IDP_RECORDS || '[]')) await store.put(record)

  const strategy = new MultiIdpSamlStrategy(
    { store, sp: { baseUrl, signingKey: process.env.SP_KEY, signingCert: process.env.SP_CERT } },
    (profile, done) => done(null, { id: `${profile.idp}:${profile.nameID}`, email: profile.mapped.email }),
  )
  passport.use(strategy)
  passport.serializeUser((user, done) => done(null, user))
  passport.deserializeUser((user, done) => done(null, user))

  const app = express()
  app.use(
    session({
      secret: process.env.SESSION_SECRET || 'dev only, set SESSION_SECRET',
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: baseUrl.startsWith('https:') },
    }),
  )
  app.use(passport.session())
  app.use('/saml', samlRouter({ strategy, passport }))
  app.get('/me', (req, res) => {
    if (!req.isAuthenticated()) {
      return res.status(401).json({ error: { code: 'ERR_NOT_SIGNED_IN', message: 'sign in first' } })
    }
    res.json(req.user)
  })
  app.use(samlErrorHandler())

  const server = app.listen(Number(process.env.PORT || 3000), '127.0.0.1', () =>
    reportReady(server.address().port),
  )
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})

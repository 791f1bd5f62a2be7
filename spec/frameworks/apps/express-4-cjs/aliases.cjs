// Test plumbing, preloaded with `node --require`: this repository installs Express 4 and passport 0.6
// under the aliases `express-4` and `passport-0.6` (beside Express 5 and passport 0.7), so that
// `require('express')` and `require('passport')` give them, to the app and to the library alike,
// as they do in an app that installed express@4 and passport@0.6 under their own names.
'use strict'
const Module = require('node:module')

const ALIASES = { express: 'express-4', passport: 'passport-0.6' }
const resolveFilename = Module._resolveFilename

Module._resolveFilename = function (request, ...rest) {
  const [name, ...subpath] = request.split('/')
  const alias = ALIASES[name]
  return resolveFilename.call(this, alias ? [alias, ...subpath].join('/') : request, ...rest)
}

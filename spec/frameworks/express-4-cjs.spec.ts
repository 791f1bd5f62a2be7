// Express 4 + passport 0.6 in CommonJS: spec/frameworks/apps/express-4-cjs/app.cjs requires the built
// package by its name; `require('express')` and `require('passport')` give Express 4 and passport 0.6
// to the app and to the library alike (aliases.cjs), as in an app that installed those versions.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeFrameworkApp, root, startApp } from './framework-app.js'

describeFrameworkApp(
  'Express 4 + passport 0.6, CommonJS, the built package by name',
  () =>
    startApp(['--require', './aliases.cjs', 'app.cjs'], { cwd: `${root}spec/frameworks/apps/express-4-cjs` }),
  (app) => {
    it('loaded Express 4 and passport 0.6, and neither Express 5 nor passport 0.7', () => {
      const { packages } = app()
      assert.ok(packages.includes('express-4') && packages.includes('passport-0.6'), packages.join(' '))
      assert.ok(!packages.includes('express') && !packages.includes('passport'), packages.join(' '))
    })
  },
)

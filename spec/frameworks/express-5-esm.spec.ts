// Express 5 + passport 0.7 in ESM TypeScript: spec/frameworks/apps/express-5-esm/app.ts imports the
// built package by its name and runs as `node --import tsx app.ts`.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeFrameworkApp, root, startApp } from './framework-app.js'

describeFrameworkApp(
  'Express 5 + passport 0.7, ESM TypeScript, the built package by name',
  () => startApp(['--import', 'tsx', 'app.ts'], { cwd: `${root}spec/frameworks/apps/express-5-esm` }),
  (app) => {
    it('loaded Express 5 and passport 0.7', () => {
      const { packages } = app()
      assert.ok(packages.includes('express') && packages.includes('passport'), packages.join(' '))
      assert.ok(!packages.includes('express-4') && !packages.includes('passport-0.6'), packages.join(' '))
    })
  },
)

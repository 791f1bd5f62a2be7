// NestJS (platform-express) with @nestjs/passport: the strategy as a `PassportStrategy` mixin,
// `AuthGuard('saml')` on login and ACS, metadata, logout and SLO on `strategy.serviceProvider`, and
// the exception filter that makes a SamlError behind the guard its 4xx instead of Nest's 500: the
// files saml-exception.filter.ts and saml.ts are docs/frameworks.md's, word for word (checked below).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { describeFrameworkApp, root, startApp } from './framework-app.js'

const appDir = `${root}spec/frameworks/apps/nest`

describeFrameworkApp(
  'NestJS + @nestjs/passport, ESM TypeScript, the built package by name',
  () => startApp(['--import', 'tsx', 'main.ts'], { cwd: appDir }),
  () => {
    it('runs exactly the filter, strategy, guard and controller that docs/frameworks.md shows', () => {
      const docs = readFileSync(`${root}docs/frameworks.md`, 'utf8')
      const blocks = [...docs.matchAll(/```ts\n([\s\S]*?)\n```/g)].map((m) => m[1]!.trim())
      for (const file of ['saml-exception.filter.ts', 'saml.ts']) {
        const code = readFileSync(`${appDir}/${file}`, 'utf8').trim()
        assert.ok(blocks.includes(code), `docs/frameworks.md has ${file} word for word as a ts block`)
      }
    })
  },
)

/**
 * `npm run demo`: starts the demo from the environment.
 *
 * | Variable         | Default                                   |
 * | ---------------- | ----------------------------------------- |
 * | `PORT`           | 3000                                      |
 * | `HOST`           | every interface                           |
 * | `BASE_URL`       | `http://localhost:$PORT`                  |
 * | `DATA_DIR`       | `.demo-data/`                             |
 * | `SESSION_SECRET` | generated once, kept in `DATA_DIR`        |
 * | `ADMIN_TOKEN`    | generated once, kept in `DATA_DIR`, printed |
 * | `ADMIN_PASSWORD` | generated once, kept in `DATA_DIR`, printed |
 * | `DATABASE_URL`   | unset: embedded PGlite in `DATA_DIR/idps` |
 * | `REDIS_URL`      | unset: cache and sessions in memory       |
 *
 * @module
 */
import { resolve } from 'node:path'
import { startDemo, type DemoSecret } from './app.js'

function env(name: string): string | undefined {
  const value = process.env[name]
  return value === undefined || value === '' ? undefined : value
}

function flag(name: string): boolean | undefined {
  const value = env(name)
  return value === undefined ? undefined : /^(1|true|yes)$/i.test(value)
}

function describe(name: string, secret: DemoSecret, file: string): string {
  if (secret.source === 'option') return `${name}: (from the environment)`
  return `${name}: ${secret.value}  (${secret.source === 'generated' ? 'generated, ' : ''}kept in ${file})`
}

const port = env('PORT') === undefined ? 3000 : Number(env('PORT'))
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not "${env('PORT')}"`)
  process.exit(1)
}
const dataDir = resolve(env('DATA_DIR') ?? '.demo-data')

const demo = await startDemo({
  dataDir,
  port,
  host: env('HOST'),
  baseUrl: env('BASE_URL'),
  sessionSecret: env('SESSION_SECRET'),
  adminToken: env('ADMIN_TOKEN'),
  adminPassword: env('ADMIN_PASSWORD'),
  databaseUrl: env('DATABASE_URL'),
  redisUrl: env('REDIS_URL'),
  metadataAllowHttp: flag('METADATA_ALLOW_HTTP'),
  metadataAllowPrivateNetwork: flag('METADATA_ALLOW_PRIVATE_NETWORK'),
  trustProxy: flag('TRUST_PROXY'),
}).catch((err: unknown) => {
  console.error('The demo could not start:', err instanceof Error ? err.message : err)
  process.exit(1)
})

console.log(`SAML multi-IdP demo: ${demo.url}
  data dir: ${dataDir}
  ${demo.backends.join('\n  ')}
  ${describe('ADMIN_TOKEN', demo.adminToken, `${dataDir}/admin-token`)}
  ${describe('ADMIN_PASSWORD', demo.adminPassword, `${dataDir}/admin-password`)}

  Sign in:   ${demo.url}/login  (alice@acme.test / alice-demo, carol@globex.test / carol-demo;
             no SSO: erin@initech.test / erin-demo)
  Admin:     ${demo.url}/admin  (break-glass sign-in to the app: ${demo.url}/login/break-glass)
  IdP apps:  ${demo.idp.tenants.map((t) => demo.idp.tenantUrl(t.id)).join('  ')}`)

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: shutting down`)
  const timer = setTimeout(() => {
    console.error('shutdown took longer than 10 s; exiting')
    process.exit(1)
  }, 10_000)
  timer.unref()
  try {
    await demo.close()
    process.exit(0)
  } catch (err) {
    console.error(err)
    process.exit(1)
  }
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))

// `npm run bench federation`: a federation aggregate of 5,000 IdP entities (~50 MB, each with
// certificates, mdui in three languages, scopes, entity categories and a dozen endpoints), signed
// once by xmlsec1 and served from loopback. A child process per store imports it (time and peak
// RSS of that process), looks IdPs up by entityID (p50/p99, warm), searches them, then imports the
// aggregate again with 1% of its entities changed and counts the records rewritten.
//
// Stores: SqlIdpStore on embedded PGlite, in memory (the default a user gets) and on a data directory
// another process created (as an instance restarted on its data finds it: opening an existing
// directory skips initdb, most of PGlite's memory), SqlIdpStore on a PostgreSQL
// server (what several instances share; FEDERATION_BENCH_DATABASE_URL, default the local server,
// skipped when none answers; the bench owns the schema `federation_bench`) and MemoryIdpStore (the
// import alone, without a database).
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { importFederation, MemoryIdpStore, searchIdps, type IdpStore } from '../lib/index.js'
import { SqlIdpStore } from '../lib/entries/sql.js'

const ENTITIES = 5000
const CHANGED_EVERY = 100 // 1%
const LOOKUPS = 20_000
const SEARCHES = 2000
const MD = 'urn:oasis:names:tc:SAML:2.0:metadata'
const keyFile = (name: string) => new URL(`../spec/fixtures/keys/${name}`, import.meta.url)
const CERTS = ['idp-acme', 'idp-acme-next', 'idp-globex', 'attacker', 'sp', 'sp-next'].map((name) =>
  readFileSync(keyFile(`${name}.cert.pem`), 'utf8')
    .replace(/-----[A-Z ]+-----/g, '')
    .replace(/\s+/g, ''),
)
const SIGNER = { key: keyFile('idp-globex.key.pem'), cert: keyFile('idp-globex.cert.pem') }

const keyDescriptor = (use: string, cert: string) =>
  `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert.replace(/(.{64})/g, '$1\n')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`

/** One IdP as federations publish them (InCommon/eduGAIN-like shape and size). */
function entity(i: number, version: number): string {
  const host = `idp.university-${i}.example.edu`
  const base = `https://${host}/idp/profile`
  const name = version === 0 ? `University ${i}` : `University ${i} (renamed ${version})`
  const bindings = ['HTTP-Redirect', 'HTTP-POST', 'HTTP-POST-SimpleSign']
  return `<md:EntityDescriptor entityID="https://${host}/idp/shibboleth">
<md:Extensions><mdrpi:RegistrationInfo registrationAuthority="https://registrar.fed-${i % 40}.example" registrationInstant="2019-05-0${(i % 9) + 1}T10:00:00Z"><mdrpi:RegistrationPolicy xml:lang="en">https://fed-${i % 40}.example/policy</mdrpi:RegistrationPolicy></mdrpi:RegistrationInfo>
<mdattr:EntityAttributes><saml:Attribute Name="http://macedir.org/entity-category-support" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml:AttributeValue>http://refeds.org/category/research-and-scholarship</saml:AttributeValue></saml:Attribute><saml:Attribute Name="urn:oasis:names:tc:SAML:attribute:assurance-certification" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml:AttributeValue>https://refeds.org/sirtfi</saml:AttributeValue></saml:Attribute></mdattr:EntityAttributes></md:Extensions>
<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol urn:oasis:names:tc:SAML:1.1:protocol urn:mace:shibboleth:1.0">
<md:Extensions><shibmd:Scope regexp="false">university-${i}.example.edu</shibmd:Scope><shibmd:Scope regexp="false">alumni.university-${i}.example.edu</shibmd:Scope>
<mdui:UIInfo><mdui:DisplayName xml:lang="en">${name}</mdui:DisplayName><mdui:DisplayName xml:lang="de">Universität ${i}</mdui:DisplayName><mdui:DisplayName xml:lang="fr">Université ${i}</mdui:DisplayName>
<mdui:Description xml:lang="en">Identity provider of University ${i} for students, faculty and staff; use your campus account.</mdui:Description>
<mdui:InformationURL xml:lang="en">https://www.university-${i}.example.edu/it/sso</mdui:InformationURL><mdui:PrivacyStatementURL xml:lang="en">https://www.university-${i}.example.edu/privacy</mdui:PrivacyStatementURL>
<mdui:Logo height="60" width="80">https://www.university-${i}.example.edu/logo-80x60.png</mdui:Logo><mdui:Logo height="16" width="16">https://www.university-${i}.example.edu/favicon.png</mdui:Logo></mdui:UIInfo>
<mdui:DiscoHints><mdui:DomainHint>university-${i}.example.edu</mdui:DomainHint></mdui:DiscoHints></md:Extensions>
${keyDescriptor('signing', CERTS[i % CERTS.length]!)}
${keyDescriptor('signing', CERTS[(i + 1) % CERTS.length]!)}
${keyDescriptor('encryption', CERTS[(i + 2) % CERTS.length]!)}
<md:ArtifactResolutionService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://${host}:8443/idp/profile/SAML2/SOAP/ArtifactResolution" index="1"/>
${bindings.map((b) => `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${b}" Location="${base}/SAML2/${b.replace('HTTP-', '')}/SLO"/>`).join('\n')}
<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat><md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
${bindings.map((b) => `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${b}" Location="${base}/SAML2/${b.replace('HTTP-', '')}/SSO"/>`).join('\n')}
<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="${base}/SAML2/SOAP/ECP"/>
</md:IDPSSODescriptor>
<md:Organization><md:OrganizationName xml:lang="en">University ${i}</md:OrganizationName><md:OrganizationDisplayName xml:lang="en">University ${i}</md:OrganizationDisplayName><md:OrganizationURL xml:lang="en">https://www.university-${i}.example.edu/</md:OrganizationURL></md:Organization>
${['technical', 'support', 'administrative'].map((type) => `<md:ContactPerson contactType="${type}"><md:GivenName>${type} team</md:GivenName><md:EmailAddress>mailto:${type}@university-${i}.example.edu</md:EmailAddress></md:ContactPerson>`).join('\n')}
<md:ContactPerson xmlns:remd="http://refeds.org/metadata" contactType="other" remd:contactType="http://refeds.org/metadata/contactType/security"><md:GivenName>CSIRT</md:GivenName><md:EmailAddress>mailto:abuse@university-${i}.example.edu</md:EmailAddress></md:ContactPerson>
</md:EntityDescriptor>
`
}

const TEMPLATE = `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#_fed"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>`

/** Writes the aggregate (entities `changed` renamed) and signs it with xmlsec1; cached across runs. */
function signedAggregateFile(dir: string, changed: boolean): { path: string; signMs: number } {
  const path = join(dir, changed ? 'changed.xml' : 'aggregate.xml')
  if (existsSync(path)) return { path, signMs: NaN }
  const unsigned = join(dir, 'unsigned.xml')
  const parts = [
    `<?xml version="1.0" encoding="UTF-8"?>\n<md:EntitiesDescriptor xmlns:md="${MD}" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute" xmlns:mdrpi="urn:oasis:names:tc:SAML:metadata:rpi" xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:shibmd="urn:mace:shibboleth:metadata:1.0" ID="_fed" Name="urn:example:bench-federation" cacheDuration="PT6H">${TEMPLATE}\n`,
  ]
  for (let i = 0; i < ENTITIES; i++) parts.push(entity(i, changed && i % CHANGED_EVERY === 0 ? 1 : 0))
  parts.push('</md:EntitiesDescriptor>\n')
  writeFileSync(unsigned, parts.join(''))
  const started = performance.now()
  execFileSync(
    '/usr/bin/xmlsec1',
    [
      '--sign',
      '--privkey-pem',
      `${SIGNER.key.pathname},${SIGNER.cert.pathname}`,
      '--id-attr:ID',
      `${MD}:EntitiesDescriptor`,
      '--output',
      path,
      unsigned,
    ],
    { stdio: 'pipe' },
  )
  return { path, signMs: performance.now() - started }
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const fmt = (ms: number) => (ms >= 10 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4))

const DATABASE_URL =
  process.env.FEDERATION_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const BENCH_SCHEMA = 'federation_bench'
const STORE_NAMES: Readonly<Record<string, string>> = {
  sql: 'SqlIdpStore (PGlite, in memory)',
  'sql-dir': 'SqlIdpStore (PGlite, data directory)',
  postgres: 'SqlIdpStore (PostgreSQL)',
  memory: 'MemoryIdpStore',
}

/** Drops the bench's schema, so the import starts empty; false when no PostgreSQL server answers. */
async function emptyPostgresSchema(): Promise<boolean> {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE`)
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

/** The child: one store, one import, lookups, searches and the 1% refresh. Prints JSON. */
async function child(url: string, switchUrl: string, kind: string, dataDir: string): Promise<void> {
  if (kind === 'sql-dir-init') return void (await (await SqlIdpStore.open({ dataDir })).close())
  const store: IdpStore =
    kind === 'memory'
      ? new MemoryIdpStore()
      : kind === 'postgres'
        ? await SqlIdpStore.open({ connectionString: DATABASE_URL, schema: BENCH_SCHEMA })
        : kind === 'sql-dir'
          ? await SqlIdpStore.open({ dataDir })
          : await SqlIdpStore.open()
  const source = { id: 'bench', url, signingCerts: [readFileSync(SIGNER.cert, 'utf8')] }
  const local = { allowHttp: true, allowPrivateNetwork: true }
  const rssBefore = process.memoryUsage().rss
  // The store's own floor: what opening it took (PGlite runs initdb in memory), before any import.
  const openPeakMb = process.resourceUsage().maxRSS / 1024
  let started = performance.now()
  const cpu = process.cpuUsage()
  const first = await importFederation(store, source, { fetch: local })
  const importMs = performance.now() - started
  const importCpu = process.cpuUsage(cpu)
  const peakRssMb = process.resourceUsage().maxRSS / 1024

  const entityIds = Array.from(
    { length: ENTITIES },
    (_, i) => `https://idp.university-${i}.example.edu/idp/shibboleth`,
  )
  for (const id of entityIds) await store.findByEntityId(id) // warm
  const lookups: number[] = []
  for (let n = 0; n < LOOKUPS; n++) {
    const id = entityIds[(n * 7919) % ENTITIES]!
    const t = performance.now()
    const record = await store.findByEntityId(id)
    lookups.push(performance.now() - t)
    if (record?.entityId !== id) throw new Error(`lookup of ${id} failed`)
  }
  lookups.sort((a, b) => a - b)
  await searchIdps(store, 'warm')
  const searches: number[] = []
  for (let n = 0; n < SEARCHES; n++) {
    const t = performance.now()
    const hits = await searchIdps(store, n % 2 ? `someone@university-${n}.example.edu` : `university ${n}`)
    searches.push(performance.now() - t)
    if (hits.length === 0) throw new Error('search found nothing')
  }
  searches.sort((a, b) => a - b)

  await fetch(switchUrl)
  started = performance.now()
  const cpu2 = process.cpuUsage()
  const second = await importFederation(store, source, { fetch: local })
  const refreshMs = performance.now() - started
  const refreshCpu = process.cpuUsage(cpu2)
  await store.close?.()
  console.log(
    JSON.stringify({
      store: STORE_NAMES[kind],
      'import s': (importMs / 1000).toFixed(1),
      'import CPU s': ((importCpu.user + importCpu.system) / 1e6).toFixed(1),
      records: first.created.length,
      'peak RSS MB': peakRssMb.toFixed(0),
      'RSS before MB': (rssBefore / 2 ** 20).toFixed(0),
      'open peak MB': openPeakMb.toFixed(0),
      'lookup p50 ms': fmt(quantile(lookups, 0.5)),
      'lookup p99 ms': fmt(quantile(lookups, 0.99)),
      'search p50 ms': fmt(quantile(searches, 0.5)),
      'search p99 ms': fmt(quantile(searches, 0.99)),
      '1% refresh s': (refreshMs / 1000).toFixed(1),
      '1% refresh CPU s': ((refreshCpu.user + refreshCpu.system) / 1e6).toFixed(1),
      rewritten: `${second.updated.length} of ${second.unchanged + second.updated.length}`,
    }),
  )
}

export async function run(): Promise<void> {
  const dir = join(
    tmpdir(),
    `passport-saml-federation-bench-${createHash('sha256').update(entity(1, 0)).digest('hex').slice(0, 8)}`,
  )
  mkdirSync(dir, { recursive: true })
  const original = signedAggregateFile(dir, false)
  const changed = signedAggregateFile(dir, true)
  const mb = statSync(original.path).size / 2 ** 20
  console.log(
    `federation: load average ${loadavg()[0]!.toFixed(1)}; ${ENTITIES} IdP entities, ${mb.toFixed(1)} MB, signed by xmlsec1${Number.isNaN(original.signMs) ? ' (cached)' : ` in ${(original.signMs / 1000).toFixed(1)} s`}; ${availableParallelism()} cores`,
  )
  let current = original.path
  const server = createServer((req, res) => {
    if (req.url === '/switch') {
      current = changed.path
      return void res.end('ok')
    }
    const etag = `"${statSync(current).mtimeMs}-${current.endsWith('changed.xml') ? 1 : 0}"`
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end()
    res.writeHead(200, { 'content-type': 'application/samlmetadata+xml', etag })
    createReadStream(current).pipe(res)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const rows: Record<string, string>[] = []
  const dataDir = join(dir, 'pglite-data')
  /** Runs one child (a store kind) to its end; returns its last line of output. */
  const runChild = async (kind: string): Promise<string> => {
    // The parent's flags: tsx, and the hook that runs the built library (support/use-build.mjs).
    const proc = spawn(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname], {
      env: {
        ...process.env,
        FEDERATION_BENCH_CHILD: JSON.stringify([
          `${origin}/aggregate.xml`,
          `${origin}/switch`,
          kind,
          dataDir,
        ]),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const [code] = (await once(proc, 'exit')) as [number]
    if (code !== 0) throw new Error(`federation bench child (${kind}) exited with ${code}`)
    return out.trim().split('\n').at(-1) ?? ''
  }
  try {
    for (const kind of ['sql', 'sql-dir', 'postgres', 'memory']) {
      current = original.path
      if (kind === 'postgres' && !(await emptyPostgresSchema())) {
        console.log(`federation: no PostgreSQL server at ${DATABASE_URL}; its row is skipped`)
        continue
      }
      if (kind === 'sql-dir') {
        rmSync(dataDir, { recursive: true, force: true })
        await runChild('sql-dir-init')
      }
      rows.push(JSON.parse(await runChild(kind)) as Record<string, string>)
    }
  } finally {
    server.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  console.table(rows)
}

if (process.env.FEDERATION_BENCH_CHILD) {
  const [url, switchUrl, kind, dataDir] = JSON.parse(process.env.FEDERATION_BENCH_CHILD) as string[]
  await child(url!, switchUrl!, kind!, dataDir!)
}

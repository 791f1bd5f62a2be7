/**
 * Debian's SimpleSAMLphp 1.19 as a real IdP: configured in a temporary directory (config.php,
 * authsources.php with an `exampleauth:UserPass` user, a hosted IdP signing with `idp-globex`, and our
 * SP read from our own SP metadata by SimpleSAMLphp's metadata parser), and served from
 * /usr/share/simplesamlphp/www by `php -S` on loopback. SimpleSAMLphp parses our AuthnRequests and
 * logout messages with its own code and checks their signatures (`validate.authnrequest`,
 * `validate.logout`); it signs its assertions and logout messages, encrypts assertions
 * (AES-128-CBC, fixed in 1.19) when the SP's `assertion.encryption` asks, and encrypts the NameID
 * of its assertions and LogoutRequests (an EncryptedID, AES-128-CBC too) when `nameid.encryption` does.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitUntil } from '../support/wait-until.js'

const WWW = '/usr/share/simplesamlphp/www'
const KEY_DIR = new URL('../fixtures/keys/', import.meta.url).pathname
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'

/** The user at SimpleSAMLphp's login form, and the attributes it releases. */
export const SSP_USER = {
  username: 'ada',
  password: 'lovelace-interop',
  attributes: { mail: ['ada@ssp.test'], givenName: ['Ada'], sn: ['Lovelace'] },
}

/** How SimpleSAMLphp knows our SP: our metadata, plus the IdP admin's per-SP options. */
export interface SimpleSamlPhpSp {
  readonly metadataXml: string
  /** `assertion.encryption`: encrypt assertions to the SP's encryption certificate. */
  readonly encryptAssertions: boolean
  /** `nameid.encryption`: send the NameID as an EncryptedID, in assertions and in LogoutRequests. */
  readonly encryptNameId?: boolean
  /** Keep only the SP's SingleLogoutService of this binding (SimpleSAMLphp prefers Redirect otherwise). */
  readonly logoutBinding: 'redirect' | 'post'
}

export interface SimpleSamlPhpIdp {
  readonly baseUrl: string
  readonly entityId: string
  readonly metadataUrl: string
  /** IdP-first login at the SP (`SSOService.php?spentityid=`). */
  unsolicitedLoginUrl(spEntityId: string): string
  /** IdP-first logout of every SP of the session, ending at `returnTo` (`SingleLogoutService.php?ReturnTo=`). */
  logoutUrl(returnTo: string): string
  /** Rewrites the SP's metadata; SimpleSAMLphp reads it again on its next request. */
  configureSp(sp: SimpleSamlPhpSp): void
  close(): Promise<void>
}

/** A free loopback port, for `php -S` (which cannot be told port 0). */
async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

const php = (value: unknown) => JSON.stringify(value).replaceAll('$', '\\$')

/**
 * Starts SimpleSAMLphp on 127.0.0.1 and waits until it answers its metadata URL. `trustedHosts` are
 * `host:port`s it may redirect to after logout (`trusted.url.domains`).
 */
export async function startSimpleSamlPhp(options: {
  signal: AbortSignal
  trustedHosts: readonly string[]
}): Promise<SimpleSamlPhpIdp> {
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const entityId = `${baseUrl}/saml2/idp/metadata.php`
  const dir = mkdtempSync(join(tmpdir(), 'interop-simplesamlphp-'))
  for (const sub of ['config', 'metadata', 'data', 'tmp', 'log', 'sessions']) mkdirSync(join(dir, sub))

  // PHP reads the JSON with json_decode, so no value is ever spliced into PHP code.
  writeFileSync(
    join(dir, 'settings.json'),
    JSON.stringify({ dir, baseUrl, trustedHosts: options.trustedHosts, user: SSP_USER }),
  )
  writeFileSync(
    join(dir, 'config/config.php'),
    `<?php
$s = json_decode(file_get_contents(${php(join(dir, 'settings.json'))}), true);
$config = [
  'baseurlpath' => $s['baseUrl'] . '/',
  'certdir' => ${php(KEY_DIR)},
  'loggingdir' => $s['dir'] . '/log/',
  'datadir' => $s['dir'] . '/data/',
  'tempdir' => $s['dir'] . '/tmp',
  'metadatadir' => $s['dir'] . '/metadata/',
  'secretsalt' => 'interop-secret-salt',
  'auth.adminpassword' => 'interop-admin-password',
  'technicalcontact_email' => 'interop@ssp.test',
  'timezone' => 'UTC',
  'logging.handler' => 'errorlog',
  'logging.level' => 3,
  'enable.saml20-idp' => true,
  'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true],
  'session.cookie.secure' => false,
  'session.cookie.samesite' => null,
  'store.type' => 'phpsession',
  'trusted.url.domains' => $s['trustedHosts'],
  'production' => false,
];
`,
  )
  writeFileSync(
    join(dir, 'config/authsources.php'),
    `<?php
$s = json_decode(file_get_contents(${php(join(dir, 'settings.json'))}), true);
$config = [
  'users' => ['exampleauth:UserPass', $s['user']['username'] . ':' . $s['user']['password'] => $s['user']['attributes']],
];
`,
  )
  writeFileSync(
    join(dir, 'metadata/saml20-idp-hosted.php'),
    `<?php
$metadata['__DYNAMIC:1__'] = [
  'host' => '__DEFAULT__',
  'privatekey' => 'idp-globex.key.pem',
  'certificate' => 'idp-globex.cert.pem',
  'auth' => 'users',
  'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'SingleSignOnServiceBinding' => [${php(REDIRECT)}, ${php(POST)}],
  'SingleLogoutServiceBinding' => [${php(REDIRECT)}, ${php(POST)}],
  'NameIDFormat' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'simplesaml.nameidattribute' => 'mail',
  'sign.logout' => true,
  'validate.logout' => true,
  'validate.authnrequest' => true,
  'logouttype' => 'traditional',
];
`,
  )
  // Our SP, read from the metadata XML we publish by SimpleSAMLphp's own parser.
  writeFileSync(
    join(dir, 'metadata/saml20-sp-remote.php'),
    `<?php
$sp = json_decode(file_get_contents(__DIR__ . '/sp.json'), true);
if ($sp !== null) {
  foreach (\\SimpleSAML\\Metadata\\SAMLParser::parseDescriptorsString($sp['metadataXml']) as $entity) {
    $m = $entity->getMetadata20SP();
    $m['assertion.encryption'] = $sp['encryptAssertions'];
    $m['nameid.encryption'] = $sp['encryptNameId'] ?? false;
    $m['SingleLogoutService'] = array_values(array_filter(
      $m['SingleLogoutService'],
      function ($e) use ($sp) { return $e['Binding'] === $sp['logoutBinding']; }
    ));
    $metadata[$m['entityid']] = $m;
  }
}
`,
  )
  writeFileSync(join(dir, 'metadata/sp.json'), 'null')

  const child: ChildProcess = spawn(
    'php',
    ['-d', `session.save_path=${join(dir, 'sessions')}`, '-S', `127.0.0.1:${port}`, '-t', WWW],
    {
      env: { ...process.env, SIMPLESAMLPHP_CONFIG_DIR: join(dir, 'config') },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  let log = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-20_000)))
  const exited = once(child, 'exit')
  // Should the spec process end without `close` (a cancelled run), php must not outlive it.
  const killOnExit = () => child.kill('SIGTERM')
  process.once('exit', killOnExit)

  const idp: SimpleSamlPhpIdp = {
    baseUrl,
    entityId,
    metadataUrl: entityId,
    unsolicitedLoginUrl: (spEntityId) =>
      `${baseUrl}/saml2/idp/SSOService.php?spentityid=${encodeURIComponent(spEntityId)}`,
    logoutUrl: (returnTo) =>
      `${baseUrl}/saml2/idp/SingleLogoutService.php?ReturnTo=${encodeURIComponent(returnTo)}`,
    configureSp: (sp) =>
      writeFileSync(
        join(dir, 'metadata/sp.json'),
        JSON.stringify({ ...sp, logoutBinding: sp.logoutBinding === 'post' ? POST : REDIRECT }),
      ),
    close: async () => {
      process.removeListener('exit', killOnExit)
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`php -S exited with ${child.exitCode}: ${log}`)
        return fetch(idp.metadataUrl).then(
          (res) => res.ok,
          () => false,
        )
      },
      { signal: options.signal, what: `SimpleSAMLphp at ${baseUrl}` },
    )
  } catch (err) {
    await idp.close()
    throw err
  }
  return idp
}

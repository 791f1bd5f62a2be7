// The way over from passport-saml: a MultiSamlStrategy app's configuration (two tenants with their
// own callback URLs, SP entityIDs, IdPs, certificates and bindings), written against passport-saml's
// own types, goes through migratePassportSamlOptions; our strategy is mounted at the app's old paths;
// and the same IdP configuration, untouched, logs users in: the AuthnRequest names the old ACS URL and
// the old SP entityID, the IdP answers to the old callback URL with the old entityID as Audience.
// Then: passport-saml verify functions as they were, the SP metadata with the old URLs, and the
// options that cannot be carried over.
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { DOMParser } from '@xmldom/xmldom'
import {
  MultiSamlStrategy,
  type MultiStrategyConfig,
  type PassportSamlConfig,
  type SamlOptions,
  type VerifyWithoutRequest,
  type VerifyWithRequest,
} from '@node-saml/passport-saml'
import express, { type Request } from 'express'
import session from 'express-session'
import passport from 'passport'
import {
  byPathParam,
  byResponseIssuer,
  MemoryIdpStore,
  MultiIdpSamlStrategy,
  type SamlAuthenticateOptions,
  type SamlAuthInfo,
} from '../../lib/index.js'
import { samlErrorHandler, samlRouter, toSamlRequest } from '../../lib/entries/express.js'
import {
  adaptPassportSamlVerify,
  adaptPassportSamlVerifyWithRequest,
  migratePassportSamlOptions,
  PASSPORT_SAML_OPTION_NAMES,
  PassportSamlMigrationError,
  type PassportSamlMigration,
  type PassportSamlOptionName,
  type PassportSamlProfile,
} from '../../lib/entries/migrate.js'
import { readRedirectAuthnRequest } from '../support/authn-request.js'
import { TestBrowser } from '../support/app.js'
import { keys, TestIdp } from '../support/test-idp.js'

// ---- The IdPs, configured for the old app; nothing of them changes ---------------------------------
const idpA = new TestIdp({
  entityId: 'http://www.okta.example/exk1tenantA',
  ssoUrl: 'https://tenant-a.okta.example/app/exk1/sso/saml',
  sloUrl: 'https://tenant-a.okta.example/app/exk1/slo/saml',
  signing: keys.idpAcme,
})
const idpB = new TestIdp({
  entityId: 'https://sts.windows.example/b-directory/',
  ssoUrl: 'https://login.microsoftonline.example/b-directory/saml2',
  signing: keys.idpGlobex,
})
const OLD_ISSUER_A = 'https://old-app.example.test/sp/a'
const OLD_ISSUER_B = 'urn:example:sp:tenant-b'
const EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'
type Options = passport.AuthenticateOptions & SamlAuthenticateOptions

// ---- The passport-saml app's configuration, as it was ------------------------------------------------
/** Each tenant's options, what the app's getSamlOptions answered; URLs on the app's origin. */
function passportSamlTenants(baseUrl: string): Record<string, Partial<PassportSamlConfig>> {
  return {
    a: {
      entryPoint: idpA.ssoUrl,
      logoutUrl: idpA.sloUrl,
      issuer: OLD_ISSUER_A,
      callbackUrl: `${baseUrl}/login/callback/a`,
      logoutCallbackUrl: `${baseUrl}/logout/callback/a`,
      idpIssuer: idpA.entityId,
      idpCert: keys.idpAcme.cert,
      wantAuthnResponseSigned: false, // Okta signs the assertion only, as configured for this tenant
      acceptedClockSkewMs: 5000,
      disableRequestedAuthnContext: true,
      validateInResponseTo: 'always' as SamlOptions['validateInResponseTo'],
    },
    b: {
      entryPoint: idpB.ssoUrl,
      authnRequestBinding: 'HTTP-POST',
      skipRequestCompression: true,
      issuer: OLD_ISSUER_B,
      callbackUrl: `${baseUrl}/sso/b/consume`,
      idpIssuer: idpB.entityId,
      idpCert: [keys.idpGlobex.cert, keys.idpAcmeNext.cert], // the current one and the next
      identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      forceAuthn: true,
      disableRequestedAuthnContext: true,
    },
  }
}

/** MultiSamlStrategy's own options: the SP's keys, shared by every tenant. */
function passportSamlShared(tenants: Record<string, Partial<PassportSamlConfig>>): MultiStrategyConfig {
  return {
    privateKey: keys.sp.key,
    publicCert: keys.sp.cert,
    decryptionPvk: keys.sp.key,
    signatureAlgorithm: 'sha256',
    passReqToCallback: true,
    getSamlOptions(req, done) {
      const options = tenants[String(req.params.tenant)]
      if (!options) return done(new Error('unknown tenant'))
      done(null, options)
    },
  }
}

// ---- Helpers ----------------------------------------------------------------------------------------
function readPostedAuthnRequest(html: string): { id: string; acsUrl: string; issuer: string; xml: string } {
  const value = /name="SAMLRequest" value="([^"]+)"/.exec(html)?.[1]
  assert.ok(value, 'an auto-submitting form with SAMLRequest')
  const xml = Buffer.from(value, 'base64').toString('utf8') // HTTP-POST: not deflated
  const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement!
  const issuer = root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]
  return {
    id: root.getAttribute('ID') ?? '',
    acsUrl: root.getAttribute('AssertionConsumerServiceURL') ?? '',
    issuer: issuer?.textContent ?? '',
    xml,
  }
}

interface MigratedApp {
  baseUrl: string
  migration: PassportSamlMigration
  seen: Record<string, unknown>[]
  close(): Promise<void>
}

/**
 * The app after the move: the migration's records in a store, our strategy with the migration's SP
 * and strategy options, mounted where passport-saml's routes were (and samlRouter at /saml beside
 * them, for IdPs added later).
 */
async function startMigratedApp(verifyStyle: 'passport-saml' | 'native'): Promise<MigratedApp> {
  const server: Server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const tenants = passportSamlTenants(baseUrl)
  const shared = passportSamlShared(tenants)

  const migration = migratePassportSamlOptions({ baseUrl, shared, tenants })
  const store = new MemoryIdpStore()
  for (const record of migration.records) await store.put(record)

  const seen: Record<string, unknown>[] = []
  const resolve = [byPathParam('tenant'), byPathParam(), byResponseIssuer()]
  let strategy: MultiIdpSamlStrategy
  if (verifyStyle === 'passport-saml') {
    // The passport-saml app's verify, as it was: typed with passport-saml's own VerifyWithRequest.
    const verify: VerifyWithRequest = (req, profile, done) => {
      if (!profile) return done(new Error('no profile'))
      seen.push({
        tenant: req.params.tenant,
        nameID: profile.nameID,
        issuer: profile.issuer,
        sessionIndex: profile.sessionIndex,
        nameIDFormat: profile.nameIDFormat,
        email: profile.email,
        emailClaim: profile[EMAIL_CLAIM],
        groups: profile.groups,
        attributes: profile.attributes,
        assertionXml: profile.getAssertionXml?.(),
        responseXml: profile.getSamlResponseXml?.(),
      })
      done(null, { id: `${profile.issuer}!${profile.nameID}` })
    }
    strategy = new MultiIdpSamlStrategy(
      { store, sp: migration.sp, ...migration.strategy, passReqToCallback: true, resolve },
      adaptPassportSamlVerifyWithRequest(verify),
    )
  } else {
    // A verify written against passport-saml's field names, given our profile directly.
    strategy = new MultiIdpSamlStrategy({ store, sp: migration.sp, resolve }, (profile, done) => {
      seen.push({
        nameID: profile.nameID,
        issuer: profile.issuer,
        sessionIndex: profile.sessionIndex,
        nameIDFormat: profile.nameIDFormat,
      })
      done(null, { id: `${profile.issuer}!${profile.nameID}` })
    })
  }
  assert.equal(strategy.name, 'saml')

  const auth = new passport.Passport()
  auth.use(strategy)
  auth.serializeUser((user, done) => done(null, user))
  auth.deserializeUser((user: Express.User, done) => done(null, user))
  const app = express()
  app.use(session({ secret: 'test-secret', resave: false, saveUninitialized: false }))
  app.use(auth.session())

  // The old routes, where the IdPs' configuration points.
  const login: Options = { flow: 'login' }
  const acs: Options = { flow: 'acs' }
  const form = express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 10 })
  const loggedIn = (req: Request, res: express.Response) => {
    const info = req.authInfo as SamlAuthInfo
    ;(req.session as unknown as Record<string, unknown>).saml = info.session
    res.redirect(303, info.returnTo)
  }
  app.get('/login/:tenant', auth.authenticate('saml', login))
  app.post('/login/callback/:tenant', form, auth.authenticate('saml', acs), loggedIn)
  app.post('/sso/:tenant/consume', form, auth.authenticate('saml', acs), loggedIn)
  app.get('/login/:tenant/metadata', async (req, res, next) => {
    const outcome = await strategy.serviceProvider.metadata(toSamlRequest(req))
    if (outcome.type === 'error') return next(outcome.error)
    res.type(outcome.contentType).send(outcome.body)
  })
  // The default routes, for IdPs added after the move.
  app.use('/saml', samlRouter({ strategy, passport: auth }))
  app.get('/me', (req, res) => void res.json(req.user ?? null))
  app.use(samlErrorHandler())
  server.on('request', app)
  return {
    baseUrl,
    migration,
    seen,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

// ---- The specs ----------------------------------------------------------------------------------------
describe('moving a passport-saml MultiSamlStrategy app', () => {
  let app: MigratedApp
  before(async () => {
    app = await startMigratedApp('passport-saml')
  })
  after(() => app.close())

  it('the configuration is passport-saml 5 configuration (MultiSamlStrategy takes it)', () => {
    const tenants = passportSamlTenants(app.baseUrl)
    const legacy: VerifyWithoutRequest = (_profile, done) => done(null, {})
    const strategy = new MultiSamlStrategy(passportSamlShared(tenants), legacy, legacy)
    assert.equal(strategy.name, 'saml')
  })

  it('becomes records that keep every URL and entityID the IdPs know, and one SP', () => {
    const { records, sp, strategy, notes } = app.migration
    const [a, b] = records
    assert.deepEqual(a, {
      id: 'a',
      entityId: idpA.entityId,
      authnRequestBinding: 'redirect',
      ssoUrls: { redirect: idpA.ssoUrl },
      signingCerts: [keys.idpAcme.cert],
      sloUrls: { redirect: idpA.sloUrl },
      spEntityId: OLD_ISSUER_A,
      spAcsUrl: `${app.baseUrl}/login/callback/a`,
      spSloUrl: `${app.baseUrl}/logout/callback/a`,
      signAuthnRequests: true,
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      wantAssertionsSigned: true,
      wantResponseSigned: false,
      clockSkewMs: 5000,
      allowIdpInitiated: false,
    })
    assert.equal(b!.spAcsUrl, `${app.baseUrl}/sso/b/consume`)
    assert.equal(b!.spEntityId, OLD_ISSUER_B)
    assert.equal(b!.authnRequestBinding, 'post')
    assert.deepEqual(b!.ssoUrls, { post: idpB.ssoUrl })
    assert.equal(b!.signingCerts?.length, 2)
    assert.equal(b!.wantResponseSigned, true)
    assert.equal(b!.forceAuthn, true)
    assert.equal(b!.allowIdpInitiated, true) // passport-saml's validateInResponseTo default, 'never'
    assert.deepEqual(Object.keys(sp).sort(), [
      'baseUrl',
      'decryptionKey',
      'signatureAlgorithm',
      'signingCert',
      'signingKey',
    ])
    assert.deepEqual(strategy, { passReqToCallback: true })
    const noted = (option: string) => notes.filter((n) => n.option === option).flatMap((n) => n.tenants)
    assert.deepEqual(noted('validateInResponseTo'), ['b'])
    assert.deepEqual(noted('logoutUrl'), ['b'])
    assert.deepEqual(noted('getSamlOptions'), ['a', 'b'])
  })

  it('tenant A: SP-initiated over HTTP-Redirect, the IdP answers to the old callback URL', async () => {
    const browser = new TestBrowser()
    const start = await browser.get(`${app.baseUrl}/login/a?returnTo=%2Freports`)
    assert.equal(start.status, 302)
    const sent = readRedirectAuthnRequest(start.headers.get('location')!)
    assert.ok(sent.destination.startsWith(idpA.ssoUrl))
    assert.equal(sent.acsUrl, `${app.baseUrl}/login/callback/a`)
    assert.equal(sent.issuer, OLD_ISSUER_A)
    assert.ok(sent.signed, 'signed with the old privateKey, as passport-saml did')

    const response = await idpA.createResponse({
      spEntityId: OLD_ISSUER_A, // Audience: the old SP entityID
      acsUrl: `${app.baseUrl}/login/callback/a`, // Destination and Recipient: the old callback URL
      inResponseTo: sent.id,
      nameId: 'alice@a.example',
      sessionIndex: '_session-a-1',
      attributes: [
        { name: 'email', values: ['alice@a.example'] },
        { name: 'groups', values: ['admins', 'staff'] },
      ],
    })
    const posted = await browser.post(
      `${app.baseUrl}/login/callback/a`,
      { SAMLResponse: response.base64, RelayState: sent.relayState ?? '' },
      false,
    )
    assert.equal(posted.status, 303)
    assert.equal(posted.headers.get('location'), '/reports')
    assert.deepEqual(await (await browser.get(`${app.baseUrl}/me`, true)).json(), {
      id: `${idpA.entityId}!alice@a.example`,
    })

    const seen = app.seen.at(-1)!
    assert.equal(seen.tenant, 'a')
    assert.equal(seen.nameID, 'alice@a.example')
    assert.equal(seen.issuer, idpA.entityId)
    assert.equal(seen.sessionIndex, '_session-a-1')
    assert.equal(seen.nameIDFormat, 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress')
    assert.equal(seen.email, 'alice@a.example')
    assert.deepEqual(seen.groups, ['admins', 'staff'])
    assert.deepEqual(seen.attributes, { email: 'alice@a.example', groups: ['admins', 'staff'] })
    assert.match(String(seen.assertionXml), /^<saml:Assertion\b[\s\S]*alice@a\.example/)
    assert.equal(seen.responseXml, response.xml)
  })

  it('tenant B: SP-initiated over HTTP-POST, encrypted, signed Response, to /sso/b/consume', async () => {
    const browser = new TestBrowser()
    const start = await browser.get(`${app.baseUrl}/login/b`)
    assert.equal(start.status, 200)
    const sent = readPostedAuthnRequest(await start.text())
    assert.equal(sent.acsUrl, `${app.baseUrl}/sso/b/consume`)
    assert.equal(sent.issuer, OLD_ISSUER_B)
    assert.match(sent.xml, /ForceAuthn="true"/)
    assert.match(sent.xml, /Format="urn:oasis:names:tc:SAML:2\.0:nameid-format:persistent"/)
    assert.match(sent.xml, /<ds:Signature\b|<Signature\b/)

    const response = await idpB.createResponse({
      spEntityId: OLD_ISSUER_B,
      acsUrl: `${app.baseUrl}/sso/b/consume`,
      inResponseTo: sent.id,
      namespaceStyle: 'default',
      nameId: 'c5d1-persistent-bob',
      nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      attributes: [{ name: EMAIL_CLAIM, values: ['bob@b.example'] }],
      signResponse: true,
      encrypt: { cert: keys.sp.cert },
    })
    const posted = await browser.post(
      `${app.baseUrl}/sso/b/consume`,
      { SAMLResponse: response.base64 },
      false,
    )
    assert.equal(posted.status, 303)
    const seen = app.seen.at(-1)!
    assert.equal(seen.tenant, 'b')
    assert.equal(seen.nameID, 'c5d1-persistent-bob')
    assert.equal(seen.nameIDFormat, 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent')
    assert.equal(seen.emailClaim, 'bob@b.example')
    assert.ok(String(seen.assertionXml).includes('c5d1-persistent-bob'), 'the decrypted assertion')
  })

  it("refuses tenant A's response posted to tenant B's old callback URL, with a typed 4xx", async () => {
    const response = await idpA.createResponse({
      spEntityId: OLD_ISSUER_A,
      acsUrl: `${app.baseUrl}/login/callback/a`,
    })
    const res = await new TestBrowser().post(`${app.baseUrl}/sso/b/consume`, {
      SAMLResponse: response.base64,
    })
    assert.equal(res.status, 400)
    const body = (await res.json()) as { error: { code: string } }
    assert.equal(body.error.code, 'ERR_SAML_ISSUER_MISMATCH')
  })

  it('the SP metadata of each tenant shows its old entityID, ACS and SLO URLs', async () => {
    const md = 'urn:oasis:names:tc:SAML:2.0:metadata'
    for (const path of ['/login/a/metadata', '/saml/a/metadata']) {
      const res = await fetch(`${app.baseUrl}${path}`)
      assert.equal(res.status, 200, path)
      const doc = new DOMParser().parseFromString(await res.text(), 'text/xml')
      const locations = (name: string) =>
        Array.from(doc.getElementsByTagNameNS(md, name)).map((e) => e.getAttribute('Location'))
      assert.equal(doc.documentElement!.getAttribute('entityID'), OLD_ISSUER_A)
      assert.deepEqual(locations('AssertionConsumerService'), [`${app.baseUrl}/login/callback/a`])
      assert.deepEqual(locations('SingleLogoutService'), [
        `${app.baseUrl}/logout/callback/a`,
        `${app.baseUrl}/logout/callback/a`,
      ])
      const uses = Array.from(doc.getElementsByTagNameNS(md, 'KeyDescriptor')).map((k) =>
        k.getAttribute('use'),
      )
      assert.deepEqual(uses.sort(), ['encryption', 'signing'])
    }
    const b = await (await fetch(`${app.baseUrl}/login/b/metadata`)).text()
    assert.match(b, new RegExp(`entityID="${OLD_ISSUER_B}"`))
    assert.match(b, new RegExp(`Location="${app.baseUrl}/sso/b/consume"`))
  })
})

describe('a passport-saml verify written against the profile directly', () => {
  let app: MigratedApp
  before(async () => {
    app = await startMigratedApp('native')
  })
  after(() => app.close())

  it('reads nameID, issuer, sessionIndex and nameIDFormat from our profile as from passport-saml', async () => {
    const browser = new TestBrowser()
    const sent = readRedirectAuthnRequest(
      (await browser.get(`${app.baseUrl}/login/a`)).headers.get('location')!,
    )
    const response = await idpA.createResponse({
      spEntityId: OLD_ISSUER_A,
      acsUrl: `${app.baseUrl}/login/callback/a`,
      inResponseTo: sent.id,
      nameId: 'carol@a.example',
      sessionIndex: '_session-c',
    })
    const posted = await browser.post(
      `${app.baseUrl}/login/callback/a`,
      { SAMLResponse: response.base64 },
      false,
    )
    assert.equal(posted.status, 303)
    assert.deepEqual(app.seen.at(-1), {
      nameID: 'carol@a.example',
      issuer: idpA.entityId,
      sessionIndex: '_session-c',
      nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    })
  })
})

describe('migratePassportSamlOptions', () => {
  const baseUrl = 'https://app.example.test'
  const tenantA = {
    entryPoint: idpA.ssoUrl,
    issuer: OLD_ISSUER_A,
    callbackUrl: `${baseUrl}/login/callback/a`,
    idpIssuer: idpA.entityId,
    idpCert: keys.idpAcme.cert,
  } satisfies Partial<PassportSamlConfig>

  function problemsOf(run: () => unknown): PassportSamlMigrationError['problems'] {
    try {
      run()
    } catch (err) {
      assert.ok(err instanceof PassportSamlMigrationError, String(err))
      return err.problems
    }
    assert.fail('expected a PassportSamlMigrationError')
  }

  it('knows every option of passport-saml 5 and node-saml 5', () => {
    type Declared = keyof MultiStrategyConfig
    // Both ways at compile time: an option passport-saml adds, or one we list that it lacks, fails here.
    const missing: [Exclude<Declared, PassportSamlOptionName>] extends [never] ? true : false = true
    const extra: [Exclude<PassportSamlOptionName, Declared>] extends [never] ? true : false = true
    assert.ok(missing && extra)
    assert.equal(new Set(PASSPORT_SAML_OPTION_NAMES).size, PASSPORT_SAML_OPTION_NAMES.length)
  })

  it('names each option it cannot carry over, why, and the issue that brings it', () => {
    const problems = problemsOf(() =>
      migratePassportSamlOptions({
        baseUrl,
        shared: { privateKey: keys.sp.key, publicCert: keys.sp.cert },
        tenants: {
          a: {
            ...tenantA,
            providerName: 'Acme',
            additionalLogoutParams: { prompt: 'login' },
            audience: false,
            ...({ tenantName: 'Tenant A' } as object), // an app's own key, not passport-saml's
          },
          b: {
            ...tenantA,
            idpIssuer: idpB.entityId,
            providerName: 'Acme B',
            acceptedClockSkewMs: -1,
            idpCert: (cb: (err: Error | null, cert?: string) => void) => cb(null, keys.idpGlobex.cert),
            privateKey: keys.spNext.key,
            publicCert: keys.spNext.cert,
            signatureAlgorithm: 'sha1',
          },
        },
      }),
    )
    const byOption = (option: string) => problems.filter((p) => p.option === option)
    const summary = (option: string) =>
      byOption(option).map(({ reason, tenants, issue }) => ({ reason, tenants, issue }))
    const issue10 = '#10 "Every binding, every option, every IdP"'
    assert.deepEqual(summary('providerName'), [
      { reason: 'not-yet-supported', tenants: ['a', 'b'], issue: issue10 },
    ])
    assert.deepEqual(summary('additionalLogoutParams'), [
      { reason: 'not-yet-supported', tenants: ['a'], issue: issue10 },
    ])
    assert.deepEqual(summary('audience'), [{ reason: 'not-supported', tenants: ['a'], issue: undefined }])
    assert.deepEqual(summary('tenantName'), [{ reason: 'unknown', tenants: ['a'], issue: undefined }])
    assert.deepEqual(summary('acceptedClockSkewMs'), [
      { reason: 'not-supported', tenants: ['b'], issue: undefined },
    ])
    assert.deepEqual(summary('idpCert'), [{ reason: 'not-supported', tenants: ['b'], issue: undefined }])
    assert.deepEqual(summary('signatureAlgorithm'), [
      { reason: 'not-supported', tenants: ['b'], issue: undefined },
    ])
    assert.deepEqual(summary('privateKey'), [{ reason: 'conflict', tenants: ['a', 'b'], issue: undefined }])

    // The message lists every one of them, for a log or a CLI.
    const error = new PassportSamlMigrationError(problems)
    for (const p of problems) assert.ok(error.message.includes(`"${p.option}"`), p.option)
  })

  it('leaves an option behind knowingly with `ignore`, and says so in a note', () => {
    const migration = migratePassportSamlOptions({
      baseUrl,
      tenants: { a: { ...tenantA, providerName: 'Acme', passive: false } },
      ignore: ['providerName'],
    })
    assert.equal(migration.records.length, 1)
    assert.ok(migration.notes.some((n) => n.option === 'providerName' && n.message.startsWith('left behind')))
  })

  it('carries signMetadata to sp.metadata.sign; refuses it without a key, and the xml2js-shaped contacts', () => {
    const signed = migratePassportSamlOptions({
      baseUrl,
      shared: { privateKey: keys.sp.key, publicCert: keys.sp.cert },
      tenants: { a: { ...tenantA, signMetadata: true }, b: { ...tenantA, idpIssuer: idpB.entityId } },
    })
    assert.deepEqual(signed.sp.metadata, { sign: true })
    const problems = problemsOf(() =>
      migratePassportSamlOptions({
        baseUrl,
        tenants: {
          a: {
            ...tenantA,
            signMetadata: true,
            metadataContactPerson: [{ '@contactType': 'support', EmailAddress: 'help@acme.test' }],
          },
        },
      }),
    )
    assert.deepEqual(
      problems.map(({ option, reason }) => ({ option, reason })),
      [
        { option: 'metadataContactPerson', reason: 'not-supported' },
        { option: 'signMetadata', reason: 'missing' },
      ],
    )
  })

  it("carries passport-saml's request options into authnRequestOptions, so the IdP sees the same request", () => {
    const migration = migratePassportSamlOptions({
      baseUrl,
      tenants: {
        a: {
          ...tenantA,
          disableRequestedAuthnContext: false,
          authnContext: ['urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos'],
          racComparison: 'minimum',
          passive: true,
          allowCreate: false,
          spNameQualifier: 'https://sp.test',
          attributeConsumingServiceIndex: '2',
          scoping: {
            idpList: [{ entries: [{ providerId: 'https://idp.one.test', name: 'One' }] }],
            proxyCount: 1,
            requesterId: 'https://requester.test',
          },
          additionalAuthorizeParams: { domain_hint: 'acme.test' },
        },
        b: { ...tenantA, idpIssuer: idpB.entityId, disableRequestedAuthnContext: false },
      },
    })
    const [a, b] = migration.records
    assert.deepEqual(a!.authnRequestOptions, {
      isPassive: true,
      nameIdPolicy: { allowCreate: false, spNameQualifier: 'https://sp.test' },
      requestedAuthnContext: {
        classRefs: ['urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos'],
        comparison: 'minimum',
      },
      attributeConsumingServiceIndex: 2,
      scoping: {
        idpList: [{ providerId: 'https://idp.one.test', name: 'One' }],
        proxyCount: 1,
        requesterIds: ['https://requester.test'],
      },
      queryParameters: { domain_hint: 'acme.test' },
    })
    // passport-saml's default: PasswordProtectedTransport, exact; said in a note.
    assert.deepEqual(b!.authnRequestOptions, {
      requestedAuthnContext: {
        classRefs: ['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'],
        comparison: 'exact',
      },
    })
    assert.ok(migration.notes.some((n) => n.option === 'authnContext' && n.tenants.includes('b')))
  })

  it('refuses what would make a broken record or SP, naming the passport-saml option', () => {
    const problems = problemsOf(() =>
      migratePassportSamlOptions({
        baseUrl,
        tenants: {
          a: { ...tenantA, idpIssuer: undefined, callbackUrl: '/login/callback/a' },
          b: {
            ...tenantA,
            idpIssuer: idpB.entityId,
            idpCert: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
          },
          c: { ...tenantA, idpIssuer: 'https://idp.c.example', privateKey: keys.sp.key },
          'not ok': tenantA,
          d: {
            ...tenantA,
            idpIssuer: 'https://idp.d.example',
            decryptionPvk: keys.spNext.key,
            privateKey: keys.sp.key,
            publicCert: keys.sp.cert,
          },
        },
      }),
    )
    const reasons = Object.fromEntries(problems.map((p) => [`${p.option}:${p.tenants.join(',')}`, p.reason]))
    assert.equal(reasons['idpIssuer:a'], 'missing')
    assert.equal(reasons['callbackUrl:a'], 'invalid')
    assert.equal(reasons['idpCert:b'], 'invalid')
    assert.equal(reasons['privateKey:c'], 'missing') // no publicCert
    assert.equal(reasons['(tenant id):not ok'], 'invalid')
    assert.equal(reasons['decryptionPvk:d'], 'missing') // its certificate is needed for the metadata
  })

  it('refuses a publicCert or decryptionCert of the right DER shape whose key OpenSSL cannot decode', () => {
    // rsaEncryption's OID tagged as an OCTET STRING: the shape of a certificate, a key nobody can read.
    const der = Buffer.from(new X509Certificate(keys.sp.cert).raw)
    der[der.indexOf(Buffer.from('06092a864886f70d010101', 'hex'))] = 0x04
    const undecodable = der.toString('base64')
    const problems = problemsOf(() =>
      migratePassportSamlOptions({
        baseUrl,
        decryptionCert: undecodable,
        tenants: {
          a: { ...tenantA, privateKey: keys.sp.key, publicCert: undecodable, decryptionPvk: keys.spNext.key },
        },
      }),
    )
    const reasons = Object.fromEntries(problems.map((p) => [`${p.option}:${p.tenants.join(',')}`, p.reason]))
    assert.equal(reasons['publicCert:a'], 'invalid')
    assert.equal(reasons['decryptionCert:'], 'invalid')
  })

  it("refuses an idpCert of the right DER shape that OpenSSL cannot use: the tenant's logins would all fail", () => {
    const der = Buffer.from(new X509Certificate(keys.idpAcme.cert).raw)
    der[der.indexOf(Buffer.from('06092a864886f70d010101', 'hex'))] = 0x04
    const problems = problemsOf(() =>
      migratePassportSamlOptions({
        baseUrl,
        tenants: { a: { ...tenantA, idpCert: [keys.idpAcme.cert, der.toString('base64')] } },
      }),
    )
    const idpCert = problems.find((p) => p.option === 'idpCert')
    assert.equal(idpCert?.reason, 'invalid')
    assert.match(idpCert!.message, /\[1\] cannot be used/)
  })

  it('two tenants of one IdP entity are a conflict (a store holds one record per entityID)', () => {
    const problems = problemsOf(() =>
      migratePassportSamlOptions({
        baseUrl,
        tenants: { a: tenantA, b: { ...tenantA, callbackUrl: `${baseUrl}/b` } },
      }),
    )
    assert.deepEqual(
      problems.map((p) => [p.option, p.reason, p.tenants]),
      [['idpIssuer', 'conflict', ['a', 'b']]],
    )
  })

  it("a passport-saml verify typed with passport-saml's own types fits the adapters", () => {
    const legacy: VerifyWithoutRequest = (profile, done) => done(null, { id: profile?.nameID })
    const withRequest: VerifyWithRequest = (req, profile, done) =>
      done(null, { ip: req.ip, id: profile?.nameID })
    assert.equal(typeof adaptPassportSamlVerify(legacy), 'function')
    assert.equal(typeof adaptPassportSamlVerifyWithRequest(withRequest), 'function')
    // Our passport-saml view is assignable to passport-saml's Profile.
    const view: PassportSamlProfile = { issuer: 'i', nameID: 'n', nameIDFormat: 'f' }
    legacy(view, () => {})
  })
})

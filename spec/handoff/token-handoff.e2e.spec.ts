// The JWT hand-off to single-page apps, through real Express, Passport and sessions: the token
// travels in the URL fragment only, to the global or the IdP's front end on an allowed host; the API
// side's verifyHandoffToken accepts it, and refuses a forged or an expired one with typed codes.
// No sleeps: the hand-off and the check take explicit clocks.
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { SignJWT } from 'jose'
import {
  createTokenHandoff,
  HANDOFF_ALGORITHMS,
  isSamlError,
  verifyHandoffToken,
  type HandoffAlgorithm,
  type SamlProfile,
} from '../../lib/index.js'
import { samlRouter } from '../../lib/entries/express.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import type { TestIdp } from '../support/test-idp.js'
import { acme, globex } from '../support/tenant-idps.js'

const T0 = Date.parse('2030-01-01T00:00:00Z')
const es256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = (k: KeyObject) =>
  k.export({ format: 'pem', type: k.type === 'private' ? 'pkcs8' : 'spki' }).toString()

function expectCode(code: string) {
  return (err: unknown) => isSamlError(err) && err.code === code
}

describe('token hand-off through Express and Passport', { timeout: 120_000 }, () => {
  let app: TestApp
  before(async () => {
    app = await startTestApp({
      router: {
        tokenHandoff: createTokenHandoff({
          algorithm: 'ES256',
          key: pem(es256.privateKey),
          keyId: 'handoff-1',
          frontendUrl: 'https://app.example.test/auth/callback',
          allowedHosts: ['*.customers.example.test'],
          issuer: 'https://api.example.test',
          audience: 'app.example.test',
          clock: () => T0,
          claims: ({ claims, user }) => ({ ...claims, uid: (user as { nameID: string }).nameID, exp: 0 }),
        }),
      },
    })
    const common = {
      allowIdpInitiated: true,
      attributeMap: 'okta' as const,
      groupsMap: { 'okta-admins': 'admin' },
    }
    await app.store.put({ id: 'acme', metadataXml: acme.metadataXml(), ...common })
    await app.store.put({ id: 'globex', metadataXml: globex.metadataXml(), ...common })
  })
  after(() => app.close())

  async function login(idp: TestIdp, idpId: string, browser = new TestBrowser()) {
    const response = await idp.createResponse({
      spEntityId: `${app.baseUrl}/saml/${idpId}/metadata`,
      acsUrl: `${app.baseUrl}/saml/${idpId}/acs`,
      nameId: 'alice@acme.test',
      attributes: [
        { name: 'email', values: ['Alice@Acme.test'] },
        { name: 'firstName', values: ['Alice'] },
        { name: 'groups', values: ['okta-admins', 'eng'] },
      ],
    })
    const res = await browser.post(`${app.baseUrl}/saml/${idpId}/acs`, {
      SAMLResponse: response.base64,
      RelayState: '/reports?id=7',
    })
    return { res, browser }
  }

  const verifyOptions = {
    key: pem(es256.publicKey),
    algorithms: ['ES256'] as const,
    issuer: 'https://api.example.test',
    audience: 'app.example.test',
    currentDate: new Date(T0 + 1000),
  }

  it('redirects to the front end with the token in the fragment, never the query; the API side verifies it', async () => {
    const { res } = await login(acme, 'acme')
    assert.equal(res.status, 302)
    assert.equal(res.headers.get('cache-control'), 'no-store')
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer')
    const location = new URL(res.headers.get('location')!)
    assert.equal(location.origin + location.pathname, 'https://app.example.test/auth/callback')
    assert.equal(location.search, '', 'nothing in the query string')
    const fragment = new URLSearchParams(location.hash.slice(1))
    assert.equal(fragment.get('returnTo'), '/reports?id=7')
    const token = fragment.get('token')!
    const claims = await verifyHandoffToken(token, verifyOptions)
    assert.equal(claims.sub, 'alice@acme.test')
    assert.equal(claims.idp, 'acme')
    assert.equal(claims.email, 'alice@acme.test')
    assert.equal(claims.given_name, 'Alice')
    assert.deepEqual(claims.groups, ['admin', 'eng'])
    assert.equal(claims.uid, 'alice@acme.test', 'the claims hook added its own claim')
    assert.equal(claims.iat, T0 / 1000)
    assert.equal(claims.exp, T0 / 1000 + 60, 'the hook cannot change exp; default lifetime 60 s')
    assert.match(claims.jti, /^[0-9a-f-]{36}$/)
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<
      string,
      unknown
    >
    assert.deepEqual(header, { alg: 'ES256', typ: 'JWT', kid: 'handoff-1' })
  })

  it("an IdP's own frontendUrl on an allowed host gets its users", async () => {
    await app.store.put({
      ...(await app.store.get('globex'))!,
      frontendUrl: 'https://globex.customers.example.test/#/sso',
    })
    const { res } = await login(globex, 'globex')
    assert.equal(res.status, 302)
    const location = new URL(res.headers.get('location')!)
    assert.equal(location.host, 'globex.customers.example.test')
    // A hash-routed front end keeps its route; the parameters follow it, still inside the fragment.
    assert.match(location.hash, /^#\/sso\?token=[\w-]+\.[\w-]+\.[\w-]+&returnTo=/)
    assert.equal(location.search, '')
  })

  it('a front-end URL on a foreign host: 500 ERR_SAML_IDP_UNUSABLE, no token sent, no one signed in', async () => {
    await app.store.put({
      ...(await app.store.get('globex'))!,
      frontendUrl: 'https://evil.example.net/steal',
    })
    const { res, browser } = await login(globex, 'globex')
    assert.equal(res.status, 500)
    assert.equal(res.headers.get('location'), null)
    const body = (await res.json()) as { error: { code: string; message: string } }
    assert.equal(body.error.code, 'ERR_SAML_IDP_UNUSABLE')
    assert.match(body.error.message, /evil\.example\.net/)
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
  })

  it('a forged token is ERR_SAML_TOKEN_INVALID: another key, a changed payload, alg none, HS256 with the public key', async () => {
    const { res } = await login(acme, 'acme')
    const token = new URLSearchParams(new URL(res.headers.get('location')!).hash.slice(1)).get('token')!
    const [h, p, s] = token.split('.') as [string, string, string]
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
    const forgedByOtherKey = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256' })
      .sign(other.privateKey)
    const changed = Buffer.from(JSON.stringify({ ...payload, sub: 'admin@acme.test' })).toString('base64url')
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`
    const confused = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(Buffer.from(pem(es256.publicKey)))
    for (const forged of [
      forgedByOtherKey,
      `${h}.${changed}.${s}`,
      none,
      confused,
      'not-a-jwt',
      `${h}.${p}`,
    ]) {
      await assert.rejects(verifyHandoffToken(forged, verifyOptions), expectCode('ERR_SAML_TOKEN_INVALID'))
    }
    // Another issuer or audience than the API expects is invalid too.
    await assert.rejects(
      verifyHandoffToken(token, { ...verifyOptions, audience: 'other-app' }),
      expectCode('ERR_SAML_TOKEN_INVALID'),
    )
  })

  it('an expired token is ERR_SAML_TOKEN_EXPIRED (checked at a later clock, no waiting)', async () => {
    const { res } = await login(acme, 'acme')
    const token = new URLSearchParams(new URL(res.headers.get('location')!).hash.slice(1)).get('token')!
    const at = (s: number) => ({ ...verifyOptions, currentDate: new Date(T0 + s * 1000) })
    assert.equal((await verifyHandoffToken(token, at(59))).sub, 'alice@acme.test')
    await assert.rejects(verifyHandoffToken(token, at(60)), expectCode('ERR_SAML_TOKEN_EXPIRED'))
    await assert.rejects(verifyHandoffToken(token, at(3600)), expectCode('ERR_SAML_TOKEN_EXPIRED'))
    assert.equal(
      (await verifyHandoffToken(token, { ...at(61), clockToleranceSeconds: 5 })).sub,
      'alice@acme.test',
    )
  })
})

describe('token hand-off: every algorithm signs and verifies', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const keyPairs: Record<string, { privateKey: KeyObject; publicKey: KeyObject }> = {
    RS: rsa,
    PS: rsa,
    ES256: es256,
    ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
    EdDSA: generateKeyPairSync('ed25519'),
  }
  const profile = {
    idp: 'acme',
    nameID: 'bob@acme.test',
    mapped: { email: 'bob@acme.test' },
    context: { idp: { id: 'acme' } },
  } as unknown as SamlProfile
  for (const alg of HANDOFF_ALGORITHMS) {
    it(alg, async () => {
      const secret = randomBytes(64)
      const pair = keyPairs[alg] ?? keyPairs[alg.slice(0, 2)]
      const signWith = alg.startsWith('HS') ? secret : pem(pair!.privateKey)
      const verifyWith = alg.startsWith('HS') ? secret : pem(pair!.publicKey)
      const handoff = createTokenHandoff({
        algorithm: alg,
        key: signWith,
        frontendUrl: 'https://app.example.test/',
      })
      const { token, location, expiresAt } = await handoff.issue({ user: {}, profile, returnTo: '/' })
      assert.ok(location.startsWith('https://app.example.test/#token='))
      const claims = await verifyHandoffToken(token, { key: verifyWith, algorithms: [alg] })
      assert.equal(claims.sub, 'bob@acme.test')
      assert.equal(claims.exp, expiresAt)
      const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg: string }
      assert.equal(header.alg, alg)
    })
  }
})

describe('token hand-off options are checked up front', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const base = {
    algorithm: 'HS256' as HandoffAlgorithm,
    key: randomBytes(32),
    frontendUrl: 'https://app.example.test/',
  }
  const cases: [string, () => unknown, RegExp][] = [
    [
      'an unknown algorithm',
      () => createTokenHandoff({ ...base, algorithm: 'none' as never }),
      /"options\.algorithm"/,
    ],
    [
      'an HMAC secret shorter than the hash',
      () => createTokenHandoff({ ...base, algorithm: 'HS512', key: randomBytes(32) }),
      /at least 64 bytes/,
    ],
    [
      'an RSA key for ES256',
      () => createTokenHandoff({ ...base, algorithm: 'ES256', key: pem(rsa.privateKey) }),
      /ES256 needs an EC key/,
    ],
    [
      'a public key to sign with',
      () => createTokenHandoff({ ...base, algorithm: 'RS256', key: rsa.publicKey }),
      /must be a private key/,
    ],
    [
      'a P-256 key for ES384',
      () => createTokenHandoff({ ...base, algorithm: 'ES384', key: es256.privateKey }),
      /curve secp384r1/,
    ],
    [
      'an http front end',
      () => createTokenHandoff({ ...base, frontendUrl: 'http://app.example.test/' }),
      /must be https/,
    ],
    [
      'no front end at all',
      () => createTokenHandoff({ algorithm: 'HS256', key: randomBytes(32) }),
      /"options\.frontendUrl" is required/,
    ],
    [
      'a lifetime of a day',
      () => createTokenHandoff({ ...base, lifetimeSeconds: 86_400 }),
      /lifetimeSeconds/,
    ],
  ]
  for (const [name, make, message] of cases) {
    it(`${name}: TypeError`, () =>
      assert.throws(make, (err: unknown) => err instanceof TypeError && message.test(err.message)))
  }
  it('localhost may be http (development)', () => {
    createTokenHandoff({ ...base, frontendUrl: 'http://localhost:5173/' })
  })
  it('samlRouter takes a hand-off or onSuccess, not both', async () => {
    const app = await startTestApp()
    try {
      assert.throws(
        () =>
          samlRouter({ strategy: app.strategy, tokenHandoff: createTokenHandoff(base), onSuccess: () => {} }),
        (err: unknown) => err instanceof TypeError && /give one/.test(err.message),
      )
    } finally {
      await app.close()
    }
  })
  it('verifyHandoffToken needs its algorithms, of one family', async () => {
    await assert.rejects(verifyHandoffToken('x', { key: randomBytes(32), algorithms: [] }), TypeError)
    await assert.rejects(
      verifyHandoffToken('x', { key: randomBytes(32), algorithms: ['HS256', 'RS256'] }),
      TypeError,
    )
  })
})

// createUserVerify's hooks, each proven by a login through real Express, Passport and sessions:
// find, just-in-time creation (on, off per IdP in code and in the record), beforeLogin refusals,
// afterLogin, groups replaced or merged, case-insensitive matching, and hook failures as typed errors.
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import {
  createUserVerify,
  isSamlError,
  type SamlAttempt,
  type SamlUserIdentity,
  type UserVerifyOptions,
} from '../../lib/index.js'
import { startTestApp, TestBrowser, type TestApp } from '../support/app.js'
import type { TestIdp } from '../support/test-idp.js'
import { type TestAttribute } from '../support/test-idp.js'
import { acme, globex } from '../support/tenant-idps.js'

interface AppUser {
  id: string
  idp: string
  key: string
  groups: string[]
  disabled?: boolean
  isActive?: unknown
}

/** The app's user table, and what the hooks were asked. */
class Users {
  readonly rows = new Map<string, AppUser>()
  readonly calls: string[] = []
  seed(idp: string, key: string, groups: string[] = [], extra: Partial<AppUser> = {}): AppUser {
    const user = { id: `${idp}:${key}`, idp, key, groups, ...extra }
    this.rows.set(user.id, user)
    return user
  }
}

let users = new Users()
const attempts: SamlAttempt[] = []

/** The options under test, changed per test; the app's verify always delegates to the current one. */
let current: ReturnType<typeof createUserVerify<AppUser>>
function hooks(extra: Partial<UserVerifyOptions<AppUser>> = {}): void {
  current = createUserVerify<AppUser>({
    findUser: (identity) => {
      users.calls.push(`findUser ${identity.idp} ${identity.key}`)
      return users.rows.get(`${identity.idp}:${identity.key}`)
    },
    createUser: async (identity, newUser) => {
      users.calls.push(`createUser ${identity.key} [${newUser.groups.join(',')}]`)
      return users.seed(identity.idp, identity.key, [...newUser.groups], {
        isActive: newUser.defaults.isActive,
      })
    },
    afterLogin: (user, _identity, login) =>
      void users.calls.push(`afterLogin ${user.id} created=${login.created}`),
    ...extra,
  })
}

describe('user hooks (createUserVerify) through Express and Passport', { timeout: 120_000 }, () => {
  let app: TestApp

  before(async () => {
    app = await startTestApp({
      verify: (profile, done) => current(profile, done),
      strategy: { onAttempt: (attempt) => void attempts.push(attempt) },
    })
    for (const [id, idp] of [
      ['acme', acme],
      ['globex', globex],
    ] as const) {
      await app.store.put({
        id,
        metadataXml: idp.metadataXml(),
        allowIdpInitiated: true,
        // email as sent (no lowercase transform), so case-insensitive matching is the hooks' doing
        attributeMap: { email: 'email', groups: 'groups' },
        groupsMap: { 'okta-admins': 'admin' },
      })
    }
  })
  after(() => app.close())
  beforeEach(() => {
    users = new Users()
    attempts.length = 0
    hooks()
  })

  /** An IdP-initiated login; JSON answers for failures. */
  async function login(
    idp: TestIdp,
    idpId: string,
    email: string,
    groups: string[] = [],
    browser = new TestBrowser(),
  ) {
    const attributes: TestAttribute[] = [{ name: 'email', values: [email] }]
    if (groups.length > 0) attributes.push({ name: 'groups', values: groups })
    const response = await idp.createResponse({
      spEntityId: `${app.baseUrl}/saml/${idpId}/metadata`,
      acsUrl: `${app.baseUrl}/saml/${idpId}/acs`,
      nameId: `nameid-${email}`,
      attributes,
    })
    const res = await browser.post(`${app.baseUrl}/saml/${idpId}/acs`, {
      SAMLResponse: response.base64,
      RelayState: '/after',
    })
    return { res, browser }
  }

  async function me(browser: TestBrowser): Promise<AppUser> {
    const res = await browser.get(`${app.baseUrl}/me`, true)
    assert.equal(res.status, 200)
    return (await res.json()) as AppUser
  }

  it('finds an existing user: signed in with that user, afterLogin told it was not created', async () => {
    users.seed('acme', 'alice@acme.test', ['staff'])
    const { res, browser } = await login(acme, 'acme', 'alice@acme.test')
    assert.equal(res.status, 302)
    assert.equal(res.headers.get('location'), '/after')
    assert.equal((await me(browser)).id, 'acme:alice@acme.test')
    assert.deepEqual(users.calls, [
      'findUser acme alice@acme.test',
      'afterLogin acme:alice@acme.test created=false',
    ])
  })

  it('creates a user on first login (JIT) with the new-user defaults; the next login finds it', async () => {
    hooks({ newUserDefaults: { groups: ['users'], isActive: true }, groups: 'merge', ...groupHooks() })
    const { res, browser } = await login(acme, 'acme', 'bob@acme.test', ['okta-admins', 'eng'])
    assert.equal(res.status, 302)
    const bob = await me(browser)
    assert.equal(bob.id, 'acme:bob@acme.test')
    // the groups map renamed okta-admins; merge keeps the default group
    assert.deepEqual(bob.groups, ['users', 'admin', 'eng'])
    assert.equal(bob.isActive, true)
    assert.deepEqual(users.calls, [
      'findUser acme bob@acme.test',
      'createUser bob@acme.test [users,admin,eng]',
      'afterLogin acme:bob@acme.test created=true',
    ])
    users.calls.length = 0
    assert.equal((await login(acme, 'acme', 'bob@acme.test', ['okta-admins', 'eng'])).res.status, 302)
    assert.deepEqual(users.calls, [
      'findUser acme bob@acme.test',
      'afterLogin acme:bob@acme.test created=false',
    ])
  })

  it('JIT off for one IdP (perIdp): an unknown user there is a 401 denial, not a 500; other IdPs still create', async () => {
    hooks({ perIdp: { globex: { jitProvisioning: false } } })
    const { res } = await login(globex, 'globex', 'carol@globex.test')
    assert.equal(res.status, 401)
    const body = (await res.json()) as { error: { code: string; message: string } }
    assert.equal(body.error.code, 'ERR_SAML_ACCESS_DENIED')
    assert.match(body.error.message, /not created at sign-in/)
    assert.equal(users.rows.size, 0)
    assert.equal(attempts.at(-1)?.error?.code, 'ERR_SAML_ACCESS_DENIED')
    assert.equal((await login(acme, 'acme', 'carol@acme.test')).res.status, 302)
    assert.equal(users.rows.size, 1)
  })

  it("the record's jitProvisioning wins over the hooks' setting", async () => {
    await app.store.put({ ...(await app.store.get('acme'))!, jitProvisioning: false })
    try {
      const { res } = await login(acme, 'acme', 'dave@acme.test')
      assert.equal(res.status, 401)
      assert.equal(users.rows.size, 0)
      hooks({ jitProvisioning: false, perIdp: { acme: { jitProvisioning: false } } })
      await app.store.put({ ...(await app.store.get('acme'))!, jitProvisioning: true })
      assert.equal((await login(acme, 'acme', 'dave@acme.test')).res.status, 302)
      assert.equal(users.rows.size, 1)
    } finally {
      const { jitProvisioning: _, ...rest } = (await app.store.get('acme'))!
      await app.store.put(rest)
    }
  })

  it('beforeLogin refuses with a reason and a code of its own: 401 with both, no session', async () => {
    users.seed('acme', 'erin@acme.test', [], { disabled: true })
    hooks({
      beforeLogin: (user) =>
        user.disabled ? { refuse: 'your account is disabled', code: 'APP_DISABLED' } : true,
    })
    const { res, browser } = await login(acme, 'acme', 'erin@acme.test')
    assert.equal(res.status, 401)
    assert.deepEqual(await res.json(), {
      error: { code: 'APP_DISABLED', message: 'your account is disabled' },
    })
    assert.equal((await browser.get(`${app.baseUrl}/me`, true)).status, 401)
    assert.ok(
      !users.calls.some((c) => c.startsWith('afterLogin')),
      'afterLogin never runs for a refused login',
    )
    hooks({ beforeLogin: () => false })
    const plain = await login(acme, 'acme', 'erin@acme.test')
    assert.equal(plain.res.status, 401)
    assert.equal(
      ((await plain.res.json()) as { error: { code: string } }).error.code,
      'ERR_SAML_ACCESS_DENIED',
    )
  })

  for (const hook of ['identify', 'findUser', 'createUser', 'beforeLogin', 'afterLogin'] as const) {
    it(`a ${hook} hook that throws is a 500 ERR_SAML_USER_HOOK naming it, its error as cause`, async () => {
      const bug = new Error(`database down in ${hook}`)
      hooks({
        [hook]: () => {
          throw bug
        },
      })
      // An error handler of the app's own sees the typed error (the router answers it as JSON).
      const { res } = await login(acme, 'acme', 'frank@acme.test')
      assert.equal(res.status, 500)
      const body = (await res.json()) as { error: { code: string; message: string } }
      assert.equal(body.error.code, 'ERR_SAML_USER_HOOK')
      assert.match(body.error.message, new RegExp(`"${hook}"`))
      assert.doesNotMatch(body.error.message, /database down/, 'the cause stays on the server')
      assert.equal(attempts.at(-1)?.error?.code, 'ERR_SAML_USER_HOOK')
      // The core's form of the same decision rejects with the typed error and its cause.
      const profile = attempts.at(-1)!.profile!
      const seen: unknown = await current
        .verdict({ ...profile, context: { idp: (await app.store.get('acme'))! } } as never)
        .catch((err: unknown) => err)
      assert.ok(isSamlError(seen, 'ERR_SAML_USER_HOOK'))
      assert.equal((seen as Error).cause, bug)
    })
  }

  it('groups: replace makes the IdP the source of truth; merge only adds', async () => {
    const signIn = async (idp: TestIdp, idpId: string, email: string, groups: string[]) =>
      assert.equal((await login(idp, idpId, email, groups)).res.status, 302, `${email} signs in`)
    users.seed('acme', 'gina@acme.test', ['billing', 'staff'])
    hooks({ groups: 'replace', ...groupHooks() })
    await signIn(acme, 'acme', 'gina@acme.test', ['okta-admins'])
    assert.deepEqual(users.rows.get('acme:gina@acme.test')!.groups, ['admin'])
    users.seed('acme', 'hank@acme.test', ['billing'])
    hooks({ groups: 'merge', ...groupHooks() })
    await signIn(acme, 'acme', 'hank@acme.test', ['okta-admins', 'billing'])
    assert.deepEqual(users.rows.get('acme:hank@acme.test')!.groups, ['billing', 'admin'])
    // Unchanged groups are not written again.
    users.calls.length = 0
    await signIn(acme, 'acme', 'hank@acme.test', ['billing'])
    assert.ok(users.calls.includes('afterLogin acme:hank@acme.test created=false'), users.calls.join('; '))
    assert.ok(!users.calls.some((c) => c.startsWith('setUserGroups')))
    // Per IdP: globex replaces while acme merges.
    users.seed('globex', 'ivy@globex.test', ['billing'])
    hooks({ groups: 'merge', ...groupHooks(), perIdp: { globex: { groups: 'replace' } } })
    await signIn(globex, 'globex', 'ivy@globex.test', ['eng'])
    assert.deepEqual(users.rows.get('globex:ivy@globex.test')!.groups, ['eng'])
  })

  it('case-insensitive matching finds Alice@ACME.test as alice@acme.test; off, it does not', async () => {
    users.seed('acme', 'alice@acme.test')
    hooks({ caseInsensitive: true, createUser: undefined })
    const { browser } = await login(acme, 'acme', 'Alice@ACME.test')
    assert.equal((await me(browser)).id, 'acme:alice@acme.test')
    hooks({ createUser: undefined })
    assert.equal((await login(acme, 'acme', 'Alice@ACME.test')).res.status, 401)
  })

  it('identify changes the key (here: the NameID), and users are looked up per IdP', async () => {
    users.seed('acme', 'nameid-jo@acme.test')
    const seen: SamlUserIdentity[] = []
    hooks({
      identify: (profile) => ({ key: profile.nameID }),
      findUser: (identity) => (seen.push(identity), users.rows.get(`${identity.idp}:${identity.key}`)),
      createUser: undefined,
    })
    assert.equal((await login(acme, 'acme', 'jo@acme.test')).res.status, 302)
    // the same email from another IdP is another identity: no account there
    assert.equal((await login(globex, 'globex', 'jo@acme.test')).res.status, 401)
    assert.deepEqual(
      seen.map((i) => [i.idp, i.key, i.email]),
      [
        ['acme', 'nameid-jo@acme.test', 'jo@acme.test'],
        ['globex', 'nameid-jo@acme.test', 'jo@acme.test'],
      ],
    )
  })
})

function groupHooks(): Pick<UserVerifyOptions<AppUser>, 'userGroups' | 'setUserGroups'> {
  return {
    userGroups: (user) => user.groups,
    setUserGroups: (user, groups) => {
      users.calls.push(`setUserGroups ${user.id} [${groups.join(',')}]`)
      user.groups = [...groups]
    },
  }
}

describe('createUserVerify options are checked up front', () => {
  const findUser = () => undefined
  const cases: [string, () => unknown, RegExp][] = [
    ['no findUser', () => createUserVerify({}), /"options\.findUser" is required/],
    [
      'a hook that is not a function',
      () => createUserVerify({ findUser, createUser: 'x' as never }),
      /"options\.createUser" must be a function/,
    ],
    [
      'a typo',
      () => createUserVerify({ findUser, beforeLogn: () => true } as never),
      /"options\.beforeLogn" is not a user hook/,
    ],
    [
      'groups without its hooks',
      () => createUserVerify({ findUser, groups: 'merge' }),
      /"options\.groups" needs "userGroups"/,
    ],
    [
      'a bad groups mode',
      () => createUserVerify({ findUser, groups: 'union' as never }),
      /'replace' or 'merge'/,
    ],
    [
      'bad new-user groups',
      () => createUserVerify({ findUser, newUserDefaults: { groups: 'admins' as never } }),
      /newUserDefaults\.groups/,
    ],
    [
      'a bad per-IdP override',
      () => createUserVerify({ findUser, perIdp: { acme: { jitProvisioning: 'no' as never } } }),
      /"options\.perIdp\.acme\.jitProvisioning" must be true or false/,
    ],
  ]
  for (const [name, make, message] of cases) {
    it(`${name}: TypeError`, () =>
      assert.throws(make, (err: unknown) => err instanceof TypeError && message.test(err.message)))
  }
})

/**
 * `npm run bench -- users`: what issue #12's layers add to one login, beside the SAML work the acs
 * and http sections measure.
 *
 * - User hooks: `createUserVerify(…).verdict(profile)` with in-memory hooks (a Map lookup, a Map
 *   insert), against a plain async verify doing the same lookup: the difference is the layer's own
 *   cost (identity, per-IdP settings, hook calls). Cases: a returning user; a returning user whose
 *   groups are merged (read, compared, unchanged); a first login that creates the user.
 * - Token hand-off: `tokenHandoff.issue(login)` (claims, signing, the fragment URL) per algorithm,
 *   and `verifyHandoffToken` on the API side.
 *
 * Environment: `BENCH_USERS_N` timed calls per row (default 2000), after a tenth as warm-up.
 *
 * @module
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { hrtime } from 'node:process'
import { normalizeIdpRecord } from '../lib/entries/core.js'
import {
  createTokenHandoff,
  createUserVerify,
  verifyHandoffToken,
  type HandoffAlgorithm,
  type IdpRecord,
  type SamlProfile,
} from '../lib/index.js'
import { keys } from '../spec/support/test-idp.js'
import { fmtMs, machineLine, markdownTable, summarize } from './support/stats.js'

const N = (() => {
  const raw = process.env.BENCH_USERS_N
  const n = raw === undefined ? 2000 : Number(raw)
  if (!Number.isInteger(n) || n < 1)
    throw new TypeError(`BENCH_USERS_N must be a positive integer, got "${raw}"`)
  return n
})()

/** Median and p95 of `fn` over N calls (each timed on its own), after N/10 warm-up calls. */
async function time(fn: (i: number) => Promise<unknown>): Promise<{ medianMs: number; p95Ms: number }> {
  for (let i = 0; i < Math.ceil(N / 10); i++) await fn(-1 - i)
  const samples: bigint[] = []
  const started = hrtime.bigint()
  for (let i = 0; i < N; i++) {
    const t = hrtime.bigint()
    await fn(i)
    samples.push(hrtime.bigint() - t)
  }
  return summarize(samples, hrtime.bigint() - started)
}

const record: IdpRecord = {
  ...normalizeIdpRecord({
    id: 'acme',
    entityId: 'https://idp.acme.test/saml',
    ssoUrl: 'https://idp.acme.test/sso',
    signingCerts: [keys.idpAcme.cert],
    groupsMap: { 'okta-admins': 'admin' },
  }),
  version: 1,
  updatedAt: new Date(0).toISOString(),
}

/** A profile as the core hands verify one (mapped fields, frozen, context not enumerable). */
function profileOf(email: string): SamlProfile {
  const profile = {
    idp: 'acme',
    issuer: record.entityId,
    nameID: email,
    assertionId: `_${email}`,
    mapped: { email, firstName: 'Alice', lastName: 'Doe', groups: ['admin', 'eng'] },
    attributes: [],
  }
  Object.defineProperty(profile, 'context', {
    value: { idp: record, returnTo: '/', assertionXml: () => '', responseXml: () => '' },
  })
  return Object.freeze(profile) as unknown as SamlProfile
}

interface User {
  id: string
  groups: string[]
}

async function hooksRows(): Promise<string[][]> {
  const returning = profileOf('alice@acme.test')
  const users = new Map<string, User>([['acme:alice@acme.test', { id: 'u1', groups: ['admin', 'eng'] }]])
  const find = (idp: string, key: string) => users.get(`${idp}:${key}`)
  const plain = async (profile: SamlProfile) => find(profile.idp, profile.mapped.email!)
  const hooks = createUserVerify<User>({
    findUser: (identity) => find(identity.idp, identity.key),
    createUser: (identity, newUser) => {
      const user = { id: identity.key, groups: [...newUser.groups] }
      users.set(`${identity.idp}:${identity.key}`, user)
      return user
    },
    beforeLogin: () => true,
    afterLogin: () => {},
  })
  const merging = createUserVerify<User>({
    findUser: (identity) => find(identity.idp, identity.key),
    groups: 'merge',
    userGroups: (user) => user.groups,
    setUserGroups: (user, groups) => void (user.groups = [...groups]),
  })
  const newcomers = Array.from({ length: N + Math.ceil(N / 10) + 1 }, (_, i) =>
    profileOf(`new-${i}@acme.test`),
  )
  const rows: [string, () => Promise<{ medianMs: number; p95Ms: number }>][] = [
    ['plain async verify, returning user (baseline)', () => time(() => plain(returning))],
    ['hooks: returning user (find, before, after)', () => time(() => hooks.verdict(returning))],
    ['hooks: returning user, groups merged', () => time(() => merging.verdict(returning))],
    ['hooks: first login, user created (JIT)', () => time((i) => hooks.verdict(newcomers.at(i)!))],
  ]
  const out: string[][] = []
  for (const [name, run] of rows) {
    const t = await run()
    out.push([name, (t.medianMs * 1000).toFixed(2), (t.p95Ms * 1000).toFixed(2)])
  }
  return out
}

async function handoffRows(): Promise<string[][]> {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const pairs: Record<string, { privateKey: KeyObject; publicKey: KeyObject }> = {
    RS256: rsa,
    PS256: rsa,
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    EdDSA: generateKeyPairSync('ed25519'),
  }
  const secret = randomBytes(32)
  const login = { user: { id: 'u1' }, profile: profileOf('alice@acme.test'), returnTo: '/reports?id=7' }
  const out: string[][] = []
  for (const alg of ['HS256', 'EdDSA', 'ES256', 'RS256', 'PS256'] as HandoffAlgorithm[]) {
    const pair = pairs[alg]
    const handoff = createTokenHandoff({
      algorithm: alg,
      key: pair?.privateKey ?? secret,
      frontendUrl: 'https://app.example.com/auth/callback',
      issuer: 'https://api.example.com',
      audience: 'app.example.com',
    })
    const issue = await time(() => handoff.issue(login))
    const { token } = await handoff.issue(login)
    const check = {
      key: pair?.publicKey ?? secret,
      algorithms: [alg],
      issuer: 'https://api.example.com',
      audience: 'app.example.com',
    }
    const verify = await time(() => verifyHandoffToken(token, check))
    out.push([alg, fmtMs(issue.medianMs), fmtMs(issue.p95Ms), fmtMs(verify.medianMs), fmtMs(verify.p95Ms)])
  }
  return out
}

export async function run(): Promise<void> {
  console.log('\n## Users and tokens: the user hooks layer and the JWT hand-off, per login\n')
  console.log(machineLine())
  console.log(
    `${N} timed calls per row, one at a time, after ${Math.ceil(N / 10)} warm-up calls; hooks in memory.\n`,
  )
  console.log(markdownTable(['verify', 'median µs', 'p95 µs'], await hooksRows()))
  console.log('\nToken hand-off: issue (claims, sign, fragment URL) and verifyHandoffToken (the API side)\n')
  console.log(
    markdownTable(
      ['algorithm', 'issue median ms', 'issue p95 ms', 'verify median ms', 'verify p95 ms'],
      await handoffRows(),
    ),
  )
}

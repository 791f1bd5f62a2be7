/**
 * The demo's local password accounts, for users of a tenant that has no SSO: a small list kept in
 * `DATA_DIR/local-users.json` (owner-only), each with an scrypt hash, never the password. At first
 * start it is seeded with one documented demo user of a third tenant, Initech, which has no IdP.
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hashPassword, verifyPassword } from './password-hash.js'

/** One local account. */
export interface LocalUser {
  /** Lower case; also the NameID of the session. */
  readonly email: string
  readonly displayName: string
  readonly firstName: string
  readonly lastName: string
  readonly groups: readonly string[]
  /** `hashPassword`'s result. */
  readonly passwordHash: string
}

/** The demo user seeded at first start. Its password is documented (docs/demo.md): it is a demo. */
export const DEMO_LOCAL_USER = {
  email: 'erin@initech.test',
  password: 'erin-demo',
  displayName: 'Erin Ito',
  firstName: 'Erin',
  lastName: 'Ito',
  groups: ['everyone', 'finance'],
} as const

const FILE = 'local-users.json'

/** A hash of nothing anyone types: unknown emails cost the same scrypt work as known ones. */
let decoyHash: Promise<string> | undefined

/** The local accounts; see the module documentation. */
export class LocalUsers {
  private constructor(private readonly users: readonly LocalUser[]) {}

  /**
   * Reads `DATA_DIR/local-users.json`; at first start (no file) writes it, with the demo user when
   * `seed`.
   *
   * @example
   * ```ts
   * const users = await LocalUsers.open('.demo-data', true)
   * ```
   */
  static async open(dataDir: string, seed: boolean): Promise<LocalUsers> {
    const file = join(dataDir, FILE)
    if (existsSync(file)) {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { users?: LocalUser[] }
      if (!Array.isArray(parsed.users)) throw new Error(`${file}: expected {"users": [...]}`)
      return new LocalUsers(parsed.users.map((u) => ({ ...u, email: u.email.toLowerCase() })))
    }
    const users: LocalUser[] = []
    if (seed) {
      const { password, ...user } = DEMO_LOCAL_USER
      users.push({ ...user, groups: [...user.groups], passwordHash: await hashPassword(password) })
    }
    writeFileSync(file, `${JSON.stringify({ users }, null, 2)}\n`, { mode: 0o600 })
    return new LocalUsers(users)
  }

  /** True when some local account has an email at `domain`. */
  hasDomain(domain: string): boolean {
    const suffix = `@${domain.toLowerCase()}`
    return this.users.some((u) => u.email.endsWith(suffix))
  }

  /** The email domains of the local accounts, for the sign-in page. */
  domains(): string[] {
    return [...new Set(this.users.map((u) => u.email.slice(u.email.indexOf('@') + 1)))].sort()
  }

  /**
   * The account when `password` is its password; undefined otherwise (an unknown email costs the
   * same hashing as a wrong password, so timing does not tell which).
   *
   * @example
   * ```ts
   * const user = await users.verify('erin@initech.test', 'erin-demo')
   * ```
   */
  async verify(email: string, password: string): Promise<LocalUser | undefined> {
    const user = this.users.find((u) => u.email === email.trim().toLowerCase())
    if (!user) {
      await verifyPassword(password, await (decoyHash ??= hashPassword('decoy')))
      return undefined
    }
    return (await verifyPassword(password, user.passwordHash)) ? user : undefined
  }
}

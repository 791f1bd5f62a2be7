// What a migration finds on its way: problems (which make it throw) and notes (which it returns).
// Both are keyed by option and message, so one finding names every tenant it applies to, in the
// order the tenants were read; the first time a finding is made fixes its place in the list.
import type {
  PassportSamlMigrationNote,
  PassportSamlMigrationProblem,
  PassportSamlMigrationReason,
} from './migration-types.js'

/** The open issue that brings the AuthnRequest (and SP metadata) options this library lacks. */
export const REQUEST_OPTIONS_ISSUE = '#10 "Every binding, every option, every IdP"'

type Entry<T> = { tenants: string[] } & T

/** Problems and notes, one entry per option and message, with the tenants they apply to. */
export class Findings {
  readonly problems = new Map<string, Entry<Omit<PassportSamlMigrationProblem, 'tenants'>>>()
  readonly notes = new Map<string, Entry<Omit<PassportSamlMigrationNote, 'tenants'>>>()

  constructor(private readonly ignore: ReadonlySet<string>) {}

  refuse(
    tenant: string | undefined,
    option: string,
    reason: PassportSamlMigrationReason,
    message: string,
    issue?: string,
  ): void {
    // An option listed in `ignore` is left behind with a note; a conflict cannot be (one SP key).
    if (reason !== 'conflict' && this.ignore.has(option)) {
      this.note(tenant, option, `left behind (ignore): ${message}`)
      return
    }
    const key = `${option}\u0000${reason}\u0000${message}`
    const tenants = tenant === undefined ? [] : [tenant]
    const entry = this.problems.get(key)
    if (entry) entry.tenants.push(...tenants)
    else this.problems.set(key, { option, reason, message, ...(issue !== undefined && { issue }), tenants })
  }

  /** A feature of the issue `issue` that this library does not have yet. */
  notYet(tenant: string, option: string, what: string, issue = REQUEST_OPTIONS_ISSUE): void {
    this.refuse(
      tenant,
      option,
      'not-yet-supported',
      `${what} is not supported yet; it comes with issue ${issue}. Remove the option, or list it in \`ignore\` to go on without it`,
      issue,
    )
  }

  note(tenant: string | undefined, option: string, message: string): void {
    const key = `${option}\u0000${message}`
    const tenants = tenant === undefined ? [] : [tenant]
    const entry = this.notes.get(key)
    if (entry) entry.tenants.push(...tenants)
    else this.notes.set(key, { option, message, tenants })
  }

  /** The problems as the error lists them, each tenant once. */
  problemList(): PassportSamlMigrationProblem[] {
    return [...this.problems.values()].map(({ tenants: t, ...p }) => ({ ...p, tenants: [...new Set(t)] }))
  }

  /** The notes as the migration returns them: frozen, each tenant once. */
  noteList(): readonly PassportSamlMigrationNote[] {
    return Object.freeze(
      [...this.notes.values()].map(({ tenants: t, ...n }) =>
        Object.freeze({ ...n, tenants: Object.freeze([...new Set(t)]) }),
      ),
    )
  }
}

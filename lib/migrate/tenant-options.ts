// One tenant's effective options, as the steps of migrateTenant read them: typed readers that
// refuse a value of the wrong kind (naming the option and the tenant) and hand back undefined, so
// a step carries only what is valid and every bad value still becomes a problem.
import type { Findings } from './findings.js'
import type { PassportSamlMigrationReason } from './migration-types.js'
import type { PassportSamlOptions } from './passport-saml-options.js'

/** A value's kind, for messages: never the value itself, which may be a secret. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && !/\s/.test(value)
  } catch {
    return false
  }
}

/** One tenant's options, with readers that record what is wrong against this tenant. */
export class TenantOptions {
  /** The options as plain data: from JSON or an app's own object, any key may be there. */
  readonly options: PassportSamlOptions & Readonly<Record<string, unknown>>

  constructor(
    readonly id: string,
    options: PassportSamlOptions,
    private readonly f: Findings,
  ) {
    this.options = options as PassportSamlOptions & Readonly<Record<string, unknown>>
  }

  has(option: string): boolean {
    return this.options[option] !== undefined
  }

  refuse(option: string, reason: PassportSamlMigrationReason, message: string): void {
    this.f.refuse(this.id, option, reason, message)
  }

  notYet(option: string, what: string, issue?: string): void {
    this.f.notYet(this.id, option, what, issue)
  }

  note(option: string, message: string): void {
    this.f.note(this.id, option, message)
  }

  /** A non-empty string, trimmed. */
  text(option: string): string | undefined {
    const value = this.options[option]
    if (value === undefined) return undefined
    if (typeof value !== 'string' || value.trim() === '') {
      this.refuse(option, 'invalid', `must be a non-empty string, got ${describe(value)}`)
      return undefined
    }
    return value.trim()
  }

  /** An absolute http(s) URL; `what` says which one, for the message. */
  url(option: string, what: string): string | undefined {
    const value = this.text(option)
    if (value !== undefined && !isHttpUrl(value)) {
      this.refuse(
        option,
        'invalid',
        `must be an absolute http(s) URL (${what}), got ${JSON.stringify(value.slice(0, 200))}`,
      )
      return undefined
    }
    return value
  }

  flag(option: string): boolean | undefined {
    const value = this.options[option]
    if (value === undefined) return undefined
    if (typeof value !== 'boolean') {
      this.refuse(option, 'invalid', `must be true or false, got ${describe(value)}`)
      return undefined
    }
    return value
  }

  integer(option: string, min: number, max: number): number | undefined {
    const value = this.options[option]
    if (value === undefined) return undefined
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.refuse(option, 'invalid', `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`)
      return undefined
    }
    return value
  }

  /** Extra parameters that would be sent: passport-saml's `{}` (or null) sends none. */
  nonEmptyParams(option: string): boolean {
    const value = this.options[option]
    return (
      value !== undefined && value !== null && (typeof value !== 'object' || Object.keys(value).length > 0)
    )
  }
}

/**
 * The break-glass audit trail: every break-glass sign-in attempt, granted or refused, is written
 * to the log (one line, prefixed `[break-glass]`) and appended to `DATA_DIR/break-glass-audit.jsonl`,
 * which the admin page shows. Kept on disk so that it survives a restart and is shared by the
 * instances sharing `DATA_DIR`.
 *
 * @module
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** What came of one attempt. */
export type BreakGlassOutcome = 'granted' | 'wrong-password' | 'not-confirmed' | 'rate-limited'

/** One audited attempt. */
export interface BreakGlassEvent {
  /** ISO-8601. */
  readonly at: string
  readonly outcome: BreakGlassOutcome
  /** The reason the admin typed (up to 300 characters). */
  readonly reason: string
  readonly ip: string
  readonly userAgent: string
  /** When the granted session ends. */
  readonly expiresAt?: string
}

const FILE = 'break-glass-audit.jsonl'

/** Writes and reads the audit trail; see the module documentation. */
export class BreakGlassAudit {
  private readonly file: string

  /** @param log where the log line goes (default `console.warn`) */
  constructor(
    dataDir: string,
    private readonly log: (line: string) => void = console.warn,
  ) {
    this.file = join(dataDir, FILE)
  }

  /**
   * Logs and stores `event`.
   *
   * @example
   * ```ts
   * audit.record({ at: new Date().toISOString(), outcome: 'granted', reason, ip: req.ip ?? '', userAgent })
   * ```
   */
  record(event: BreakGlassEvent): void {
    const clean: BreakGlassEvent = {
      ...event,
      reason: event.reason.slice(0, 300),
      userAgent: event.userAgent.slice(0, 200),
    }
    appendFileSync(this.file, `${JSON.stringify(clean)}\n`, { mode: 0o600 })
    this.log(
      `[break-glass] ${clean.at} ${clean.outcome} from ${clean.ip}: ${JSON.stringify(clean.reason)}${
        clean.expiresAt ? ` (session until ${clean.expiresAt})` : ''
      }`,
    )
  }

  /** The newest `limit` events, newest first. */
  list(limit = 20): BreakGlassEvent[] {
    if (!existsSync(this.file)) return []
    const lines = readFileSync(this.file, 'utf8').split('\n').filter(Boolean).slice(-limit)
    const events: BreakGlassEvent[] = []
    for (const line of lines) {
      try {
        events.push(JSON.parse(line) as BreakGlassEvent)
      } catch {
        // A torn line (a crash mid-write) is skipped, not fatal.
      }
    }
    return events.reverse()
  }
}

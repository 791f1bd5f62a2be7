// A logger for specs that keeps what it is given: the observability specs read its lines and child
// bindings, the trace specs wait on its warnings.
import type { SamlLogger } from '../../lib/index.js'

/** One line a {@link CapturingLogger} got, with the bindings of the child that wrote it. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly fields: Record<string, unknown>
  readonly msg: string | undefined
  readonly bindings: Record<string, unknown>
}

/** A pino-shaped logger that keeps its lines, and the `child` calls made of it. */
export class CapturingLogger implements SamlLogger {
  readonly lines: LogLine[]
  readonly children: Array<Record<string, unknown>>

  constructor(
    private readonly bindings: Record<string, unknown> = {},
    shared?: { lines: LogLine[]; children: Array<Record<string, unknown>> },
  ) {
    this.lines = shared?.lines ?? []
    this.children = shared?.children ?? []
  }

  private write(level: LogLine['level'], fields: object, msg?: string): void {
    this.lines.push({ level, fields: { ...fields }, msg, bindings: this.bindings })
  }

  debug(fields: object, msg?: string): void {
    this.write('debug', fields, msg)
  }
  info(fields: object, msg?: string): void {
    this.write('info', fields, msg)
  }
  warn(fields: object, msg?: string): void {
    this.write('warn', fields, msg)
  }
  error(fields: object, msg?: string): void {
    this.write('error', fields, msg)
  }
  child(bindings: Record<string, unknown>): CapturingLogger {
    this.children.push(bindings)
    return new CapturingLogger({ ...this.bindings, ...bindings }, this)
  }
}

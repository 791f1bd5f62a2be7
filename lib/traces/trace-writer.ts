import { traceOfAttempt, type TraceSource } from './build-trace.js'
import type { SamlTraceStore } from './saml-trace.js'

/**
 * The `traces` option of the strategy and the core: where every ACS attempt is kept as a
 * {@link SamlTrace}, and for how long.
 *
 * @example
 * ```ts
 * import { MemoryTraceStore, type SamlTracesOptions } from 'passport-saml-multi-idp'
 * const traces: SamlTracesOptions = { store: new MemoryTraceStore(), maxAgeMs: 7 * 86_400_000 }
 * ```
 */
export interface SamlTracesOptions {
  /** Where traces go. */
  store: SamlTraceStore
  /**
   * Keep NameIDs, attribute values, addresses and the mapped profile's values in traces. Default
   * false: they are replaced by `"[redacted]"`, and an admin sees which attributes came, not what
   * they held.
   */
  includePersonalData?: boolean
  /** Traces older than this are deleted, in ms. Default 30 days. */
  maxAgeMs?: number
  /** At most this many traces are kept per IdP (the newest). Default 1000. */
  maxPerIdp?: number
  /**
   * Traces waiting to be written, at most. A login never waits for its trace: when the store is
   * slower than logins come, traces past this many are dropped (and logged). Default 1000.
   */
  queueSize?: number
}

const DAY = 86_400_000
/** Retention runs after this many writes (and after the first). */
const PRUNE_EVERY = 100

/** Checked `traces` options with defaults filled in. */
export type ResolvedTracesOptions = Readonly<Required<SamlTracesOptions>>

function positiveInteger(value: unknown, option: string, fallback: number, max: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new TypeError(`"options.traces.${option}" must be an integer from 1 to ${max}`)
  }
  return value
}

/** Checks the `traces` option up front (a TypeError naming the field). */
export function resolveTracesOptions(options: SamlTracesOptions): ResolvedTracesOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('"options.traces" must be an object: { store, includePersonalData?, maxAgeMs?, … }')
  }
  const store = options.store as unknown as Record<string, unknown> | undefined
  if (!store || !['add', 'get', 'list', 'prune'].every((m) => typeof store[m] === 'function')) {
    throw new TypeError(
      '"options.traces.store" must be a SamlTraceStore (add, get, list, prune), e.g. new MemoryTraceStore()',
    )
  }
  const includePersonalData = options.includePersonalData ?? false
  if (typeof includePersonalData !== 'boolean') {
    throw new TypeError('"options.traces.includePersonalData" must be true or false')
  }
  return Object.freeze({
    store: options.store,
    includePersonalData,
    maxAgeMs: positiveInteger(options.maxAgeMs, 'maxAgeMs', 30 * DAY, 3650 * DAY),
    maxPerIdp: positiveInteger(options.maxPerIdp, 'maxPerIdp', 1000, 10_000_000),
    queueSize: positiveInteger(options.queueSize, 'queueSize', 1000, 1_000_000),
  })
}

/**
 * Writes traces after the answer: `write` only queues (bounded), and the queue drains one trace at
 * a time on a later turn of the event loop, so neither building a trace (parsing and redacting the
 * response) nor a slow store delays a login. Failures and drops go to `onError`; they never reach
 * the login.
 */
export class TraceWriter {
  private readonly queue: TraceSource[] = []
  private draining: Promise<void> | undefined
  private written = 0
  private dropped = 0

  constructor(
    private readonly options: ResolvedTracesOptions,
    private readonly onError: (message: string, err?: unknown) => void,
  ) {}

  /** Queues the trace of one attempt: true, or false when the queue is full and it was dropped. */
  write(source: TraceSource): boolean {
    if (this.queue.length >= this.options.queueSize) {
      // Reported once per burst, not once per dropped trace.
      if (this.dropped++ === 0)
        this.onError(`the trace queue is full (${this.options.queueSize}); dropping traces`)
      return false
    }
    this.queue.push(source)
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain())
    return true
  }

  private async drain(): Promise<void> {
    const { store, includePersonalData, maxAgeMs, maxPerIdp } = this.options
    for (let source = this.queue.shift(); source; source = this.queue.shift()) {
      try {
        await store.add(traceOfAttempt(source, includePersonalData))
      } catch (err) {
        this.onError(`trace ${source.id} was not stored`, err)
      }
      if (this.written++ % PRUNE_EVERY === 0) {
        await store
          .prune({ maxAgeMs, maxPerIdp })
          .catch((err: unknown) => this.onError('pruning traces failed', err))
      }
    }
    if (this.dropped > 0) {
      this.onError(`${this.dropped} traces were dropped while the trace queue was full`)
      this.dropped = 0
    }
    this.draining = undefined
  }
}

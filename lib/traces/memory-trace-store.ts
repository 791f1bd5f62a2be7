import {
  checkListTracesOptions,
  checkPruneOptions,
  checkTrace,
  type ListTracesOptions,
  type PruneTracesOptions,
  type SamlTrace,
  type SamlTraceStore,
} from './saml-trace.js'

/** Newest first: `at` descending, then `id` descending (ISO times of one format sort as strings). */
function newestFirst(a: Pick<SamlTrace, 'at' | 'id'>, b: Pick<SamlTrace, 'at' | 'id'>): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1
}

/**
 * A {@link SamlTraceStore} in this process's memory: for development, tests and single-instance
 * apps that can lose their traces on restart. Traces are copied in and out, so no caller can change
 * a stored one.
 *
 * @example
 * ```ts
 * import { MemoryTraceStore } from 'passport-saml-multi-idp'
 * const traces = new MemoryTraceStore()
 * const latest = await traces.list({ idp: 'acme', limit: 1 })
 * ```
 */
export class MemoryTraceStore implements SamlTraceStore {
  private readonly traces = new Map<string, SamlTrace>()

  async add(trace: SamlTrace): Promise<void> {
    checkTrace(trace)
    if (!this.traces.has(trace.id)) this.traces.set(trace.id, structuredClone(trace))
  }

  async get(id: string): Promise<SamlTrace | undefined> {
    const trace = this.traces.get(id)
    return trace && structuredClone(trace)
  }

  async list(options: ListTracesOptions = {}): Promise<SamlTrace[]> {
    const limit = checkListTracesOptions(options)
    const { idp, outcome, before } = options
    return [...this.traces.values()]
      .filter(
        (t) =>
          (idp === undefined || t.idp === idp) &&
          (outcome === undefined || t.outcome === outcome) &&
          (before === undefined || newestFirst(t, before) > 0),
      )
      .sort(newestFirst)
      .slice(0, limit)
      .map((t) => structuredClone(t))
  }

  async prune(options: PruneTracesOptions): Promise<number> {
    const { maxAgeMs, maxPerIdp, now } = checkPruneOptions(options)
    const oldest = maxAgeMs === undefined ? undefined : new Date(now - maxAgeMs).toISOString()
    const keptPerIdp = new Map<string | undefined, number>()
    let deleted = 0
    for (const trace of [...this.traces.values()].sort(newestFirst)) {
      const kept = keptPerIdp.get(trace.idp) ?? 0
      if ((oldest !== undefined && trace.at < oldest) || (maxPerIdp !== undefined && kept >= maxPerIdp)) {
        this.traces.delete(trace.id)
        deleted++
      } else {
        keptPerIdp.set(trace.idp, kept + 1)
      }
    }
    return deleted
  }
}

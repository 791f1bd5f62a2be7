/** Timing statistics for the benchmarks. */
import { cpus, loadavg } from 'node:os'

/** Summary of per-response times, in milliseconds. */
export interface Timing {
  readonly count: number
  readonly medianMs: number
  readonly p95Ms: number
  readonly meanMs: number
  /** Responses per second over the whole timed block (garbage collection included). */
  readonly perSecond: number
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

/** Median, p95 and mean of `samplesNs` (nanoseconds each), and throughput over `totalNs`. */
export function summarize(samplesNs: readonly bigint[], totalNs: bigint): Timing {
  const ms = samplesNs.map((ns) => Number(ns) / 1e6).sort((a, b) => a - b)
  const mean = ms.reduce((s, x) => s + x, 0) / ms.length
  return {
    count: ms.length,
    medianMs: quantile(ms, 0.5),
    p95Ms: quantile(ms, 0.95),
    meanMs: mean,
    perSecond: ms.length / (Number(totalNs) / 1e9),
  }
}

/** Formats a number of milliseconds for the tables. */
export function fmtMs(ms: number): string {
  return ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3)
}

/** Renders rows as a GitHub-flavoured Markdown table, columns padded for the terminal. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

/** The machine line every section starts with: Node, platform, CPU, load and time of the run. */
export function machineLine(): string {
  const cpu = cpus()
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')
  return `Node ${process.version} (${process.platform}/${process.arch}), ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, load average ${load}, ${new Date().toISOString()}`
}

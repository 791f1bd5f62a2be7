/**
 * Memory allocated per call, garbage included: V8's sampling heap profiler, told to keep the
 * samples of objects the young and old generation collectors freed, estimates every byte allocated
 * while it runs (each sample is scaled by its odds of being taken), which a heap-size difference
 * around the calls cannot see once a scavenge has run.
 *
 * @module
 */
import type { HeapProfiler } from 'node:inspector'
import { Session } from 'node:inspector/promises'

function bytesIn(node: HeapProfiler.SamplingHeapProfileNode): number {
  let sum = node.selfSize
  for (const child of node.children) sum += bytesIn(child)
  return sum
}

/** KB allocated per item while `fn` handles every item, one at a time. */
export async function allocatedKbPerItem<T>(
  items: readonly T[],
  fn: (item: T) => void | Promise<void>,
): Promise<number> {
  const session = new Session()
  session.connect()
  try {
    await session.post('HeapProfiler.enable')
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    })
    for (const item of items) await fn(item)
    const { profile } = await session.post('HeapProfiler.stopSampling')
    return bytesIn(profile.head) / 1024 / items.length
  } finally {
    session.disconnect()
  }
}

/**
 * Readiness waits for specs (house rule: wait by readiness, never by sleeping, and assert no timings).
 *
 * `waitUntil` polls a condition with a short pause between tries until it holds. It has no deadline
 * of its own: the test's `timeout` option bounds it, and the test's `signal` (aborted when that timeout
 * expires) ends the polling, so a condition that never holds fails the test instead of blocking the
 * run, while a slow, busy machine only makes the wait longer.
 *
 * @example
 * ```ts
 * it('sees the change', { timeout: 30_000 }, async (t) => {
 *   await waitUntil(async () => (await store.get('acme'))?.version === 2, {
 *     signal: t.signal,
 *     what: 'the new version',
 *   })
 * })
 * ```
 */

// Captured when the module loads, before any spec turns on `mock.timers`: the pause between tries
// must be real time even in a test that drives the code under test with a mocked clock.
const realSetTimeout = globalThis.setTimeout
const realClearTimeout = globalThis.clearTimeout

export interface WaitUntilOptions {
  /** The test's `signal`: aborted when the test times out, which ends the wait. */
  readonly signal: AbortSignal
  /** What is awaited, for the error once the test timed out. */
  readonly what: string
  /** Pause between tries, in ms (default 20): a polling interval, not a guess at how long it takes. */
  readonly pauseMs?: number
}

/**
 * Resolves once `check` returns true. An error thrown by `check` is not retried: it fails the wait at
 * once (catch the errors you expect inside `check`).
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  { signal, what, pauseMs = 20 }: WaitUntilOptions,
): Promise<void> {
  for (;;) {
    if (signal.aborted) throw stopped(what, signal)
    if (await check()) return
    await pause(pauseMs, signal, what)
  }
}

/** A real-time pause of `ms`, cut short (rejecting) when `signal` aborts. */
function pause(ms: number, signal: AbortSignal, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      realClearTimeout(timer)
      reject(stopped(what, signal))
    }
    const timer = realSetTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

function stopped(what: string, signal: AbortSignal): Error {
  return new Error(`still waiting for ${what} when the test was stopped`, { cause: signal.reason })
}

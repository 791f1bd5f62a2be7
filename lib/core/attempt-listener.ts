import type { SamlLogger } from '../observability/saml-logger.js'
import { resolveTracesOptions, TraceWriter, type SamlTracesOptions } from '../traces/trace-writer.js'
import { markTraced, type SamlAttempt } from './attempt.js'

// Beside instrument.ts, which wraps flows in the logger and telemetry: this wires the other
// observer of the ACS, the trace writer. A file of its own because the options resolve it (and
// instrument.ts depends on the context those options are part of).
/**
 * What the ACS flow calls with each attempt: the app's `onAttempt`, then the trace writer (which
 * only queues; the trace is built and stored after the answer). Undefined when neither is set, so
 * an app without either pays nothing. Failures of either never reach the login: the writer's go to
 * the logger.
 */
export function attemptListener(
  onAttempt: ((attempt: SamlAttempt) => void) | undefined,
  traces: SamlTracesOptions | undefined,
  logger: SamlLogger | undefined,
): ((attempt: SamlAttempt) => void) | undefined {
  if (traces === undefined) return onAttempt
  const writer = new TraceWriter(resolveTracesOptions(traces), (message, err) => {
    try {
      logger?.warn(
        { component: 'passport-saml-multi-idp', err: err instanceof Error ? err.message : err },
        message,
      )
    } catch {
      // A logger that throws is ignored, as everywhere else.
    }
  })
  return (attempt) => {
    try {
      onAttempt?.(attempt)
    } catch {
      // The app's hook failing must not cost the trace.
    }
    if (writer.write(attempt)) markTraced(attempt)
  }
}

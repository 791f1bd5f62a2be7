import { SamlError } from '../errors/saml-error.js'
import type { FlowSummary, Observer, SamlFlowName } from '../observability/observer.js'
import type { CoreContext, FlowNote } from './core-context.js'
import type { SamlAcsOutcome, SamlLoginOutcome, SamlLogoutOutcome, SamlMetadataOutcome } from './outcome.js'

type AnyOutcome = SamlLoginOutcome | SamlAcsOutcome<unknown> | SamlLogoutOutcome | SamlMetadataOutcome

/** What the logs and telemetry may know of an outcome: never the user's attributes or profile. */
function summarize(outcome: AnyOutcome, note: FlowNote): FlowSummary {
  const error = outcome.type === 'denied' || outcome.type === 'error' ? outcome.error : undefined
  const samlError = error instanceof SamlError ? error : undefined
  const checks = 'checks' in outcome ? outcome.checks : undefined
  return {
    idp: note.idp ?? samlError?.idp ?? (outcome.type === 'accepted' ? outcome.session.idp : undefined),
    outcome: outcome.type,
    code: samlError?.code,
    check: checks?.find((c) => !c.ok)?.name,
    nameID: outcome.type === 'accepted' ? outcome.session.nameID : undefined,
  }
}

/**
 * Runs one flow of the core observed: a span around it, the login metrics and one log line when it
 * ends. The flow gets a context of its own carrying a note it fills in (the IdP), and its outcome is
 * returned as it is; nothing the logger or telemetry does can change it. Flows never throw, but a
 * throw is passed on after it is recorded as an error.
 */
export async function observeFlow<T extends AnyOutcome>(
  ctx: CoreContext,
  observer: Observer,
  flow: SamlFlowName,
  run: (ctx: CoreContext) => Promise<T>,
): Promise<T> {
  const note: FlowNote = {}
  const observed = await observer.start(flow)
  let outcome: T
  try {
    outcome = await run({ ...ctx, note })
  } catch (err) {
    observed.end({ idp: note.idp, outcome: 'error', code: undefined, check: undefined, nameID: undefined })
    throw err
  }
  observed.end(summarize(outcome, note))
  return outcome
}

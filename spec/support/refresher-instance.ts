// One app instance running only a refresher, as its own process, for the two-process specs: the
// SQL IdP store on PostgreSQL, and a clock the parent moves. With FED_SOURCE it runs the federation
// refresher for that source, without it the metadata refresher. Driven over IPC:
//   { type: 'look', id }           -> runs one refreshDue(), answers { type: 'looked', id, results | outcome }
//   { type: 'advance', id, ms }    -> moves its clock, answers { type: 'advanced', id }
// Says { type: 'ready' } once its store is open; exits when the parent disconnects.
//
// env: PG_URL, PG_SCHEMA, FED_SOURCE (optional, JSON: id, url, signingCerts)
import { startFederationRefresh, startMetadataRefresh, type FederationSource } from '../../lib/index.js'
import { SqlIdpStore } from '../../lib/entries/sql.js'

type Command = { type: 'look'; id: number } | { type: 'advance'; id: number; ms: number }

const env = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is required`)
  return value
}

let offset = 0
const store = await SqlIdpStore.open({ connectionString: env('PG_URL'), schema: env('PG_SCHEMA') })
const options = {
  fetch: { allowHttp: true, allowPrivateNetwork: true },
  clock: () => Date.now() + offset,
  immediate: false,
  // The parent decides when to look; the timer's looks (rare at this interval) would only add claims.
  checkIntervalMs: 3_600_000,
}
const federation = process.env.FED_SOURCE
  ? startFederationRefresh(store, JSON.parse(process.env.FED_SOURCE) as FederationSource, options)
  : undefined
const metadata = federation ? undefined : startMetadataRefresh(store, options)

/** What one look did, as plain JSON for the parent. */
async function look(): Promise<object> {
  if (metadata) {
    const results = await metadata.refreshDue()
    return { results: results.map((r) => ({ idp: r.idp, outcome: r.outcome })) }
  }
  const outcome = await federation!.refreshDue()
  return {
    outcome: outcome && {
      result: outcome.result && { outcome: outcome.result.outcome, created: outcome.result.created },
      error: outcome.error === undefined ? undefined : String(outcome.error),
    },
  }
}

process.on('message', (command: Command) => {
  void (async () => {
    if (command.type === 'advance') {
      offset += command.ms
      process.send!({ type: 'advanced', id: command.id })
    } else {
      process.send!({ type: 'looked', id: command.id, ...(await look()) })
    }
  })()
})
process.once('disconnect', () => {
  ;(federation ?? metadata)!.stop()
  void store.close().then(() => process.exit(0))
})
process.send!({ type: 'ready' })

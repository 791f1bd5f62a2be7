// One app instance running only a federation refresher, as its own process, for the two-process
// federation spec: the SQL IdP store on PostgreSQL, and a clock the parent moves. Driven over IPC:
//   { type: 'look', id }           -> runs one refreshDue(), answers { type: 'looked', id, outcome }
//   { type: 'advance', id, ms }    -> moves its clock, answers { type: 'advanced', id }
// Says { type: 'ready' } once its store is open; exits when the parent disconnects.
//
// env: PG_URL, PG_SCHEMA, FED_SOURCE (JSON: id, url, signingCerts)
import { startFederationRefresh, type FederationSource } from '../../lib/index.js'
import { SqlIdpStore } from '../../lib/entries/sql.js'

type Command = { type: 'look'; id: number } | { type: 'advance'; id: number; ms: number }

const env = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is required`)
  return value
}

let offset = 0
const store = await SqlIdpStore.open({ connectionString: env('PG_URL'), schema: env('PG_SCHEMA') })
const refresher = startFederationRefresh(store, JSON.parse(env('FED_SOURCE')) as FederationSource, {
  fetch: { allowHttp: true, allowPrivateNetwork: true },
  clock: () => Date.now() + offset,
  immediate: false,
  // The parent decides when to look; the timer would only add looks of its own.
  checkIntervalMs: 3_600_000,
})
refresher.stop()

process.on('message', (command: Command) => {
  void (async () => {
    if (command.type === 'advance') {
      offset += command.ms
      process.send!({ type: 'advanced', id: command.id })
    } else {
      const outcome = await refresher.refreshDue()
      process.send!({
        type: 'looked',
        id: command.id,
        outcome: outcome && {
          result: outcome.result && { outcome: outcome.result.outcome, created: outcome.result.created },
          error: outcome.error === undefined ? undefined : String(outcome.error),
        },
      })
    }
  })()
})
process.once('disconnect', () => {
  refresher.stop()
  void store.close().then(() => process.exit(0))
})
process.send!({ type: 'ready' })

// One app instance running only the metadata refresher, as its own process, for the two-process
// refresh spec: the SQL IdP store on PostgreSQL, and a clock the parent moves. Driven over IPC:
//   { type: 'look', id }           -> runs one refreshDue(), answers { type: 'looked', id, results }
//   { type: 'advance', id, ms }    -> moves its clock, answers { type: 'advanced', id }
// Says { type: 'ready' } once its store is open; exits when the parent disconnects.
//
// env: PG_URL, PG_SCHEMA
import { startMetadataRefresh } from '../../lib/index.js'
import { SqlIdpStore } from '../../lib/entries/sql.js'

type Command = { type: 'look'; id: number } | { type: 'advance'; id: number; ms: number }

const env = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is required`)
  return value
}

let offset = 0
const store = await SqlIdpStore.open({ connectionString: env('PG_URL'), schema: env('PG_SCHEMA') })
const refresher = startMetadataRefresh(store, {
  fetch: { allowHttp: true, allowPrivateNetwork: true },
  clock: () => Date.now() + offset,
  immediate: false,
  // The parent decides when to look; the timer's looks (rare at this interval) would only add claims.
  checkIntervalMs: 3_600_000,
})

process.on('message', (command: Command) => {
  void (async () => {
    if (command.type === 'advance') {
      offset += command.ms
      process.send!({ type: 'advanced', id: command.id })
    } else {
      const results = await refresher.refreshDue()
      process.send!({
        type: 'looked',
        id: command.id,
        results: results.map((r) => ({ idp: r.idp, outcome: r.outcome })),
      })
    }
  })()
})
process.once('disconnect', () => {
  refresher.stop()
  void store.close().then(() => process.exit(0))
})
process.send!({ type: 'ready' })

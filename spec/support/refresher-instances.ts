// The parent side of the two-process refresh specs: starts spec/support/refresher-instance.ts as a
// child on one PostgreSQL schema, asks it over IPC, and stops every child and drops the schema.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import pg from 'pg'

export const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface RefresherInstance<Answer> {
  /** Sends a command and resolves with the answer carrying its id. */
  ask(command: Record<string, unknown>): Promise<Answer>
}

const children: ChildProcess[] = []
let asked = 0

/** Starts one refresher process on `schema` (`env` adds e.g. FED_SOURCE), resolved once it says it is ready. */
export async function startRefresherInstance<Answer>(
  schema: string,
  env: Record<string, string> = {},
): Promise<RefresherInstance<Answer>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./refresher-instance.ts', import.meta.url).pathname],
    {
      env: { ...process.env, PG_URL, PG_SCHEMA: schema, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  )
  children.push(child)
  const pending = new Map<number, (answer: Answer) => void>()
  child.on('message', (message: { id?: number }) => {
    if (message.id !== undefined) pending.get(message.id)?.(message as Answer)
  })
  // Ready when it says so.
  await Promise.race([
    new Promise<void>((resolve) =>
      child.on('message', (m: { type: string }) => m.type === 'ready' && resolve()),
    ),
    once(child, 'exit').then(([code]) => {
      throw new Error(`refresher instance exited with ${code} before it was ready`)
    }),
  ])
  return {
    ask: (command) =>
      new Promise((resolve) => {
        const id = ++asked
        pending.set(id, resolve)
        child.send({ ...command, id })
      }),
  }
}

/** Disconnects every started instance, waits for each to exit, then drops `schema`. */
export async function stopRefresherInstances(schema: string): Promise<void> {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const exited = once(child, 'exit')
    child.disconnect()
    await exited
  }
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await client.end()
}

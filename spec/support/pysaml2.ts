/**
 * Runs spec/support/pysaml2_idp.py, the pysaml2 IdP (Debian's python3-pysaml2 + xmlsec1): one JSON
 * command in, one JSON answer out (the commands are listed in the script).
 *
 * @module
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'

const PYTHON = '/usr/bin/python3'
const SCRIPT = new URL('./pysaml2_idp.py', import.meta.url).pathname

/**
 * Runs one pysaml2 command. Asynchronous on purpose: a synchronous child process would freeze the
 * event loop for seconds on a busy machine, and the test app's keep-alive timers would then close
 * sockets the client is about to reuse (`fetch failed`).
 */
export async function pysaml2<T>(command: Record<string, unknown>): Promise<T> {
  const child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  child.stdin.end(JSON.stringify(command))
  const [code] = (await once(child, 'close')) as [number | null]
  if (code !== 0) throw new Error(`pysaml2_idp.py exited with ${code}: ${err}`)
  return JSON.parse(out) as T
}

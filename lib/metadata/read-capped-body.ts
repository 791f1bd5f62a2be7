import type { IncomingMessage } from 'node:http'
import { SamlError } from '../errors/saml-error.js'

/** The options a caller's messages name, e.g. `fetch.maxBytes`; without them the messages name none. */
export interface CappedBodyOptionNames {
  readonly maxBytes: string
  readonly timeoutMs: string
}

/**
 * The chunks of a fetched document's body, refused past `maxBytes` (by its Content-Length before
 * reading, and by what arrives). A broken connection, or the fetch's deadline aborting the stream,
 * becomes `fail`'s error too, so every failure is the caller's typed fetch error. The response is
 * destroyed when reading stops for any reason (including a consumer that stops early), so a
 * refused document is not downloaded to the end. One reader for a single IdP's metadata (collected
 * into text) and a federation aggregate (streamed into the signature check).
 */
export async function* readCappedBody(
  response: IncomingMessage,
  maxBytes: number,
  fail: (message: string, cause?: unknown) => SamlError,
  optionNames?: CappedBodyOptionNames,
): AsyncGenerator<Buffer> {
  const named = (message: string, option: keyof CappedBodyOptionNames) =>
    optionNames === undefined ? message : `${message} (${optionNames[option]})`
  const tooLarge = () => fail(named(`the document is larger than ${maxBytes} bytes`, 'maxBytes'))
  try {
    const declared = Number(response.headers['content-length'])
    if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge()
    let size = 0
    for await (const chunk of response) {
      size += (chunk as Buffer).length
      if (size > maxBytes) throw tooLarge()
      yield chunk as Buffer
    }
  } catch (err) {
    if (err instanceof SamlError) throw err
    const timedOut = (err as { name?: string }).name === 'AbortError'
    throw fail(timedOut ? named('timed out', 'timeoutMs') : 'the connection failed while reading', err)
  } finally {
    response.destroy()
  }
}

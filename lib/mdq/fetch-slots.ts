import { SamlError } from '../errors/saml-error.js'

/** Runs a task when one of the slots is free. */
export type FetchSlots = <T>(task: () => Promise<T>) => Promise<T>

/**
 * At most `concurrency` tasks at once, and at most `maxWaiting` waiting for a slot: past that a
 * lookup is refused at once (`ERR_SAML_METADATA_FETCH`) rather than queued without bound.
 */
export function fetchSlots(concurrency: number, maxWaiting: number): FetchSlots {
  let running = 0
  const waiting: (() => void)[] = []
  return async (task) => {
    if (running < concurrency) running++
    else if (waiting.length < maxWaiting) await new Promise<void>((resolve) => waiting.push(resolve))
    else
      throw new SamlError(
        `too many MDQ lookups are waiting (${maxWaiting}); try again shortly`,
        'ERR_SAML_METADATA_FETCH',
      )
    try {
      return await task()
    } finally {
      // Hand the slot to the next waiter, or give it back.
      const next = waiting.shift()
      if (next) next()
      else running--
    }
  }
}

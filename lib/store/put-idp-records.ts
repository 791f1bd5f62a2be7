import { SamlError } from '../errors/saml-error.js'
import type { IdpRecordInput } from '../record/record-fields.js'
import type { IdpStore, PutManyOutcome } from './idp-store.js'

/** Options for {@link putIdpRecords}. */
export interface PutIdpRecordsOptions {
  /**
   * Puts at once when the store has no `putMany` (default 1: in order, so of two inputs claiming one
   * entityID the first wins, as with `putMany`). Ignored when the store has `putMany`.
   */
  concurrency?: number
}

/**
 * Writes many records: through the store's `putMany` when it has one (each input validated once,
 * the accepted ones written together), else one `put` per input. Either way an input the store
 * refuses (`ERR_SAML_IDP_CONFIG`, `ERR_SAML_IDP_CONFLICT`, …) gets its error in its outcome and
 * the others are written. A store failure (`ERR_SAML_STORE_UNAVAILABLE`, or anything that is not a
 * SamlError) throws: with `putMany` nothing of the call is written, without it the puts that
 * finished before the failure stay.
 */
export async function putIdpRecords(
  store: IdpStore,
  inputs: readonly IdpRecordInput[],
  options: PutIdpRecordsOptions = {},
): Promise<PutManyOutcome[]> {
  const { concurrency = 1 } = options
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new TypeError('"options.concurrency" must be an integer from 1 to 64')
  if (typeof store.putMany === 'function') return store.putMany(inputs)
  const outcomes: PutManyOutcome[] = new Array(inputs.length)
  let next = 0
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++
      try {
        outcomes[i] = { record: await store.put(inputs[i]!) }
      } catch (err) {
        if (!refusal(err)) throw err
        outcomes[i] = { error: err }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker))
  return outcomes
}

/** A store that cannot be reached fails the call; any other typed refusal is the input's. */
export function refusal(err: unknown): err is SamlError {
  return err instanceof SamlError && err.code !== 'ERR_SAML_STORE_UNAVAILABLE'
}

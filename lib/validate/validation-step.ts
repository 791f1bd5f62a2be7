import { SamlError, type SamlErrorCode } from '../errors/saml-error.js'
import type { CheckLog, SamlCheckName } from './check-log.js'

/** Refuses the message: every check of the validator fails through here. */
export function fail(code: SamlErrorCode, message: string): never {
  throw new SamlError(message, code)
}

/**
 * Fail-closed backstop: every check throws a typed `SamlError`; anything else (a DOM or
 * canonicalization library surprised by hostile input) becomes `ERR_SAML_MALFORMED` with the
 * original as `cause`, so a caller never sees an untyped error for bad input.
 */
export function asSamlError(err: unknown): SamlError {
  if (err instanceof SamlError) return err
  return new SamlError('the response could not be processed', 'ERR_SAML_MALFORMED', { cause: err })
}

/**
 * Runs one check of the validator, recorded in `log` when there is one. An untyped error is
 * recorded as the `ERR_SAML_MALFORMED` it becomes, so the log's last entry carries the code the
 * caller gets; without a log the caller's backstop converts it the same way.
 */
export function runStep<T>(log: CheckLog | undefined, name: SamlCheckName, check: () => T): T {
  if (log === undefined) return check()
  let value: T
  try {
    value = check()
  } catch (err) {
    const error = asSamlError(err)
    log.fail(name, error)
    throw error
  }
  log.pass(name)
  return value
}

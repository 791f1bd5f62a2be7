import { SamlError } from '../../errors/saml-error.js'

/**
 * The error for one IdP file that cannot be used, its message starting with the file's name so an
 * admin knows which file to fix: `IdP file "acme.yaml": …`.
 */
export function idpFileError(
  file: string,
  id: string,
  message: string,
  cause?: unknown,
  code: 'ERR_SAML_IDP_CONFIG' | 'ERR_SAML_IDP_CONFLICT' = 'ERR_SAML_IDP_CONFIG',
): SamlError {
  return new SamlError(`IdP file "${file}": ${message}`, code, {
    ...(cause !== undefined && { cause }),
    idp: id,
  })
}

/** The error for a directory that cannot be listed at all (missing, no permission). */
export function unreadableDirectoryError(dir: string, cause: unknown): SamlError {
  return new SamlError(`cannot read IdP directory ${dir}: ${String(cause)}`, 'ERR_SAML_STORE_UNAVAILABLE', {
    cause,
  })
}

import { SamlError } from '../errors/saml-error.js'

/**
 * Loads an optional peer package (pg, PGlite, ioredis) only when a feature needs it. A missing
 * package is `ERR_SAML_PEER_MISSING` naming the install command, so an app can tell it from an
 * outage by code; any other load failure keeps its own error as `cause`.
 *
 * `load` must be a literal `() => import('name')` at the call site, so bundlers see the import.
 */
export async function importOptionalPeer<T>(
  name: string,
  neededFor: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
    throw new SamlError(
      missing
        ? `${neededFor} needs the "${name}" package, which is not installed: npm install ${name}`
        : `${neededFor} could not load the "${name}" package: ${err instanceof Error ? err.message : String(err)}`,
      'ERR_SAML_PEER_MISSING',
      { cause: err },
    )
  }
}

import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SamlError } from '../../errors/saml-error.js'
import { readMetadataStatus, type IdpMetadataStatus } from '../metadata-status.js'

/**
 * The metadata status of each IdP of a {@link FileIdpStore}, one JSON file per IdP in a dot
 * directory (`.metadata-status/<id>.json`), which the store never reads as records and a watcher
 * of the directory does not see change. It survives a restart; claims live in the process only.
 */
export class MetadataStatusFiles {
  private readonly dir: string

  constructor(storeDir: string) {
    this.dir = join(storeDir, '.metadata-status')
  }

  /** The saved status, or undefined (none, or one that does not read back). */
  async read(id: string): Promise<IdpMetadataStatus | undefined> {
    let text: string
    try {
      text = await readFile(join(this.dir, `${id}.json`), 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw unavailable(id, 'cannot read', err)
    }
    try {
      const status = readMetadataStatus(JSON.parse(text))
      return typeof status === 'string' ? undefined : status
    } catch {
      return undefined
    }
  }

  /** Writes the status atomically (a temporary file, then rename). */
  async write(id: string, status: IdpMetadataStatus): Promise<void> {
    const target = join(this.dir, `${id}.json`)
    const temp = join(this.dir, `.${id}.${randomBytes(6).toString('hex')}.tmp`)
    try {
      await mkdir(this.dir, { recursive: true })
      await writeFile(temp, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o644 })
      await rename(temp, target)
    } catch (err) {
      await rm(temp, { force: true }).catch(() => {})
      throw unavailable(id, 'cannot write', err)
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await rm(join(this.dir, `${id}.json`), { force: true })
    } catch (err) {
      throw unavailable(id, 'cannot delete', err)
    }
  }
}

function unavailable(id: string, what: string, cause: unknown): SamlError {
  return new SamlError(
    `IdP "${id}": ${what} its metadata status file: ${String(cause)}`,
    'ERR_SAML_STORE_UNAVAILABLE',
    { cause, idp: id },
  )
}

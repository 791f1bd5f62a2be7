import { randomBytes } from 'node:crypto'
import { rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify as stringifyYaml } from 'yaml'
import { SamlError } from '../../errors/saml-error.js'
import type { IdpRecord } from '../../record/record-fields.js'

/**
 * Writes `record` to `file` in `dir`, as YAML when the file is `.yaml`/`.yml` and JSON otherwise.
 * Atomic: the body goes to a temporary file that is then renamed over `file`, so a reader (or a
 * watching instance) never sees half a record. Throws `ERR_SAML_STORE_UNAVAILABLE` when it cannot.
 */
export async function writeIdpFile(dir: string, file: string, record: IdpRecord): Promise<void> {
  const yaml = !file.endsWith('.json')
  const body = yaml ? stringifyYaml({ ...record }) : `${JSON.stringify(record, null, 2)}\n`
  const target = join(dir, file)
  // A dot file, so a reload in the meantime never reads it as a record.
  const temp = join(dir, `.${file}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(temp, body, { mode: 0o644 })
    await rename(temp, target)
  } catch (err) {
    await rm(temp, { force: true }).catch(() => {})
    throw new SamlError(
      `IdP "${record.id}": cannot write ${target}: ${String(err)}`,
      'ERR_SAML_STORE_UNAVAILABLE',
      { cause: err, idp: record.id },
    )
  }
}

/** Removes the file of IdP `id`; throws `ERR_SAML_STORE_UNAVAILABLE` when it cannot. */
export async function removeIdpFile(dir: string, file: string, id: string): Promise<void> {
  try {
    await rm(join(dir, file), { force: true })
  } catch (err) {
    throw new SamlError(`IdP "${id}": cannot delete ${file}: ${String(err)}`, 'ERR_SAML_STORE_UNAVAILABLE', {
      cause: err,
      idp: id,
    })
  }
}

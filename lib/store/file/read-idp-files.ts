import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { SamlError } from '../../errors/saml-error.js'
import { normalizeIdpRecord } from '../../record/normalize-idp-record.js'
import type { IdpRecordFields, IdpRecordInput } from '../../record/record-fields.js'
import { compareCodeUnits } from '../compare-code-units.js'
import { idpFileError } from './idp-file-error.js'

/** One record file as read from disk: its validated fields, or why it cannot be used. */
export interface LoadedIdpFile {
  /** The id the file is named after. */
  readonly id: string
  readonly file: string
  readonly fields?: IdpRecordFields
  /** A positive integer `version` written in the file (by `put`, or by hand). */
  readonly declaredVersion?: number
  /** A valid `updatedAt` date written in the file. */
  readonly declaredUpdatedAt?: string
  /** The later modification time of the file and its `metadataFile`. */
  readonly mtime: string
  readonly error?: SamlError
}

/** The extensions of record files; anything else in the directory is ignored. */
export const IDP_FILE_EXTENSIONS = ['.json', '.yaml', '.yml'] as const
type IdpFileExtension = (typeof IDP_FILE_EXTENSIONS)[number]

const MAX_FILE_BYTES = 8 * 1024 * 1024
/** A `metadataFile` must be a bare file name, so it cannot reach outside the directory. */
const BARE_FILE_NAME = /^[^/\\]+$/

/**
 * Reads and validates every record file in `dir`, sorted by name. A bad file never makes it throw:
 * it comes back with its `error`. Throws only when `dir` itself cannot be read.
 */
export async function readIdpDirectory(dir: string): Promise<LoadedIdpFile[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .filter((name) => IDP_FILE_EXTENSIONS.some((extension) => name.endsWith(extension)))
    .sort(compareCodeUnits)
  const loaded = await Promise.all(names.map((name) => readIdpFile(dir, name)))
  // Two files for one id (acme.json and acme.yaml): the second is an error.
  const firstFileOfId = new Map<string, string>()
  return loaded.map((result) => {
    const first = firstFileOfId.get(result.id)
    if (first === undefined) {
      firstFileOfId.set(result.id, result.file)
      return result
    }
    return {
      ...result,
      fields: undefined,
      error: idpFileError(
        result.file,
        result.id,
        `"${first}" already defines IdP "${result.id}"`,
        undefined,
        'ERR_SAML_IDP_CONFLICT',
      ),
    }
  })
}

/**
 * Reads one record file (`<id>.json`, `<id>.yaml` or `<id>.yml` in `dir`) and its `metadataFile`,
 * and validates the record with `normalizeIdpRecord`. Never throws: a file that cannot be used comes
 * back with an `ERR_SAML_IDP_CONFIG` naming it.
 */
export async function readIdpFile(dir: string, file: string): Promise<LoadedIdpFile> {
  const extension = IDP_FILE_EXTENSIONS.find((candidate) => file.endsWith(candidate))!
  const id = file.slice(0, -extension.length)
  try {
    const path = join(dir, file)
    const info = await stat(path)
    if (info.size > MAX_FILE_BYTES) throw new Error(`is larger than ${MAX_FILE_BYTES} bytes`)
    let mtime = info.mtime.toISOString()
    const { metadataFile, version, updatedAt, ...fields } = parseIdpFile(
      await readFile(path, 'utf8'),
      extension,
    )
    const input: Record<string, unknown> = { ...fields }
    input.id ??= id
    if (input.id !== id) {
      throw new Error(
        `says its id is ${JSON.stringify(input.id)}; the file of IdP "${String(input.id)}" must be named after it`,
      )
    }
    if (metadataFile !== undefined && metadataFile !== null) {
      if (
        typeof metadataFile !== 'string' ||
        !BARE_FILE_NAME.test(metadataFile) ||
        metadataFile.startsWith('.')
      ) {
        throw new Error('"metadataFile" must name a file in the same directory, like "acme.metadata.xml"')
      }
      if (input.metadataXml !== undefined && input.metadataXml !== null) {
        throw new Error('give "metadataFile" or "metadataXml", not both')
      }
      const metadata = await readMetadataFile(dir, metadataFile)
      input.metadataXml = metadata.xml
      if (metadata.mtime > mtime) mtime = metadata.mtime
    }
    return {
      id,
      file,
      mtime,
      fields: normalizeIdpRecord(input as unknown as IdpRecordInput),
      ...(Number.isInteger(version) && (version as number) > 0 && { declaredVersion: version as number }),
      ...(typeof updatedAt === 'string' &&
        !Number.isNaN(Date.parse(updatedAt)) && { declaredUpdatedAt: updatedAt }),
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    return { id, file, mtime: new Date(0).toISOString(), error: idpFileError(file, id, message, err) }
  }
}

/** The file's one object of record fields, from JSON or YAML. */
function parseIdpFile(text: string, extension: IdpFileExtension): Record<string, unknown> {
  let data: unknown
  try {
    data = extension === '.json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true })
  } catch (err) {
    throw new Error(
      `is not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new Error('must hold one object of IdP record fields')
  }
  return data as Record<string, unknown>
}

async function readMetadataFile(dir: string, name: string): Promise<{ xml: string; mtime: string }> {
  const path = join(dir, name)
  const info = await stat(path).catch((err: unknown) => {
    throw new Error(`"metadataFile" ${name} cannot be read: ${String(err)}`, { cause: err })
  })
  if (info.size > MAX_FILE_BYTES)
    throw new Error(`"metadataFile" ${name} is larger than ${MAX_FILE_BYTES} bytes`)
  return { xml: await readFile(path, 'utf8'), mtime: info.mtime.toISOString() }
}

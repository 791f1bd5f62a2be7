import { randomBytes } from 'node:crypto'
import { watch as watchDir, type FSWatcher } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { SamlError } from '../../errors/saml-error.js'
import type { IdpRecord, IdpRecordFields, IdpRecordInput } from '../../record/record-fields.js'
import { checkListOptions, type IdpStore, type ListIdpsOptions } from '../idp-store.js'
import { normalizeEmailDomain } from '../../record/email-domain.js'
import { normalizeIdpRecord } from '../../record/normalize-idp-record.js'
import { checkUniqueClaims } from '../unique-claims.js'

/** Options for {@link FileIdpStore.open}. */
export interface FileIdpStoreOptions {
  /** The directory of `<id>.json` / `<id>.yaml` / `<id>.yml` files. */
  dir: string
  /** Reload when a file in `dir` changes (debounced). Default false. */
  watch?: boolean
  /** How long a burst of file changes settles before a reload, in ms (default 100). */
  debounceMs?: number
  /**
   * Allow `put` and `delete`, which write `<id>.json` atomically (temporary file + rename) and remove
   * files. Default false: the files are the source of truth and writes throw `ERR_SAML_STORE_READ_ONLY`.
   * Only one process should write a directory; others may read it with `watch`.
   */
  writable?: boolean
  /**
   * Told about every file that could not be loaded. When given, `open` skips bad files instead of
   * throwing. Reloads never throw it away: a file that fails to reload keeps its last good record
   * and is reported here (or as a process warning when there is no `onError`).
   */
  onError?: (err: SamlError) => void
}

interface Entry {
  /** The normalized fields as JSON: what decides whether a reload changed the record. */
  readonly content: string
  readonly record: IdpRecord
  /** The file the record came from. */
  readonly file: string
}

interface Loaded {
  readonly id: string
  readonly file: string
  readonly fields?: IdpRecordFields
  readonly declaredVersion?: number
  readonly declaredUpdatedAt?: string
  readonly mtime: string
  readonly error?: SamlError
}

const EXTENSIONS = ['.json', '.yaml', '.yml'] as const
const MAX_FILE_BYTES = 8 * 1024 * 1024
const SIDECAR = /^[^/\\]+$/

/**
 * A read-mostly {@link IdpStore} over a directory of files, for IdP configuration kept in Git
 * (GitOps) or a Kubernetes ConfigMap. Each `<id>.json`, `<id>.yaml` or `<id>.yml` holds one record's
 * input fields (`id` defaults to the file's base name and, if given, must equal it); `metadataFile:
 * "acme.metadata.xml"` names a metadata XML file beside it, read into `metadataXml`.
 *
 * Every file is validated with `normalizeIdpRecord` at open, and entityIDs and email domains must be
 * unique across files; a bad file is an `ERR_SAML_IDP_CONFIG` naming it (`ERR_SAML_IDP_CONFLICT` for
 * an entityID, email domain or id that another file already claims). Lookups are served from
 * memory. `watch: true` (or calling `reload()`) picks up changes: a record whose content changed
 * gets the next `version`, so the strategy recompiles it; a file that no longer loads keeps its last
 * good record and is reported through `onError`.
 *
 * Read-only unless `writable: true`, which writes records back as JSON files atomically.
 *
 * @example
 * ```ts
 * import { FileIdpStore } from 'passport-saml-multi-idp'
 * // idps/acme.yaml:
 * //   metadataFile: acme.metadata.xml
 * //   emailDomains: [acme.com]
 * //   attributeMap: okta
 * const store = await FileIdpStore.open({ dir: 'idps', watch: true, onError: (err) => log.error(err) })
 * const acme = await store.get('acme')
 * ```
 */
export class FileIdpStore implements IdpStore {
  private entries = new Map<string, Entry>()
  private byEntityId = new Map<string, string>()
  private byDomain = new Map<string, string>()
  /** Serializes reloads and writes. */
  private queue: Promise<unknown> = Promise.resolve()
  private watcher: FSWatcher | undefined
  private debounce: ReturnType<typeof setTimeout> | undefined
  private closed = false

  private constructor(
    /** Absolute path of the directory. */
    readonly dir: string,
    private readonly writable: boolean,
    private readonly debounceMs: number,
    private readonly onError: ((err: SamlError) => void) | undefined,
  ) {}

  /**
   * Loads every record in `dir` (created when missing and `writable`), and starts watching it when
   * `watch` is set.
   *
   * @example
   * ```ts
   * const store = await FileIdpStore.open({ dir: '/etc/myapp/idps' })
   * ```
   */
  static async open(options: FileIdpStoreOptions): Promise<FileIdpStore> {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('FileIdpStore.open: options must be an object like { dir }')
    }
    const { dir, watch = false, writable = false, debounceMs = 100, onError } = options
    if (typeof dir !== 'string' || dir.trim() === '') {
      throw new TypeError('FileIdpStore.open: "options.dir" must be a directory path')
    }
    if (typeof watch !== 'boolean')
      throw new TypeError('FileIdpStore.open: "options.watch" must be true or false')
    if (typeof writable !== 'boolean') {
      throw new TypeError('FileIdpStore.open: "options.writable" must be true or false')
    }
    if (typeof debounceMs !== 'number' || !Number.isFinite(debounceMs) || debounceMs < 0) {
      throw new TypeError(
        'FileIdpStore.open: "options.debounceMs" must be a non-negative number of milliseconds',
      )
    }
    if (onError !== undefined && typeof onError !== 'function') {
      throw new TypeError('FileIdpStore.open: "options.onError" must be a function')
    }
    const store = new FileIdpStore(resolve(dir), writable, debounceMs, onError)
    if (writable) await mkdir(store.dir, { recursive: true })
    let loaded: Loaded[]
    try {
      loaded = await store.readAll()
    } catch (err) {
      throw new SamlError(
        `cannot read IdP directory ${store.dir}: ${String(err)}`,
        'ERR_SAML_STORE_UNAVAILABLE',
        {
          cause: err,
        },
      )
    }
    const failed = loaded.filter((l) => l.error)
    if (failed.length > 0 && onError === undefined) {
      const more =
        failed.length > 1 ? ` (and ${failed.length - 1} more bad file${failed.length > 2 ? 's' : ''})` : ''
      throw new SamlError(`${failed[0]!.error!.message}${more}`, failed[0]!.error!.code, {
        cause: failed[0]!.error,
        idp: failed[0]!.id,
      })
    }
    const errors = store.apply(loaded)
    if (errors.length > 0 && onError === undefined) throw errors[0]!
    for (const err of [...failed.map((l) => l.error!), ...errors]) onError?.(err)
    if (watch) store.startWatching()
    return store
  }

  async get(id: string): Promise<IdpRecord | undefined> {
    return typeof id === 'string' ? this.entries.get(id)?.record : undefined
  }

  async findByEntityId(entityId: string): Promise<IdpRecord | undefined> {
    const id = typeof entityId === 'string' ? this.byEntityId.get(entityId) : undefined
    return id === undefined ? undefined : this.entries.get(id)?.record
  }

  async findByEmailDomain(domain: string): Promise<IdpRecord | undefined> {
    const normalized = normalizeEmailDomain(domain)
    const id = normalized === undefined ? undefined : this.byDomain.get(normalized)
    return id === undefined ? undefined : this.entries.get(id)?.record
  }

  async list(options: ListIdpsOptions = {}): Promise<IdpRecord[]> {
    const { limit, after } = checkListOptions(options)
    const ids = [...this.entries.keys()].filter((id) => after === undefined || id > after).sort(compareIds)
    return (limit === undefined ? ids : ids.slice(0, limit)).map((id) => this.entries.get(id)!.record)
  }

  /** Validates the record and writes it to `<id>.json` (or the YAML file it came from). */
  async put(input: IdpRecordInput): Promise<IdpRecord> {
    this.checkWritable()
    const fields = normalizeIdpRecord(input)
    return this.serially(async () => {
      checkUniqueClaims(fields, this.byEntityId, this.byDomain)
      const previous = this.entries.get(fields.id)
      const now = new Date().toISOString()
      const record: IdpRecord = Object.freeze({
        ...fields,
        version: (previous?.record.version ?? 0) + 1,
        updatedAt: previous && now <= previous.record.updatedAt ? previous.record.updatedAt : now,
      })
      const file = previous?.file ?? `${fields.id}.json`
      const yaml = !file.endsWith('.json')
      const body = yaml ? stringifyYaml({ ...record }) : `${JSON.stringify(record, null, 2)}\n`
      const target = join(this.dir, file)
      const temp = join(this.dir, `.${file}.${randomBytes(6).toString('hex')}.tmp`)
      try {
        await writeFile(temp, body, { mode: 0o644 })
        await rename(temp, target)
      } catch (err) {
        await rm(temp, { force: true }).catch(() => {})
        throw new SamlError(
          `IdP "${fields.id}": cannot write ${target}: ${String(err)}`,
          'ERR_SAML_STORE_UNAVAILABLE',
          {
            cause: err,
            idp: fields.id,
          },
        )
      }
      this.index({ content: JSON.stringify(fields), record, file })
      return record
    })
  }

  /** Removes the record's file. */
  async delete(id: string): Promise<boolean> {
    this.checkWritable()
    if (typeof id !== 'string') return false
    return this.serially(async () => {
      const entry = this.entries.get(id)
      if (!entry) return false
      try {
        await rm(join(this.dir, entry.file), { force: true })
      } catch (err) {
        throw new SamlError(
          `IdP "${id}": cannot delete ${entry.file}: ${String(err)}`,
          'ERR_SAML_STORE_UNAVAILABLE',
          {
            cause: err,
            idp: id,
          },
        )
      }
      this.unindex(entry.record)
      this.entries.delete(id)
      return true
    })
  }

  /**
   * Reads the directory again. Records whose content changed get the next version; removed files
   * remove their records; a file that fails keeps its last good record (new ones are skipped). Every
   * failure is reported to `onError` and returned.
   *
   * @example
   * ```ts
   * const problems = await store.reload() // [] when every file loaded
   * ```
   */
  async reload(): Promise<SamlError[]> {
    return this.serially(async () => {
      let loaded: Loaded[]
      try {
        loaded = await this.readAll()
      } catch (err) {
        const error = new SamlError(
          `cannot read IdP directory ${this.dir}: ${String(err)}`,
          'ERR_SAML_STORE_UNAVAILABLE',
          {
            cause: err,
          },
        )
        this.report(error)
        return [error]
      }
      const errors = [...loaded.flatMap((l) => (l.error ? [l.error] : [])), ...this.apply(loaded)]
      for (const err of errors) this.report(err)
      return errors
    })
  }

  /** Stops watching. Records stay readable. */
  async close(): Promise<void> {
    this.closed = true
    this.watcher?.close()
    this.watcher = undefined
    if (this.debounce !== undefined) clearTimeout(this.debounce)
    this.debounce = undefined
    await this.queue.catch(() => {})
  }

  private checkWritable(): void {
    if (!this.writable) {
      throw new SamlError(
        `this FileIdpStore is read-only: change the files in ${this.dir} (or open it with writable: true)`,
        'ERR_SAML_STORE_READ_ONLY',
      )
    }
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => {})
    return run
  }

  private report(err: SamlError): void {
    if (this.onError) this.onError(err)
    else process.emitWarning(err.message, { code: err.code })
  }

  private startWatching(): void {
    try {
      this.watcher = watchDir(this.dir, { persistent: false }, () => this.scheduleReload())
      this.watcher.on('error', (err) => {
        this.report(
          new SamlError(`watching ${this.dir} failed: ${String(err)}`, 'ERR_SAML_STORE_UNAVAILABLE', {
            cause: err,
          }),
        )
      })
    } catch (err) {
      throw new SamlError(`cannot watch ${this.dir}: ${String(err)}`, 'ERR_SAML_STORE_UNAVAILABLE', {
        cause: err,
      })
    }
  }

  private scheduleReload(): void {
    if (this.closed) return
    if (this.debounce !== undefined) clearTimeout(this.debounce)
    this.debounce = setTimeout(() => {
      this.debounce = undefined
      if (!this.closed) void this.reload()
    }, this.debounceMs)
    this.debounce.unref()
  }

  /** Reads and validates every record file; never throws for one bad file. */
  private async readAll(): Promise<Loaded[]> {
    const names = (await readdir(this.dir, { withFileTypes: true }))
      .filter((d) => (d.isFile() || d.isSymbolicLink()) && !d.name.startsWith('.'))
      .map((d) => d.name)
      .filter((name) => EXTENSIONS.some((ext) => name.endsWith(ext)))
      .sort(compareIds)
    const loaded = await Promise.all(names.map((name) => this.readOne(name)))
    // Two files for one id (acme.json and acme.yaml): the second is an error.
    const seen = new Map<string, string>()
    return loaded.map((l) => {
      const first = seen.get(l.id)
      if (first === undefined) {
        seen.set(l.id, l.file)
        return l
      }
      return {
        ...l,
        fields: undefined,
        error: fileError(
          l.file,
          l.id,
          `"${first}" already defines IdP "${l.id}"`,
          undefined,
          'ERR_SAML_IDP_CONFLICT',
        ),
      }
    })
  }

  private async readOne(file: string): Promise<Loaded> {
    const ext = EXTENSIONS.find((e) => file.endsWith(e))!
    const baseName = file.slice(0, -ext.length)
    const base = { id: baseName, file, mtime: new Date(0).toISOString() }
    try {
      const path = join(this.dir, file)
      const info = await stat(path)
      if (info.size > MAX_FILE_BYTES) throw new Error(`is larger than ${MAX_FILE_BYTES} bytes`)
      const mtime = info.mtime.toISOString()
      const text = await readFile(path, 'utf8')
      let data: unknown
      try {
        data = ext === '.json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true })
      } catch (err) {
        throw new Error(
          `is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${err instanceof Error ? err.message : String(err)}`,
          {
            cause: err,
          },
        )
      }
      if (data === null || typeof data !== 'object' || Array.isArray(data)) {
        throw new Error('must hold one object of IdP record fields')
      }
      const { metadataFile, version, updatedAt, ...fields } = data as Record<string, unknown>
      const input: Record<string, unknown> = { ...fields }
      input.id ??= baseName
      if (input.id !== baseName) {
        throw new Error(
          `says its id is ${JSON.stringify(input.id)}; the file of IdP "${String(input.id)}" must be named after it`,
        )
      }
      if (metadataFile !== undefined && metadataFile !== null) {
        if (typeof metadataFile !== 'string' || !SIDECAR.test(metadataFile) || metadataFile.startsWith('.')) {
          throw new Error('"metadataFile" must name a file in the same directory, like "acme.metadata.xml"')
        }
        if (input.metadataXml !== undefined && input.metadataXml !== null) {
          throw new Error('give "metadataFile" or "metadataXml", not both')
        }
        const xmlPath = join(this.dir, metadataFile)
        const xmlInfo = await stat(xmlPath).catch((err: unknown) => {
          throw new Error(`"metadataFile" ${metadataFile} cannot be read: ${String(err)}`, { cause: err })
        })
        if (xmlInfo.size > MAX_FILE_BYTES)
          throw new Error(`"metadataFile" ${metadataFile} is larger than ${MAX_FILE_BYTES} bytes`)
        input.metadataXml = await readFile(xmlPath, 'utf8')
        if (xmlInfo.mtime.toISOString() > mtime) base.mtime = xmlInfo.mtime.toISOString()
      }
      const normalized = normalizeIdpRecord(input as unknown as IdpRecordInput)
      return {
        ...base,
        mtime: base.mtime > mtime ? base.mtime : mtime,
        fields: normalized,
        ...(Number.isInteger(version) && (version as number) > 0 && { declaredVersion: version as number }),
        ...(typeof updatedAt === 'string' &&
          !Number.isNaN(Date.parse(updatedAt)) && { declaredUpdatedAt: updatedAt }),
      }
    } catch (err) {
      const message =
        err instanceof SamlError ? err.message : err instanceof Error ? err.message : String(err)
      return { ...base, error: fileError(file, baseName, message, err) }
    }
  }

  /**
   * Replaces the indexed set with `loaded`, keeping unchanged records (same object, same version)
   * and the last good record of a file that failed. Returns the uniqueness errors.
   */
  private apply(loaded: readonly Loaded[]): SamlError[] {
    const previous = this.entries
    const entries = new Map<string, Entry>()
    const byEntityId = new Map<string, string>()
    const byDomain = new Map<string, string>()
    const errors: SamlError[] = []
    const accept = (entry: Entry): boolean => {
      try {
        checkUniqueClaims(entry.record, byEntityId, byDomain)
      } catch (err) {
        errors.push(
          fileError(entry.file, entry.record.id, (err as Error).message, err, 'ERR_SAML_IDP_CONFLICT'),
        )
        return false
      }
      entries.set(entry.record.id, entry)
      byEntityId.set(entry.record.entityId, entry.record.id)
      for (const domain of entry.record.emailDomains) byDomain.set(domain, entry.record.id)
      return true
    }
    for (const l of loaded) {
      const last = previous.get(l.id)
      if (!l.fields) {
        if (last) accept(last)
        continue
      }
      const content = JSON.stringify(l.fields)
      let entry: Entry
      if (last && last.content === content) {
        entry = last.file === l.file ? last : { ...last, file: l.file }
      } else {
        const version = last
          ? Math.max(l.declaredVersion ?? 0, last.record.version + 1)
          : (l.declaredVersion ?? 1)
        const updatedAt = l.declaredVersion === version && l.declaredUpdatedAt ? l.declaredUpdatedAt : l.mtime
        entry = { content, file: l.file, record: Object.freeze({ ...l.fields, version, updatedAt }) }
      }
      if (!accept(entry) && last && last !== entry) accept(last)
    }
    this.entries = entries
    this.byEntityId = byEntityId
    this.byDomain = byDomain
    return errors
  }

  private index(entry: Entry): void {
    const previous = this.entries.get(entry.record.id)
    if (previous) this.unindex(previous.record)
    this.entries.set(entry.record.id, entry)
    this.byEntityId.set(entry.record.entityId, entry.record.id)
    for (const domain of entry.record.emailDomains) this.byDomain.set(domain, entry.record.id)
  }

  private unindex(record: IdpRecord): void {
    if (this.byEntityId.get(record.entityId) === record.id) this.byEntityId.delete(record.entityId)
    for (const domain of record.emailDomains) {
      if (this.byDomain.get(domain) === record.id) this.byDomain.delete(domain)
    }
  }
}

function fileError(
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

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

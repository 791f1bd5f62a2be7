import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { SamlError } from '../../errors/saml-error.js'
import { normalizeEmailDomain } from '../../record/email-domain.js'
import { normalizeIdpRecord } from '../../record/normalize-idp-record.js'
import type { IdpRecord, IdpRecordInput } from '../../record/record-fields.js'
import { checkListOptions, type IdpStore, type ListIdpsOptions } from '../idp-store.js'
import {
  checkClaimArguments,
  checkMetadataStatus,
  claimable,
  type IdpMetadataStatus,
} from '../metadata-status.js'
import { MetadataStatusFiles } from './metadata-status-files.js'
import { DirectoryWatcher } from './directory-watcher.js'
import { unreadableDirectoryError } from './idp-file-error.js'
import { readIdpDirectory, type LoadedIdpFile } from './read-idp-files.js'
import { reconcileRecords } from './reconcile-records.js'
import { RecordIndex } from './record-index.js'
import { removeIdpFile, writeIdpFile } from './write-idp-files.js'

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
  private index = new RecordIndex()
  /** Serializes reloads and writes. */
  private queue: Promise<unknown> = Promise.resolve()
  private watcher: DirectoryWatcher | undefined
  private readonly statusFiles: MetadataStatusFiles
  /** Metadata refresh claims: in this process only (one process writes a directory). */
  private readonly leases = new Map<string, { holder: string; until: number }>()

  private constructor(
    /** Absolute path of the directory. */
    readonly dir: string,
    private readonly writable: boolean,
    private readonly onError: ((err: SamlError) => void) | undefined,
  ) {
    this.statusFiles = new MetadataStatusFiles(dir)
  }

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
    const store = new FileIdpStore(resolve(dir), writable, onError)
    if (writable) await mkdir(store.dir, { recursive: true })
    let loaded: LoadedIdpFile[]
    try {
      loaded = await readIdpDirectory(store.dir)
    } catch (err) {
      throw unreadableDirectoryError(store.dir, err)
    }
    const failed = loaded.filter((file) => file.error)
    if (failed.length > 0 && onError === undefined) {
      const more =
        failed.length > 1 ? ` (and ${failed.length - 1} more bad file${failed.length > 2 ? 's' : ''})` : ''
      throw new SamlError(`${failed[0]!.error!.message}${more}`, failed[0]!.error!.code, {
        cause: failed[0]!.error,
        idp: failed[0]!.id,
      })
    }
    const { index, errors } = reconcileRecords(store.index, loaded)
    store.index = index
    if (errors.length > 0 && onError === undefined) throw errors[0]!
    for (const err of [...failed.map((file) => file.error!), ...errors]) onError?.(err)
    if (watch) {
      store.watcher = new DirectoryWatcher(
        store.dir,
        debounceMs,
        () => void store.reload(),
        (err) => store.report(err),
      )
    }
    return store
  }

  async get(id: string): Promise<IdpRecord | undefined> {
    return typeof id === 'string' ? this.index.get(id)?.record : undefined
  }

  async findByEntityId(entityId: string): Promise<IdpRecord | undefined> {
    return typeof entityId === 'string' ? this.index.findByEntityId(entityId) : undefined
  }

  async findByEmailDomain(domain: string): Promise<IdpRecord | undefined> {
    const normalized = normalizeEmailDomain(domain)
    return normalized === undefined ? undefined : this.index.findByEmailDomain(normalized)
  }

  async list(options: ListIdpsOptions = {}): Promise<IdpRecord[]> {
    const { limit, after } = checkListOptions(options)
    return this.index.list(after, limit)
  }

  /** Validates the record and writes it to `<id>.json` (or the YAML file it came from). */
  async put(input: IdpRecordInput): Promise<IdpRecord> {
    this.checkWritable()
    const fields = normalizeIdpRecord(input)
    return this.serially(async () => {
      this.index.checkUniqueClaims(fields)
      const previous = this.index.get(fields.id)
      const now = new Date().toISOString()
      const record: IdpRecord = Object.freeze({
        ...fields,
        version: (previous?.record.version ?? 0) + 1,
        updatedAt: previous && now <= previous.record.updatedAt ? previous.record.updatedAt : now,
      })
      const file = previous?.file ?? `${fields.id}.json`
      await writeIdpFile(this.dir, file, record)
      this.index.set({ content: JSON.stringify(fields), record, file })
      return record
    })
  }

  /** Removes the record's file. */
  async delete(id: string): Promise<boolean> {
    this.checkWritable()
    if (typeof id !== 'string') return false
    return this.serially(async () => {
      const entry = this.index.get(id)
      if (!entry) return false
      await removeIdpFile(this.dir, entry.file, id)
      this.index.delete(id)
      this.leases.delete(id)
      await this.statusFiles.remove(id)
      return true
    })
  }

  /** The metadata status kept in `.metadata-status/<id>.json`. */
  async getMetadataStatus(id: string): Promise<IdpMetadataStatus | undefined> {
    if (typeof id !== 'string' || !this.index.get(id)) return undefined
    return this.statusFiles.read(id)
  }

  /**
   * Claims the next metadata refresh of `id`. Claims are kept in this process: one process writes a
   * directory, so there is no other instance to agree with. Needs `writable: true`.
   */
  async claimMetadataRefresh(id: string, holder: string, now: number, leaseMs: number): Promise<boolean> {
    this.checkWritable()
    checkClaimArguments(holder, now, leaseMs)
    if (typeof id !== 'string') return false
    return this.serially(async () => {
      if (!this.index.get(id)) return false
      const state = { status: await this.statusFiles.read(id), lease: this.leases.get(id) }
      if (!claimable(state, holder, now)) return false
      this.leases.set(id, { holder, until: now + leaseMs })
      return true
    })
  }

  /** Writes `.metadata-status/<id>.json` atomically. Needs `writable: true`. */
  async saveMetadataStatus(id: string, status: IdpMetadataStatus, holder?: string): Promise<boolean> {
    this.checkWritable()
    const checked = checkMetadataStatus(status)
    if (typeof id !== 'string') return false
    return this.serially(async () => {
      if (!this.index.get(id)) return false
      await this.statusFiles.write(id, checked)
      if (holder !== undefined && this.leases.get(id)?.holder === holder) this.leases.delete(id)
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
      let loaded: LoadedIdpFile[]
      try {
        loaded = await readIdpDirectory(this.dir)
      } catch (err) {
        const error = unreadableDirectoryError(this.dir, err)
        this.report(error)
        return [error]
      }
      const { index, errors: conflicts } = reconcileRecords(this.index, loaded)
      this.index = index
      const errors = [...loaded.flatMap((file) => (file.error ? [file.error] : [])), ...conflicts]
      for (const err of errors) this.report(err)
      return errors
    })
  }

  /** Stops watching. Records stay readable. */
  async close(): Promise<void> {
    this.watcher?.close()
    this.watcher = undefined
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
}

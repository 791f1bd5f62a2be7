import { watch, type FSWatcher } from 'node:fs'
import { SamlError } from '../../errors/saml-error.js'

/**
 * Watches a directory and calls `onChange` once a burst of changes has settled for `debounceMs`
 * (an editor's save, or a `git pull`, touches several files). Neither the watcher nor its timer
 * keeps the process alive.
 */
export class DirectoryWatcher {
  private readonly watcher: FSWatcher
  private debounce: ReturnType<typeof setTimeout> | undefined
  private closed = false

  /**
   * Starts watching; throws `ERR_SAML_STORE_UNAVAILABLE` when `dir` cannot be watched. A watch that
   * fails later is reported to `onError`.
   */
  constructor(
    private readonly dir: string,
    private readonly debounceMs: number,
    private readonly onChange: () => void,
    onError: (err: SamlError) => void,
  ) {
    try {
      this.watcher = watch(dir, { persistent: false }, () => this.schedule())
    } catch (err) {
      throw new SamlError(`cannot watch ${dir}: ${String(err)}`, 'ERR_SAML_STORE_UNAVAILABLE', {
        cause: err,
      })
    }
    this.watcher.on('error', (err) => {
      onError(
        new SamlError(`watching ${this.dir} failed: ${String(err)}`, 'ERR_SAML_STORE_UNAVAILABLE', {
          cause: err,
        }),
      )
    })
  }

  /** Stops watching; a pending `onChange` is dropped. */
  close(): void {
    this.closed = true
    this.watcher.close()
    if (this.debounce !== undefined) clearTimeout(this.debounce)
    this.debounce = undefined
  }

  private schedule(): void {
    if (this.closed) return
    if (this.debounce !== undefined) clearTimeout(this.debounce)
    this.debounce = setTimeout(() => {
      this.debounce = undefined
      if (!this.closed) this.onChange()
    }, this.debounceMs)
    this.debounce.unref()
  }
}

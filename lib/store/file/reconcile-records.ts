import type { SamlError } from '../../errors/saml-error.js'
import type { LoadedIdpFile } from './read-idp-files.js'
import { RecordIndex, type IndexedRecord } from './record-index.js'

/**
 * Builds the index that replaces `previous` once the directory has been read again, so a reload
 * never makes things worse:
 * - a record whose content did not change keeps its version (and stays the same object);
 * - a changed one gets the next version, or the version its file declares if that is higher;
 * - a file that failed keeps its last good record (a new file that fails is left out), unless another
 *   file already gave a record for its id in this pass;
 * - a record whose entityID or email domain another file already claims is left out, or falls back
 *   to its last good record.
 * Returns the new index and the uniqueness conflicts; the files' own errors are in `loaded`.
 */
export function reconcileRecords(
  previous: RecordIndex,
  loaded: readonly LoadedIdpFile[],
): { index: RecordIndex; errors: SamlError[] } {
  const index = new RecordIndex()
  const errors: SamlError[] = []
  const accept = (entry: IndexedRecord): boolean => {
    const conflict = index.add(entry)
    if (conflict) errors.push(conflict)
    return conflict === undefined
  }
  for (const fromDisk of loaded) {
    const last = previous.get(fromDisk.id)
    if (!fromDisk.fields) {
      // A file that failed keeps its id's last good record, unless this pass already accepted a
      // record for that id (a duplicate of a good file): falling back then would put the old
      // record back over the new one.
      if (last && !index.get(fromDisk.id)) accept(last)
      continue
    }
    const content = JSON.stringify(fromDisk.fields)
    let entry: IndexedRecord
    if (last && last.content === content) {
      entry = last.file === fromDisk.file ? last : { ...last, file: fromDisk.file }
    } else {
      const version = last
        ? Math.max(fromDisk.declaredVersion ?? 0, last.record.version + 1)
        : (fromDisk.declaredVersion ?? 1)
      // The date the file declares belongs to the version it declares; otherwise the file's mtime.
      const updatedAt =
        fromDisk.declaredVersion === version && fromDisk.declaredUpdatedAt
          ? fromDisk.declaredUpdatedAt
          : fromDisk.mtime
      entry = {
        content,
        file: fromDisk.file,
        record: Object.freeze({ ...fromDisk.fields, version, updatedAt }),
      }
    }
    if (!accept(entry) && last && last !== entry) accept(last)
  }
  return { index, errors }
}

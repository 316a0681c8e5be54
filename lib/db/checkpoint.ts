// An online backup: a database directory equal to the source at one sequence number, made while
// writes go on, which ai-level, classic-level and LevelDB all open.
//
// The memtable is flushed first, so writers wait at most for its switch. Every version is a prefix
// of the write history (flushes add whole memtables in order; compactions only rewrite what is
// already in tables), so the tables of the version current after the flush hold exactly the
// writes up to one sequence. Those tables are hard-linked into the target (copied where a link
// is impossible, across file systems for instance), a MANIFEST naming exactly them is written,
// and CURRENT comes last: a directory without CURRENT is not a database (open refuses one that
// holds tables but no CURRENT), so a checkpoint that fails half way leaves nothing that opens
// as valid, and what it made is removed.
//
// Invariant: the version being copied is pinned until its files are linked, so the sweep of
// obsolete files cannot remove them meanwhile.
import { path } from '../platform/node'
import type { Env } from '../env/env'
import { errorCode, ioError } from '../util/errors'
import { INTERNAL_KEY_COMPARATOR_NAME } from '../format/internal-key'
import { findTableFile } from '../table/table-file'
import { VersionEdit } from '../version/version-edit'
import type { VersionSet } from '../version/version-set'
import { writeManifest } from '../version/manifest'

// Errors of link(2) that say "not here", as opposed to a failing disk.
const LINK_UNSUPPORTED = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS'])
const COPY_CHUNK_BYTES = 1024 * 1024

export interface CheckpointResult {
  // Tables linked and copied into the target.
  linked: number
  copied: number
}

// `flush` writes the memtable to a table and resolves once that table is in the current version.
export async function makeCheckpoint (env: Env, source: string, vset: VersionSet, flush: () => Promise<void>, target: string): Promise<CheckpointResult> {
  const dir = path.resolve(target)
  if (env.fileExists(dir)) throw ioError(`checkpoint target ${target} already exists`)
  await flush()
  const version = vset.current
  vset.pin(version)
  const created: string[] = []
  const result: CheckpointResult = { linked: 0, copied: 0 }
  try {
    env.createDir(dir)
    const edit = new VersionEdit()
    edit.comparator = INTERNAL_KEY_COMPARATOR_NAME
    edit.logNumber = 0
    edit.prevLogNumber = 0
    edit.lastSequence = vset.lastSequence
    const manifestNumber = vset.nextFileNumber
    edit.nextFileNumber = manifestNumber + 1
    version.files.forEach((files, level) => {
      for (const file of files) {
        const from = findTableFile(env, source, file.number)
        const to = path.join(dir, path.basename(from))
        created.push(to)
        if (linkOrCopy(env, from, to)) result.linked++
        else result.copied++
        edit.addFile(level, file)
      }
    })
    // Syncs the MANIFEST, then CURRENT, then the directory: the links' names too.
    writeManifest(env, dir, manifestNumber, edit)
    return result
  } catch (err) {
    removeQuietly(env, dir, created)
    throw err
  } finally {
    vset.unpin(version)
  }
}

// True when linked; a copy is synced, since unlike a link it holds bytes of its own.
function linkOrCopy (env: Env, from: string, to: string): boolean {
  try {
    env.linkFile(from, to)
    return true
  } catch (err) {
    if (!LINK_UNSUPPORTED.has(errorCode((err as { cause?: unknown }).cause) ?? errorCode(err) ?? '')) throw err
  }
  const source = env.newRandomAccessFile(from)
  const copy = env.newWritableFile(to)
  try {
    const size = source.size()
    for (let offset = 0; offset < size; offset += COPY_CHUNK_BYTES) {
      copy.append(source.read(offset, Math.min(COPY_CHUNK_BYTES, size - offset)))
    }
    copy.sync()
  } finally {
    copy.close()
    source.close()
  }
  return false
}

// Whatever a failed checkpoint made: its files (the MANIFEST and CURRENT's temp included, by
// listing) and the directory. A leftover cannot open as a database, having no CURRENT.
function removeQuietly (env: Env, dir: string, created: string[]): void {
  try {
    for (const name of env.getChildren(dir)) env.removeFile(path.join(dir, name))
    env.removeDir(dir)
  } catch {
    for (const file of created) {
      try { env.removeFile(file) } catch { /* already gone, or the disk refuses */ }
    }
  }
}

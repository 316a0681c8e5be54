// How every new MANIFEST starts (for a new database, at each open, and in a repair): a first
// record holding the whole state, then CURRENT switched to name it.
import { writeFileDurably, type Env } from '../env/env'
import { currentFileName, descriptorFileName, tempFileName } from '../format/filenames'
import { LogWriter } from '../log/log-writer'
import type { VersionEdit } from './version-edit'

// Creates MANIFEST-<number> with `edit` as its first record (not yet synced); on failure the
// file is removed and the error thrown.
export function startManifest (env: Env, dbname: string, number: number, edit: VersionEdit): LogWriter {
  const writer = new LogWriter(env.newWritableFile(descriptorFileName(dbname, number)))
  try {
    writer.addRecord(edit.encode())
  } catch (err) {
    abandonManifest(env, dbname, number, writer)
    throw err
  }
  return writer
}

// Closes and removes a MANIFEST that CURRENT does not name. If that fails too, the obsolete-file
// sweep removes it on the next open.
export function abandonManifest (env: Env, dbname: string, number: number, writer: LogWriter | null): void {
  try {
    writer?.close()
    env.removeFile(descriptorFileName(dbname, number))
  } catch {
    // As above.
  }
}

// Writes a whole MANIFEST holding `edit`, durably, and points CURRENT at it.
export function writeManifest (env: Env, dbname: string, number: number, edit: VersionEdit): void {
  const writer = startManifest(env, dbname, number, edit)
  try {
    writer.sync()
  } catch (err) {
    abandonManifest(env, dbname, number, writer)
    throw err
  }
  writer.close()
  try {
    setCurrentFile(env, dbname, number)
  } catch (err) {
    abandonManifest(env, dbname, number, null)
    throw err
  }
}

// CURRENT is replaced atomically: written to a temp file, synced, then renamed over.
export function setCurrentFile (env: Env, dbname: string, manifestNumber: number): void {
  const temp = tempFileName(dbname, manifestNumber)
  const contents = Buffer.from(`MANIFEST-${String(manifestNumber).padStart(6, '0')}\n`, 'latin1')
  try {
    writeFileDurably(env, temp, contents)
    env.renameFile(temp, currentFileName(dbname))
  } catch (err) {
    if (env.fileExists(temp)) env.removeFile(temp)
    throw err
  }
  env.syncDir(dbname)
}

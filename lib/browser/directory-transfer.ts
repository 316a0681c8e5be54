// Copying a database directory into and out of an Env as a list of files: how a database written
// by Node (or LevelDB, or classic-level) gets into the Origin Private File System and back out.
// A database's files are the same bytes everywhere, so a copy of them is the database.
//
// Both directions hold the directory's lock while they copy, so they never see a database that
// is open (they fail with LEVEL_LOCKED instead), and go through the Env, so they see the names the
// OPFS Env gives its files, whatever state a crash left them in.
import type { Env } from '../env/env'
import { FileType, lockFileName, parseFileName } from '../format/filenames'
import { path, platform } from '../platform/node'
import { invalidValue, notOpenable } from '../util/errors'

export interface DirectoryFile {
  name: string
  bytes: Uint8Array
}

// The files of a database, with the contents each has now: every LevelDB file but LOCK and
// temporary files (and nothing else the directory holds).
export async function exportDirectory (location: string, env: Env = platform.defaultEnv): Promise<DirectoryFile[]> {
  const dbname = path.resolve(location)
  await env.loadDirectory?.(dbname, false)
  if (!env.fileExists(dbname)) throw notOpenable(`${location} does not exist`)
  const lock = await env.lockFile(lockFileName(dbname))
  try {
    const files: DirectoryFile[] = []
    for (const name of env.getChildren(dbname).sort()) {
      const type = parseFileName(name)?.type
      if (type === undefined || type === FileType.DBLock || type === FileType.Temp) continue
      files.push({ name, bytes: env.readFile(path.join(dbname, name)) })
    }
    return files
  } finally {
    await env.unlockFile(lock)
  }
}

// Writes `files` into directory `location`, creating it, and makes them durable. The directory
// must hold no database file yet: an import never replaces a database. Names must be plain file
// names; LOCK and names that are not LevelDB files are skipped.
export async function importDirectory (location: string, files: Iterable<DirectoryFile> | AsyncIterable<DirectoryFile>, env: Env = platform.defaultEnv): Promise<void> {
  const dbname = path.resolve(location)
  await env.loadDirectory?.(dbname, true)
  if (!env.fileExists(dbname)) env.createDir(dbname)
  const lock = await env.lockFile(lockFileName(dbname))
  try {
    const existing = env.getChildren(dbname).find(name => parseFileName(name) !== undefined && name !== 'LOCK')
    if (existing !== undefined) throw invalidValue(`cannot import into ${location}: it already holds ${existing}`)
    for await (const { name, bytes } of files) {
      if (name.includes('/') || name.includes('\\') || name === '.' || name === '..') throw invalidValue(`not a file name: ${name}`)
      const type = parseFileName(name)?.type
      if (type === undefined || type === FileType.DBLock) continue
      await env.whenReadyToCreate?.()
      const file = env.newWritableFile(path.join(dbname, name))
      try {
        file.append(bytes)
        await file.syncAsync()
      } finally {
        file.close()
      }
    }
    await env.syncDirAsync(dbname)
  } finally {
    await env.unlockFile(lock)
  }
}

// The parts of the DOM's File and FileSystemDirectoryHandle read here (the project compiles
// without the DOM library).
export interface FileLike {
  readonly name: string
  // Set for files picked with <input type="file" webkitdirectory>: "dir/name".
  readonly webkitRelativePath?: string
  arrayBuffer (): Promise<ArrayBuffer>
}

export interface DirectoryHandleLike {
  values (): AsyncIterable<{ readonly kind: 'file' | 'directory', readonly name: string, getFile?: () => Promise<FileLike> }>
}

// The files a user picked with <input type="file" webkitdirectory> (its FileList), or dropped:
// those directly in the picked directory, for importDirectory.
export async function * filesFromFileList (list: ArrayLike<FileLike> | Iterable<FileLike>): AsyncGenerator<DirectoryFile> {
  for (const file of Array.from(list)) {
    const relative = file.webkitRelativePath ?? ''
    if (relative.split('/').length > 2) continue
    yield { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }
  }
}

// The files of a directory handle (from showDirectoryPicker(), or an OPFS directory), for importDirectory.
export async function * filesFromDirectoryHandle (directory: DirectoryHandleLike): AsyncGenerator<DirectoryFile> {
  for await (const entry of directory.values()) {
    if (entry.kind !== 'file' || entry.getFile === undefined) continue
    const file = await entry.getFile()
    yield { name: entry.name, bytes: new Uint8Array(await file.arrayBuffer()) }
  }
}

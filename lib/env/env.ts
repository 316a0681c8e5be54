// The single seam for file access. Everything the engine reads or writes goes through an Env,
// so tests can inject faults and background jobs can run with their own instance in a worker.
// Calls are synchronous (like LevelDB's Env) except the fsyncs that a caller may await.
import type { LockKind, LockMode } from './locks/lock-kind'

export type { LockMode } from './locks/lock-kind'

export interface RandomAccessFile {
  // Reads up to `length` bytes at `offset`; fewer only at end of file. Given `into` (at least
  // `length` bytes long), an implementation may read into its start and return a view of it
  // rather than a new buffer.
  read (offset: number, length: number, into?: Buffer): Buffer
  size (): number
  close (): void
}

export interface WritableFile {
  // Buffered; nothing is guaranteed to reach the OS until flush(). Callers reuse `data` after
  // the call returns, so an implementation must copy or write it before returning.
  append (data: Uint8Array): void
  // Hands buffered bytes to the OS: they survive a process crash from here on.
  flush (): void
  // Appends `data` after anything buffered and hands it all to the OS off the calling thread:
  // the bytes survive a process crash once the promise resolves. Until then `data` must stay
  // unchanged and nothing else may be appended.
  appendAsync (data: Uint8Array): Promise<void>
  // flush() and then fdatasync: the bytes survive power loss.
  sync (): void
  syncAsync (): Promise<void>
  // Optional, best effort: makes the file at least `length` bytes long by writing zeros past
  // everything appended so far, without moving where the next append goes. Appends that land
  // in that space then leave the file's size unchanged, so a later fdatasync has no inode to
  // write besides the data. Only for files whose readers take zeros as empty space (the log
  // format's preallocated records); close() cuts the file back to what was appended. Not to be
  // called while an appendAsync is running.
  reserve? (length: number): void
  close (): void
}

export interface FileLock {
  readonly path: string
  // Which lock is held, and so what it keeps out: see locks/lock-kind.ts.
  readonly kind: LockKind
  readonly mode: LockMode
}

// How a background worker thread makes an Env of its own that works like the caller's: it loads
// `module` (an absolute path or a package name), whose createEnv(config) returns the Env.
// `config` crosses by structured clone, so SharedArrayBuffers in it stay shared between threads.
export interface WorkerEnvModule {
  module: string
  config?: unknown
}

export interface Env {
  newRandomAccessFile (path: string): RandomAccessFile
  // Creates or truncates.
  newWritableFile (path: string): WritableFile
  // Creates or appends.
  newAppendableFile (path: string): WritableFile
  readFile (path: string): Buffer
  fileExists (path: string): boolean
  getChildren (dir: string): string[]
  getFileSize (path: string): number
  removeFile (path: string): void
  // The same, on a thread pool where the Env has one, so that a background thread removing many
  // files does not wait on each unlink (freeing a table's blocks takes a millisecond or more).
  // Optional: callers without it use removeFile.
  removeFileAsync? (path: string): Promise<void>
  renameFile (from: string, to: string): void
  // A second name for an existing file (a hard link): the two share their bytes. Fails where the
  // file system cannot link (across devices, for instance), with the OS's error code as cause.
  linkFile (from: string, to: string): void
  createDir (path: string): void
  removeDir (path: string): void
  // Makes the directory's entries durable: names created, renamed or removed in it survive power
  // loss only once it is synced, whatever was synced inside the files themselves.
  syncDir (path: string): void
  syncDirAsync (path: string): Promise<void>
  // Takes a lock on the file; fails with LEVEL_LOCKED if this or another process holds one that
  // conflicts. 'exclusive' (the default) creates the file if needed and conflicts with every other
  // lock; 'shared' (read-only opens) conflicts only with an exclusive one, writes nothing where the
  // directory cannot be written, and on a missing file holds no lock (kind 'none'). A crash never
  // leaves a lock that blocks the next open: an OS lock dies with its process, and a pid file is
  // stale once its process is gone.
  lockFile (path: string, mode?: LockMode): Promise<FileLock>
  unlockFile (lock: FileLock): Promise<void>
  // For an Env whose synchronous calls work only in a directory it has loaded first (the OPFS
  // Env): loads `path`, creating it if `create`, and holds it until its LOCK is released. Called
  // before a database is opened, repaired or destroyed; fails with LEVEL_LOCKED while another
  // holds the directory.
  loadDirectory? (path: string, create: boolean): Promise<void>
  // For an Env that creates files from a stock it refills in the background (the OPFS Env):
  // undefined while it can create a file now, else a promise that resolves once it can. Flushes
  // and compactions running on the calling thread wait for it before each step.
  whenReadyToCreate? (): Promise<void> | undefined
  // How worker threads make their own instance. Background jobs for an Env other than the
  // default one run on the calling thread unless it says how.
  readonly workerModule?: WorkerEnvModule
}

// Writes a whole small file and syncs it, through any Env (CURRENT goes via a temp file and rename).
export function writeFileDurably (env: Env, path: string, data: Uint8Array): void {
  const file = env.newWritableFile(path)
  try {
    file.append(data)
    file.sync()
  } finally {
    file.close()
  }
}

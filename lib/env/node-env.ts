import fs from 'node:fs'
import type { Env, FileLock, LockMode, RandomAccessFile, WritableFile } from './env'
import { acquireLock, bestLockStrategy, type HeldLock, type LockStrategy } from './locks/file-lock'
import { ioError, lockedError } from '../util/errors'

const WRITE_BUFFER_SIZE = 64 * 1024

// An I/O error naming the operation and the file, e.g. `write /db/000005.log: ENOSPC ...`.
function fileError (what: string, path: string, err: Error): Error {
  return ioError(`${what} ${path}: ${err.message}`, err)
}

function wrap<T> (what: string, path: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw fileError(what, path, err as Error)
  }
}

class NodeRandomAccessFile implements RandomAccessFile {
  private readonly fileSize: number

  constructor (private readonly path: string, private fd: number) {
    this.fileSize = wrap('stat', path, () => fs.fstatSync(fd).size)
  }

  read (offset: number, length: number, into?: Buffer): Buffer {
    const buf = into !== undefined && into.length >= length ? into : Buffer.allocUnsafe(length)
    let done = 0
    // A try block rather than wrap(): no closure is made per read, on the path of every block-cache miss.
    try {
      while (done < length) {
        const n = fs.readSync(this.fd, buf, done, length - done, offset + done)
        if (n === 0) break
        done += n
      }
    } catch (err) {
      throw fileError('read', this.path, err as Error)
    }
    return done === buf.length ? buf : buf.subarray(0, done)
  }

  size (): number {
    return this.fileSize
  }

  close (): void {
    if (this.fd < 0) return
    const fd = this.fd
    this.fd = -1
    wrap('close', this.path, () => fs.closeSync(fd))
  }
}

// Zeros for reserve(): written a piece of at most this size at a time.
const ZEROS = Buffer.alloc(64 * 1024)

class NodeWritableFile implements WritableFile {
  private buffer = Buffer.allocUnsafe(WRITE_BUFFER_SIZE)
  private buffered = 0
  // Bytes handed to the OS (where the next write goes), and how far reserve() has zero-filled
  // the file (0 if never); reservedEnd > written means the file ends in zeros close() cuts off.
  private written = 0
  private reservedEnd = 0
  private reserveFailed = false
  private appending = false

  // An appendable file (O_APPEND) cannot reserve: the kernel appends every write at the end.
  constructor (private readonly path: string, private fd: number, private readonly appendOnly = false) {}

  append (data: Uint8Array): void {
    if (this.buffered + data.length > this.buffer.length) {
      this.flush()
      if (data.length > this.buffer.length) {
        this.writeAll(data)
        return
      }
    }
    this.buffer.set(data, this.buffered)
    this.buffered += data.length
  }

  flush (): void {
    if (this.buffered === 0) return
    const n = this.buffered
    this.buffered = 0
    this.writeAll(this.buffer.subarray(0, n))
  }

  async appendAsync (data: Uint8Array): Promise<void> {
    this.flush()
    this.appending = true
    try {
      let done = 0
      while (done < data.length) {
        const n = await new Promise<number>((resolve, reject) => {
          fs.write(this.fd, data, done, data.length - done, null, (err, written) => {
            if (err === null) resolve(written)
            else reject(fileError('write', this.path, err))
          })
        })
        done += n
        this.written += n
      }
    } finally {
      this.appending = false
    }
  }

  private writeAll (data: Uint8Array): void {
    let done = 0
    while (done < data.length) {
      const n = wrap('write', this.path, () => fs.writeSync(this.fd, data, done, data.length - done))
      done += n
      this.written += n
    }
  }

  // Best effort: zeros written with positional writes, which leave the file offset (where
  // appends go) alone. A failure (a full disk) only stops the reserving; appends report their own.
  reserve (length: number): void {
    if (this.appendOnly || this.appending || this.reserveFailed || this.fd < 0) return
    let at = Math.max(this.reservedEnd, this.written + this.buffered)
    try {
      while (at < length) at += fs.writeSync(this.fd, ZEROS, 0, Math.min(ZEROS.length, length - at), at)
    } catch {
      this.reserveFailed = true
    }
    this.reservedEnd = at
  }

  sync (): void {
    this.flush()
    wrap('fdatasync', this.path, () => fs.fdatasyncSync(this.fd))
  }

  // Not async: one promise per sync put, settled straight from the fdatasync callback.
  syncAsync (): Promise<void> {
    try {
      this.flush()
    } catch (err) {
      return Promise.reject(err)
    }
    const fd = this.fd
    return new Promise<void>((resolve, reject) => {
      fs.fdatasync(fd, (err) => err == null ? resolve() : reject(fileError('fdatasync', this.path, err)))
    })
  }

  close (): void {
    if (this.fd < 0) return
    try {
      this.flush()
      // The reserved zeros past the last append go, best effort: zeros left behind (by a
      // failure here or a crash before) read as the end of the records.
      if (this.reservedEnd > this.written) {
        try {
          fs.ftruncateSync(this.fd, this.written)
        } catch {
          // Readers skip what is left.
        }
      }
    } finally {
      const fd = this.fd
      this.fd = -1
      wrap('close', this.path, () => fs.closeSync(fd))
    }
  }
}

export class NodeEnv implements Env {
  // `lockStrategy` chooses the lock kind; by default the best this runtime can take (locks/file-lock.ts).
  constructor (private readonly lockStrategy: () => LockStrategy = bestLockStrategy) {}

  newRandomAccessFile (path: string): RandomAccessFile {
    return new NodeRandomAccessFile(path, wrap('open', path, () => fs.openSync(path, 'r')))
  }

  newWritableFile (path: string): WritableFile {
    return new NodeWritableFile(path, wrap('open', path, () => fs.openSync(path, 'w')))
  }

  newAppendableFile (path: string): WritableFile {
    return new NodeWritableFile(path, wrap('open', path, () => fs.openSync(path, 'a')), true)
  }

  readFile (path: string): Buffer {
    return wrap('read', path, () => fs.readFileSync(path))
  }

  fileExists (path: string): boolean {
    return fs.existsSync(path)
  }

  getChildren (dir: string): string[] {
    return wrap('readdir', dir, () => fs.readdirSync(dir))
  }

  getFileSize (path: string): number {
    return wrap('stat', path, () => fs.statSync(path).size)
  }

  removeFile (path: string): void {
    wrap('unlink', path, () => fs.unlinkSync(path))
  }

  removeFileAsync (path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      fs.unlink(path, (err) => err == null ? resolve() : reject(fileError('unlink', path, err)))
    })
  }

  renameFile (from: string, to: string): void {
    wrap('rename', from, () => fs.renameSync(from, to))
  }

  linkFile (from: string, to: string): void {
    wrap('link', from, () => fs.linkSync(from, to))
  }

  createDir (path: string): void {
    wrap('mkdir', path, () => fs.mkdirSync(path, { recursive: true }))
  }

  removeDir (path: string): void {
    wrap('rmdir', path, () => fs.rmdirSync(path))
  }

  syncDir (path: string): void {
    wrap('fsync', path, () => {
      const fd = fs.openSync(path, 'r')
      try {
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
    })
  }

  async syncDirAsync (path: string): Promise<void> {
    let handle: fs.promises.FileHandle | undefined
    try {
      handle = await fs.promises.open(path, 'r')
      await handle.sync()
    } catch (err) {
      throw fileError('fsync', path, err as Error)
    } finally {
      await handle?.close()
    }
  }

  async lockFile (path: string, mode: LockMode = 'exclusive'): Promise<FileLock> {
    let outcome
    try {
      outcome = acquireLock(path, this.lockStrategy(), mode)
    } catch (err) {
      throw fileError('lock', path, err as Error)
    }
    if ('held' in outcome) return outcome.held
    const holder = outcome.busy === 'process' ? 'already held by process' : 'Resource temporarily unavailable (held by another process)'
    throw lockedError(`IO error: lock ${path}: ${holder}`)
  }

  async unlockFile (lock: FileLock): Promise<void> {
    const { path, release } = lock as HeldLock
    wrap('unlock', path, release)
  }
}

export const defaultEnv: Env = new NodeEnv()

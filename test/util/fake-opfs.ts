// An in-memory Origin Private File System for Node tests of the OPFS Env, with the behaviour
// Chromium shows (test/browser/lock.worker.ts checks it there): one sync access handle per file
// at a time (a second is refused with NoModificationAllowedError) unless all are opened with mode
// 'readwrite-unsafe', and a file with an open handle can be neither moved nor removed
// (NoModificationAllowedError); move() onto an existing name replaces it. crash() drops every
// open handle, as a killed worker does, keeping all bytes written. With `rules: 'webkit'`, a held
// file refuses another handle with InvalidStateError and 'readwrite-unsafe' is not known, as in
// WebKit (Safari). Either way move() takes only (directory, name), the one form WebKit has: a lone
// name is a TypeError there, as here.
import type { OpfsAccessMode, OpfsDirectoryHandle, OpfsFileHandle, OpfsSyncAccessHandle } from '../../lib/env/opfs-env'

function domError (name: string, message: string): Error {
  return Object.assign(new Error(message), { name })
}

interface FakeFile {
  bytes: Uint8Array
  size: number
  // The exclusive ('readwrite') handle, or the 'readwrite-unsafe' ones.
  open: FakeSyncAccessHandle | null
  unsafe: Set<FakeSyncAccessHandle>
}

function busy (file: FakeFile): boolean {
  return file.open !== null || file.unsafe.size > 0
}

class FakeSyncAccessHandle implements OpfsSyncAccessHandle {
  closed = false
  constructor (private readonly file: FakeFile) {}

  private check (): void {
    if (this.closed) throw domError('InvalidStateError', 'handle is closed')
  }

  read (buffer: Uint8Array, options: { at?: number } = {}): number {
    this.check()
    const at = options.at ?? 0
    const n = Math.max(0, Math.min(buffer.length, this.file.size - at))
    buffer.set(this.file.bytes.subarray(at, at + n))
    return n
  }

  write (buffer: Uint8Array, options: { at?: number } = {}): number {
    this.check()
    const at = options.at ?? 0
    const end = at + buffer.length
    if (end > this.file.bytes.length) {
      const grown = new Uint8Array(Math.max(end, this.file.bytes.length * 2))
      grown.set(this.file.bytes.subarray(0, this.file.size))
      this.file.bytes = grown
    }
    this.file.bytes.set(buffer, at)
    this.file.size = Math.max(this.file.size, end)
    return buffer.length
  }

  truncate (size: number): void {
    this.check()
    if (size < this.file.size) this.file.bytes.fill(0, size, this.file.size)
    else this.write(new Uint8Array(size - this.file.size), { at: this.file.size })
    this.file.size = size
  }

  getSize (): number {
    this.check()
    return this.file.size
  }

  flush (): void {
    this.check()
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    if (this.file.open === this) this.file.open = null
    this.file.unsafe.delete(this)
  }
}

// Whose answers the fake gives where browsers differ.
export type FakeRules = 'chromium' | 'webkit'

export class FakeDirectory implements OpfsDirectoryHandle {
  readonly kind = 'directory'
  readonly entries_ = new Map<string, FakeFile | FakeDirectory>()
  // Set to make creating a new file fail, as a full quota does.
  refuseNewFiles = false
  // Moves left before one fails, as if the worker died there; unlimited when undefined.
  movesBeforeCrash: number | undefined

  constructor (readonly name: string, readonly rules: FakeRules = 'chromium') {}

  async getDirectoryHandle (name: string, options: { create?: boolean } = {}): Promise<FakeDirectory> {
    const entry = this.entries_.get(name)
    if (entry instanceof FakeDirectory) return entry
    if (entry !== undefined) throw domError('TypeMismatchError', `${name} is a file`)
    if (options.create !== true) throw domError('NotFoundError', `${name} not found`)
    const dir = new FakeDirectory(name, this.rules)
    this.entries_.set(name, dir)
    return dir
  }

  async getFileHandle (name: string, options: { create?: boolean } = {}): Promise<OpfsFileHandle> {
    let entry = this.entries_.get(name)
    if (entry instanceof FakeDirectory) throw domError('TypeMismatchError', `${name} is a directory`)
    if (entry === undefined) {
      if (options.create !== true) throw domError('NotFoundError', `${name} not found`)
      if (this.refuseNewFiles) throw domError('QuotaExceededError', 'quota exceeded')
      entry = { bytes: new Uint8Array(0), size: 0, open: null, unsafe: new Set() }
      this.entries_.set(name, entry)
    }
    return this.fileHandle(entry)
  }

  private fileHandle (file: FakeFile): OpfsFileHandle {
    const entryName = (): string => {
      for (const [name, entry] of this.entries_) if (entry === file) return name
      throw domError('NotFoundError', 'file was removed')
    }
    return {
      kind: 'file',
      get name () { return entryName() },
      createSyncAccessHandle: async (options?: { mode?: OpfsAccessMode }) => {
        entryName()
        const handle = new FakeSyncAccessHandle(file)
        const held = this.rules === 'webkit' ? 'InvalidStateError' : 'NoModificationAllowedError'
        if (options?.mode === 'readwrite-unsafe' && this.rules !== 'webkit') {
          if (file.open !== null) throw domError(held, 'an exclusive sync access handle is open')
          file.unsafe.add(handle)
        } else {
          if (busy(file)) throw domError(held, 'a sync access handle is already open')
          file.open = handle
        }
        return handle
      },
      move: async (destination: OpfsDirectoryHandle, to: string) => {
        if (typeof to !== 'string') throw new TypeError('Not enough arguments')
        if (destination !== this) throw domError('NotSupportedError', 'the fake moves files only within their directory')
        const from = entryName()
        if (this.movesBeforeCrash !== undefined && this.movesBeforeCrash-- <= 0) throw domError('AbortError', 'the worker died here')
        if (busy(file)) throw domError('NoModificationAllowedError', `${from} has an open handle`)
        const replaced = this.entries_.get(to)
        if (replaced instanceof FakeDirectory) throw domError('InvalidModificationError', `${to} is a directory`)
        if (replaced !== undefined && busy(replaced)) throw domError('NoModificationAllowedError', `${to} has an open handle`)
        this.entries_.delete(from)
        this.entries_.set(to, file)
      }
    }
  }

  async removeEntry (name: string, options: { recursive?: boolean } = {}): Promise<void> {
    const entry = this.entries_.get(name)
    if (entry === undefined) throw domError('NotFoundError', `${name} not found`)
    if (entry instanceof FakeDirectory) {
      if (entry.entries_.size > 0 && options.recursive !== true) throw domError('InvalidModificationError', `${name} is not empty`)
    } else if (busy(entry)) {
      throw domError('NoModificationAllowedError', `${name} has an open handle`)
    }
    this.entries_.delete(name)
  }

  async * entries (): AsyncIterableIterator<[string, OpfsFileHandle | OpfsDirectoryHandle]> {
    for (const [name, entry] of [...this.entries_]) {
      yield [name, entry instanceof FakeDirectory ? entry : this.fileHandle(entry)]
    }
  }

  // Names in this directory, sorted.
  names (): string[] {
    return [...this.entries_.keys()].sort()
  }

  // As a killed worker: every open handle is gone, every byte written stays.
  crash (): void {
    for (const entry of this.entries_.values()) {
      if (entry instanceof FakeDirectory) entry.crash()
      else {
        entry.open = null
        entry.unsafe.clear()
      }
    }
  }
}

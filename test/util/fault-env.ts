// A fault-injection Env for durability tests, after LevelDB's FaultInjectionTestEnv: wraps a real
// Env and can fail the Nth write, fsync, rename or file creation (optionally tearing the write
// half way), keep failing like a full disk, and simulate a power cut by dropping every byte that
// was never fsync'd and every file whose directory entry was never made durable.
import fs from 'node:fs'
import nodePath from 'node:path'
import type { Env, FileLock, RandomAccessFile, WritableFile } from '../../lib/env/env'
import { defaultEnv } from '../../lib/env/node-env'
import { ioError } from '../../lib/util/errors'

export type FaultOp = 'write' | 'sync' | 'rename' | 'create'
export type FileKind = 'log' | 'table' | 'manifest' | 'current' | 'any'

export interface FaultRule {
  op: FaultOp
  // Only operations on files of this kind count; default 'any'.
  kind?: FileKind
  // Fails the nth matching operation (1-based) counted from when the rule is added.
  nth: number
  // errno-style code of the injected error; default EIO.
  code?: 'EIO' | 'ENOSPC'
  // For writes: part of the data reaches the file before the error (a torn write).
  torn?: boolean
  // Keep failing every later matching operation too, like a full disk, until clearFaults().
  sticky?: boolean
}

export function kindOf (path: string): FileKind {
  const name = nodePath.basename(path)
  if (name.endsWith('.log')) return 'log'
  if (name.endsWith('.ldb') || name.endsWith('.sst')) return 'table'
  if (name.startsWith('MANIFEST-')) return 'manifest'
  if (name === 'CURRENT' || name.endsWith('.dbtmp')) return 'current'
  return 'any'
}

interface FileState {
  // Bytes handed to the OS and bytes made durable by fsync.
  written: number
  synced: number
  // The directory entry is durable: synced since creation or its directory fsync'd.
  entryDurable: boolean
}

interface ActiveRule extends FaultRule {
  seen: number
  fired: boolean
}

export class FaultEnv implements Env {
  private rules: ActiveRule[] = []
  private readonly files = new Map<string, FileState>()
  private active = true
  // Injected errors so far, for assertions.
  readonly injected: string[] = []

  constructor (private readonly base: Env = defaultEnv) {}

  addFault (rule: FaultRule): void {
    this.rules.push({ ...rule, seen: 0, fired: false })
  }

  clearFaults (): void {
    this.rules = []
  }

  // After this the "machine" is off: writes, syncs, renames and deletes are silently dropped.
  deactivate (): void {
    this.active = false
  }

  // Power loss: truncates every tracked file to its last fsync and deletes files whose directory
  // entry never became durable. Call after deactivate() and after closing the database.
  dropUnsyncedData (): void {
    for (const [path, state] of this.files) {
      if (!fs.existsSync(path)) continue
      if (!state.entryDurable) fs.rmSync(path, { force: true })
      else if (fs.statSync(path).size > state.synced) fs.truncateSync(path, state.synced)
    }
    this.files.clear()
  }

  // Throws the injected error if a rule fires for this operation.
  check (op: FaultOp, path: string): { code: string, torn: boolean } | null {
    const kind = kindOf(path)
    for (const rule of this.rules) {
      if (rule.op !== op || (rule.kind !== undefined && rule.kind !== 'any' && rule.kind !== kind)) continue
      rule.seen++
      if (rule.seen === rule.nth || (rule.sticky === true && rule.seen > rule.nth)) {
        rule.fired = true
        this.injected.push(`${op} ${nodePath.basename(path)}`)
        return { code: rule.code ?? 'EIO', torn: rule.torn === true }
      }
    }
    return null
  }

  get isActive (): boolean {
    return this.active
  }

  stateOf (path: string): FileState | undefined {
    return this.files.get(path)
  }

  private track (path: string, state: FileState): FileState {
    this.files.set(path, state)
    return state
  }

  newRandomAccessFile (path: string): RandomAccessFile {
    return this.base.newRandomAccessFile(path)
  }

  newWritableFile (path: string): WritableFile {
    if (!this.active) return new NullWritableFile()
    failIf(this.check('create', path), 'open', path)
    const file = this.base.newWritableFile(path)
    return new FaultWritableFile(this, path, file, this.track(path, { written: 0, synced: 0, entryDurable: false }))
  }

  newAppendableFile (path: string): WritableFile {
    if (!this.active) return new NullWritableFile()
    failIf(this.check('create', path), 'open', path)
    const existed = this.base.fileExists(path)
    const size = existed ? this.base.getFileSize(path) : 0
    const file = this.base.newAppendableFile(path)
    return new FaultWritableFile(this, path, file, this.track(path, { written: size, synced: size, entryDurable: existed }))
  }

  readFile (path: string): Buffer {
    return this.base.readFile(path)
  }

  fileExists (path: string): boolean {
    return this.base.fileExists(path)
  }

  getChildren (dir: string): string[] {
    return this.base.getChildren(dir)
  }

  getFileSize (path: string): number {
    return this.base.getFileSize(path)
  }

  removeFile (path: string): void {
    if (!this.active) return
    this.base.removeFile(path)
    this.files.delete(path)
  }

  renameFile (from: string, to: string): void {
    if (!this.active) return
    failIf(this.check('rename', from), 'rename', from)
    this.base.renameFile(from, to)
    const state = this.files.get(from)
    this.files.delete(from)
    // The new name is only durable once the directory is synced.
    if (state !== undefined) this.files.set(to, { ...state, entryDurable: false })
  }

  createDir (path: string): void {
    this.base.createDir(path)
  }

  removeDir (path: string): void {
    if (!this.active) return
    this.base.removeDir(path)
  }

  syncDir (path: string): void {
    if (!this.active) return
    failIf(this.check('sync', path), 'fsync', path)
    this.base.syncDir(path)
    const dir = nodePath.resolve(path)
    for (const [file, state] of this.files) {
      if (nodePath.dirname(nodePath.resolve(file)) === dir) state.entryDurable = true
    }
  }

  lockFile (path: string): Promise<FileLock> {
    return this.base.lockFile(path)
  }

  unlockFile (lock: FileLock): Promise<void> {
    return this.base.unlockFile(lock)
  }
}

function failIf (fault: { code: string } | null, what: string, path: string): void {
  if (fault === null) return
  const cause = Object.assign(new Error(`${fault.code}: injected fault, ${what} '${path}'`), { code: fault.code })
  throw ioError(`${what} ${path}: ${cause.message}`, cause)
}

// Buffers appends itself, so that "write" faults hit the moment bytes are handed to the OS.
class FaultWritableFile implements WritableFile {
  private pending: Buffer[] = []

  constructor (
    private readonly env: FaultEnv,
    private readonly path: string,
    private readonly file: WritableFile,
    private readonly state: FileState
  ) {}

  append (data: Uint8Array): void {
    if (!this.env.isActive) return
    // The caller reuses data once append returns.
    this.pending.push(Buffer.from(data))
  }

  flush (): void {
    if (!this.env.isActive) {
      this.pending = []
      return
    }
    if (this.pending.length === 0) return
    const data = Buffer.concat(this.pending)
    this.pending = []
    const fault = this.env.check('write', this.path)
    if (fault !== null && fault.torn) {
      const part = data.subarray(0, Math.max(1, data.length >> 1))
      this.file.append(part)
      this.file.flush()
      this.state.written += part.length
    }
    failIf(fault, 'write', this.path)
    this.file.append(data)
    this.file.flush()
    this.state.written += data.length
  }

  // Made on the calling thread, with the faults of append and flush.
  async appendAsync (data: Uint8Array): Promise<void> {
    this.append(data)
    this.flush()
  }

  sync (): void {
    this.flush()
    if (!this.env.isActive) return
    failIf(this.env.check('sync', this.path), 'fdatasync', this.path)
    this.file.sync()
    this.markSynced()
  }

  async syncAsync (): Promise<void> {
    this.flush()
    if (!this.env.isActive) return
    failIf(this.env.check('sync', this.path), 'fdatasync', this.path)
    await this.file.syncAsync()
    this.markSynced()
  }

  private markSynced (): void {
    this.state.synced = this.state.written
    // As in LevelDB's test env: syncing a new file also syncs its directory entry.
    this.state.entryDurable = true
  }

  close (): void {
    if (this.env.isActive) this.flush()
    this.file.close()
  }
}

class NullWritableFile implements WritableFile {
  append (): void {}
  flush (): void {}
  async appendAsync (): Promise<void> {}
  sync (): void {}
  async syncAsync (): Promise<void> {}
  close (): void {}
}

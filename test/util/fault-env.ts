// A fault-injection Env for durability tests, after LevelDB's FaultInjectionTestEnv: wraps a real
// Env and can fail the Nth write, fsync, rename or file creation (optionally tearing the write
// half way), keep failing like a full disk, and simulate a power cut by dropping every byte that
// was never fsync'd, every file whose directory entry was never made durable, and every rename
// its directory was not synced after (stricter than LevelDB's test env, which takes a synced
// file's name as durable: POSIX promises that only once the directory itself is fsync'd).
// Removals count as durable at once. Zeros a file reserved (WritableFile.reserve) past its
// records survive the cut once synced, as on a real disk, so recovery meets zero-filled tails.
// Made with
// { worker: true }, it crosses into the background worker thread (Env.workerModule): the
// worker's instance shares the rules, their counts and the power switch, and reports the files
// it writes, so every fault and the power cut reach jobs run there too.
import fs from 'node:fs'
import nodePath from 'node:path'
import type { Env, FileLock, LockMode, RandomAccessFile, WorkerEnvModule, WritableFile } from '../../lib/env/env'
import { defaultEnv } from '../../lib/env/node-env'
import { ioError } from '../../lib/util/errors'

export type FaultOp = 'write' | 'sync' | 'rename' | 'create' | 'open'
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
  // Only operations on this thread count: the main thread, or a background worker thread.
  thread?: 'main' | 'worker'
  // The worker thread exits (a crash) instead of failing the operation. Needs thread: 'worker'.
  exitThread?: boolean
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
  // How far reserve() has zero-filled the file, and how far as of its last fsync (0 for never).
  reserved: number
  syncedReserved: number
  // The directory entry is durable: its directory was fsync'd since the file was created.
  entryDurable: boolean
}

export interface FaultEnvOptions {
  // Background jobs run in a worker thread, with a FaultEnv of their own that shares this one's
  // rules, counts and power switch (see createEnv below).
  worker?: boolean
}

// The state every thread's FaultEnv shares, in SharedArrayBuffers: the power switch, the rules
// with their counts, and a journal through which worker threads report the files they write and
// the faults they inject. All are read and written with Atomics.
interface SharedState {
  control: SharedArrayBuffer
  journal: SharedArrayBuffer
}

const OPS: FaultOp[] = ['write', 'sync', 'rename', 'create', 'open']
const KINDS: FileKind[] = ['any', 'log', 'table', 'manifest', 'current']
const CODES = ['EIO', 'ENOSPC'] as const
const THREADS = [undefined, 'main', 'worker'] as const
// control: [active, rule count, journal lock, journal length, then MAX_RULES rules of RULE_INTS].
const ACTIVE = 0
const RULE_COUNT = 1
const JOURNAL_LOCK = 2
const JOURNAL_LENGTH = 3
const RULES = 4
const MAX_RULES = 8
const RULE_INTS = 9
const [R_OP, R_KIND, R_NTH, R_CODE, R_TORN, R_STICKY, R_THREAD, R_EXIT, R_SEEN] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
const JOURNAL_BYTES = 4 * 1024 * 1024

// What a worker-side FaultEnv reports to the main thread's, as one JSON line each.
type JournalRecord =
  | { t: 'file', path: string, state: FileState }
  | { t: 'gone', path: string }
  | { t: 'injected', what: string }

// A rename its directory has not been synced since: a power cut undoes it.
interface PendingRename {
  from: string
  to: string
  fromState: FileState | undefined
  // What `to` held before, if its name was durable then.
  previousTo: { state: FileState, bytes: Buffer } | null
}

export class FaultEnv implements Env {
  private readonly files = new Map<string, FileState>()
  private pendingRenames: PendingRename[] = []
  private readonly control: Int32Array
  private readonly journal: Uint8Array
  private readonly shared: SharedState
  private readonly onWorkerThread: boolean
  private journalRead = 0
  private readonly injectedHere: string[] = []
  readonly workerModule?: WorkerEnvModule

  constructor (private readonly base: Env = defaultEnv, options: FaultEnvOptions = {}, shared?: SharedState) {
    this.shared = shared ?? { control: new SharedArrayBuffer((RULES + MAX_RULES * RULE_INTS) * 4), journal: new SharedArrayBuffer(JOURNAL_BYTES) }
    this.control = new Int32Array(this.shared.control)
    this.journal = new Uint8Array(this.shared.journal)
    this.onWorkerThread = shared !== undefined
    if (shared === undefined) Atomics.store(this.control, ACTIVE, 1)
    if (options.worker === true) this.workerModule = { module: __filename, config: this.shared }
  }

  // Injected errors so far, on every thread, for assertions.
  get injected (): string[] {
    this.readJournal()
    return this.injectedHere.slice()
  }

  addFault (rule: FaultRule): void {
    const index = Atomics.load(this.control, RULE_COUNT)
    if (index >= MAX_RULES) throw new Error(`at most ${MAX_RULES} fault rules`)
    const base = RULES + index * RULE_INTS
    const fields = [OPS.indexOf(rule.op), KINDS.indexOf(rule.kind ?? 'any'), rule.nth, CODES.indexOf(rule.code ?? 'EIO'),
      rule.torn === true ? 1 : 0, rule.sticky === true ? 1 : 0, THREADS.indexOf(rule.thread), rule.exitThread === true ? 1 : 0, 0]
    fields.forEach((value, i) => Atomics.store(this.control, base + i, value))
    Atomics.store(this.control, RULE_COUNT, index + 1)
  }

  clearFaults (): void {
    Atomics.store(this.control, RULE_COUNT, 0)
  }

  // After this the "machine" is off: writes, syncs, renames and deletes are silently dropped.
  deactivate (): void {
    Atomics.store(this.control, ACTIVE, 0)
  }

  // Power loss: truncates every tracked file to its last fsync and deletes files whose directory
  // entry never became durable. Call after deactivate() and after closing the database.
  dropUnsyncedData (): void {
    this.readJournal()
    for (const rename of this.pendingRenames.reverse()) this.undoRename(rename)
    this.pendingRenames = []
    for (const [path, state] of this.files) {
      if (!fs.existsSync(path)) continue
      if (!state.entryDurable) fs.rmSync(path, { force: true })
      else {
        if (fs.statSync(path).size > state.synced) fs.truncateSync(path, state.synced)
        if (state.syncedReserved > state.synced) fs.truncateSync(path, state.syncedReserved)
      }
    }
    this.files.clear()
  }

  private undoRename ({ from, to, fromState, previousTo }: PendingRename): void {
    if (fs.existsSync(to) && fromState?.entryDurable === true) {
      fs.renameSync(to, from)
      this.files.set(from, fromState)
    }
    fs.rmSync(to, { force: true })
    this.files.delete(to)
    if (previousTo !== null) {
      fs.writeFileSync(to, previousTo.bytes)
      this.files.set(to, previousTo.state)
    }
  }

  // Throws the injected error if a rule fires for this operation.
  check (op: FaultOp, path: string): { code: string, torn: boolean } | null {
    const kind = KINDS.indexOf(kindOf(path))
    const thread = THREADS.indexOf(this.onWorkerThread ? 'worker' : 'main')
    const rules = Atomics.load(this.control, RULE_COUNT)
    for (let i = 0; i < rules; i++) {
      const base = RULES + i * RULE_INTS
      const field = (f: number): number => Atomics.load(this.control, base + f)
      if (OPS[field(R_OP)] !== op) continue
      if (field(R_KIND) !== 0 && field(R_KIND) !== kind) continue
      if (field(R_THREAD) !== 0 && field(R_THREAD) !== thread) continue
      const seen = Atomics.add(this.control, base + R_SEEN, 1) + 1
      const nth = field(R_NTH)
      if (seen === nth || (field(R_STICKY) === 1 && seen > nth)) {
        const what = `${op} ${nodePath.basename(path)}${this.onWorkerThread ? ' (in a worker)' : ''}`
        this.record({ t: 'injected', what })
        if (field(R_EXIT) === 1 && this.onWorkerThread) process.exit(70)
        return { code: CODES[field(R_CODE)], torn: field(R_TORN) === 1 }
      }
    }
    return null
  }

  get isActive (): boolean {
    return Atomics.load(this.control, ACTIVE) === 1
  }

  stateOf (path: string): FileState | undefined {
    this.readJournal()
    return this.files.get(path)
  }

  // A file's state changed. On the main thread the map holds the very object that changed; a
  // worker reports it.
  reportState (path: string, state: FileState): void {
    if (this.onWorkerThread) this.record({ t: 'file', path, state })
  }

  private forget (path: string): void {
    if (this.onWorkerThread) this.record({ t: 'gone', path })
    else this.files.delete(path)
  }

  private record (entry: JournalRecord): void {
    if (!this.onWorkerThread) {
      if (entry.t === 'injected') this.injectedHere.push(entry.what)
      return
    }
    const bytes = Buffer.from(JSON.stringify(entry) + '\n', 'utf8')
    this.withJournalLock(() => {
      const length = Atomics.load(this.control, JOURNAL_LENGTH)
      if (length + bytes.length > this.journal.length) throw new Error('FaultEnv journal is full')
      this.journal.set(bytes, length)
      Atomics.store(this.control, JOURNAL_LENGTH, length + bytes.length)
    })
  }

  // Takes in what worker threads have reported since the last call.
  private readJournal (): void {
    if (this.onWorkerThread) return
    const text = this.withJournalLock(() => {
      const length = Atomics.load(this.control, JOURNAL_LENGTH)
      const read = Buffer.from(this.journal.subarray(this.journalRead, length)).toString('utf8')
      this.journalRead = length
      return read
    })
    for (const line of text.split('\n')) {
      if (line === '') continue
      const entry = JSON.parse(line) as JournalRecord
      // A worker never syncs a directory: a name the main thread made durable stays durable.
      if (entry.t === 'file') this.files.set(entry.path, { ...entry.state, entryDurable: entry.state.entryDurable || this.files.get(entry.path)?.entryDurable === true })
      else if (entry.t === 'gone') this.files.delete(entry.path)
      else this.injectedHere.push(entry.what)
    }
  }

  private withJournalLock<T> (work: () => T): T {
    while (Atomics.compareExchange(this.control, JOURNAL_LOCK, 0, 1) !== 0) Atomics.wait(this.control, JOURNAL_LOCK, 1, 1)
    try {
      return work()
    } finally {
      Atomics.store(this.control, JOURNAL_LOCK, 0)
      Atomics.notify(this.control, JOURNAL_LOCK)
    }
  }

  private track (path: string, state: FileState): FileState {
    if (this.onWorkerThread) this.reportState(path, state)
    else this.files.set(path, state)
    return state
  }

  newRandomAccessFile (path: string): RandomAccessFile {
    failIf(this.check('open', path), 'open', path)
    return this.base.newRandomAccessFile(path)
  }

  newWritableFile (path: string): WritableFile {
    if (!this.isActive) return new NullWritableFile()
    failIf(this.check('create', path), 'open', path)
    const file = this.base.newWritableFile(path)
    return new FaultWritableFile(this, path, file, this.track(path, { written: 0, synced: 0, reserved: 0, syncedReserved: 0, entryDurable: false }))
  }

  newAppendableFile (path: string): WritableFile {
    if (!this.isActive) return new NullWritableFile()
    failIf(this.check('create', path), 'open', path)
    const existed = this.base.fileExists(path)
    const size = existed ? this.base.getFileSize(path) : 0
    const file = this.base.newAppendableFile(path)
    return new FaultWritableFile(this, path, file, this.track(path, { written: size, synced: size, reserved: 0, syncedReserved: 0, entryDurable: existed }))
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
    if (!this.isActive) return
    this.base.removeFile(path)
    this.forget(path)
  }

  renameFile (from: string, to: string): void {
    if (!this.isActive) return
    failIf(this.check('rename', from), 'rename', from)
    this.readJournal()
    const fromState = this.files.get(from) ?? this.untracked(from)
    const previousTo = this.base.fileExists(to) ? this.durableContents(to) : null
    this.base.renameFile(from, to)
    this.forget(from)
    this.pendingRenames.push({ from, to, fromState: fromState === undefined ? undefined : { ...fromState }, previousTo })
    // The new name is only durable once the directory is synced.
    if (fromState !== undefined) this.track(to, { ...fromState, entryDurable: false })
  }

  // A file this env did not write (there before it started): taken as wholly durable.
  private untracked (path: string): FileState | undefined {
    if (!this.base.fileExists(path)) return undefined
    const size = this.base.getFileSize(path)
    return { written: size, synced: size, reserved: 0, syncedReserved: 0, entryDurable: true }
  }

  // What a power cut would leave of the file now, if its name is durable.
  private durableContents (path: string): { state: FileState, bytes: Buffer } | null {
    const state = this.files.get(path) ?? this.untracked(path)
    if (state === undefined || !state.entryDurable) return null
    return { state: { ...state }, bytes: this.base.readFile(path).subarray(0, state.synced) }
  }

  linkFile (from: string, to: string): void {
    if (!this.isActive) return
    failIf(this.check('create', to), 'link', to)
    this.base.linkFile(from, to)
    this.readJournal()
    const state = this.files.get(from) ?? this.untracked(to)
    // The bytes are the source's; the new name is durable only once its directory is synced.
    if (state !== undefined) this.track(to, { ...state, entryDurable: false })
  }

  createDir (path: string): void {
    this.base.createDir(path)
  }

  removeDir (path: string): void {
    if (!this.isActive) return
    this.base.removeDir(path)
  }

  syncDir (path: string): void {
    if (!this.isActive) return
    failIf(this.check('sync', path), 'fsync', path)
    this.base.syncDir(path)
    this.readJournal()
    const dir = nodePath.resolve(path)
    const inDir = (file: string): boolean => nodePath.dirname(nodePath.resolve(file)) === dir
    for (const [file, state] of this.files) {
      if (inDir(file)) state.entryDurable = true
    }
    this.pendingRenames = this.pendingRenames.filter(rename => !inDir(rename.to))
  }

  async syncDirAsync (path: string): Promise<void> {
    this.syncDir(path)
  }

  lockFile (path: string, mode?: LockMode): Promise<FileLock> {
    return this.base.lockFile(path, mode)
  }

  unlockFile (lock: FileLock): Promise<void> {
    return this.base.unlockFile(lock)
  }
}

// Loaded by a background worker thread (Env.workerModule): a FaultEnv over the default Env that
// shares the caller's rules, counts and power switch, and reports its files to the caller's.
export function createEnv (config: SharedState): Env {
  return new FaultEnv(defaultEnv, {}, config)
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
    this.env.reportState(this.path, this.state)
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

  // Not a write to fault rules: a reservation is best effort and its zeros hold no records.
  reserve (length: number): void {
    if (!this.env.isActive || this.file.reserve === undefined) return
    this.file.reserve(length)
    this.state.reserved = Math.max(this.state.reserved, length)
    this.env.reportState(this.path, this.state)
  }

  private markSynced (): void {
    this.state.synced = this.state.written
    this.state.syncedReserved = this.state.reserved
    this.env.reportState(this.path, this.state)
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

// The storage engine: write-ahead log + memtable in front of leveled table files, with flushes
// and compactions run as background jobs. Knows nothing of abstract-level.
import path from 'node:path'
import type { Env, FileLock } from '../env/env'
import { defaultEnv } from '../env/node-env'
import type { DBOptions, ReadOptions, Snapshot, WriteOptions } from './options'
import { InfoLog } from './info-log'
import { WriteBatch } from '../format/write-batch'
import { extractUserKey, makeInternalKey, MAX_SEQUENCE, VALUE_TYPE_FOR_SEEK } from '../format/internal-key'
import { FileType, currentFileName, lockFileName, logFileName, parseFileName } from '../format/filenames'
import { ByteWriter } from '../format/coding'
import { LogWriter } from '../log/log-writer'
import { MemTable } from '../memtable/memtable'
import { ArenaPool } from '../memtable/arena-pool'
import { MergingIterator } from '../iterator/merging-iterator'
import { DBIterator } from '../iterator/db-iterator'
import type { InternalIterator } from '../iterator/iterator'
import type { EntryRanges } from '../iterator/entry-ranges'
import { LRUCache } from '../cache/lru-cache'
import { TableCache } from '../cache/table-cache'
import type { Block } from '../table/block'
import { VersionSet } from '../version/version-set'
import { VersionEdit } from '../version/version-edit'
import { L0_SLOWDOWN_WRITES_TRIGGER, L0_STOP_WRITES_TRIGGER, NUM_LEVELS, type Version } from '../version/version'
import { newLevelIterator } from '../version/level-iterator'
import { logMayHoldUnflushedWrites, type LiveFiles } from '../version/obsolete-files'
import { needsCompaction, pickRangeCompaction, pickSeekCompaction, pickSizeCompaction } from '../compaction/picker'
import { isTrivialMove, maxGrandparentOverlapBytes, type Compaction } from '../compaction/compaction'
import type { CompactionResult } from '../compaction/compaction-job'
import { InlineJobRunner, WorkerJobRunner, type JobRunner } from '../compaction/job-runner'
import type { TableOutputOptions } from '../compaction/table-output'
import { corruption, ioError } from '../util/errors'
import { repairDatabase, type RepairResult } from './repair'
import { describeStats, describeTables, LevelStats } from './properties'
import { emptyEntryRanges, PointLookup } from './point-lookup'

export const DEFAULT_OPTIONS: Readonly<DBOptions> = {
  createIfMissing: true,
  errorIfExists: false,
  compression: true,
  cacheSize: 8 * 1024 * 1024,
  writeBufferSize: 4 * 1024 * 1024,
  blockSize: 4096,
  maxOpenFiles: 1000,
  blockRestartInterval: 16,
  maxFileSize: 2 * 1024 * 1024,
  levelSizeBase: 10 * 1024 * 1024,
  verifyChecksums: true,
  paranoidChecks: false,
  backgroundWorker: true,
  backgroundThreads: 1,
  env: defaultEnv
}

const BLOOM_BITS_PER_KEY = 10
const RESOLVED = Promise.resolve()
// Longest stretch of writes run in one event-loop turn before write promises resolve on the next.
const WRITE_TIME_SLICE_MS = 1
// Records a write inserts into the memtable per event-loop turn (about 0.1 ms of work).
const MEMTABLE_INSERT_CHUNK = 256

interface QueuedWrite {
  batch: WriteBatch
  sync: boolean
  resolve: () => void
  reject: (err: Error) => void
}

interface ManualCompaction {
  level: number
  begin: Buffer | null
  end: Buffer | null
  resolve: () => void
  reject: (err: Error) => void
}

export class DB {
  private readonly arenaPool: ArenaPool
  private mem: MemTable
  private imm: MemTable | null = null
  private log!: LogWriter
  private logFileNumber = 0
  private readonly snapshots = new Set<Snapshot>()
  // Files being written by a job, not yet in any version: the obsolete-file sweep must spare them.
  private readonly pendingOutputs = new Set<number>()
  private readonly writeQueue: QueuedWrite[] = []
  private readonly stats: LevelStats[] = Array.from({ length: NUM_LEVELS }, () => new LevelStats())
  // A large batch is being logged and inserted a part per turn (applyWriteInParts): the memtable
  // (and with it the log) must not be switched until it is all in, since the batch's log record
  // goes to the current log, whose write may still be running.
  private writingInParts = false
  // Shared by every log this database writes: large records are assembled there (LogWriter).
  private readonly logRecordAssembly = new ByteWriter()
  private flushRunning = false
  private compactionRunning = false
  // Worker-side compaction outputs are numbered at or above this; the sweep spares them.
  private compactionOutputFloor = Infinity
  private progressWaiters: Array<() => void> = []
  private backgroundError: Error | null = null
  private manual: ManualCompaction | null = null
  private syncInFlight: Promise<void> | null = null
  private syncQueued: Promise<void> | null = null
  private closing = false
  // Settles once every removal handed over so far is done; open() and compactRange() wait for it.
  private removals: Promise<void> = RESOLVED
  // When the current event-loop turn started writing (performance.now()), or -1; see endOfWrite().
  private turnStarted = -1

  private constructor (
    readonly location: string,
    private readonly options: DBOptions,
    private readonly env: Env,
    private readonly lock: FileLock,
    private readonly infoLog: InfoLog,
    private readonly vset: VersionSet,
    private readonly tableCache: TableCache,
    private readonly blockCache: LRUCache<Block>,
    private readonly flushRunner: JobRunner,
    private readonly compactionRunner: JobRunner
  ) {
    this.arenaPool = ArenaPool.forWriteBufferSize(options.writeBufferSize)
    this.mem = new MemTable(this.arenaPool)
  }

  static async open (location: string, userOptions: Partial<DBOptions> = {}): Promise<DB> {
    const options = withDefaults(userOptions)
    const env = options.env
    const dbname = path.resolve(location)
    if (!env.fileExists(dbname)) {
      if (!options.createIfMissing) throw new Error(`${location} does not exist (createIfMissing is false)`)
      env.createDir(dbname)
    }
    const lock = await env.lockFile(lockFileName(dbname))
    let infoLog: InfoLog | null = null
    let tableCache: TableCache | null = null
    let runners: JobRunner[] = []
    try {
      if (!env.fileExists(currentFileName(dbname))) {
        if (!options.createIfMissing) throw new Error(`${location} does not exist (createIfMissing is false)`)
        // Starting afresh here would overwrite the files of a database that lost its CURRENT.
        const orphan = env.getChildren(dbname).find(name => {
          const type = parseFileName(name)?.type
          return type === FileType.Descriptor || type === FileType.Table || type === FileType.Log
        })
        if (orphan !== undefined) throw corruption(`CURRENT is missing but ${orphan} exists; run repair() to salvage the database`)
        VersionSet.create(env, dbname)
      } else if (options.errorIfExists) {
        throw new Error(`${location} exists (errorIfExists is true)`)
      }
      // Read-only until the MANIFEST has been replayed, so a failed open changes nothing.
      const vset = new VersionSet(env, dbname, options)
      vset.recover()
      const log = infoLog = new InfoLog(env, dbname)
      const blockCache = new LRUCache<Block>(options.cacheSize)
      tableCache = new TableCache(env, dbname, { verifyChecksums: options.verifyChecksums, blockCache }, options.maxOpenFiles)
      // A custom Env cannot cross into a worker thread, so its jobs run inline.
      const inWorker = options.backgroundWorker && env === defaultEnv
      runners = inWorker
        ? backgroundRunners(options.backgroundThreads, () => new WorkerJobRunner(vset.fileNumbers, err => log.log(`${err.message} while idle; the next job starts a new worker`)))
        : backgroundRunners(1, () => new InlineJobRunner(env, vset.fileNumbers))
      const db = new DB(dbname, options, env, lock, infoLog, vset, tableCache, blockCache, runners[0], runners[1])
      await db.recoverLogs()
      await db.removals
      return db
    } catch (err) {
      for (const runner of runners) await runner.close()
      tableCache?.close()
      infoLog?.close()
      await env.unlockFile(lock)
      throw err
    }
  }

  private get tableOptions (): TableOutputOptions {
    return tableOptionsOf(this.options)
  }

  // Turns every log newer than the MANIFEST into a table, then starts a fresh log.
  private async recoverLogs (): Promise<void> {
    const vset = this.vset
    const expected = vset.liveFiles()
    const logs: number[] = []
    for (const name of this.env.getChildren(this.location)) {
      const parsed = parseFileName(name)
      if (parsed === undefined) continue
      if (parsed.type === FileType.Table) expected.delete(parsed.number)
      if (parsed.type === FileType.Log && logMayHoldUnflushedWrites(parsed.number, vset.logNumber, vset.prevLogNumber)) logs.push(parsed.number)
    }
    if (expected.size > 0) {
      throw corruption(`${expected.size} missing table files, e.g. ${[...expected][0]}`)
    }
    logs.sort((a, b) => a - b)
    for (const number of logs) vset.markFileNumberUsed(number)
    const edit = new VersionEdit()
    for (const logNumber of logs) {
      const fileNumber = vset.newFileNumber()
      this.pendingOutputs.add(fileNumber)
      const started = Date.now()
      const result = await this.flushRunner.recover({
        dbname: this.location, fileNumber, logNumber, options: this.tableOptions, tolerateDamage: !this.options.paranoidChecks
      })
      for (const message of result.damage) this.infoLog.log(message)
      if (result.meta !== undefined) {
        edit.addFile(0, result.meta)
        this.stats[0].add(Date.now() - started, 0, result.meta.fileSize)
      }
      vset.lastSequence = Math.max(vset.lastSequence, result.maxSequence)
    }

    this.logFileNumber = vset.newFileNumber()
    this.log = new LogWriter(this.env.newWritableFile(logFileName(this.location, this.logFileNumber)), 0, this.logRecordAssembly)
    edit.logNumber = this.logFileNumber
    edit.prevLogNumber = 0
    await vset.logAndApply(edit)
    this.pendingOutputs.clear()
    this.deleteObsoleteFiles()
    this.infoLog.log(`opened: ${logs.length} logs replayed, last sequence ${vset.lastSequence}`)
    this.maybeScheduleBackgroundWork()
  }

  // ---- Writes ----

  // The batch must not change until the write settles (it may wait in the queue).
  write (batch: WriteBatch, options: WriteOptions = {}): Promise<void> {
    if (this.closing) return Promise.reject(new Error('Database is closing'))
    if (this.backgroundError !== null) return Promise.reject(this.backgroundError)
    if (batch.count() === 0) return RESOLVED
    if (this.writeQueue.length === 0 && batch.count() <= MEMTABLE_INSERT_CHUNK) {
      let applied = false
      try {
        // makeRoomForWrite may switch to a new log file, whose creation can fail (EMFILE, ENOSPC).
        if (this.makeRoomForWrite(false)) {
          this.applyWrite(batch)
          applied = true
        }
      } catch (err) {
        return Promise.reject(err)
      }
      if (applied) return options.sync === true ? this.syncLog() : this.endOfWrite()
    }
    return new Promise((resolve, reject) => {
      this.writeQueue.push({ batch, sync: options.sync === true, resolve, reject })
      if (this.writeQueue.length === 1) void this.drainWriteQueue()
    })
  }

  private async drainWriteQueue (): Promise<void> {
    let slowedDown = false
    while (this.writeQueue.length > 0) {
      const head = this.writeQueue[0]
      try {
        if (!slowedDown && this.vset.current.numFiles(0) >= L0_SLOWDOWN_WRITES_TRIGGER) {
          // Give compaction some time instead of stalling one write for seconds later.
          slowedDown = true
          await delay(1)
        }
        while (!this.makeRoomForWrite(true)) {
          if (this.backgroundError !== null) throw this.backgroundError
          await this.nextProgress()
        }
        if (this.backgroundError !== null) throw this.backgroundError
        if (head.batch.count() <= MEMTABLE_INSERT_CHUNK) this.applyWrite(head.batch)
        else await this.applyWriteInParts(head.batch)
        this.writeQueue.shift()
        if (head.sync) this.syncLog().then(head.resolve, head.reject)
        else head.resolve()
        slowedDown = false
        if (this.writeQueue.length > 0) await this.endOfWrite()
      } catch (err) {
        this.writeQueue.shift()
        head.reject(err as Error)
      }
    }
    this.notifyProgress()
  }

  // A write that completes synchronously would resolve as a microtask, so a writer awaiting
  // writes in a loop would never give the event loop a turn (timers, I/O, reads). Once the
  // current turn has run for WRITE_TIME_SLICE_MS, writes resolve on the next turn instead.
  private endOfWrite (): Promise<void> {
    const now = performance.now()
    if (this.turnStarted < 0) {
      this.turnStarted = now
      setImmediate(() => { this.turnStarted = -1 })
      return RESOLVED
    }
    if (now - this.turnStarted < WRITE_TIME_SLICE_MS) return RESOLVED
    return new Promise(resolve => setImmediate(resolve))
  }

  // True when the memtable can take a write now, switching to a fresh one if that is possible
  // without waiting. Level-0 slowdown is only honoured on the queued path.
  private makeRoomForWrite (afterSlowdown: boolean): boolean {
    if (!afterSlowdown && this.vset.current.numFiles(0) >= L0_SLOWDOWN_WRITES_TRIGGER) return false
    if (this.mem.approximateMemoryUsage() < this.options.writeBufferSize) return true
    if (this.imm !== null) return false
    if (this.vset.current.numFiles(0) >= L0_STOP_WRITES_TRIGGER) {
      this.maybeScheduleBackgroundWork()
      return false
    }
    this.switchMemTable()
    return true
  }

  private switchMemTable (): void {
    const number = this.vset.newFileNumber()
    const file = this.env.newWritableFile(logFileName(this.location, number))
    this.retireLog(this.log)
    this.log = new LogWriter(file, 0, this.logRecordAssembly)
    this.logFileNumber = number
    this.imm = this.mem
    this.mem = new MemTable(this.arenaPool)
    this.maybeScheduleBackgroundWork()
  }

  private applyWrite (batch: WriteBatch): void {
    this.appendToLog(batch)
    this.mem.addBatch(batch)
    this.vset.lastSequence = batch.sequence + batch.count() - 1
  }

  // A large batch is written to the log off the main thread (a write of a hundred KB or more can
  // wait milliseconds for the kernel) while it goes into the memtable a part per event-loop turn,
  // so one write does not hold the loop for milliseconds. Readers see none of it until its last
  // sequence is published, after both; a failed log write leaves its entries unpublished and the
  // database refusing writes, so they are never flushed.
  private async applyWriteInParts (batch: WriteBatch): Promise<void> {
    this.writingInParts = true
    const logged = this.appendToLogAsync(batch)
    // Awaited below; this only keeps an early insert failure from leaving it unhandled.
    logged.catch(() => {})
    const position = batch.start()
    try {
      while (!this.mem.addBatchPart(batch, position, MEMTABLE_INSERT_CHUNK)) {
        await new Promise(resolve => setImmediate(resolve))
      }
      await logged
    } finally {
      this.writingInParts = false
      this.notifyProgress()
    }
    this.vset.lastSequence = batch.sequence + batch.count() - 1
  }

  private appendToLog (batch: WriteBatch): void {
    batch.sequence = this.vset.lastSequence + 1
    try {
      this.log.addRecord(batch.contents())
    } catch (err) {
      throw this.logFailed(err as Error)
    }
  }

  private async appendToLogAsync (batch: WriteBatch): Promise<void> {
    batch.sequence = this.vset.lastSequence + 1
    await this.log.addRecordAsync(batch.contents()).catch((err: Error) => { throw this.logFailed(err) })
  }

  // The log may now end in a partial record; LevelDB stops accepting writes here too.
  private logFailed (err: Error): Error {
    this.setBackgroundError(err)
    return err
  }

  // Sync writers share fdatasyncs (group commit): those arriving while one runs all wait for
  // the next, which covers every write made before it starts.
  private syncLog (): Promise<void> {
    if (this.syncInFlight === null) return this.startSync()
    if (this.syncQueued === null) {
      this.syncQueued = this.syncInFlight.catch(() => {}).then(() => {
        this.syncQueued = null
        return this.startSync()
      })
    }
    return this.syncQueued
  }

  private startSync (): Promise<void> {
    const sync = this.log.syncAsync().catch((err: Error) => {
      this.setBackgroundError(err)
      throw this.backgroundError ?? err
    }).finally(() => {
      if (this.syncInFlight === sync) this.syncInFlight = null
    })
    this.syncInFlight = sync
    return sync
  }

  // A log being replaced may still owe sync writers their fdatasync, and may have one running.
  private retireLog (log: LogWriter): void {
    if (this.syncInFlight === null) {
      log.close()
      return
    }
    try {
      log.sync()
    } catch (err) {
      this.setBackgroundError(err as Error)
    }
    this.syncInFlight.catch(() => {}).finally(() => log.close())
  }

  // ---- Reads ----

  private sequenceFor (options: ReadOptions): number {
    return options.snapshot?.sequence ?? this.vset.lastSequence
  }

  // One serves every point lookup in turn: each runs synchronously from start to finish.
  private readonly pointLookup = new PointLookup()
  private readonly foundValue = emptyEntryRanges()

  // The newest value of key the read can see, as a copy of its own.
  get (key: Uint8Array, options: ReadOptions = {}): Buffer | undefined {
    const found = this.foundValue
    if (!this.find(key, options, found)) return undefined
    const copy = Buffer.allocUnsafe(found.valueEnd - found.valueStart)
    found.valueBytes.copy(copy, 0, found.valueStart, found.valueEnd)
    return copy
  }

  has (key: Uint8Array, options: ReadOptions = {}): boolean {
    return this.find(key, options, this.foundValue)
  }

  // Finds the newest value of key the read can see and puts its bytes in `into` as
  // into.valueBytes[valueStart, valueEnd) without a copy: the bytes belong to a cached block or a
  // memtable, valid only until the next write or read of this database, so a caller that keeps
  // the value copies it first.
  // A lookup that searched more than one table may make a table due for a seek compaction.
  find (key: Uint8Array, options: ReadOptions, into: EntryRanges): boolean {
    const lookup = this.pointLookup
    const found = lookup.find(key, this.sequenceFor(options), this.mem, this.imm, this.vset.current, this.tableCache, options.fillCache ?? true, into)
    if (lookup.seekCompactionDue) this.maybeScheduleBackgroundWork()
    return found
  }

  newIterator (options: ReadOptions = {}): DBIterator {
    const sequence = this.sequenceFor(options)
    const fillCache = options.fillCache ?? true
    const version = this.vset.current
    this.vset.pin(version)
    const children: InternalIterator[] = [this.mem.newIterator()]
    try {
      if (this.imm !== null) children.push(this.imm.newIterator())
      for (const file of version.files[0]) children.push(this.tableCache.newIterator(file.number, file.fileSize, fillCache))
      for (let level = 1; level < NUM_LEVELS; level++) {
        if (version.files[level].length > 0) children.push(newLevelIterator(version.files[level], this.tableCache, fillCache))
      }
    } catch (err) {
      for (const child of children) child.close()
      this.vset.unpin(version)
      throw err
    }
    return new DBIterator(new MergingIterator(children), sequence, () => this.vset.unpin(version))
  }

  getSnapshot (): Snapshot {
    const snapshot: Snapshot = { sequence: this.vset.lastSequence }
    this.snapshots.add(snapshot)
    return snapshot
  }

  releaseSnapshot (snapshot: Snapshot): void {
    this.snapshots.delete(snapshot)
  }

  private smallestSnapshot (): number {
    let smallest = this.vset.lastSequence
    for (const s of this.snapshots) smallest = Math.min(smallest, s.sequence)
    return smallest
  }

  // Bytes of table files that hold keys in [start, end): an estimate, as in LevelDB.
  approximateSize (start: Buffer, end: Buffer): number {
    const version = this.vset.current
    const startKey = makeInternalKey(start, MAX_SEQUENCE, VALUE_TYPE_FOR_SEEK)
    const endKey = makeInternalKey(end, MAX_SEQUENCE, VALUE_TYPE_FOR_SEEK)
    return Math.max(0, this.approximateOffsetOf(version, endKey) - this.approximateOffsetOf(version, startKey))
  }

  private approximateOffsetOf (version: Version, internalKey: Buffer): number {
    let offset = 0
    for (const files of version.files) {
      for (const file of files) {
        if (Buffer.compare(extractUserKey(file.largest), extractUserKey(internalKey)) < 0) {
          offset += file.fileSize
        } else if (Buffer.compare(extractUserKey(file.smallest), extractUserKey(internalKey)) <= 0) {
          offset += this.tableCache.approximateOffsetOf(file.number, file.fileSize, internalKey)
        }
      }
    }
    return offset
  }

  getProperty (name: string): string | undefined {
    const property = name.replace(/^leveldb\./, 'aidb.')
    const version = this.vset.current
    const levelMatch = /^aidb\.num-files-at-level(\d+)$/.exec(property)
    if (levelMatch !== null) {
      const level = Number(levelMatch[1])
      return level < NUM_LEVELS ? String(version.numFiles(level)) : undefined
    }
    switch (property) {
      case 'aidb.stats': return describeStats(version, this.stats)
      case 'aidb.sstables': return describeTables(version)
      case 'aidb.approximate-memory-usage':
        return String(this.blockCache.totalCharge + this.mem.approximateMemoryUsage() + (this.imm?.approximateMemoryUsage() ?? 0))
      default: return undefined
    }
  }

  // ---- Background work ----

  private setBackgroundError (err: Error): void {
    if (this.backgroundError !== null) return
    const coded = typeof (err as { code?: unknown }).code === 'string' && String((err as { code?: unknown }).code).startsWith('LEVEL_')
      ? err
      : ioError(err.message, err)
    this.backgroundError = coded
    this.infoLog.log(`background error: ${err.message}`)
  }

  // Resolves when a background job ends or the write queue empties: the moments a waiter's condition can change.
  private nextProgress (): Promise<void> {
    return new Promise(resolve => this.progressWaiters.push(resolve))
  }

  private notifyProgress (): void {
    const waiters = this.progressWaiters
    this.progressWaiters = []
    for (const resolve of waiters) resolve()
  }

  private maybeScheduleBackgroundWork (): void {
    if (this.backgroundError !== null) return
    if (this.imm !== null && !this.flushRunning) {
      this.flushRunning = true
      this.runBackground(() => this.flushImmutable(), () => { this.flushRunning = false })
    }
    if (!this.compactionRunning && (this.manual !== null || (!this.closing && needsCompaction(this.vset.current)))) {
      this.compactionRunning = true
      this.runBackground(() => this.compactOnce(), () => { this.compactionRunning = false })
    }
  }

  private runBackground (work: () => Promise<void>, done: () => void): void {
    work().catch((err: Error) => {
      this.setBackgroundError(err)
      if (this.manual !== null) {
        this.manual.reject(this.backgroundError ?? err)
        this.manual = null
      }
    }).finally(() => {
      done()
      this.notifyProgress()
      this.maybeScheduleBackgroundWork()
    })
  }

  private async compactOnce (): Promise<void> {
    if (this.manual !== null) {
      const m = this.manual
      const c = pickRangeCompaction(this.vset.current, m.level, m.begin, m.end, this.options)
      if (c === null) {
        this.manual = null
        m.resolve()
      } else {
        await this.compact(c)
      }
      return
    }
    const c = pickSizeCompaction(this.vset.current, this.vset.compactPointers, this.options) ?? pickSeekCompaction(this.vset.current, this.options)
    if (c === null) return
    if (isTrivialMove(c)) {
      const file = c.inputs[0][0]
      const edit = new VersionEdit()
      edit.deleteFile(c.level, file.number)
      edit.addFile(c.level + 1, file)
      if (c.compactPointer !== undefined) edit.setCompactPointer(c.level, c.compactPointer)
      await this.vset.logAndApply(edit)
      this.infoLog.log(`moved #${file.number} to level ${c.level + 1}`)
    } else {
      await this.compact(c)
    }
  }

  private async flushImmutable (): Promise<void> {
    const imm = this.imm
    if (imm === null) return
    const fileNumber = this.vset.newFileNumber()
    this.pendingOutputs.add(fileNumber)
    const started = Date.now()
    const edit = new VersionEdit()
    try {
      const result = await this.flushRunner.flush({ dbname: this.location, fileNumber, options: this.tableOptions, arena: imm.arena })
      const meta = result.meta
      if (meta !== undefined) {
        // A running compaction's outputs are not in the current version yet, so pushing the
        // table below level 0 could overlap them.
        const level = this.compactionRunning
          ? 0
          : this.vset.current.pickLevelForMemTableOutput(extractUserKey(meta.smallest), extractUserKey(meta.largest), maxGrandparentOverlapBytes(this.options.maxFileSize))
        edit.addFile(level, meta)
        this.stats[level].add(Date.now() - started, 0, meta.fileSize)
        this.infoLog.log(`flushed table #${fileNumber} to level ${level}: ${meta.fileSize} bytes`)
      }
      // Logs older than the current one are no longer needed once this edit is durable.
      edit.prevLogNumber = 0
      edit.logNumber = this.logFileNumber
      await this.vset.logAndApply(edit)
    } finally {
      this.pendingOutputs.delete(fileNumber)
    }
    imm.release()
    this.imm = null
    this.deleteObsoleteFiles()
  }

  private async compact (c: Compaction): Promise<void> {
    const started = Date.now()
    this.compactionOutputFloor = this.vset.nextFileNumber
    let result: CompactionResult
    try {
      result = await this.compactionRunner.compact({
        dbname: this.location,
        compaction: c,
        smallestSnapshot: this.smallestSnapshot(),
        verifyChecksums: this.options.verifyChecksums,
        options: this.tableOptions
      })
      const edit = new VersionEdit()
      c.inputs.forEach((files, which) => {
        for (const f of files) edit.deleteFile(c.level + which, f.number)
      })
      for (const meta of result.outputs) edit.addFile(c.level + 1, meta)
      if (c.compactPointer !== undefined) edit.setCompactPointer(c.level, c.compactPointer)
      await this.vset.logAndApply(edit)
    } finally {
      this.compactionOutputFloor = Infinity
    }
    this.stats[c.level + 1].add(Date.now() - started, result.bytesRead, result.bytesWritten)
    this.infoLog.log(`compacted ${c.inputs[0].length}@${c.level} + ${c.inputs[1].length}@${c.level + 1} files into ${result.outputs.length} (${result.bytesWritten} bytes)`)
    this.deleteObsoleteFiles()
  }

  // The background runner lists the directory and unlinks (milliseconds on a busy disk). The
  // table cache closes tables no version needs first: closing the last descriptor of a file
  // already unlinked frees its blocks there and then, which took about 1 ms per table on the
  // main thread (20 to 30 ms after a large compaction).
  private deleteObsoleteFiles (): void {
    if (this.backgroundError !== null) return
    const vset = this.vset
    const tables = vset.liveFiles()
    for (const number of this.pendingOutputs) tables.add(number)
    this.tableCache.evictAllExcept(tables)
    const live: LiveFiles = {
      dbname: this.location,
      tables: [...tables],
      logNumber: vset.logNumber,
      prevLogNumber: vset.prevLogNumber,
      manifestNumber: vset.manifestFileNumber,
      firstUnsettledNumber: Math.min(vset.nextFileNumber, this.compactionOutputFloor)
    }
    const removal = this.flushRunner.sweep(live).then(
      ({ failures }) => {
        for (const failure of failures) this.infoLog.log(`could not delete ${failure}`)
      },
      (err: Error) => this.infoLog.log(`could not delete obsolete files: ${err.message}`)
    )
    this.removals = Promise.all([this.removals, removal]).then(() => {})
  }

  // Flushes the memtable, then compacts [begin, end] (user keys; null = unbounded) level by level.
  async compactRange (begin: Buffer | null, end: Buffer | null): Promise<void> {
    let maxLevelWithFiles = 1
    const version = this.vset.current
    for (let level = 1; level < NUM_LEVELS; level++) {
      if (version.overlapInLevel(level, begin, end)) maxLevelWithFiles = level
    }
    await this.flushMemTable()
    const beginKey = begin === null ? null : makeInternalKey(begin, MAX_SEQUENCE, VALUE_TYPE_FOR_SEEK)
    const endKey = end === null ? null : makeInternalKey(end, 0, 0)
    for (let level = 0; level < maxLevelWithFiles; level++) {
      await new Promise<void>((resolve, reject) => {
        this.manual = { level, begin: beginKey, end: endKey, resolve, reject }
        this.maybeScheduleBackgroundWork()
      })
    }
    await this.removals
  }

  private async flushMemTable (): Promise<void> {
    while (this.imm !== null || this.writingInParts) await this.waitForBackground()
    if (this.mem.entryCount > 0) this.switchMemTable()
    while (this.imm !== null) await this.waitForBackground()
  }

  private async waitForBackground (): Promise<void> {
    if (this.backgroundError !== null) throw this.backgroundError
    await this.nextProgress()
    if (this.backgroundError !== null) throw this.backgroundError
  }

  static destroy (location: string, env?: Env): Promise<void> {
    return destroyDatabase(location, env)
  }

  static repair (location: string, options?: Partial<DBOptions>): Promise<RepairResult> {
    return repairDatabaseAt(location, options)
  }

  // Waits for queued writes and running background jobs; unflushed data stays in the log.
  async close (): Promise<void> {
    while (this.writeQueue.length > 0) await this.nextProgress()
    this.closing = true
    while (this.flushRunning || this.compactionRunning) await this.nextProgress()
    await this.syncQueued?.catch(() => {})
    await this.syncInFlight?.catch(() => {})
    try {
      this.log.close()
      this.vset.close()
    } finally {
      await this.flushRunner.close()
      await this.compactionRunner.close()
      this.tableCache.close()
      this.blockCache.clear()
      this.infoLog.close()
      await this.env.unlockFile(this.lock)
    }
  }
}

// Removes every LevelDB file of a database and then its directory, if nothing else is left in it.
export async function destroyDatabase (location: string, env: Env = defaultEnv): Promise<void> {
  const dbname = path.resolve(location)
  if (!env.fileExists(dbname)) return
  const lockPath = lockFileName(dbname)
  const lock = await env.lockFile(lockPath)
  try {
    for (const name of env.getChildren(dbname)) {
      const parsed = parseFileName(name)
      if (parsed !== undefined && parsed.type !== FileType.DBLock) env.removeFile(path.join(dbname, name))
    }
  } finally {
    await env.unlockFile(lock)
  }
  env.removeFile(lockPath)
  try {
    env.removeDir(dbname)
  } catch {
    // Foreign files stay, and so does the directory, as in LevelDB.
  }
}

// Rebuilds the MANIFEST from whatever logs and tables are readable. The database must be closed.
export async function repairDatabaseAt (location: string, userOptions: Partial<DBOptions> = {}): Promise<RepairResult> {
  const options = withDefaults(userOptions)
  const env = options.env
  const dbname = path.resolve(location)
  if (!env.fileExists(dbname)) throw new Error(`${location} does not exist`)
  const lock = await env.lockFile(lockFileName(dbname))
  const infoLog = new InfoLog(env, dbname)
  try {
    return repairDatabase(env, dbname, tableOptionsOf(options), message => infoLog.log(message))
  } finally {
    infoLog.close()
    await env.unlockFile(lock)
  }
}

function tableOptionsOf (o: DBOptions): TableOutputOptions {
  return { blockSize: o.blockSize, blockRestartInterval: o.blockRestartInterval, compression: o.compression, bloomBitsPerKey: BLOOM_BITS_PER_KEY }
}

// One runner for flushes and one for compactions; with a single thread both are the same runner,
// whose worker runs the jobs in turn.
function backgroundRunners (threads: number, create: () => JobRunner): [JobRunner, JobRunner] {
  const flushRunner = create()
  return [flushRunner, threads >= 2 ? create() : flushRunner]
}

function delay (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

// Options left undefined take their defaults, as if not given.
function withDefaults (userOptions: Partial<DBOptions>): DBOptions {
  const options: DBOptions = { ...DEFAULT_OPTIONS }
  for (const key of Object.keys(userOptions) as Array<keyof DBOptions>) {
    if (userOptions[key] !== undefined) Object.assign(options, { [key]: userOptions[key] })
  }
  return options
}

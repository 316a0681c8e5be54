// The storage engine: write-ahead log + memtable in front of leveled table files, with flushes
// and compactions run as background jobs. Knows nothing of abstract-level.
//
// This file wires the parts together and serves reads. Each part owns its state:
// - open.ts: opening and recovery, which hand back the parts below fully built;
// - write-path.ts: the write queue, admission and the level-0 slowdown and stop;
// - write-ahead-log.ts: the current log, its rotation and group commit;
// - memtables.ts: the memtable taking writes and the one being flushed;
// - background.ts: flushes, compactions and the sweep of obsolete files;
// - background-error.ts: the one background error;
// - checkpoint.ts: online backups;
// - destroy.ts and repair.ts: the operations on a closed database.
// State the parts share has one writer each: vset.lastSequence is published by write-path.ts
// (and by open.ts while recovering); the rest of the VersionSet changes only through
// logAndApply, called by background.ts (and open.ts); `stats` is added to by open.ts for
// recovered logs, then only by background.ts.
//
// Invariants of this file:
// - `snapshots` holds every snapshot handed out and not yet released; only getSnapshot() and
//   releaseSnapshot() change it, and compactions keep every entry the oldest of them can see.
// - An iterator pins the version it reads until it closes, so its table files outlive it.
// - A read-only database (options.readOnly) has no log, no write path and no background work
//   (wal, writes and background are null): nothing it does writes to its directory, and every
//   write, compaction and flush is refused with LEVEL_READONLY. Its memtable holds what open.ts
//   replayed from the logs.
import type { Env, FileLock } from '../env/env'
import type { DBOptions, DBReadOptions, Snapshot, DBWriteOptions } from './options'
import type { InfoLog } from './info-log'
import type { WriteBatch } from '../format/write-batch'
import { extractUserKey, makeInternalKey, MAX_SEQUENCE, VALUE_TYPE_FOR_SEEK } from '../format/internal-key'
import { MergingIterator } from '../iterator/merging-iterator'
import { DBIterator } from '../iterator/db-iterator'
import type { InternalIterator } from '../iterator/iterator'
import type { LRUCache } from '../util/lru-cache'
import type { TableCache } from '../cache/table-cache'
import type { Block } from '../table/block'
import type { VersionSet } from '../version/version-set'
import { NUM_LEVELS, type Version } from '../version/version'
import { newLevelIterator } from '../version/level-iterator'
import type { JobRunner } from '../compaction/job-runner'
import { describeStats, describeTables, type LevelStats } from './properties'
import { openEngine, type OpenedEngine } from './open'
import { MemTables } from './memtables'
import type { WriteAheadLog } from './write-ahead-log'
import { BackgroundWork } from './background'
import { WritePath } from './write-path'
import { PointLookup } from './point-lookup'
import { emptyEntryRanges, type EntryRanges } from '../iterator/entry-ranges'
import { makeCheckpoint, type CheckpointProgress, type CheckpointResult } from './checkpoint'
import { ConflictTracker } from './conflicts'
import { readOnlyError } from '../util/errors'

export interface CompactRangeControl {
  signal?: AbortSignal
  // Bytes of input tables compacted so far, and an estimate of the total (at least the bytes so far).
  onProgress?: (bytesRead: number, bytesEstimate: number) => void
}

// Bytes a range compaction down to maxLevel reads, if what is in the range at each level moves
// down whole: the step at level L reads everything above and at L + 1 that it has gathered.
function estimateBytesRead (version: Version, begin: Buffer | null, end: Buffer | null, maxLevel: number): number {
  let above = 0
  let total = 0
  for (let level = 0; level <= maxLevel; level++) {
    const bytes = version.overlappingInputs(level, begin, end).reduce((sum, file) => sum + file.fileSize, 0)
    if (level > 0) total += above + bytes
    above += bytes
  }
  return total
}

export class DB {
  readonly location: string
  private readonly snapshots = new Set<Snapshot>()
  private readonly env: Env
  private readonly lock: FileLock
  private readonly infoLog: InfoLog
  private readonly vset: VersionSet
  private readonly tableCache: TableCache
  private readonly blockCache: LRUCache<Block>
  private readonly jobRunner: JobRunner
  private readonly compactionRunner: JobRunner
  private readonly stats: LevelStats[]
  private readonly wal: WriteAheadLog | null
  private readonly memtables: MemTables
  private readonly background: BackgroundWork | null
  private readonly writes: WritePath | null
  // The write path's, or in a read-only database one that no write feeds: its transactions begin
  // and read, and none can commit.
  private readonly conflictTracker: ConflictTracker
  private readonly replayedLogs: readonly number[]
  // One serves every point lookup in turn: each runs synchronously from start to finish.
  private readonly pointLookup = new PointLookup()
  private readonly foundValue = emptyEntryRanges()

  private constructor (parts: OpenedEngine) {
    this.location = parts.location
    this.env = parts.env
    this.lock = parts.lock
    this.infoLog = parts.infoLog
    this.vset = parts.vset
    this.tableCache = parts.tableCache
    this.blockCache = parts.blockCache
    this.jobRunner = parts.jobRunner
    this.compactionRunner = parts.compactionRunner
    this.stats = parts.stats
    this.wal = parts.wal
    this.memtables = parts.memtables
    this.replayedLogs = parts.replayedLogs
    const wal = parts.wal
    if (wal === null) {
      this.background = this.writes = null
      this.conflictTracker = new ConflictTracker(parts.options.transactionHistoryBytes)
    } else {
      const background = this.background = new BackgroundWork(
        parts.location, parts.options, parts.vset, parts.tableCache, parts.infoLog, parts.jobRunner, parts.compactionRunner,
        this.memtables, wal, parts.backgroundError, parts.stats, () => this.smallestSnapshot()
      )
      this.writes = new WritePath(parts.options, parts.vset, wal, this.memtables, background, parts.backgroundError)
      this.conflictTracker = this.writes.conflicts
    }
  }

  static async open (location: string, userOptions: Partial<DBOptions> = {}): Promise<DB> {
    const db = new DB(await openEngine(location, userOptions))
    if (db.background !== null) {
      db.background.deleteObsoleteFiles()
      db.background.maybeScheduleBackgroundWork()
      await db.background.removalsDone()
    }
    return db
  }

  get readOnly (): boolean {
    return this.writes === null
  }

  // Transactions' conflict checks (lib/db/conflicts.ts), fed by the write path.
  get conflicts (): ConflictTracker {
    return this.conflictTracker
  }

  // The batch must not change until the write settles (it may wait in the queue).
  write (batch: WriteBatch, options: DBWriteOptions = {}): Promise<void> {
    if (this.writes === null) return Promise.reject(readOnlyError('write'))
    return this.writes.write(batch, options)
  }

  private sequenceFor (options: DBReadOptions): number {
    return options.snapshot?.sequence ?? this.vset.lastSequence
  }


  // The newest value of key the read can see, as a copy of its own.
  get (key: Uint8Array, options: DBReadOptions = {}): Buffer | undefined {
    const found = this.foundValue
    if (!this.find(key, options, found)) return undefined
    const copy = Buffer.allocUnsafe(found.valueEnd - found.valueStart)
    found.valueBytes.copy(copy, 0, found.valueStart, found.valueEnd)
    return copy
  }

  has (key: Uint8Array, options: DBReadOptions = {}): boolean {
    return this.find(key, options, this.foundValue)
  }

  // Finds the newest value of key the read can see and puts its bytes in `into` as
  // into.valueBytes[valueStart, valueEnd) without a copy: the bytes belong to a cached block or a
  // memtable, valid only until the next write or read of this database, so a caller that keeps
  // the value copies it first.
  // A lookup that searched more than one table may make a table due for a seek compaction.
  // A string key stands for its UTF-8 bytes, encoded straight into the lookup's key.
  find (key: Uint8Array | string, options: DBReadOptions, into: EntryRanges): boolean {
    const lookup = this.pointLookup
    const found = lookup.find(key, this.sequenceFor(options), this.memtables.mem, this.memtables.imm, this.vset.current, this.tableCache, options.fillCache ?? true, into)
    if (lookup.seekCompactionDue) this.background?.maybeScheduleBackgroundWork()
    return found
  }

  newIterator (options: DBReadOptions = {}): DBIterator {
    const sequence = this.sequenceFor(options)
    const fillCache = options.fillCache ?? true
    const version = this.vset.current
    this.vset.pin(version)
    const children: InternalIterator[] = [this.memtables.mem.newIterator()]
    try {
      if (this.memtables.imm !== null) children.push(this.memtables.imm.newIterator())
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

  // The oldest sequence a snapshot still reads: compactions keep what it sees.
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
        return String(this.blockCache.totalCharge + this.memtables.mem.approximateMemoryUsage() + (this.memtables.imm?.approximateMemoryUsage() ?? 0))
      case 'aidb.lock': return this.lock.kind
      default: return undefined
    }
  }

  // Flushes the memtable, then compacts [begin, end] (user keys; null = unbounded) level by level.
  // Aborting `control.signal` stops it between compactions (rejecting with LEVEL_ABORTED);
  // `control.onProgress` hears after each compaction.
  async compactRange (begin: Buffer | null, end: Buffer | null, control: CompactRangeControl = {}): Promise<void> {
    if (this.writes === null || this.background === null) throw readOnlyError('compact')
    let maxLevelWithFiles = 1
    const version = this.vset.current
    for (let level = 1; level < NUM_LEVELS; level++) {
      if (version.overlapInLevel(level, begin, end)) maxLevelWithFiles = level
    }
    await this.writes.flushMemTable()
    const beginKey = begin === null ? null : makeInternalKey(begin, MAX_SEQUENCE, VALUE_TYPE_FOR_SEEK)
    const endKey = end === null ? null : makeInternalKey(end, 0, 0)
    const estimate = estimateBytesRead(this.vset.current, beginKey, endKey, maxLevelWithFiles)
    let bytesRead = 0
    const onProgress = control.onProgress
    await this.background.compactLevels(beginKey, endKey, maxLevelWithFiles, {
      signal: control.signal,
      onCompacted: onProgress === undefined ? undefined : (bytes) => onProgress(bytesRead += bytes, Math.max(estimate, bytesRead))
    })
  }

  // A copy of the database as of one sequence number, made in `target` while writes go on. A
  // read-only database cannot flush: the copy takes the logs its memtable was replayed from.
  checkpoint (target: string, onProgress?: CheckpointProgress): Promise<CheckpointResult> {
    const writes = this.writes
    if (writes === null) return makeCheckpoint(this.env, this.location, this.vset, async () => {}, target, this.replayedLogs, onProgress)
    return makeCheckpoint(this.env, this.location, this.vset, () => writes.flushMemTable(), target, [], onProgress)
  }

  // Waits for queued writes and running background jobs; unflushed data stays in the log.
  async close (): Promise<void> {
    if (this.writes !== null && this.background !== null) {
      while (this.writes.hasQueuedWrites) await this.background.nextProgress()
      this.writes.close()
      await this.background.close()
    }
    try {
      await this.wal?.close()
      this.vset.close()
    } finally {
      await this.jobRunner.close()
      await this.compactionRunner.close()
      this.tableCache.close()
      this.blockCache.clear()
      this.infoLog.close()
      await this.env.unlockFile(this.lock)
    }
  }
}

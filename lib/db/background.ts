// Background work: flushing the immutable memtable, size and manual compactions (trivial moves
// included), and the sweep of obsolete files, run as jobs on the job runners.
//
// Invariants:
// - At most one flush and one compaction run at a time (flushRunning, compactionRunning); a job's
//   end is the only moment another is scheduled, besides maybeSchedule() calls from the write path.
// - A file a job is writing is in pendingOutputs, or numbered at or above firstUnsettledNumber
//   (a compaction's outputs are numbered by the worker), until its edit is applied or it failed:
//   the sweep never removes it.
// - A flushed table goes below level 0 only while no compaction runs: a running compaction's
//   outputs are not in the current version yet and could overlap it.
// - `manual` is the one manual compaction under way; it is settled (resolved, or rejected with
//   the background error) before the next one is set.
// - Once the background error is set nothing new is scheduled and nothing is swept.
// - `removals` settles once every sweep handed over so far is done.
// - Every job's end, and the write queue emptying, wakes progressWaiters: the one way to wait
//   for background progress.
import type { DBOptions } from './options'
import { tableOptionsOf } from './options'
import type { InfoLog } from './info-log'
import type { BackgroundError } from './background-error'
import type { MemTables } from './memtables'
import type { WriteAheadLog } from './write-ahead-log'
import { LevelStats } from './properties'
import { extractUserKey } from '../format/internal-key'
import type { TableCache } from '../cache/table-cache'
import type { VersionSet } from '../version/version-set'
import { VersionEdit } from '../version/version-edit'
import { needsCompaction } from '../version/compaction-score'
import type { LiveFiles } from '../version/obsolete-files'
import { pickRangeCompaction, pickSeekCompaction, pickSizeCompaction } from '../compaction/picker'
import { isTrivialMove, maxGrandparentOverlapBytes, type Compaction } from '../compaction/compaction'
import type { CompactionResult } from '../compaction/compaction-job'
import type { JobRunner } from '../compaction/job-runner'
import { aborted } from '../util/errors'

const RESOLVED = Promise.resolve()

// What the caller of a manual compaction may ask: to stop between compactions once `signal` is
// aborted, and to hear of each compaction's input bytes as it is applied.
export interface ManualCompactionControl {
  signal?: AbortSignal
  onCompacted?: (bytesRead: number) => void
}

interface ManualCompaction {
  level: number
  begin: Buffer | null
  end: Buffer | null
  control: ManualCompactionControl
  resolve: () => void
  reject: (err: Error) => void
}

export class BackgroundWork {
  // Files being written by a job, not yet in any version: the obsolete-file sweep must spare them.
  private readonly pendingOutputs = new Set<number>()
  private flushRunning = false
  private compactionRunning = false
  // A running compaction numbers its outputs (in the worker) at or above this; Infinity when
  // none runs. The sweep spares them (LiveFiles.firstUnsettledNumber).
  private firstUnsettledNumber = Infinity
  private progressWaiters: Array<() => void> = []
  private manual: ManualCompaction | null = null
  private closing = false
  // Settles once every removal handed over so far is done; open() and compactRange() wait for it.
  private removals: Promise<void> = RESOLVED

  constructor (
    private readonly location: string,
    private readonly options: DBOptions,
    private readonly vset: VersionSet,
    private readonly tableCache: TableCache,
    private readonly infoLog: InfoLog,
    private readonly jobRunner: JobRunner,
    private readonly compactionRunner: JobRunner,
    private readonly memtables: MemTables,
    private readonly wal: WriteAheadLog,
    private readonly backgroundError: BackgroundError,
    private readonly stats: LevelStats[],
    private readonly smallestSnapshot: () => number
  ) {}

  // Resolves when a background job ends or the write queue empties: the moments a waiter's condition can change.
  nextProgress (): Promise<void> {
    return new Promise(resolve => this.progressWaiters.push(resolve))
  }

  notifyProgress (): void {
    const waiters = this.progressWaiters
    this.progressWaiters = []
    for (const resolve of waiters) resolve()
  }

  async waitForBackground (): Promise<void> {
    if (this.backgroundError.current !== null) throw this.backgroundError.current
    await this.nextProgress()
    if (this.backgroundError.current !== null) throw this.backgroundError.current
  }

  maybeScheduleBackgroundWork (): void {
    if (this.backgroundError.current !== null) return
    if (this.memtables.imm !== null && !this.flushRunning) {
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
      this.backgroundError.latch(err)
      if (this.manual !== null) {
        this.manual.reject(this.backgroundError.current ?? err)
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
      // Stopped between compactions, so every one that ran is applied whole.
      if (m.control.signal?.aborted === true) {
        this.manual = null
        m.reject(aborted('compactRange stopped'))
        return
      }
      const c = pickRangeCompaction(this.vset.current, m.level, m.begin, m.end, this.options)
      if (c === null) {
        this.manual = null
        m.resolve()
      } else {
        const bytesRead = await this.compact(c)
        m.control.onCompacted?.(bytesRead)
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
    const imm = this.memtables.imm
    if (imm === null) return
    const fileNumber = this.vset.newFileNumber()
    this.pendingOutputs.add(fileNumber)
    const started = Date.now()
    const edit = new VersionEdit()
    try {
      const result = await this.jobRunner.flush({ dbname: this.location, fileNumber, options: tableOptionsOf(this.options), arena: imm.arena })
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
      edit.logNumber = this.wal.fileNumber
      await this.vset.logAndApply(edit)
    } finally {
      this.pendingOutputs.delete(fileNumber)
    }
    this.memtables.flushed()
    this.deleteObsoleteFiles()
  }

  // Resolves with the bytes of the compaction's inputs.
  private async compact (c: Compaction): Promise<number> {
    const started = Date.now()
    this.firstUnsettledNumber = this.vset.nextFileNumber
    let result: CompactionResult
    try {
      result = await this.compactionRunner.compact({
        dbname: this.location,
        compaction: c,
        smallestSnapshot: this.smallestSnapshot(),
        // As LevelDB's compaction inputs: checked with paranoid checks (or when every read is).
        verifyChecksums: this.options.verifyChecksums || this.options.paranoidChecks,
        options: tableOptionsOf(this.options)
      })
      const edit = new VersionEdit()
      c.inputs.forEach((files, which) => {
        for (const f of files) edit.deleteFile(c.level + which, f.number)
      })
      for (const meta of result.outputs) edit.addFile(c.level + 1, meta)
      if (c.compactPointer !== undefined) edit.setCompactPointer(c.level, c.compactPointer)
      await this.vset.logAndApply(edit)
    } finally {
      this.firstUnsettledNumber = Infinity
    }
    this.stats[c.level + 1].add(Date.now() - started, result.bytesRead, result.bytesWritten)
    this.infoLog.log(`compacted ${c.inputs[0].length}@${c.level} + ${c.inputs[1].length}@${c.level + 1} files into ${result.outputs.length} (${result.bytesWritten} bytes)`)
    this.deleteObsoleteFiles()
    return result.bytesRead
  }

  // The background runner lists the directory and unlinks (milliseconds on a busy disk). The
  // table cache closes tables no version needs before that: closing the last descriptor of a file
  // already unlinked would free its blocks there and then, on the main thread.
  deleteObsoleteFiles (): void {
    if (this.backgroundError.current !== null) return
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
      firstUnsettledNumber: Math.min(vset.nextFileNumber, this.firstUnsettledNumber)
    }
    const removal = this.jobRunner.sweep(live).then(
      ({ failures }) => {
        for (const failure of failures) this.infoLog.log(`could not delete ${failure}`)
      },
      (err: Error) => this.infoLog.log(`could not delete obsolete files: ${err.message}`)
    )
    this.removals = Promise.all([this.removals, removal]).then(() => {})
  }

  // Settles once every removal handed over so far is done.
  removalsDone (): Promise<void> {
    return this.removals
  }

  // Compacts [begin, end] (internal keys; null = unbounded) at each level below maxLevel in turn.
  async compactLevels (begin: Buffer | null, end: Buffer | null, maxLevel: number, control: ManualCompactionControl = {}): Promise<void> {
    for (let level = 0; level < maxLevel; level++) {
      await new Promise<void>((resolve, reject) => {
        this.manual = { level, begin, end, control, resolve, reject }
        this.maybeScheduleBackgroundWork()
      })
    }
    await this.removals
  }

  // Lets the running jobs end and schedules no new size compaction.
  async close (): Promise<void> {
    this.closing = true
    while (this.flushRunning || this.compactionRunning) await this.nextProgress()
  }
}

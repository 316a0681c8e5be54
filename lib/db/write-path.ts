// The write path: admitting writes, the level-0 slowdown and stop, making room in the memtable,
// time slicing, and inserting large batches a part per event-loop turn.
//
// Invariants:
// - Writes are applied one at a time in the order they arrive: a write that finds the queue
//   non-empty joins it, and only drainWriteQueue() applies queued writes.
// - A batch is appended to the log before it enters the memtable, and its sequence numbers are
//   published (vset.lastSequence) only once it is in both.
// - While writingInParts, the memtable (and with it the log) is not switched: the large batch's
//   log record goes to the current log, whose write may still be running.
// - turnStarted is when the current event-loop turn started writing (performance.now()), or -1.
// - Once closing is set (by close(), once the queue has drained) every write is refused.
// - A write's validate hook (a transaction's conflict check) runs just before the batch is given
//   its sequence, with no other write in between; `conflicts` records each batch as it is
//   published, so a transaction that begins after a batch's publication sees it in its snapshot
//   and one that began before sees it as a possible conflict.
import { notOpenable } from '../util/errors'
import type { DBOptions, DBWriteOptions } from './options'
import type { BackgroundError } from './background-error'
import type { BackgroundWork } from './background'
import type { MemTables } from './memtables'
import type { WriteAheadLog } from './write-ahead-log'
import type { WriteBatch } from '../format/write-batch'
import type { VersionSet } from '../version/version-set'
import { L0_SLOWDOWN_WRITES_TRIGGER, L0_STOP_WRITES_TRIGGER } from '../version/version'
import { ConflictTracker } from './conflicts'
import { platform } from '../platform/node'

const RESOLVED = Promise.resolve()
// Longest stretch of writes run in one event-loop turn before write promises resolve on the next.
const WRITE_TIME_SLICE_MS = 1
// Records a write inserts into the memtable per event-loop turn; a batch of at most this many,
// with no write queued before it, is applied the moment it is written.
export const MEMTABLE_INSERT_CHUNK = 256

interface QueuedWrite {
  batch: WriteBatch
  sync: boolean
  validate: (() => void) | undefined
  resolve: () => void
  reject: (err: Error) => void
}

export class WritePath {
  private readonly writeQueue: QueuedWrite[] = []
  // A large batch is being logged and inserted a part per turn (applyWriteInParts).
  private writingInParts = false
  // When the current event-loop turn started writing (performance.now()), or -1; see endOfWrite().
  private turnStarted = -1
  private closing = false
  // Transactions' conflict checks: sees every published batch while a transaction is open.
  readonly conflicts: ConflictTracker

  constructor (
    private readonly options: DBOptions,
    private readonly vset: VersionSet,
    private readonly wal: WriteAheadLog,
    private readonly memtables: MemTables,
    private readonly background: BackgroundWork,
    private readonly backgroundError: BackgroundError
  ) {
    this.conflicts = new ConflictTracker(options.transactionHistoryBytes)
  }

  // The batch must not change until the write settles (it may wait in the queue).
  write (batch: WriteBatch, options: DBWriteOptions = {}): Promise<void> {
    if (this.closing) return Promise.reject(notOpenable('Database is closing'))
    if (this.backgroundError.current !== null) return Promise.reject(this.backgroundError.current)
    if (batch.count() === 0) return RESOLVED
    if (this.writeQueue.length === 0 && batch.count() <= MEMTABLE_INSERT_CHUNK) {
      let applied = false
      try {
        // makeRoomForWrite may switch to a new log file, whose creation can fail (EMFILE, ENOSPC).
        if (this.makeRoomForWrite(false)) {
          options.validate?.()
          this.applyWrite(batch)
          applied = true
        }
      } catch (err) {
        return Promise.reject(err)
      }
      if (applied) return options.sync === true ? this.wal.sync() : this.endOfWrite()
    }
    return new Promise((resolve, reject) => {
      this.writeQueue.push({ batch, sync: options.sync === true, validate: options.validate, resolve, reject })
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
          if (this.backgroundError.current !== null) throw this.backgroundError.current
          await this.background.nextProgress()
        }
        if (this.backgroundError.current !== null) throw this.backgroundError.current
        head.validate?.()
        if (head.batch.count() <= MEMTABLE_INSERT_CHUNK) this.applyWrite(head.batch)
        else await this.applyWriteInParts(head.batch)
        this.writeQueue.shift()
        if (head.sync) this.wal.sync().then(head.resolve, head.reject)
        else head.resolve()
        slowedDown = false
        if (this.writeQueue.length > 0) await this.endOfWrite()
      } catch (err) {
        this.writeQueue.shift()
        head.reject(err as Error)
      }
    }
    this.background.notifyProgress()
  }

  // A write that completes synchronously would resolve as a microtask, so a writer awaiting
  // writes in a loop would never give the event loop a turn (timers, I/O, reads). Once the
  // current turn has run for WRITE_TIME_SLICE_MS, writes resolve on the next turn instead.
  private endOfWrite (): Promise<void> {
    const now = performance.now()
    if (this.turnStarted < 0) {
      this.turnStarted = now
      platform.setImmediate(() => { this.turnStarted = -1 })
      return RESOLVED
    }
    if (now - this.turnStarted < WRITE_TIME_SLICE_MS) return RESOLVED
    return new Promise(resolve => platform.setImmediate(() => resolve(undefined)))
  }

  // True when the memtable can take a write now, switching to a fresh one if that is possible
  // without waiting. Level-0 slowdown is only honoured on the queued path.
  private makeRoomForWrite (afterSlowdown: boolean): boolean {
    if (!afterSlowdown && this.vset.current.numFiles(0) >= L0_SLOWDOWN_WRITES_TRIGGER) return false
    // LevelDB's test: a memtable at exactly writeBufferSize still takes the write.
    if (this.memtables.mem.approximateMemoryUsage() <= this.options.writeBufferSize) return true
    if (this.memtables.imm !== null) return false
    if (this.vset.current.numFiles(0) >= L0_STOP_WRITES_TRIGGER) {
      this.background.maybeScheduleBackgroundWork()
      return false
    }
    this.switchMemTable()
    return true
  }

  private switchMemTable (): void {
    this.wal.rotate(this.vset.newFileNumber())
    this.memtables.switch()
    this.background.maybeScheduleBackgroundWork()
  }

  private applyWrite (batch: WriteBatch): void {
    this.appendToLog(batch)
    this.memtables.mem.addBatch(batch)
    this.vset.lastSequence = batch.sequence + batch.count() - 1
    this.conflicts.recordCommitted(batch)
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
      while (!this.memtables.mem.addBatchPart(batch, position, MEMTABLE_INSERT_CHUNK)) {
        await new Promise(resolve => platform.setImmediate(() => resolve(undefined)))
      }
      await logged
    } finally {
      this.writingInParts = false
      this.background.notifyProgress()
    }
    this.vset.lastSequence = batch.sequence + batch.count() - 1
    this.conflicts.recordCommitted(batch)
  }

  private appendToLog (batch: WriteBatch): void {
    batch.sequence = this.vset.lastSequence + 1
    this.wal.add(batch.contents(), batch.externalValue ?? undefined)
  }

  private async appendToLogAsync (batch: WriteBatch): Promise<void> {
    batch.sequence = this.vset.lastSequence + 1
    await this.wal.addAsync(batch.contents(), batch.externalValue ?? undefined)
  }

  // Switches to a fresh memtable (if the current one holds anything) and waits for its flush.
  // Once the memtable holding the last write made before this call is flushed, every earlier
  // write is in a table. It waits for that memtable, not for a moment with no memtable to flush:
  // writers that keep filling and switching memtables meanwhile would otherwise keep it waiting.
  async flushMemTable (): Promise<void> {
    while (this.writingInParts) await this.background.waitForBackground()
    const target = this.memtables.mem.entryCount > 0 ? this.memtables.mem : this.memtables.imm
    if (target === null) return
    while (this.memtables.mem === target) {
      if (this.memtables.imm === null && !this.writingInParts) this.switchMemTable()
      else await this.background.waitForBackground()
    }
    while (this.memtables.imm === target) await this.background.waitForBackground()
  }

  // Writes waiting their turn; the queue empties before background progress is next reported.
  get hasQueuedWrites (): boolean {
    return this.writeQueue.length > 0
  }

  // Refuses every later write.
  close (): void {
    this.closing = true
  }
}

function delay (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

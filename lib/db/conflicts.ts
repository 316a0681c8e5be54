// Conflict detection for optimistic transactions, over byte keys and byte ranges, keyed on
// sequence numbers. Knows nothing of abstract-level.
//
// Invariants (this file owns all of the state below):
// - While at least one transaction is open, every batch the database publishes is recorded here
//   (recordCommitted) with its last sequence, in publication order; with none open nothing is
//   recorded and nothing is kept, so plain writes pay one comparison.
// - `history` holds, oldest first, the published batches with a last sequence above the oldest
//   open transaction's snapshot (older ones no transaction can conflict with); `latest` maps
//   each key in `history` to the last sequence of the newest batch in `history` that wrote it.
// - `historyBytes` is the estimated memory of `history` and `latest`; when it passes the limit
//   the oldest batches are dropped and `droppedThrough` rises to the newest sequence dropped.
//   A transaction whose snapshot is below `droppedThrough` cannot be checked and fails.
// - validate() runs at the moment the write path gives the committing batch its sequence, with
//   no other write in between, and recordCommitted() runs for every write in the same order.
//
// Keys are held as latin1 strings: one char per byte, so string order is byte order and a Map
// can look them up.
import { conflictError } from '../util/errors'
import type { WriteBatch } from '../format/write-batch'

/** A range of keys, as latin1 strings; `null` is unbounded. */
export interface KeyRange {
  lower: string | null
  lowerInclusive: boolean
  upper: string | null
  upperInclusive: boolean
}

/** What a transaction must check at commit: kept by the transaction, read by the tracker. */
export interface TransactionChecks {
  /** Writes published after this sequence conflict. */
  readonly snapshot: number
  /** Keys whose change since the snapshot fails the commit. */
  readonly keys: Iterable<string>
  /** Ranges in which any change since the snapshot fails the commit (read live at validation). */
  readonly ranges: readonly KeyRange[]
}

interface PublishedBatch {
  lastSequence: number
  // Sorted, without duplicates.
  keys: string[]
}

// Rough per-key cost of a history entry: the string header, a slot in its batch's array and a Map entry.
const KEY_OVERHEAD_BYTES = 80

export const DEFAULT_HISTORY_BYTES = 32 * 1024 * 1024

export class ConflictTracker {
  // Open transactions in the order they began, so snapshots ascend and the first is the oldest.
  private readonly open = new Set<TransactionChecks>()
  private history: PublishedBatch[] = []
  // Index of the oldest batch still in `history` (dropped entries before it are cleared lazily).
  private historyStart = 0
  private readonly latest = new Map<string, number>()
  private historyBytes = 0
  private droppedThrough = 0

  constructor (private readonly maxHistoryBytes: number = DEFAULT_HISTORY_BYTES) {}

  /** Starts tracking for a transaction whose reads see exactly the writes up to `checks.snapshot`. */
  begin (checks: TransactionChecks): void {
    this.open.add(checks)
  }

  /** The transaction ended without committing, or its commit was validated. */
  end (checks: TransactionChecks): void {
    if (!this.open.delete(checks)) return
    this.pruneBelowOldest()
  }

  get openCount (): number {
    return this.open.size
  }

  get recordedBytes (): number {
    return this.historyBytes
  }

  /**
   * Throws a LEVEL_TRANSACTION_CONFLICT error if a batch published after the snapshot wrote a
   * key or into a range of `checks`, or if what that takes was dropped. On success the
   * transaction no longer needs tracking and is ended.
   */
  validate (checks: TransactionChecks): void {
    if (!this.open.has(checks)) throw conflictError('The transaction is not being tracked (it ended)')
    const snapshot = checks.snapshot
    if (snapshot < this.droppedThrough) {
      this.end(checks)
      throw conflictError('The transaction is too old: writes it must be checked against were dropped from the conflict history (transactionHistoryBytes)')
    }
    const first = this.firstAfter(snapshot)
    if (first < this.history.length) {
      for (const key of checks.keys) {
        const sequence = this.latest.get(key)
        if (sequence !== undefined && sequence > snapshot) {
          this.end(checks)
          throw conflictError('Transaction conflict: a key it depends on was written after it began')
        }
      }
      for (const range of checks.ranges) {
        for (let i = first; i < this.history.length; i++) {
          if (anyKeyInRange(this.history[i].keys, range)) {
            this.end(checks)
            throw conflictError('Transaction conflict: a range it depends on was written after it began')
          }
        }
      }
    }
    this.end(checks)
  }

  /** Called for every batch the database publishes, after its sequence is visible to readers. */
  recordCommitted (batch: WriteBatch): void {
    if (this.open.size === 0) return
    const keys: string[] = []
    batch.forEachRange((_type, rep, keyStart, keyEnd) => { keys.push(rep.toString('latin1', keyStart, keyEnd)) })
    keys.sort()
    let unique = 0
    let bytes = 0
    const lastSequence = batch.sequence + batch.count() - 1
    for (let i = 0; i < keys.length; i++) {
      if (i > 0 && keys[i] === keys[unique - 1]) continue
      const key = keys[unique++] = keys[i]
      bytes += key.length + KEY_OVERHEAD_BYTES
      this.latest.set(key, lastSequence)
    }
    keys.length = unique
    this.history.push({ lastSequence, keys })
    this.historyBytes += bytes
    while (this.historyBytes > this.maxHistoryBytes && this.historyStart < this.history.length) {
      this.droppedThrough = Math.max(this.droppedThrough, this.dropOldest())
    }
  }

  // Index in `history` of the first batch published after `sequence`.
  private firstAfter (sequence: number): number {
    let low = this.historyStart
    let high = this.history.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.history[mid].lastSequence <= sequence) low = mid + 1
      else high = mid
    }
    return low
  }

  private pruneBelowOldest (): void {
    if (this.open.size === 0) {
      this.history = []
      this.historyStart = 0
      this.latest.clear()
      this.historyBytes = 0
      return
    }
    const oldest = this.open.values().next().value as TransactionChecks
    while (this.historyStart < this.history.length && this.history[this.historyStart].lastSequence <= oldest.snapshot) this.dropOldest()
  }

  // Returns the dropped batch's last sequence.
  private dropOldest (): number {
    const batch = this.history[this.historyStart]
    for (const key of batch.keys) {
      if (this.latest.get(key) === batch.lastSequence) this.latest.delete(key)
      this.historyBytes -= key.length + KEY_OVERHEAD_BYTES
    }
    this.historyStart++
    // Compacts the array once the dropped head is as long as what is left.
    if (this.historyStart * 2 >= this.history.length) {
      this.history = this.history.slice(this.historyStart)
      this.historyStart = 0
    }
    return batch.lastSequence
  }
}

function anyKeyInRange (sortedKeys: string[], range: KeyRange): boolean {
  let low = 0
  let high = sortedKeys.length
  if (range.lower !== null) {
    const lower = range.lower
    while (low < high) {
      const mid = (low + high) >>> 1
      if (range.lowerInclusive ? sortedKeys[mid] < lower : sortedKeys[mid] <= lower) low = mid + 1
      else high = mid
    }
  }
  if (low >= sortedKeys.length) return false
  const key = sortedKeys[low]
  if (range.upper === null) return true
  return range.upperInclusive ? key <= range.upper : key < range.upper
}

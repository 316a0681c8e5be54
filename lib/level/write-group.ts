// Group commit for the adapter's put() and del(): those made in one run of the microtask queue
// (64 writers each awaiting its last put, say) are encoded into one batch, written as one log
// record with one write(2), instead of one record, one system call and one engine write each.
// LevelDB's writer queue groups concurrent writers the same way.
//
// Invariants:
// - At most one group is open. It is committed (handed to the writer) on the next platform.nextTick
//   after it opened, which for a group opened by a promise continuation runs once the microtask
//   queue has run dry; when it is full; or when anything else is about to reach the engine
//   (commit()). A group's writes therefore reach the engine in the order they were made, before
//   any write, read, snapshot or close that came after them.
// - Every write in a group settles as the group's batch does: all of them resolve once it is
//   in the log and the memtable, or all of them reject with its error. A batch is atomic, so
//   none of them is then in the database.
// - The group owns its pooled batch and releases it once its write has settled.
import { MEMTABLE_INSERT_CHUNK } from '../db/write-path'
import { platform } from '../platform/node'
import { byteLengthOf, mostByteLengthOf, WriteBatch, WRITE_BATCH_HEADER_SIZE, type BatchData } from '../format/write-batch'
import { POOLED_BATCH_BYTES, PooledBatch } from './batch'

// A group no larger than this is applied the moment it is committed, not queued to be inserted
// a part per event-loop turn.
export const MAX_GROUP_RECORDS = MEMTABLE_INSERT_CHUNK
// A record longer than this is written alone.
const MAX_GROUP_RECORD_BYTES = POOLED_BATCH_BYTES - WRITE_BATCH_HEADER_SIZE

interface OpenGroup {
  readonly pooled: PooledBatch
  readonly settled: Promise<void>
  resolve: () => void
  reject: (err: Error) => void
}

export class WriteGroup {
  #open: OpenGroup | null = null
  readonly #commitOnTick = (): void => this.commit()

  // write hands a batch to the engine; the promise settles when the batch's write does.
  constructor (private readonly write: (batch: WriteBatch) => Promise<void>) {}

  // Adds a put to the open group, opening one if need be, and returns the promise of the group's
  // write; or returns null for a record too large for a group, which the caller writes alone
  // (after commit(), to keep the order).
  put (key: BatchData, value: BatchData): Promise<void> | null {
    const unmeasured = this.#groupWithRoomNow(WriteBatch.encodedSize(mostByteLengthOf(key), mostByteLengthOf(value)))
    if (unmeasured !== null) {
      unmeasured.pooled.batch.put(key, value)
      return unmeasured.settled
    }
    const keyLength = byteLengthOf(key)
    const valueLength = byteLengthOf(value)
    const group = this.#groupWithRoom(WriteBatch.encodedSize(keyLength, valueLength))
    if (group === null) return null
    group.pooled.batch.put(key, value, keyLength, valueLength)
    return group.settled
  }

  del (key: BatchData): Promise<void> | null {
    const unmeasured = this.#groupWithRoomNow(WriteBatch.encodedSize(mostByteLengthOf(key)))
    if (unmeasured !== null) {
      unmeasured.pooled.batch.del(key)
      return unmeasured.settled
    }
    const keyLength = byteLengthOf(key)
    const group = this.#groupWithRoom(WriteBatch.encodedSize(keyLength))
    if (group === null) return null
    group.pooled.batch.del(key, keyLength)
    return group.settled
  }

  // Hands the open group, if any, to the writer.
  commit (): void {
    const group = this.#open
    if (group === null) return
    this.#open = null
    this.write(group.pooled.batch).then(() => {
      group.pooled.release()
      group.resolve()
    }, (err: Error) => {
      group.pooled.release()
      group.reject(err)
    })
  }

  // The open group if it has room for a record of recordBytes, or a new one if none is open and
  // the record fits an empty group; else null, committing nothing. For a record's longest
  // encoding: its strings are then written unmeasured.
  #groupWithRoomNow (recordBytes: number): OpenGroup | null {
    const group = this.#open
    if (group === null) return recordBytes <= MAX_GROUP_RECORD_BYTES ? this.#openGroup() : null
    return hasRoom(group, recordBytes) ? group : null
  }

  // A group with room for a record of exactly recordBytes, committing the open one if it has
  // none; null for a record too large for any group.
  #groupWithRoom (recordBytes: number): OpenGroup | null {
    if (recordBytes > MAX_GROUP_RECORD_BYTES) return null
    const group = this.#open
    if (group !== null) {
      if (hasRoom(group, recordBytes)) return group
      this.commit()
    }
    return this.#openGroup()
  }

  #openGroup (): OpenGroup {
    const pooled = PooledBatch.forGroup()
    let resolve!: () => void
    let reject!: (err: Error) => void
    const settled = new Promise<void>((resolveGroup, rejectGroup) => {
      resolve = resolveGroup
      reject = rejectGroup
    })
    const group: OpenGroup = { pooled, settled, resolve, reject }
    this.#open = group
    platform.nextTick(this.#commitOnTick)
    return group
  }
}

function hasRoom (group: OpenGroup, recordBytes: number): boolean {
  const batch = group.pooled.batch
  return batch.spareBytes >= recordBytes && batch.count() < MAX_GROUP_RECORDS
}

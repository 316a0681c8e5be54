import { ValueType, VALUE_TYPE_FOR_SEEK } from '../format/internal-key'
import type { WriteBatch, WriteBatchPosition, WriteBatchRangeHandler } from '../format/write-batch'
import { MemTableIterator } from './memtable-iterator'
import { InternalKeySkipList, NO_NODE } from './skiplist'

export type MemTableLookup = { found: true, deleted: boolean, value?: Buffer } | undefined

const EMPTY = Buffer.alloc(0)
const DELETED: MemTableLookup = Object.freeze({ found: true, deleted: true })

// In-memory sorted buffer of recent writes. Keys are copied into the skiplist arena; values are
// kept by reference, never copied or mutated: callers hand over value buffers they will not
// modify afterwards, and iterators opened before a flush may keep reading them.
export class MemTable {
  private readonly list = new InternalKeySkipList()
  private valueBytes = 0

  get entryCount (): number {
    return this.list.size
  }

  add (sequence: number, type: ValueType, userKey: Buffer, value: Buffer): void {
    const stored = type === ValueType.Deletion ? EMPTY : value
    this.list.insert(userKey, 0, userKey.length, sequence, type, stored, 0, stored.length)
    this.valueBytes += stored.length
  }

  // Inserts every update of a batch whose sequence has been set, in batch order.
  // The batch's buffer is kept as the values' storage, so the batch must not change afterwards.
  addBatch (batch: WriteBatch): void {
    batch.forEachRange(this.inserter(batch))
  }

  // As addBatch, for at most maxRecords records from `position`; true once the batch is all in.
  // Readers see none of it until the database publishes the batch's last sequence.
  addBatchPart (batch: WriteBatch, position: WriteBatchPosition, maxRecords: number): boolean {
    return batch.forEachRangeFrom(position, maxRecords, this.inserter(batch))
  }

  private inserter (batch: WriteBatch): WriteBatchRangeHandler {
    const first = batch.sequence
    const list = this.list
    return (type, rep, keyStart, keyEnd, valueStart, valueEnd, index) => {
      list.insert(rep, keyStart, keyEnd - keyStart, first + index, type, rep, valueStart, valueEnd - valueStart)
      this.valueBytes += valueEnd - valueStart
    }
  }

  // The newest entry for userKey whose sequence is at most the given snapshot sequence.
  get (userKey: Buffer, sequence: number): MemTableLookup {
    const node = this.list.seek(userKey, sequence, VALUE_TYPE_FOR_SEEK)
    if (node === NO_NODE || !this.list.userKeyEquals(node, userKey)) return undefined
    if (this.list.type(node) === ValueType.Deletion) return DELETED
    return { found: true, deleted: false, value: this.list.value(node) }
  }

  newIterator (): MemTableIterator {
    return new MemTableIterator(this.list)
  }

  // Arena bytes (keys, tags, links, headers) plus value bytes: what LevelDB's arena would hold.
  approximateMemoryUsage (): number {
    return this.list.arenaBytes + this.valueBytes
  }
}

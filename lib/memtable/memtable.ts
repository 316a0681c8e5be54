import { ValueType, VALUE_TYPE_FOR_SEEK } from '../format/internal-key'
import type { WriteBatch, WriteBatchPosition, WriteBatchRangeHandler } from '../format/write-batch'
import type { ArenaPool } from './arena-pool'
import { MemTableIterator } from './memtable-iterator'
import { InternalKeySkipList, NO_NODE } from './skiplist'
import type { EntryRanges } from '../iterator/entry-ranges'

// The smallest arena forLogOfSize gives: an empty or short log still gets room to start with.
const MIN_ARENA_BYTES = 64 * 1024

// What a memtable knows of a key at a sequence: nothing, that it was deleted, or its value.
export const enum MemTableLookup {
  Absent,
  Deleted,
  Found
}

// In-memory sorted buffer of recent writes. Keys and values are copied into the skiplist arena.
// With a pool, release() hands the arena back for the next memtable, unless an iterator was
// ever opened here: its keys and values are views of the arena that may outlive the memtable.
// get() describes entries as ranges of the arena, which its caller copies from before the next
// write, so lookups leave no views behind.
export class MemTable {
  private readonly list: InternalKeySkipList
  private viewsGiven = false
  private released = false

  // Without a pool, arenaBytes sizes the arena up front, sparing the copies and garbage of
  // growing it from small.
  constructor (private readonly pool?: ArenaPool, arenaBytes?: number) {
    this.list = new InternalKeySkipList(undefined, pool?.take() ?? (arenaBytes === undefined ? undefined : Buffer.allocUnsafeSlow(arenaBytes)))
  }

  // A memtable to rebuild from a log of logBytes. The log holds its keys and values plus a few
  // bytes per entry, of which nodes take more: an arena a quarter larger than the log seldom
  // has to grow.
  static forLogOfSize (logBytes: number): MemTable {
    return new MemTable(undefined, Math.max(MIN_ARENA_BYTES, Math.ceil(logBytes * 1.25 / 8) * 8))
  }

  // The arena holding every entry: with a pool, shared memory a flush job can read in place
  // (InternalKeySkipList.frozen) once the memtable takes no more writes.
  get arena (): Buffer {
    return this.list.arena
  }

  get entryCount (): number {
    return this.list.size
  }

  add (sequence: number, type: ValueType, userKey: Buffer, value: Buffer): void {
    this.list.insert(userKey, 0, userKey.length, sequence, type, value, 0, type === ValueType.Deletion ? 0 : value.length)
  }

  // Inserts every update of a batch whose sequence has been set, in batch order.
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
    return (type, rep, keyStart, keyEnd, valueStart, valueEnd, index, values) => {
      list.insert(rep, keyStart, keyEnd - keyStart, first + index, type, values, valueStart, valueEnd - valueStart)
    }
  }

  // The newest entry for userKey whose sequence is at most the given snapshot sequence. When it
  // is Found, `into` holds the entry as ranges of the arena, valid until the next write.
  get (userKey: Buffer, sequence: number, into: EntryRanges): MemTableLookup {
    const list = this.list
    const node = list.seek(userKey, sequence, VALUE_TYPE_FOR_SEEK)
    if (node === NO_NODE || !list.userKeyEquals(node, userKey)) return MemTableLookup.Absent
    if (list.type(node) === ValueType.Deletion) return MemTableLookup.Deleted
    list.readEntry(node, into)
    return MemTableLookup.Found
  }

  newIterator (): MemTableIterator {
    this.viewsGiven = true
    return new MemTableIterator(this.list)
  }

  // Arena bytes in use (headers, links, keys and values): what LevelDB's arena would hold.
  approximateMemoryUsage (): number {
    return this.list.arenaBytes
  }

  // The memtable takes no more reads or writes.
  release (): void {
    if (this.released) return
    this.released = true
    if (this.pool !== undefined && !this.viewsGiven) this.pool.give(this.list.arena)
  }
}

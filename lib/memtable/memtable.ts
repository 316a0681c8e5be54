import { TAG_SIZE, ValueType, VALUE_TYPE_FOR_SEEK } from '../format/internal-key'
import type { WriteBatch, WriteBatchPosition, WriteBatchRangeHandler } from '../format/write-batch'
import type { ArenaPool } from './arena-pool'
import { MemTableIterator } from './memtable-iterator'
import { InternalKeySkipList, NO_NODE } from './skiplist'
import type { EntryRanges } from '../iterator/entry-ranges'

// The smallest arena forLogOfSize gives: an empty or short log still gets room to start with.
const MIN_ARENA_BYTES = 64 * 1024
// What LevelDB's arena holds for a skiplist node of height h is 8 + 8 * h bytes (a key pointer and
// a link per level); its head node has all 12 levels.
const LEVELDB_HEAD_NODE_BYTES = 8 + 8 * 12

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
  // Bytes LevelDB's memtable would hold for the same entries (see approximateMemoryUsage).
  private levelDbBytes = LEVELDB_HEAD_NODE_BYTES

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
    const valueLength = type === ValueType.Deletion ? 0 : value.length
    const height = this.list.insert(userKey, 0, userKey.length, sequence, type, value, 0, valueLength)
    this.levelDbBytes += levelDbEntryBytes(userKey.length, valueLength, height)
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
      const height = list.insert(rep, keyStart, keyEnd - keyStart, first + index, type, values, valueStart, valueEnd - valueStart)
      this.levelDbBytes += levelDbEntryBytes(keyEnd - keyStart, valueEnd - valueStart, height)
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

  // The bytes LevelDB's memtable arena would hold for these entries, which is what writeBufferSize
  // is measured against: each entry length-prefixed key, tag and value, and a skiplist node of a
  // key pointer and a link per level (its 4 KiB arena blocks' unused ends aside). Our own nodes
  // take about 10 bytes more each, so measuring our arena instead flushed smaller memtables than
  // LevelDB does, at other points: more tables for the same writes (7 flushes of 1,835,016 bytes
  // instead of LevelDB's 6 of 1,900,582 in 200,000 sequential 100-byte puts), never the same
  // files. Measured this way, the tables match LevelDB's. The arena is sized with room to spare
  // (ArenaPool) and grows if ever needed.
  approximateMemoryUsage (): number {
    return this.levelDbBytes
  }

  // The memtable takes no more reads or writes.
  release (): void {
    if (this.released) return
    this.released = true
    if (this.pool !== undefined && !this.viewsGiven) this.pool.give(this.list.arena)
  }
}

// LevelDB's MemTable::Add allocates varint32(key + tag) key tag varint32(value) value, and its
// skiplist then an 8-byte aligned node of height links.
function levelDbEntryBytes (keyLength: number, valueLength: number, height: number): number {
  const encoded = varint32Length(keyLength + TAG_SIZE) + keyLength + TAG_SIZE + varint32Length(valueLength) + valueLength
  return Math.ceil(encoded / 8) * 8 + 8 + 8 * height
}

function varint32Length (value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5
}

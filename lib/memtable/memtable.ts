import { ValueType, VALUE_TYPE_FOR_SEEK } from '../format/internal-key'
import type { InternalIterator } from '../iterator/iterator'
import { compareBytes } from './compare-bytes'
import { compareEntries, MemTableEntry } from './memtable-entry'
import { MemTableIterator } from './memtable-iterator'
import { SkipList } from './skiplist'

export type MemTableLookup = { found: true, deleted: boolean, value?: Buffer } | undefined

// Tag, two length prefixes and average skiplist links, mirroring what LevelDB's arena charges
// per entry, so memtables fill up to writeBufferSize at a similar number of entries.
const ENTRY_OVERHEAD = 8 + 2 + 16
const EMPTY = Buffer.alloc(0)
const DELETED: MemTableLookup = Object.freeze({ found: true, deleted: true })

// In-memory sorted buffer of recent writes. Stored buffers are never copied or mutated: callers
// hand over key and value buffers they will not modify afterwards, and iterators opened before a
// flush may keep reading them.
export class MemTable {
  private readonly list = new SkipList<MemTableEntry>(compareEntries)
  private memoryUsage = 0

  get entryCount (): number {
    return this.list.size
  }

  add (sequence: number, type: ValueType, userKey: Buffer, value: Buffer): void {
    const stored = type === ValueType.Deletion ? EMPTY : value
    this.list.insert(new MemTableEntry(userKey, sequence, type, stored))
    this.memoryUsage += userKey.length + stored.length + ENTRY_OVERHEAD
  }

  // The newest entry for userKey whose sequence is at most the given snapshot sequence.
  get (userKey: Buffer, sequence: number): MemTableLookup {
    const entry = this.list.lowerBound(new MemTableEntry(userKey, sequence, VALUE_TYPE_FOR_SEEK, EMPTY))
    if (entry === undefined || compareBytes(entry.userKey, entry.userKey.length, userKey, userKey.length) !== 0) return undefined
    if (entry.type === ValueType.Deletion) return DELETED
    return { found: true, deleted: false, value: entry.value }
  }

  newIterator (): InternalIterator {
    return new MemTableIterator(this.list)
  }

  approximateMemoryUsage (): number {
    return this.memoryUsage
  }
}

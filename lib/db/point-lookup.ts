// A point lookup through the memtables and the table files of one version. One instance serves
// every lookup of a database in turn (lookups run synchronously from start to finish), so that a
// lookup allocates nothing: its key, the table entries it compares and the file visitor are all
// reused.
import { compareByteSlices } from '../format/compare-bytes'
import { sequenceAt, TAG_SIZE, ValueType } from '../format/internal-key'
import { LookupKey } from '../format/lookup-key'
import { emptyEntryRanges, type EntryRanges } from '../iterator/entry-ranges'
import type { TableCache } from '../cache/table-cache'
import { bloomKeyHash } from '../table/bloom'
import { MemTableLookup, type MemTable } from '../memtable/memtable'
import type { FileMetaData } from '../version/file-metadata'
import type { FileVisitor, Version } from '../version/version'

export class PointLookup implements FileVisitor {
  private readonly key = new LookupKey()
  // The newest entry for the key found in a table so far, and the one the last table offered.
  // Each holds ranges of one table's reused iterator, which no other table's get() touches.
  private best = emptyEntryRanges()
  private candidate = emptyEntryRanges()
  private bestSequence = -1
  // The user key's filter hash, computed once for all the tables a lookup asks.
  private userKeyHash = 0
  private tableCache: TableCache | null = null
  private fillCache = true
  // The first table the lookup searched, charged if the key was not there and another table had
  // to be searched (Version.chargeSeek), as in LevelDB.
  private firstFile: FileMetaData | null = null
  private firstLevel = -1
  private foundInFirst = false
  private searchedAnother = false
  // Whether the last find() made a table due for compaction.
  seekCompactionDue = false

  // Finds the newest entry for userKey (bytes, or a string standing for its UTF-8 bytes) at or
  // below sequence. When it is a value, `into` gets its ranges, which are valid only until the
  // next write or lookup of the database, and the result is true.
  find (userKey: Uint8Array | string, sequence: number, mem: MemTable, imm: MemTable | null, version: Version, tableCache: TableCache, fillCache: boolean, into: EntryRanges): boolean {
    const key = this.key
    key.set(userKey, sequence)
    this.seekCompactionDue = false
    const inMem = mem.get(key.userKey, sequence, into)
    if (inMem !== MemTableLookup.Absent) return inMem === MemTableLookup.Found
    if (imm !== null) {
      const inImm = imm.get(key.userKey, sequence, into)
      if (inImm !== MemTableLookup.Absent) return inImm === MemTableLookup.Found
    }
    this.tableCache = tableCache
    tableCache.startLookup()
    this.fillCache = fillCache
    this.bestSequence = -1
    this.userKeyHash = bloomKeyHash(key.userKey, 0, key.userKey.length)
    try {
      version.filesForKey(key.userKey, key.internalKey, this)
      if (this.searchedAnother && !this.foundInFirst && this.firstFile !== null) this.seekCompactionDue = version.chargeSeek(this.firstFile, this.firstLevel)
    } finally {
      this.tableCache = null
      this.firstFile = null
      this.foundInFirst = false
      this.searchedAnother = false
    }
    if (this.bestSequence < 0) return false
    const best = this.best
    if (best.keyBytes[best.keyEnd - TAG_SIZE] !== ValueType.Value) return false
    into.valueBytes = best.valueBytes
    into.valueStart = best.valueStart
    into.valueEnd = best.valueEnd
    return true
  }

  // Level-0 files may overlap and, after a repair, need not be numbered in age order, so the
  // newest version among all of them wins; each deeper level holds a key at most once.
  visit (file: FileMetaData, level: number): boolean {
    if (level > 0 && this.bestSequence >= 0) return false
    if (this.firstFile === null) {
      this.firstFile = file
      this.firstLevel = level
    } else {
      this.searchedAnother = true
    }
    const candidate = this.candidate
    const userKey = this.key.userKey
    if (!(this.tableCache as TableCache).get(file.number, file.fileSize, this.key.internalKey, this.userKeyHash, this.fillCache, candidate)) return true
    const tagStart = candidate.keyEnd - TAG_SIZE
    if (compareByteSlices(candidate.keyBytes, candidate.keyStart, tagStart, userKey, 0, userKey.length) !== 0) return true
    if (file === this.firstFile) this.foundInFirst = true
    const sequence = sequenceAt(candidate.keyBytes, tagStart)
    if (sequence > this.bestSequence) {
      this.candidate = this.best
      this.best = candidate
      this.bestSequence = sequence
    }
    return level === 0
  }
}

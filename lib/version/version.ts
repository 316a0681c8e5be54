// An immutable snapshot of which table files make up each level.
import type { FileMetaData } from './file-metadata'
import { compareInternalKeys, compareUserKeys, extractUserKey, makeInternalKey, MAX_SEQUENCE, TAG_SIZE, VALUE_TYPE_FOR_SEEK } from '../format/internal-key'
import { compareByteSlices } from '../format/compare-bytes'

export const NUM_LEVELS = 7
export const L0_COMPACTION_TRIGGER = 4
export const L0_SLOWDOWN_WRITES_TRIGGER = 8
export const L0_STOP_WRITES_TRIGGER = 12
// Highest level a flushed memtable may be pushed to when it overlaps nothing.
export const MAX_MEM_COMPACT_LEVEL = 2

// Told of each candidate file in turn by filesForKey; returns false to stop the search.
export interface FileVisitor {
  visit (file: FileMetaData, level: number): boolean
}

// How many lookups may search a file in vain before it is compacted (LevelDB's allowed_seeks):
// one seek costs about as much as compacting 16 KiB, and a file is allowed at least 100. Kept per
// file and level, so a file moved down a level starts afresh, as in LevelDB.
const BYTES_PER_SEEK = 16 * 1024
const MIN_ALLOWED_SEEKS = 100
const seekBudgets = new WeakMap<FileMetaData, { level: number, remaining: number }>()

export class Version {
  // Files at level 0 may overlap and are kept in flush order; higher levels are sorted and disjoint.
  readonly files: ReadonlyArray<readonly FileMetaData[]>
  compactionScore = -1
  compactionLevel = -1
  // A file that lookups searched in vain often enough to be worth compacting, and its level.
  fileToCompact: FileMetaData | null = null
  fileToCompactLevel = -1
  refs = 0

  // files[level].length, by level: filesForKey reads a level's array only when it holds files.
  // Empty arrays have another hidden class (V8 elements kind) than those holding files, and a
  // fresh process's first lookups, most of which stop at the first level holding their key, may
  // never reach an empty level: a lookup optimised without seeing one was thrown away when a
  // compaction installed a version with an empty level where it had looked at files.
  private readonly fileCounts: number[]

  constructor (files?: ReadonlyArray<readonly FileMetaData[]>) {
    this.files = files ?? Array.from({ length: NUM_LEVELS }, () => [])
    this.fileCounts = this.files.map(level => level.length)
  }

  numFiles (level: number): number {
    return this.files[level].length
  }

  levelBytes (level: number): number {
    return totalFileSize(this.files[level])
  }

  // Files at `level` whose user-key range meets [begin, end] (null = unbounded). At level 0 the
  // range grows to cover every overlapping file, since their ranges overlap one another.
  overlappingInputs (level: number, begin: Buffer | null, end: Buffer | null): FileMetaData[] {
    let userBegin = begin === null ? null : extractUserKey(begin)
    let userEnd = end === null ? null : extractUserKey(end)
    const inputs: FileMetaData[] = []
    const files = this.files[level]
    for (let i = 0; i < files.length;) {
      const file = files[i++]
      const fileStart = extractUserKey(file.smallest)
      const fileLimit = extractUserKey(file.largest)
      if (userBegin !== null && compareUserKeys(fileLimit, userBegin) < 0) continue
      if (userEnd !== null && compareUserKeys(fileStart, userEnd) > 0) continue
      inputs.push(file)
      if (level === 0) {
        if (userBegin !== null && compareUserKeys(fileStart, userBegin) < 0) {
          userBegin = fileStart
          inputs.length = 0
          i = 0
        } else if (userEnd !== null && compareUserKeys(fileLimit, userEnd) > 0) {
          userEnd = fileLimit
          inputs.length = 0
          i = 0
        }
      }
    }
    return inputs
  }

  overlapInLevel (level: number, smallestUserKey: Buffer | null, largestUserKey: Buffer | null): boolean {
    const files = this.files[level]
    if (level === 0) {
      return files.some(f => !afterFile(smallestUserKey, f) && !beforeFile(largestUserKey, f))
    }
    const index = smallestUserKey === null ? 0 : findFile(files, makeInternalKey(smallestUserKey, MAX_SEQUENCE, VALUE_TYPE_FOR_SEEK))
    return index < files.length && !beforeFile(largestUserKey, files[index])
  }

  // Level for a new memtable table covering [smallest, largest]: as deep as MAX_MEM_COMPACT_LEVEL
  // while it overlaps nothing and would not overlap too much of the level below it.
  pickLevelForMemTableOutput (smallestUserKey: Buffer, largestUserKey: Buffer, maxGrandparentOverlapBytes: number): number {
    let level = 0
    if (this.overlapInLevel(0, smallestUserKey, largestUserKey)) return level
    const start = makeInternalKey(smallestUserKey, MAX_SEQUENCE, VALUE_TYPE_FOR_SEEK)
    const limit = makeInternalKey(largestUserKey, 0, 0)
    while (level < MAX_MEM_COMPACT_LEVEL) {
      if (this.overlapInLevel(level + 1, smallestUserKey, largestUserKey)) break
      if (level + 2 < NUM_LEVELS && totalFileSize(this.overlappingInputs(level + 2, start, limit)) > maxGrandparentOverlapBytes) break
      level++
    }
    return level
  }

  // Charges `file` at `level` for a lookup that searched it and then had to search another file.
  // True when that makes the file this version's seek compaction.
  chargeSeek (file: FileMetaData, level: number): boolean {
    let budget = seekBudgets.get(file)
    if (budget === undefined || budget.level !== level) {
      budget = { level, remaining: Math.max(MIN_ALLOWED_SEEKS, Math.floor(file.fileSize / BYTES_PER_SEEK)) }
      seekBudgets.set(file, budget)
    }
    budget.remaining--
    if (budget.remaining > 0 || this.fileToCompact !== null) return false
    this.fileToCompact = file
    this.fileToCompactLevel = level
    return true
  }

  // Candidate files for a point lookup: every level-0 file whose range holds the key (they may
  // overlap, in any order), then at most one file per deeper level.
  // The visitor is an object, not a closure, so that a lookup need not allocate one.
  filesForKey (userKey: Buffer, internalKey: Buffer, visitor: FileVisitor): void {
    const counts = this.fileCounts
    const level0Count = counts[0]
    if (level0Count > 0) {
      const level0 = this.files[0]
      for (let i = 0; i < level0Count; i++) {
        if (userKeyInFile(userKey, level0[i]) && !visitor.visit(level0[i], 0)) return
      }
    }
    for (let level = 1; level < NUM_LEVELS; level++) {
      const count = counts[level]
      if (count === 0) continue
      const files = this.files[level]
      const index = findFile(files, internalKey)
      if (index >= count) continue
      const file = files[index]
      if (beforeFile(userKey, file)) continue
      if (!visitor.visit(file, level)) return
    }
  }
}

function userKeyInFile (userKey: Buffer, file: FileMetaData): boolean {
  return !beforeFile(userKey, file) && !afterFile(userKey, file)
}

export function totalFileSize (files: readonly FileMetaData[]): number {
  let sum = 0
  for (const f of files) sum += f.fileSize
  return sum
}

// Index of the first file whose largest key is >= internalKey (files sorted and disjoint).
// `above` is computed on every step, not only when the search moves up: a level of few files
// may send a fresh process's first lookups down only, and V8 would optimise this with no type
// feedback for that addition, then throw the code away the first time a lookup moved up.
export function findFile (files: readonly FileMetaData[], internalKey: Buffer): number {
  let lo = 0
  let hi = files.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const above = mid + 1
    if (compareInternalKeys(files[mid].largest, internalKey) < 0) lo = above
    else hi = mid
  }
  return lo
}

// Compared in place: these run for every file on every point lookup.
function afterFile (userKey: Buffer | null, file: FileMetaData): boolean {
  return userKey !== null && compareByteSlices(userKey, 0, userKey.length, file.largest, 0, file.largest.length - TAG_SIZE) > 0
}

function beforeFile (userKey: Buffer | null, file: FileMetaData): boolean {
  return userKey !== null && compareByteSlices(userKey, 0, userKey.length, file.smallest, 0, file.smallest.length - TAG_SIZE) < 0
}

// User-key range covered by a set of files, as internal keys.
export function keyRange (files: readonly FileMetaData[]): { smallest: Buffer, largest: Buffer } {
  let smallest = files[0].smallest
  let largest = files[0].largest
  for (const f of files) {
    if (compareInternalKeys(f.smallest, smallest) < 0) smallest = f.smallest
    if (compareInternalKeys(f.largest, largest) > 0) largest = f.largest
  }
  return { smallest, largest }
}

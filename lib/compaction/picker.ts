// Chooses what to compact next, as LevelDB does: level 0 by file count, deeper levels by size,
// and failing those a file that lookups keep searching in vain.
import { Version, NUM_LEVELS, totalFileSize, keyRange } from '../version/version'
import type { PickerOptions } from '../version/compaction-score'
import type { FileMetaData } from '../version/file-metadata'
import type { Compaction } from './compaction'
import { compareInternalKeys, compareUserKeys, extractUserKey } from '../format/internal-key'

export function pickSizeCompaction (version: Version, compactPointers: ReadonlyArray<Buffer | undefined>, options: PickerOptions): Compaction | null {
  if (version.compactionScore < 1) return null
  const level = version.compactionLevel
  const files = version.files[level]
  const pointer = compactPointers[level]
  // Rotate through the key space so every range gets compacted in turn.
  let first = files.find(f => pointer === undefined || compareInternalKeys(f.largest, pointer) > 0)
  if (first === undefined) first = files[0]
  return compactionStartingWith(version, level, first, options)
}

// The file lookups have searched in vain too often (Version.chargeSeek), or null.
export function pickSeekCompaction (version: Version, options: PickerOptions): Compaction | null {
  const file = version.fileToCompact
  return file === null ? null : compactionStartingWith(version, version.fileToCompactLevel, file, options)
}

// Compacts `first` with whatever must go with it: the level-0 files overlapping it, and the files
// of the next level beneath them all.
function compactionStartingWith (version: Version, level: number, first: FileMetaData, options: PickerOptions): Compaction {
  let inputs = [first]
  if (level === 0) {
    const range = keyRange(inputs)
    inputs = version.overlappingInputs(0, range.smallest, range.largest)
  }
  return setupOtherInputs(version, level, addBoundaryInputs(version.files[level], inputs), options)
}

// A manual compaction of [begin, end] (null = unbounded) at one level, or null if nothing overlaps.
export function pickRangeCompaction (version: Version, level: number, begin: Buffer | null, end: Buffer | null, options: PickerOptions): Compaction | null {
  const inputs = version.overlappingInputs(level, begin, end)
  if (inputs.length === 0) return null
  return setupOtherInputs(version, level, addBoundaryInputs(version.files[level], inputs), options)
}

function setupOtherInputs (version: Version, level: number, levelInputs: FileMetaData[], options: PickerOptions): Compaction {
  let inputs = levelInputs
  let range = keyRange(inputs)
  let nextInputs = addBoundaryInputs(version.files[level + 1], version.overlappingInputs(level + 1, range.smallest, range.largest))
  let allRange = keyRange(inputs.concat(nextInputs))

  // Grow the level inputs while that pulls in no more files from level + 1 and stays affordable.
  if (nextInputs.length > 0) {
    const expanded = addBoundaryInputs(version.files[level], version.overlappingInputs(level, allRange.smallest, allRange.largest))
    const limit = 25 * options.maxFileSize
    if (expanded.length > inputs.length && totalFileSize(expanded) + totalFileSize(nextInputs) < limit) {
      const expandedRange = keyRange(expanded)
      const expandedNext = addBoundaryInputs(version.files[level + 1], version.overlappingInputs(level + 1, expandedRange.smallest, expandedRange.largest))
      if (expandedNext.length === nextInputs.length) {
        inputs = expanded
        range = expandedRange
        nextInputs = expandedNext
        allRange = keyRange(inputs.concat(nextInputs))
      }
    }
  }

  const grandparents = level + 2 < NUM_LEVELS ? version.overlappingInputs(level + 2, allRange.smallest, allRange.largest) : []
  return {
    level,
    inputs: [inputs, nextInputs],
    grandparents,
    deeperLevels: version.files.slice(level + 2),
    compactPointer: range.largest,
    maxOutputFileSize: options.maxFileSize
  }
}

// A user key's versions may straddle two files of one level (LevelDB before 1.21 cut outputs
// anywhere). Compacting only the file with the newer versions would leave older ones above
// them, so files that continue the inputs' largest user key are pulled in too.
export function addBoundaryInputs (levelFiles: readonly FileMetaData[], inputs: FileMetaData[]): FileMetaData[] {
  if (inputs.length === 0) return inputs
  const result = inputs.slice()
  let largest = keyRange(result).largest
  while (true) {
    let boundary: FileMetaData | undefined
    for (const f of levelFiles) {
      if (compareInternalKeys(f.smallest, largest) > 0 && compareUserKeys(extractUserKey(f.smallest), extractUserKey(largest)) === 0 &&
        (boundary === undefined || compareInternalKeys(f.smallest, boundary.smallest) < 0)) {
        boundary = f
      }
    }
    if (boundary === undefined || result.includes(boundary)) return result
    result.push(boundary)
    largest = boundary.largest
  }
}

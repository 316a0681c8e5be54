// What one compaction reads: plain data, so a job can be handed to another thread.
import type { FileMetaData } from '../version/file-metadata'
import { totalFileSize } from '../version/version'

export interface Compaction {
  // Inputs come from `level` and `level + 1`; outputs go to `level + 1`.
  level: number
  inputs: [FileMetaData[], FileMetaData[]]
  // Files at level + 2 overlapping the range, to stop outputs that would make a costly later compaction.
  grandparents: FileMetaData[]
  // Files at every level below level + 1, to tell when a deletion marker can be dropped.
  deeperLevels: ReadonlyArray<readonly FileMetaData[]>
  // Where the next size compaction at `level` starts (LevelDB's compact pointer).
  compactPointer?: Buffer
  maxOutputFileSize: number
}

export function maxGrandparentOverlapBytes (maxFileSize: number): number {
  return 10 * maxFileSize
}

// A single file that overlaps nothing below can simply be moved down a level.
export function isTrivialMove (c: Compaction): boolean {
  return c.inputs[0].length === 1 && c.inputs[1].length === 0 &&
    totalFileSize(c.grandparents) <= maxGrandparentOverlapBytes(c.maxOutputFileSize)
}

// How urgently each level needs compacting, as LevelDB scores it: level 0 by file count, deeper
// levels by size. Every version is scored when it is installed.
import { Version, NUM_LEVELS, L0_COMPACTION_TRIGGER } from './version'

export interface PickerOptions {
  maxFileSize: number
  // Target size of level 1; each deeper level is ten times larger.
  levelSizeBase: number
}

export function maxBytesForLevel (level: number, options: PickerOptions): number {
  return options.levelSizeBase * 10 ** Math.max(level - 1, 0)
}

// Sets version.compactionLevel to the level most in need of compaction (score >= 1 means needed).
// LevelDB's order is kept even while level 0 stops writes: putting level 0 first lets level 1
// grow without bound under a long fill, which raises write amplification, lengthens the longest
// stall and lowers throughput.
export function computeCompactionScore (version: Version, options: PickerOptions): void {
  let bestLevel = -1
  let bestScore = -1
  for (let level = 0; level < NUM_LEVELS - 1; level++) {
    const score = level === 0
      ? version.numFiles(0) / L0_COMPACTION_TRIGGER
      : version.levelBytes(level) / maxBytesForLevel(level, options)
    if (score > bestScore) {
      bestScore = score
      bestLevel = level
    }
  }
  version.compactionLevel = bestLevel
  version.compactionScore = bestScore
}

export function needsCompaction (version: Version): boolean {
  return version.compactionScore >= 1 || version.fileToCompact !== null
}

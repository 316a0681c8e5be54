// Applies a sequence of version edits to a base version without intermediate versions.
import { Version, NUM_LEVELS } from './version'
import type { VersionEdit } from './version-edit'
import type { FileMetaData } from './file-metadata'
import { compareInternalKeys } from '../format/internal-key'
import { corruption } from '../util/errors'

function bySmallestKey (a: FileMetaData, b: FileMetaData): number {
  return compareInternalKeys(a.smallest, b.smallest) || a.number - b.number
}

export class VersionBuilder {
  private readonly deleted: Array<Set<number>> = Array.from({ length: NUM_LEVELS }, () => new Set())
  private readonly added: Array<Map<number, FileMetaData>> = Array.from({ length: NUM_LEVELS }, () => new Map())

  constructor (private readonly base: Version) {}

  apply (edit: VersionEdit): void {
    for (const { level, number } of edit.deletedFiles) {
      this.deleted[level].add(number)
      this.added[level].delete(number)
    }
    for (const { level, meta } of edit.newFiles) {
      this.deleted[level].delete(meta.number)
      this.added[level].set(meta.number, meta)
    }
  }

  build (): Version {
    const files: FileMetaData[][] = []
    for (let level = 0; level < NUM_LEVELS; level++) {
      const kept = this.base.files[level].filter(f => !this.deleted[level].has(f.number) && !this.added[level].has(f.number))
      const merged = kept.concat([...this.added[level].values()]).sort(bySmallestKey)
      if (level > 0) {
        for (let i = 1; i < merged.length; i++) {
          if (compareInternalKeys(merged[i - 1].largest, merged[i].smallest) >= 0) {
            throw corruption(`overlapping ranges in level ${level}: files ${merged[i - 1].number} and ${merged[i].number}`)
          }
        }
      }
      files.push(merged)
    }
    return new Version(files)
  }
}

// Applies a sequence of version edits to a base version without intermediate versions.
import { Version, NUM_LEVELS } from './version'
import type { VersionEdit } from './version-edit'
import type { FileMetaData } from './file-metadata'
import { compareInternalKeys } from '../format/internal-key'
import { corruption } from '../util/errors'

function bySmallestKey (a: FileMetaData, b: FileMetaData): number {
  return compareInternalKeys(a.smallest, b.smallest) || a.number - b.number
}

interface LevelChanges {
  deleted: Set<number>
  added: Map<number, FileMetaData>
}

export class VersionBuilder {
  // Only levels an edit touches get an entry: most edits change one or two of the seven.
  private readonly changes: Array<LevelChanges | undefined> = new Array(NUM_LEVELS).fill(undefined)

  constructor (private readonly base: Version) {}

  apply (edit: VersionEdit): void {
    for (const { level, number } of edit.deletedFiles) {
      const changes = this.changesAt(level)
      changes.deleted.add(number)
      changes.added.delete(number)
    }
    for (const { level, meta } of edit.newFiles) {
      const changes = this.changesAt(level)
      changes.deleted.delete(meta.number)
      changes.added.set(meta.number, meta)
    }
  }

  build (): Version {
    // Versions never modify their level arrays, so an untouched level is shared with the base.
    return new Version(this.base.files.map((files, level) => {
      const changes = this.changes[level]
      return changes === undefined ? files : applyChanges(files, changes, level)
    }))
  }

  private changesAt (level: number): LevelChanges {
    let changes = this.changes[level]
    if (changes === undefined) {
      changes = { deleted: new Set(), added: new Map() }
      this.changes[level] = changes
    }
    return changes
  }
}

function applyChanges (files: readonly FileMetaData[], { deleted, added }: LevelChanges, level: number): FileMetaData[] {
  const kept = files.filter(f => !deleted.has(f.number) && !added.has(f.number))
  const merged = kept.concat([...added.values()]).sort(bySmallestKey)
  if (level > 0) {
    for (let i = 1; i < merged.length; i++) {
      if (compareInternalKeys(merged[i - 1].largest, merged[i].smallest) >= 0) {
        throw corruption(`overlapping ranges in level ${level}: files ${merged[i - 1].number} and ${merged[i].number}`)
      }
    }
  }
  return merged
}

// One edit on top of `base`. A function of its own so no caller's async frame keeps the builder alive.
export function applyEdit (base: Version, edit: VersionEdit): Version {
  const builder = new VersionBuilder(base)
  builder.apply(edit)
  return builder.build()
}

// Iterates the sorted, disjoint files of one level as a single sequence, opening tables lazily.
import { setEntryRanges } from '../iterator/entry-ranges'
import type { EntryRanges } from '../iterator/entry-ranges'
import type { InternalIterator } from '../iterator/iterator'
import { TwoLevelIterator } from '../iterator/two-level-iterator'
import type { FileMetaData } from './file-metadata'
import { findFile } from './version'
import type { TableCache } from '../cache/table-cache'

// Index level: one entry per file, keyed by its largest key; the value names the file by position.
class FileListIterator implements InternalIterator {
  private index: number

  constructor (private readonly files: readonly FileMetaData[]) {
    this.index = files.length
  }

  valid (): boolean { return this.index < this.files.length }
  seekToFirst (): void { this.index = 0 }
  seekToLast (): void { this.index = this.files.length === 0 ? 0 : this.files.length - 1 }
  seek (target: Buffer): void { this.index = findFile(this.files, target) }
  next (): void { this.index++ }
  prev (): void { this.index = this.index === 0 ? this.files.length : this.index - 1 }
  key (): Buffer { return this.files[this.index].largest }

  value (): Buffer {
    const position = Buffer.allocUnsafe(4)
    position.writeUInt32LE(this.index, 0)
    return position
  }

  readEntry (into: EntryRanges): void {
    const key = this.key()
    const value = this.value()
    setEntryRanges(into, key, 0, key.length, value, 0, value.length)
  }

  close (): void {}
}

export function newLevelIterator (files: readonly FileMetaData[], tableCache: TableCache, fillCache: boolean): InternalIterator {
  return new TwoLevelIterator(new FileListIterator(files), (position: Buffer) => {
    const file = files[position.readUInt32LE(0)]
    return tableCache.newIterator(file.number, file.fileSize, fillCache)
  })
}

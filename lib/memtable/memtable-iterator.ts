import { sequenceOf, TAG_SIZE, typeOf } from '../format/internal-key'
import type { InternalIterator } from '../iterator/iterator'
import { corruption } from '../util/errors'
import { MemTableEntry } from './memtable-entry'
import type { SkipList, SkipListIterator } from './skiplist'

// Walks a memtable in internal-key order; key() is the encoded internal key.
export class MemTableIterator implements InternalIterator {
  private readonly cursor: SkipListIterator<MemTableEntry>

  constructor (list: SkipList<MemTableEntry>) {
    this.cursor = list.newIterator()
  }

  valid (): boolean {
    return this.cursor.valid()
  }

  seekToFirst (): void {
    this.cursor.seekToFirst()
  }

  seekToLast (): void {
    this.cursor.seekToLast()
  }

  seek (target: Buffer): void {
    if (target.length < TAG_SIZE) throw corruption('memtable seek target is not an internal key')
    const userKey = target.subarray(0, target.length - TAG_SIZE)
    this.cursor.seek(new MemTableEntry(userKey, sequenceOf(target), typeOf(target), userKey))
  }

  next (): void {
    this.cursor.next()
  }

  prev (): void {
    this.cursor.prev()
  }

  key (): Buffer {
    return this.cursor.entry().internalKey()
  }

  value (): Buffer {
    return this.cursor.entry().value
  }

  // Nothing to release: the memtable stays alive as long as this iterator is referenced.
  close (): void {}
}

import { sequenceOf, TAG_SIZE, typeOf } from '../format/internal-key'
import type { InternalIterator } from '../iterator/iterator'
import type { EntryRanges } from '../iterator/entry-ranges'
import { corruption } from '../util/errors'
import { InternalKeySkipList, NO_NODE } from './skiplist'

// Walks a memtable in internal-key order; key() is the encoded internal key. Stays usable
// across later inserts, which never move or remove nodes.
export class MemTableIterator implements InternalIterator {
  private node = NO_NODE

  constructor (private readonly list: InternalKeySkipList) {}

  valid (): boolean {
    return this.node !== NO_NODE
  }

  seekToFirst (): void {
    this.node = this.list.first()
  }

  seekToLast (): void {
    this.node = this.list.last()
  }

  seek (target: Buffer): void {
    if (target.length < TAG_SIZE) throw corruption('memtable seek target is not an internal key')
    this.node = this.list.seek(target.subarray(0, target.length - TAG_SIZE), sequenceOf(target), typeOf(target))
  }

  next (): void {
    this.node = this.list.next(this.node)
  }

  prev (): void {
    this.node = this.list.prev(this.node)
  }

  key (): Buffer {
    return this.list.internalKey(this.node)
  }

  value (): Buffer {
    return this.list.value(this.node)
  }

  // The current entry without views: valid until the memtable takes another write.
  readEntry (into: EntryRanges): void {
    this.list.readEntry(this.node, into)
  }

  // Nothing to release: the memtable stays alive as long as this iterator is referenced.
  close (): void {}
}

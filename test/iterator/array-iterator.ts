import { setEntryRanges } from '../../lib/iterator/entry-ranges'
import type { EntryRanges } from '../../lib/iterator/entry-ranges'
import type { InternalIterator } from '../../lib/iterator/iterator'

export interface Entry { key: Buffer, value: Buffer }

// An InternalIterator over entries already sorted by compare, for testing iterator composition.
export class ArrayIterator implements InternalIterator {
  private index = -1
  closed = false

  constructor (
    private readonly entries: Entry[],
    private readonly compare: (a: Buffer, b: Buffer) => number
  ) {}

  valid (): boolean {
    return this.index >= 0 && this.index < this.entries.length
  }

  seekToFirst (): void {
    this.index = 0
  }

  seekToLast (): void {
    this.index = this.entries.length - 1
  }

  seek (target: Buffer): void {
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.compare(this.entries[mid].key, target) < 0) lo = mid + 1
      else hi = mid
    }
    this.index = lo
  }

  next (): void {
    this.assertValid()
    this.index++
  }

  prev (): void {
    this.assertValid()
    this.index = this.index === 0 ? -1 : this.index - 1
  }

  key (): Buffer {
    this.assertValid()
    return this.entries[this.index].key
  }

  value (): Buffer {
    this.assertValid()
    return this.entries[this.index].value
  }

  readEntry (into: EntryRanges): void {
    this.assertValid()
    const { key, value } = this.entries[this.index]
    setEntryRanges(into, key, 0, key.length, value, 0, value.length)
  }

  close (): void {
    this.closed = true
  }

  private assertValid (): void {
    if (!this.valid()) throw new Error('ArrayIterator used while not valid')
  }
}

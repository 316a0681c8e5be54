import { compareInternalKeySlices } from '../format/internal-key'
import type { SliceComparator } from '../format/internal-key'
import { emptyEntryRanges } from './entry-ranges'
import type { EntryRanges } from './entry-ranges'
import type { InternalIterator } from './iterator'

type Direction = 'forward' | 'reverse'

// The sorted union of several sorted iterators. Keys are expected to be distinct across
// children (internal keys carry unique sequence numbers).
//
// Invariants: entries[i] holds child i's current entry whenever child i is valid (it is re-read
// after every move of that child, and stays valid while the child does not move). `order` lists
// the valid children in iteration order of their current keys (ascending going forward,
// descending in reverse); the current child is order[0]. A step moves only the current child,
// which is then moved down `order` to its new place: usually one comparison in a scan where one
// child (the largest level) holds most keys, and a few with the handful of children an LSM read
// merges otherwise, with no heap bookkeeping.
export class MergingIterator implements InternalIterator {
  private direction: Direction = 'forward'
  private readonly entries: EntryRanges[]
  private readonly order: number[] = []

  constructor (
    private readonly children: InternalIterator[],
    private readonly compare: SliceComparator = compareInternalKeySlices
  ) {
    this.entries = children.map(() => emptyEntryRanges())
  }

  valid (): boolean {
    return this.order.length > 0
  }

  seekToFirst (): void {
    for (const child of this.children) child.seekToFirst()
    this.orderChildren('forward')
  }

  seekToLast (): void {
    for (const child of this.children) child.seekToLast()
    this.orderChildren('reverse')
  }

  seek (target: Buffer): void {
    for (const child of this.children) child.seek(target)
    this.orderChildren('forward')
  }

  next (): void {
    const order = this.order
    if (order.length === 0) throw new Error('MergingIterator is not positioned at an entry')
    const current = order[0]
    // Moving forward needs every child positioned after key(); in reverse the others sit before it.
    if (this.direction !== 'forward') {
      const key = this.children[current].key()
      for (let i = 0; i < this.children.length; i++) {
        if (i === current) continue
        const other = this.children[i]
        other.seek(key)
        if (other.valid()) {
          other.readEntry(this.entries[i])
          if (this.compareKeyWithChild(key, i) === 0) other.next()
        }
      }
      this.children[current].next()
      this.orderChildren('forward')
      return
    }
    this.children[current].next()
    this.reorderCurrent()
  }

  prev (): void {
    const current = this.requireCurrent()
    // Moving backward needs every child positioned before key(); going forward they sit after it.
    if (this.direction !== 'reverse') {
      const key = this.children[current].key()
      for (let i = 0; i < this.children.length; i++) {
        if (i === current) continue
        const other = this.children[i]
        other.seek(key)
        if (other.valid()) other.prev()
        else other.seekToLast()
      }
      this.children[current].prev()
      this.orderChildren('reverse')
      return
    }
    this.children[current].prev()
    this.reorderCurrent()
  }

  key (): Buffer {
    return this.children[this.requireCurrent()].key()
  }

  value (): Buffer {
    return this.children[this.requireCurrent()].value()
  }

  // Once per entry of every scan, so the fields are copied here rather than by a helper.
  readEntry (into: EntryRanges): void {
    const order = this.order
    if (order.length === 0) throw new Error('MergingIterator is not positioned at an entry')
    const entry = this.entries[order[0]]
    into.keyBytes = entry.keyBytes
    into.keyStart = entry.keyStart
    into.keyEnd = entry.keyEnd
    into.valueBytes = entry.valueBytes
    into.valueStart = entry.valueStart
    into.valueEnd = entry.valueEnd
  }

  close (): void {
    for (const child of this.children) child.close()
    this.order.length = 0
  }

  private requireCurrent (): number {
    if (this.order.length === 0) throw new Error('MergingIterator is not positioned at an entry')
    return this.order[0]
  }

  // Re-reads every child's entry after all of them moved, and orders them for `direction`.
  private orderChildren (direction: Direction): void {
    this.direction = direction
    const order = this.order
    order.length = 0
    const count = this.children.length
    // Of equal keys, the earliest child comes first going forward and the latest in reverse.
    for (let n = 0; n < count; n++) {
      const i = direction === 'forward' ? n : count - 1 - n
      const child = this.children[i]
      if (!child.valid()) continue
      child.readEntry(this.entries[i])
      let at = order.length
      while (at > 0 && this.precedes(i, order[at - 1])) {
        order[at] = order[at - 1]
        at--
      }
      order[at] = i
    }
  }

  // After the current child stepped: drops it if it ran out, else moves it to its new place. Once
  // per entry of every scan, so the comparisons are made here rather than through precedes().
  private reorderCurrent (): void {
    const order = this.order
    const current = order[0]
    const child = this.children[current]
    if (!child.valid()) {
      order.shift()
      return
    }
    const entries = this.entries
    const entry = entries[current]
    child.readEntry(entry)
    const count = order.length
    if (count === 1) return
    const compare = this.compare
    const { keyBytes, keyStart, keyEnd } = entry
    // Another child's key moves ahead of the current one only when strictly before it.
    const forward = this.direction === 'forward'
    let at = 0
    while (at + 1 < count) {
      const next = order[at + 1]
      const other = entries[next]
      const c = compare(other.keyBytes, other.keyStart, other.keyEnd, keyBytes, keyStart, keyEnd)
      if (forward ? c >= 0 : c <= 0) break
      order[at] = next
      at++
    }
    order[at] = current
  }

  // Whether child a's key comes strictly before child b's in the current direction.
  private precedes (a: number, b: number): boolean {
    const x = this.entries[a]
    const y = this.entries[b]
    const order = this.compare(x.keyBytes, x.keyStart, x.keyEnd, y.keyBytes, y.keyStart, y.keyEnd)
    return this.direction === 'forward' ? order < 0 : order > 0
  }

  private compareKeyWithChild (key: Buffer, i: number): number {
    const entry = this.entries[i]
    return this.compare(key, 0, key.length, entry.keyBytes, entry.keyStart, entry.keyEnd)
  }
}

import { compareInternalKeys } from '../format/internal-key'
import type { InternalIterator } from './iterator'

type Direction = 'forward' | 'reverse'

// The sorted union of several sorted iterators. Keys are expected to be distinct across
// children (internal keys carry unique sequence numbers). A linear scan picks the current
// child: with the handful of children an LSM read merges, it beats a heap's bookkeeping.
export class MergingIterator implements InternalIterator {
  private current: InternalIterator | undefined = undefined
  private direction: Direction = 'forward'

  constructor (
    private readonly children: InternalIterator[],
    private readonly compare: (a: Buffer, b: Buffer) => number = compareInternalKeys
  ) {}

  valid (): boolean {
    return this.current !== undefined
  }

  seekToFirst (): void {
    for (const child of this.children) child.seekToFirst()
    this.findSmallest()
    this.direction = 'forward'
  }

  seekToLast (): void {
    for (const child of this.children) child.seekToLast()
    this.findLargest()
    this.direction = 'reverse'
  }

  seek (target: Buffer): void {
    for (const child of this.children) child.seek(target)
    this.findSmallest()
    this.direction = 'forward'
  }

  next (): void {
    const current = this.requireCurrent()
    // Moving forward needs every child positioned after key(); in reverse the others sit before it.
    if (this.direction !== 'forward') {
      const key = current.key()
      for (const child of this.children) {
        if (child === current) continue
        child.seek(key)
        if (child.valid() && this.compare(key, child.key()) === 0) child.next()
      }
      this.direction = 'forward'
    }
    current.next()
    this.findSmallest()
  }

  prev (): void {
    const current = this.requireCurrent()
    // Moving backward needs every child positioned before key(); going forward they sit after it.
    if (this.direction !== 'reverse') {
      const key = current.key()
      for (const child of this.children) {
        if (child === current) continue
        child.seek(key)
        if (child.valid()) child.prev()
        else child.seekToLast()
      }
      this.direction = 'reverse'
    }
    current.prev()
    this.findLargest()
  }

  key (): Buffer {
    return this.requireCurrent().key()
  }

  value (): Buffer {
    return this.requireCurrent().value()
  }

  close (): void {
    for (const child of this.children) child.close()
    this.current = undefined
  }

  private requireCurrent (): InternalIterator {
    if (this.current === undefined) throw new Error('MergingIterator is not positioned at an entry')
    return this.current
  }

  private findSmallest (): void {
    let smallest: InternalIterator | undefined
    let smallestKey: Buffer | undefined
    for (const child of this.children) {
      if (!child.valid()) continue
      const key = child.key()
      if (smallestKey === undefined || this.compare(key, smallestKey) < 0) {
        smallest = child
        smallestKey = key
      }
    }
    this.current = smallest
  }

  private findLargest (): void {
    let largest: InternalIterator | undefined
    let largestKey: Buffer | undefined
    for (let i = this.children.length - 1; i >= 0; i--) {
      const child = this.children[i]
      if (!child.valid()) continue
      const key = child.key()
      if (largestKey === undefined || this.compare(key, largestKey) > 0) {
        largest = child
        largestKey = key
      }
    }
    this.current = largest
  }
}

// What a transaction's iterators walk: its snapshot of the database with its own writes laid
// over it (read-your-writes), recording the stretch of keys each walk covered so the commit can
// check that nobody wrote into it since (phantoms). Also the view of one sublevel's keys.
import type { KeyRange } from '../db/conflicts'
import type { UserIterator } from './range-cursor'
import { setEntryRanges, type EntryRanges } from '../iterator/entry-ranges'

/** One key the transaction wrote: its new value, or `null` when it deleted the key. */
export interface WrittenEntry {
  readonly key: Buffer
  // key as a latin1 string (one char per byte, so it sorts in byte order).
  readonly id: string
  readonly value: Buffer | null
}

type Direction = 'forward' | 'reverse'

// The keys an iterator's walks covered, clamped to its range: each walk (from one positioning to
// the next, or to close) spans the extremes it reached, and goes to the commit's checks when done.
export class Coverage {
  // Extremes reached by the current walk: `undefined` before any, `null` for an open end.
  #lowest: string | null | undefined = undefined
  #highest: string | null | undefined = undefined
  readonly #bounds: KeyRange
  readonly #sink: KeyRange[] | null

  /** Finished walks go to `sink`; with `null` nothing is recorded (reads are not checked). */
  constructor (bounds: KeyRange, sink: KeyRange[] | null) {
    this.#bounds = bounds
    this.#sink = sink
  }

  reach (point: string): void {
    if (this.#lowest === undefined || (this.#lowest !== null && point < this.#lowest)) this.#lowest = point
    if (this.#highest === undefined || (this.#highest !== null && point > this.#highest)) this.#highest = point
  }

  /** The walk ran off the lowest (`below`) or the highest end of the keys. */
  reachEnd (below: boolean): void {
    if (below) this.#lowest = null
    else this.#highest = null
  }

  /** Records the current walk, if it reached anything, and starts afresh. */
  finishWalk (): void {
    const lowest = this.#lowest
    const highest = this.#highest
    this.#lowest = this.#highest = undefined
    if (this.#sink === null || lowest === undefined || highest === undefined) return
    const bounds = this.#bounds
    const range: KeyRange = { ...bounds }
    if (lowest !== null && (bounds.lower === null || lowest > bounds.lower)) {
      range.lower = lowest
      range.lowerInclusive = true
    }
    if (highest !== null && (bounds.upper === null || highest < bounds.upper)) {
      range.upper = highest
      range.upperInclusive = true
    }
    this.#sink.push(range)
  }
}

/**
 * The transaction's snapshot (an engine iterator) merged with the keys it wrote, sorted: a
 * written key hides the snapshot's entry for it, and a deleted one hides it altogether.
 */
export class TransactionIterator implements UserIterator {
  readonly #snapshot: UserIterator
  readonly #written: readonly WrittenEntry[]
  readonly #coverage: Coverage
  // Index into #written: going forward the first entry >= the current key, in reverse the last <=.
  #index = 0
  #direction: Direction = 'forward'
  // Whether the current entry is a written one (else the snapshot's, or none when invalid).
  #onWritten = false
  #valid = false
  #closed = false
  // Whether the caller looked at the current position (valid() or key()): a position the walk
  // moved onto but nobody looked at (the one after the last item a limited iterator returned)
  // was not read, so the walk's coverage ends at the last position looked at, `#lastSeen`.
  #inspected = false
  #lastSeen: string | null = null

  constructor (snapshot: UserIterator, written: readonly WrittenEntry[], coverage: Coverage) {
    this.#snapshot = snapshot
    this.#written = written
    this.#coverage = coverage
  }

  valid (): boolean {
    this.#inspected = true
    return this.#valid
  }

  key (): Buffer {
    this.#inspected = true
    return this.#currentKey()
  }

  #currentKey (): Buffer {
    return this.#onWritten ? this.#written[this.#index].key : this.#snapshot.key()
  }

  value (): Buffer {
    return this.#onWritten ? this.#written[this.#index].value as Buffer : this.#snapshot.value()
  }

  readEntry (into: EntryRanges): void {
    this.#inspected = true
    if (!this.#onWritten) {
      this.#snapshot.readEntry(into)
      return
    }
    const { key, value } = this.#written[this.#index]
    const bytes = value as Buffer
    setEntryRanges(into, key, 0, key.length, bytes, 0, bytes.length)
  }

  seekToFirst (): void {
    this.#finishWalk()
    this.#coverage.reachEnd(true)
    this.#snapshot.seekToFirst()
    this.#index = 0
    this.#settle('forward')
  }

  seekToLast (): void {
    this.#finishWalk()
    this.#coverage.reachEnd(false)
    this.#snapshot.seekToLast()
    this.#index = this.#written.length - 1
    this.#settle('reverse')
  }

  seek (target: Buffer): void {
    this.#finishWalk()
    this.#coverage.reach(target.toString('latin1'))
    this.#snapshot.seek(target)
    this.#index = searchWritten(this.#written, target, false)
    this.#settle('forward')
  }

  next (): void {
    const key = this.#leave()
    if (this.#direction === 'reverse') {
      this.#reachCurrent()
      // Both sides move to the first entry after the current key.
      this.#snapshot.seek(key)
      if (this.#snapshot.valid() && this.#snapshot.key().equals(key)) this.#snapshot.next()
      this.#index = searchWritten(this.#written, key, true)
    } else {
      if (this.#onWritten) {
        if (this.#snapshot.valid() && this.#snapshot.key().equals(key)) this.#snapshot.next()
        this.#index++
      } else {
        this.#snapshot.next()
      }
    }
    this.#settle('forward')
  }

  prev (): void {
    const key = this.#leave()
    if (this.#direction === 'forward') {
      this.#reachCurrent()
      // Both sides move to the last entry before the current key.
      this.#snapshot.seek(key)
      if (this.#snapshot.valid()) this.#snapshot.prev()
      else this.#snapshot.seekToLast()
      this.#index = searchWritten(this.#written, key, false) - 1
    } else {
      if (this.#onWritten) {
        if (this.#snapshot.valid() && this.#snapshot.key().equals(key)) this.#snapshot.prev()
        this.#index--
      } else {
        this.#snapshot.prev()
      }
    }
    this.#settle('reverse')
  }

  close (): void {
    if (this.#closed) return
    this.#closed = true
    this.#finishWalk()
    this.#snapshot.close()
  }

  // Records where the walk got to (the current key, or the open end it ran off) before it
  // is repositioned or closed.
  #finishWalk (): void {
    this.#reachCurrent()
    this.#coverage.finishWalk()
    this.#inspected = false
    this.#lastSeen = null
  }

  #reachCurrent (): void {
    if (!this.#inspected) {
      if (this.#lastSeen !== null) this.#coverage.reach(this.#lastSeen)
    } else if (this.#valid) {
      this.#coverage.reach(this.#currentKey().toString('latin1'))
    } else {
      this.#coverage.reachEnd(this.#direction === 'reverse')
    }
  }

  // Before a move: the current key, noted as seen if the caller looked at it.
  #leave (): Buffer {
    const key = this.#currentKey()
    if (this.#inspected) {
      this.#lastSeen = key.toString('latin1')
      this.#inspected = false
    }
    return key
  }

  // Makes the current entry the nearer of the two sides' entries in `direction` (a written one
  // on a tie), stepping both past keys the transaction deleted.
  #settle (direction: Direction): void {
    this.#direction = direction
    const forward = direction === 'forward'
    const written = this.#written
    const snapshot = this.#snapshot
    while (true) {
      const entry = this.#index >= 0 && this.#index < written.length ? written[this.#index] : null
      const snapshotValid = snapshot.valid()
      if (entry === null) {
        this.#onWritten = false
        this.#valid = snapshotValid
        return
      }
      // Negative when the written entry comes first in this direction.
      const order = snapshotValid ? Buffer.compare(entry.key, snapshot.key()) * (forward ? 1 : -1) : -1
      if (order > 0) {
        this.#onWritten = false
        this.#valid = true
        return
      }
      if (entry.value !== null) {
        this.#onWritten = true
        this.#valid = true
        return
      }
      if (order === 0) {
        if (forward) snapshot.next()
        else snapshot.prev()
      }
      this.#index += forward ? 1 : -1
    }
  }
}

/** The keys of one sublevel (those starting with `prefix`), with the prefix taken off. */
export class PrefixedIterator implements UserIterator {
  readonly #inner: UserIterator
  readonly #prefix: Buffer
  // The first key after every key that starts with the prefix.
  readonly #upperBound: Buffer

  constructor (inner: UserIterator, prefix: Buffer, upperBound: Buffer) {
    this.#inner = inner
    this.#prefix = prefix
    this.#upperBound = upperBound
  }

  valid (): boolean {
    if (!this.#inner.valid()) return false
    const key = this.#inner.key()
    const prefix = this.#prefix
    return key.length >= prefix.length && key.compare(prefix, 0, prefix.length, 0, prefix.length) === 0
  }

  key (): Buffer { return this.#inner.key().subarray(this.#prefix.length) }
  value (): Buffer { return this.#inner.value() }

  readEntry (into: EntryRanges): void {
    this.#inner.readEntry(into)
    into.keyStart += this.#prefix.length
  }

  seekToFirst (): void { this.#inner.seek(this.#prefix) }

  seekToLast (): void {
    this.#inner.seek(this.#upperBound)
    if (this.#inner.valid()) this.#inner.prev()
    else this.#inner.seekToLast()
  }

  seek (target: Buffer): void { this.#inner.seek(Buffer.concat([this.#prefix, target])) }
  next (): void { this.#inner.next() }
  prev (): void { this.#inner.prev() }
  close (): void { this.#inner.close() }
}

// Index of the first entry whose key is >= key (or > key, if `after`).
function searchWritten (entries: readonly WrittenEntry[], key: Buffer, after: boolean): number {
  let low = 0
  let high = entries.length
  while (low < high) {
    const mid = (low + high) >>> 1
    const order = Buffer.compare(entries[mid].key, key)
    if (order < 0 || (after && order === 0)) low = mid + 1
    else high = mid
  }
  return low
}

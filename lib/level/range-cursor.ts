import { platform } from '../platform/node'
import type { DBIterator } from '../iterator/db-iterator'
import { emptyEntryRanges } from '../iterator/entry-ranges'
import type { EntryRanges } from '../iterator/entry-ranges'
import { compareByteSlices } from '../format/compare-bytes'
import { toBuffer } from './format'
import { abortError } from './errors'
import type { PrivateRangeOptions } from './options'

// What a cursor walks: the engine's user-key iterator, or one with the same moves over a view of it.
export type UserIterator = Pick<DBIterator, 'valid' | 'readEntry' | 'key' | 'value' | 'seek' | 'seekToFirst' | 'seekToLast' | 'next' | 'prev' | 'close'>

// Turns the entry under the engine iterator (its user key and value as ranges, valid until the
// iterator moves) into what an iterator yields (an entry, a key or a value), copying what it
// keeps, and says how many bytes of it count against highWaterMarkBytes.
export interface Projection<T> {
  item (entry: EntryRanges): T
  byteLength (entry: EntryRanges): number
}

// Long reads give the event loop a turn this often (in items), like classic-level's 1000-entry batches.
const BREATHE_EVERY = 1000
// How many items one refill of next()'s prefetch reads at most (classic-level's figure).
const PREFETCH_ITEMS = 1000

// Walks an engine iterator over a range in either direction: the one place that knows about
// gt/gte/lt/lte, reverse, limit, seek targets and abort signals.
//
// next() is served from a prefetch of items read in one synchronous run, as classic-level serves
// it from entries read in one native call: the first next() after creation or a seek reads one
// item (seek-then-next reads only what it returns), later refills up to PREFETCH_ITEMS items or
// maxBytes bytes. Invariants: prefetch[position..] are the items the engine iterator has already
// passed and not yet yielded, in order; seek() and close() drop them. The items were read at the
// iterator's snapshot, so holding them changes nothing a later read would see; `limit` counts
// items read from the engine, so a prefetch never reads past it.
export class RangeCursor<T> {
  readonly #it: UserIterator
  readonly #projection: Projection<T>
  readonly #reverse: boolean
  readonly #signal: AbortSignal | null
  readonly #maxBytes: number
  // Bounds in iteration order: `start` is where a walk begins, `end` where it stops. null means unbounded.
  readonly #start: Buffer | null
  readonly #startInclusive: boolean
  readonly #end: Buffer | null
  readonly #endInclusive: boolean
  // The engine iterator's current entry, read by #hasCurrent.
  readonly #entry: EntryRanges = emptyEntryRanges()
  #remaining: number
  #exhausted = false
  // The engine iterator still sits on the last item taken: it moves on only when another item is
  // wanted, so a seek followed by one next() reads no block beyond the one it returns from.
  #taken = false
  #prefetch: T[] = []
  #position = 0
  #firstRead = true
  // A read error (e.g. LEVEL_CORRUPTION) while positioning in the constructor: thrown by the
  // first read instead, so the iterator is fully built and can still be closed.
  #error: Error | null = null

  constructor (it: UserIterator, range: PrivateRangeOptions, projection: Projection<T>, signal: AbortSignal | null, maxBytes: number) {
    this.#it = it
    this.#projection = projection
    this.#reverse = range.reverse
    this.#signal = signal
    this.#maxBytes = maxBytes
    this.#remaining = range.limit < 0 ? Infinity : range.limit

    const lower = range.gte ?? range.gt
    const upper = range.lte ?? range.lt
    const lowerInclusive = range.gte !== undefined
    const upperInclusive = range.lte !== undefined

    this.#start = bound(this.#reverse ? upper : lower)
    this.#startInclusive = this.#reverse ? upperInclusive : lowerInclusive
    this.#end = bound(this.#reverse ? lower : upper)
    this.#endInclusive = this.#reverse ? lowerInclusive : upperInclusive

    try {
      this.#positionAt(this.#start, this.#startInclusive)
    } catch (err) {
      this.#error = err as Error
    }
  }

  // Like memory-level, a target outside the range ends the walk rather than clamping to the range.
  seek (target: Buffer): void {
    this.#dropPrefetch()
    this.#firstRead = true
    if (this.#beforeStart(target) || this.#pastEnd(target, 0, target.length)) {
      this.#exhausted = true
    } else {
      this.#exhausted = false
      this.#error = null
      this.#taken = false
      this.#positionAt(target, true)
    }
  }

  // A plain value without a signal, so that abstract-level's next() awaits no promise of ours.
  next (): T | undefined | Promise<T | undefined> {
    if (this.#signal !== null) return this.#nextAfterSignal()
    return this.#nextPrefetched()
  }

  // Stops after `size` items, or once the items read exceed maxBytes (always yielding at least
  // one). Items prefetched by next() come first, as a result of their own. Without a signal the
  // items come as a plain array when one run of reads fills the result (unless size exceeds
  // BREATHE_EVERY): abstract-level's nextv() then awaits no promise of ours, which matters when
  // highWaterMarkBytes cuts each result to a few large values.
  nextv (size: number): T[] | Promise<T[]> {
    if (this.#signal !== null) return this.#nextvAfterSignal(size)
    return this.#nextvNow(size)
  }

  async all (): Promise<T[]> {
    await this.#checkSignal()
    this.#firstRead = false
    const items = this.#prefetch.slice(this.#position)
    this.#dropPrefetch()
    return this.#readAll(items, Infinity, Infinity)
  }

  close (): void {
    this.#dropPrefetch()
    this.#it.close()
  }

  async #nextvAfterSignal (size: number): Promise<T[]> {
    await this.#checkSignal()
    return this.#nextvNow(size)
  }

  #nextvNow (size: number): T[] | Promise<T[]> {
    this.#firstRead = false
    if (this.#position < this.#prefetch.length) {
      const items = this.#prefetch.slice(this.#position, this.#position + size)
      this.#position += items.length
      return items
    }
    return this.#readAll([], size, this.#maxBytes)
  }

  async #nextAfterSignal (): Promise<T | undefined> {
    await this.#checkSignal()
    return this.#nextPrefetched()
  }

  #nextPrefetched (): T | undefined {
    if (this.#position < this.#prefetch.length) return this.#prefetch[this.#position++]
    const prefetch: T[] = []
    this.#read(prefetch, this.#firstRead ? 1 : PREFETCH_ITEMS, this.#maxBytes, 0)
    this.#firstRead = false
    this.#prefetch = prefetch
    this.#position = 0
    return prefetch.length > 0 ? prefetch[this.#position++] : undefined
  }

  // #read in runs of BREATHE_EVERY items, giving the event loop a turn between runs: the first
  // run is read at once, so a result that one run fills needs no promise.
  #readAll (items: T[], size: number, maxBytes: number): T[] | Promise<T[]> {
    const bytes = this.#read(items, Math.min(size, items.length + BREATHE_EVERY), maxBytes, 0)
    if (items.length >= size || bytes > maxBytes || this.#exhausted) return items
    return this.#readRest(items, size, maxBytes, bytes)
  }

  async #readRest (items: T[], size: number, maxBytes: number, bytes: number): Promise<T[]> {
    while (true) {
      await platform.nextMacrotask()
      this.#throwIfAborted()
      bytes = this.#read(items, Math.min(size, items.length + BREATHE_EVERY), maxBytes, bytes)
      if (items.length >= size || bytes > maxBytes || this.#exhausted) return items
    }
  }

  #dropPrefetch (): void {
    this.#prefetch = []
    this.#position = 0
  }

  // Appends items to `items` until it holds `size` of them, the walk ends, or `bytes` (what the
  // caller has read so far) exceeds maxBytes; returns the new byte count.
  #read (items: T[], size: number, maxBytes: number, bytes: number): number {
    const projection = this.#projection
    const entry = this.#entry
    const countBytes = maxBytes !== Infinity
    while (items.length < size && bytes <= maxBytes && this.#hasCurrent()) {
      if (countBytes) bytes += projection.byteLength(entry)
      items.push(projection.item(entry))
      this.#remaining--
      this.#taken = true
    }
    return bytes
  }

  // Reads the engine iterator's entry into #entry when it is one the walk yields.
  #hasCurrent (): boolean {
    if (this.#error !== null) throw this.#error
    if (this.#exhausted) return false
    if (this.#remaining <= 0) {
      this.#exhausted = true
      return false
    }
    const it = this.#it
    if (this.#taken) {
      if (this.#reverse) it.prev()
      else it.next()
      this.#taken = false
    }
    if (!it.valid()) {
      this.#exhausted = true
      return false
    }
    const entry = this.#entry
    it.readEntry(entry)
    if (this.#pastEnd(entry.keyBytes, entry.keyStart, entry.keyEnd)) {
      this.#exhausted = true
      return false
    }
    return true
  }

  #positionAt (target: Buffer | null, inclusive: boolean): void {
    const it = this.#it

    if (target === null) {
      if (this.#reverse) it.seekToLast()
      else it.seekToFirst()
      return
    }

    // seek() lands on the first key >= target.
    it.seek(target)

    if (!it.valid()) {
      if (this.#reverse) it.seekToLast()
      return
    }
    const entry = this.#entry
    it.readEntry(entry)
    const order = compareByteSlices(entry.keyBytes, entry.keyStart, entry.keyEnd, target, 0, target.length)
    if (!this.#reverse) {
      if (!inclusive && order === 0) it.next()
    } else if (!inclusive || order > 0) {
      it.prev()
    }
  }

  // Whether the walk (in iteration order) would reach `key` only before its start bound.
  #beforeStart (key: Buffer): boolean {
    if (this.#start === null) return false
    const order = this.#directed(Buffer.compare(key, this.#start))
    return this.#startInclusive ? order < 0 : order <= 0
  }

  // Whether bytes[start, end), a key, lies past the walk's end bound.
  #pastEnd (bytes: Buffer, start: number, end: number): boolean {
    const bound = this.#end
    if (bound === null) return false
    const order = this.#directed(compareByteSlices(bytes, start, end, bound, 0, bound.length))
    return this.#endInclusive ? order > 0 : order >= 0
  }

  // Flips a byte-order comparison into iteration order.
  #directed (comparison: number): number {
    return this.#reverse ? -comparison : comparison
  }

  // Reads are synchronous, so the only moment an abort can land "during" a read is after this
  // first turn of the microtask queue; without a signal there's nothing to wait for.
  async #checkSignal (): Promise<void> {
    if (this.#signal === null) return
    await undefined
    this.#throwIfAborted()
  }

  #throwIfAborted (): void {
    if (this.#signal?.aborted === true) throw abortError()
  }
}

function bound (key: PrivateRangeOptions['gt']): Buffer | null {
  return key === undefined ? null : toBuffer(key)
}

import { setImmediate as nextMacrotask } from 'timers/promises'
import type { DBIterator } from '../iterator/db-iterator'
import { toBuffer } from './format'
import { abortError } from './errors'
import type { PrivateRangeOptions } from './options'

// What a cursor walks: the engine's user-key iterator, or one with the same moves over a view of it.
export type UserIterator = Pick<DBIterator, 'valid' | 'key' | 'value' | 'seek' | 'seekToFirst' | 'seekToLast' | 'next' | 'prev' | 'close'>

// Turns the entry under the engine iterator into what an iterator yields (an entry, a key or a
// value) and says how many bytes of it count against highWaterMarkBytes.
export interface Projection<T> {
  item (it: UserIterator): T
  byteLength (it: UserIterator): number
}

// Long reads give the event loop a turn this often (in items), like classic-level's 1000-entry batches.
const BREATHE_EVERY = 1000

// Walks an engine iterator over a range in either direction: the one place that knows about
// gt/gte/lt/lte, reverse, limit, seek targets and abort signals.
export class RangeCursor<T> {
  readonly #it: UserIterator
  readonly #projection: Projection<T>
  readonly #reverse: boolean
  readonly #signal: AbortSignal | null
  // Bounds in iteration order: `start` is where a walk begins, `end` where it stops. null means unbounded.
  readonly #start: Buffer | null
  readonly #startInclusive: boolean
  readonly #end: Buffer | null
  readonly #endInclusive: boolean
  #remaining: number
  #exhausted = false
  // A read error (e.g. LEVEL_CORRUPTION) while positioning in the constructor: thrown by the
  // first read instead, so the iterator is fully built and can still be closed.
  #error: Error | null = null

  constructor (it: UserIterator, range: PrivateRangeOptions, projection: Projection<T>, signal: AbortSignal | null) {
    this.#it = it
    this.#projection = projection
    this.#reverse = range.reverse
    this.#signal = signal
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
    if (this.#beforeStart(target) || this.#pastEnd(target)) {
      this.#exhausted = true
    } else {
      this.#exhausted = false
      this.#error = null
      this.#positionAt(target, true)
    }
  }

  async next (): Promise<T | undefined> {
    await this.#checkSignal()
    if (!this.#hasCurrent()) return undefined
    const item = this.#projection.item(this.#it)
    this.#advance()
    return item
  }

  // Stops after `size` items, or once the items read exceed `maxBytes` (always yielding at least one).
  async nextv (size: number, maxBytes: number): Promise<T[]> {
    await this.#checkSignal()
    const items: T[] = []
    let bytes = 0

    while (items.length < size && bytes <= maxBytes && this.#hasCurrent()) {
      if (items.length > 0 && items.length % BREATHE_EVERY === 0) {
        await nextMacrotask()
        this.#throwIfAborted()
      }

      if (maxBytes !== Infinity) bytes += this.#projection.byteLength(this.#it)
      items.push(this.#projection.item(this.#it))
      this.#advance()
    }

    return items
  }

  async all (): Promise<T[]> {
    return this.nextv(Infinity, Infinity)
  }

  close (): void {
    this.#it.close()
  }

  #hasCurrent (): boolean {
    if (this.#error !== null) throw this.#error
    if (this.#exhausted) return false
    if (this.#remaining <= 0 || !this.#it.valid() || this.#pastEnd(this.#it.key())) {
      this.#exhausted = true
      return false
    }
    return true
  }

  #advance (): void {
    this.#remaining--
    if (this.#reverse) this.#it.prev()
    else this.#it.next()
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

    if (!this.#reverse) {
      if (!inclusive && it.valid() && it.key().equals(target)) it.next()
    } else if (!it.valid()) {
      it.seekToLast()
    } else if (!inclusive || Buffer.compare(it.key(), target) > 0) {
      it.prev()
    }
  }

  // Whether the walk (in iteration order) would reach `key` only before its start bound.
  #beforeStart (key: Buffer): boolean {
    if (this.#start === null) return false
    const order = this.#directed(Buffer.compare(key, this.#start))
    return this.#startInclusive ? order < 0 : order <= 0
  }

  #pastEnd (key: Buffer): boolean {
    if (this.#end === null) return false
    const order = this.#directed(Buffer.compare(key, this.#end))
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

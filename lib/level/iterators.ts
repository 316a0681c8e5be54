import { AbstractIterator, AbstractKeyIterator, AbstractValueIterator } from 'abstract-level'
import { fromRange, toBuffer } from './format'
import type { Data } from './format'
import type { PrivateIteratorOptions } from './options'
import { RangeCursor } from './range-cursor'
import type { Projection, UserIterator } from './range-cursor'

type Entry = [Data | undefined, Data | undefined]

// classic-level's default.
const DEFAULT_HIGH_WATER_MARK_BYTES = 16 * 1024

function cursor<T> (it: UserIterator, options: PrivateIteratorOptions, projection: Projection<T>): RangeCursor<T> {
  return new RangeCursor(it, options, projection, options.signal ?? null, options.highWaterMarkBytes ?? DEFAULT_HIGH_WATER_MARK_BYTES)
}

// Items asked of nextv() per batch of a for await loop (highWaterMarkBytes may cut it shorter).
const LOOP_BATCH = 1000

interface Batches<T> {
  nextv (size: number): Promise<T[]>
  close (): Promise<void>
}

// abstract-level's for await calls next() once per item: an async call, an await of _next() and
// a generator step each, which cost a scan of 100-byte values about a third more per entry than
// nextv(). This loop takes nextv() batches instead (the same runs next() reads ahead) and yields
// their items. What the loop's body sees stays as with next(): after a seek() or close() in it the
// rest of the batch is dropped and the next nextv() reads from the new position (or fails, as
// next() would). Two things differ: `count` runs ahead, counting a batch when nextv() returns it,
// and a next(), nextv() or all() called on the same iterator in the loop's body reads on from the
// end of the batch, not from the item after the one yielded. With a limit (counted against
// `count`) or a signal (checked per item) abstract-level's own loop runs.
async function * inBatches<T> (iterator: Batches<T>, cursor: RangeCursor<unknown>): AsyncGenerator<T, void, undefined> {
  try {
    while (true) {
      const items = await iterator.nextv(LOOP_BATCH)
      if (items.length === 0) return
      const moves = cursor.moves
      for (let i = 0; i < items.length; i++) {
        yield items[i]
        if (cursor.moves !== moves) break
      }
    }
  } finally {
    await iterator.close()
  }
}

function loopsInBatches (options: PrivateIteratorOptions): boolean {
  return options.limit < 0 && options.signal === undefined
}

// The three iterator kinds differ only in what they project out of each entry; each key or value
// yielded is copied once, straight from the engine's bytes (fromRange). abstract-level
// requires them to be separate classes, so each just delegates to its cursor. _next() and
// _nextv() are not async: abstract-level awaits what they return, and items read at once need
// no promise of their own.

export class AiIterator<TDatabase> extends AbstractIterator<TDatabase, Data, Data> {
  readonly #cursor: RangeCursor<Entry>
  readonly #inBatches: boolean

  constructor (db: TDatabase, options: PrivateIteratorOptions, it: UserIterator) {
    super(db, options)
    this.#inBatches = loopsInBatches(options)
    const keys = options.keys !== false
    const values = options.values !== false
    const { keyEncoding, valueEncoding } = options
    this.#cursor = cursor(it, options, {
      item: (e) => [
        keys ? fromRange(e.keyBytes, e.keyStart, e.keyEnd, keyEncoding) : undefined,
        values ? fromRange(e.valueBytes, e.valueStart, e.valueEnd, valueEncoding) : undefined
      ],
      byteLength: (e) => (keys ? e.keyEnd - e.keyStart : 0) + (values ? e.valueEnd - e.valueStart : 0)
    })
  }

  _next (): Entry | undefined | Promise<Entry | undefined> { return this.#cursor.next() }
  _nextv (size: number): Entry[] | Promise<Entry[]> { return this.#cursor.nextv(size) }
  async _all (): Promise<Entry[]> { return this.#cursor.all() }
  _seek (target: Data): void { this.#cursor.seek(toBuffer(target)) }
  async _close (): Promise<void> { this.#cursor.close() }

  override [Symbol.asyncIterator] (): AsyncGenerator<[Data, Data], void, undefined> {
    return this.#inBatches ? inBatches(this, this.#cursor) : super[Symbol.asyncIterator]()
  }
}

export class AiKeyIterator<TDatabase> extends AbstractKeyIterator<TDatabase, Data> {
  readonly #cursor: RangeCursor<Data>
  readonly #inBatches: boolean

  constructor (db: TDatabase, options: PrivateIteratorOptions, it: UserIterator) {
    super(db, options)
    this.#inBatches = loopsInBatches(options)
    const { keyEncoding } = options
    this.#cursor = cursor(it, options, {
      item: (e) => fromRange(e.keyBytes, e.keyStart, e.keyEnd, keyEncoding),
      byteLength: (e) => e.keyEnd - e.keyStart
    })
  }

  _next (): Data | undefined | Promise<Data | undefined> { return this.#cursor.next() }
  _nextv (size: number): Data[] | Promise<Data[]> { return this.#cursor.nextv(size) }
  async _all (): Promise<Data[]> { return this.#cursor.all() }
  _seek (target: Data): void { this.#cursor.seek(toBuffer(target)) }
  async _close (): Promise<void> { this.#cursor.close() }

  override [Symbol.asyncIterator] (): AsyncGenerator<Data, void, undefined> {
    return this.#inBatches ? inBatches(this, this.#cursor) : super[Symbol.asyncIterator]()
  }
}

export class AiValueIterator<TDatabase> extends AbstractValueIterator<TDatabase, Data, Data> {
  readonly #cursor: RangeCursor<Data>
  readonly #inBatches: boolean

  constructor (db: TDatabase, options: PrivateIteratorOptions, it: UserIterator) {
    super(db, options)
    this.#inBatches = loopsInBatches(options)
    const { valueEncoding } = options
    this.#cursor = cursor(it, options, {
      item: (e) => fromRange(e.valueBytes, e.valueStart, e.valueEnd, valueEncoding),
      byteLength: (e) => e.valueEnd - e.valueStart
    })
  }

  _next (): Data | undefined | Promise<Data | undefined> { return this.#cursor.next() }
  _nextv (size: number): Data[] | Promise<Data[]> { return this.#cursor.nextv(size) }
  async _all (): Promise<Data[]> { return this.#cursor.all() }
  _seek (target: Data): void { this.#cursor.seek(toBuffer(target)) }
  async _close (): Promise<void> { this.#cursor.close() }

  override [Symbol.asyncIterator] (): AsyncGenerator<Data, void, undefined> {
    return this.#inBatches ? inBatches(this, this.#cursor) : super[Symbol.asyncIterator]()
  }
}

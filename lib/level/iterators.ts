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

// The three iterator kinds differ only in what they project out of each entry; each key or value
// yielded is copied once, straight from the engine's bytes (fromRange). abstract-level
// requires them to be separate classes, so each just delegates to its cursor. _next() and
// _nextv() are not async: abstract-level awaits what they return, and items read at once need
// no promise of their own.

export class AiIterator<TDatabase> extends AbstractIterator<TDatabase, Data, Data> {
  readonly #cursor: RangeCursor<Entry>

  constructor (db: TDatabase, options: PrivateIteratorOptions, it: UserIterator) {
    super(db, options)
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
}

export class AiKeyIterator<TDatabase> extends AbstractKeyIterator<TDatabase, Data> {
  readonly #cursor: RangeCursor<Data>

  constructor (db: TDatabase, options: PrivateIteratorOptions, it: UserIterator) {
    super(db, options)
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
}

export class AiValueIterator<TDatabase> extends AbstractValueIterator<TDatabase, Data, Data> {
  readonly #cursor: RangeCursor<Data>

  constructor (db: TDatabase, options: PrivateIteratorOptions, it: UserIterator) {
    super(db, options)
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
}

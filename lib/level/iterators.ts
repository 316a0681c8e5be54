import { AbstractIterator, AbstractKeyIterator, AbstractValueIterator } from 'abstract-level'
import { fromView, toBuffer } from './format'
import type { Data } from './format'
import type { PrivateIteratorOptions } from './options'
import { RangeCursor } from './range-cursor'
import type { Projection, UserIterator } from './range-cursor'

type Entry = [Data | undefined, Data | undefined]

// classic-level's default.
const DEFAULT_HIGH_WATER_MARK_BYTES = 16 * 1024

function highWaterMark (options: PrivateIteratorOptions): number {
  return options.highWaterMarkBytes ?? DEFAULT_HIGH_WATER_MARK_BYTES
}

function cursor<T> (it: UserIterator, options: PrivateIteratorOptions, projection: Projection<T>): RangeCursor<T> {
  return new RangeCursor(it, options, projection, options.signal ?? null)
}

// The three iterator kinds differ only in what they project out of each entry; abstract-level
// requires them to be separate classes, so each just delegates to its cursor.

export class AiIterator<TDatabase> extends AbstractIterator<TDatabase, Data, Data> {
  readonly #cursor: RangeCursor<Entry>
  readonly #highWaterMarkBytes: number

  constructor (db: TDatabase, options: PrivateIteratorOptions, it: UserIterator) {
    super(db, options)
    const keys = options.keys !== false
    const values = options.values !== false
    const { keyEncoding, valueEncoding } = options
    this.#highWaterMarkBytes = highWaterMark(options)
    this.#cursor = cursor(it, options, {
      item: (it) => [keys ? fromView(it.key(), keyEncoding) : undefined, values ? fromView(it.value(), valueEncoding) : undefined],
      byteLength: (it) => (keys ? it.key().byteLength : 0) + (values ? it.value().byteLength : 0)
    })
  }

  async _next (): Promise<Entry | undefined> { return this.#cursor.next() }
  async _nextv (size: number): Promise<Entry[]> { return this.#cursor.nextv(size, this.#highWaterMarkBytes) }
  async _all (): Promise<Entry[]> { return this.#cursor.all() }
  _seek (target: Data): void { this.#cursor.seek(toBuffer(target)) }
  async _close (): Promise<void> { this.#cursor.close() }
}

export class AiKeyIterator<TDatabase> extends AbstractKeyIterator<TDatabase, Data> {
  readonly #cursor: RangeCursor<Data>
  readonly #highWaterMarkBytes: number

  constructor (db: TDatabase, options: PrivateIteratorOptions, it: UserIterator) {
    super(db, options)
    const { keyEncoding } = options
    this.#highWaterMarkBytes = highWaterMark(options)
    this.#cursor = cursor(it, options, {
      item: (it) => fromView(it.key(), keyEncoding),
      byteLength: (it) => it.key().byteLength
    })
  }

  async _next (): Promise<Data | undefined> { return this.#cursor.next() }
  async _nextv (size: number): Promise<Data[]> { return this.#cursor.nextv(size, this.#highWaterMarkBytes) }
  async _all (): Promise<Data[]> { return this.#cursor.all() }
  _seek (target: Data): void { this.#cursor.seek(toBuffer(target)) }
  async _close (): Promise<void> { this.#cursor.close() }
}

export class AiValueIterator<TDatabase> extends AbstractValueIterator<TDatabase, Data, Data> {
  readonly #cursor: RangeCursor<Data>
  readonly #highWaterMarkBytes: number

  constructor (db: TDatabase, options: PrivateIteratorOptions, it: UserIterator) {
    super(db, options)
    const { valueEncoding } = options
    this.#highWaterMarkBytes = highWaterMark(options)
    this.#cursor = cursor(it, options, {
      item: (it) => fromView(it.value(), valueEncoding),
      byteLength: (it) => it.value().byteLength
    })
  }

  async _next (): Promise<Data | undefined> { return this.#cursor.next() }
  async _nextv (size: number): Promise<Data[]> { return this.#cursor.nextv(size, this.#highWaterMarkBytes) }
  async _all (): Promise<Data[]> { return this.#cursor.all() }
  _seek (target: Data): void { this.#cursor.seek(toBuffer(target)) }
  async _close (): Promise<void> { this.#cursor.close() }
}

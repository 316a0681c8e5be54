import { AbstractLevel } from 'abstract-level'
import type { AbstractBatchOperation, AbstractChainedBatch, AbstractIterator, AbstractKeyIterator, AbstractValueIterator, Transcoder } from 'abstract-level'
import { DB } from './lib/db/db'
import type { DBIterator as UserIterator } from './lib/iterator/db-iterator'
import type { RepairResult } from './lib/db/repair'
export type { RepairResult } from './lib/db/repair'
import type { DBOptions, ReadOptions as EngineReadOptions } from './lib/db/options'
import { emptyEntryRanges } from './lib/db/point-lookup'
import { BATCH_HEADER_BYTES, createWriteBatch, encodedUpdateSize, releaseWriteBatch } from './lib/level/batch'
import type { EngineBatch } from './lib/level/batch'
import { AiChainedBatch } from './lib/level/chained-batch'
import { notOpenError } from './lib/level/errors'
import { fromRange, toBuffer, toLookupBuffer } from './lib/level/format'
import type { Data } from './lib/level/format'
import { AiIterator, AiKeyIterator, AiValueIterator } from './lib/level/iterators'
import type {
  BatchOptions,
  ChainedBatchWriteOptions,
  DatabaseOptions,
  DelOptions,
  GetManyOptions,
  GetOptions,
  HasManyOptions,
  HasOptions,
  IteratorOptions,
  KeyIteratorOptions,
  OpenOptions,
  PrivateBatchOperation,
  PrivateClearOptions,
  PrivateIteratorOptions,
  PrivateOpenOptions,
  PrivateReadOptions,
  PutOptions,
  StartEndOptions,
  ValueIteratorOptions,
  WriteOptions
} from './lib/level/options'
import { RangeCursor } from './lib/level/range-cursor'
import { AiSnapshot } from './lib/level/snapshot'

export type {
  AdditionalIteratorOptions,
  BatchOptions,
  ChainedBatchWriteOptions,
  DatabaseOptions,
  DelOptions,
  GetManyOptions,
  GetOptions,
  HasManyOptions,
  HasOptions,
  IteratorOptions,
  KeyIteratorOptions,
  OpenOptions,
  PutOptions,
  ReadOptions,
  StartEndOptions,
  ValueIteratorOptions,
  WriteOptions
} from './lib/level/options'

export type BatchOperation<TDatabase, K, V> = AbstractBatchOperation<TDatabase, K, V>
export type ChainedBatch<TDatabase, K, V> = AbstractChainedBatch<TDatabase, K, V>
export type Iterator<TDatabase, K, V> = AbstractIterator<TDatabase, K, V>
export type KeyIterator<TDatabase, K> = AbstractKeyIterator<TDatabase, K>
export type ValueIterator<TDatabase, K, V> = AbstractValueIterator<TDatabase, K, V>
export type Snapshot = AiSnapshot

const ENGINE_OPEN_OPTIONS = [
  'createIfMissing', 'errorIfExists', 'compression', 'cacheSize', 'writeBufferSize',
  'blockSize', 'maxOpenFiles', 'blockRestartInterval', 'maxFileSize', 'verifyChecksums', 'paranoidChecks',
  'backgroundWorker', 'backgroundThreads'
] as const

const MANIFEST = {
  encodings: { buffer: true, utf8: true, view: true },
  has: true,
  getSync: true,
  seek: true,
  implicitSnapshots: true,
  explicitSnapshots: true,
  createIfMissing: true,
  errorIfExists: true,
  permanence: true,
  signals: { iterators: true },
  additionalMethods: { approximateSize: true, compactRange: true, getProperty: true }
}

// How many deletes clear() puts in one engine batch.
const CLEAR_BATCH_SIZE = 1000

/**
 * An abstract-level database backed by an LSM-tree engine that stores LevelDB's on-disk format.
 *
 * @template KDefault The default type of keys if not overridden on operations.
 * @template VDefault The default type of values if not overridden on operations.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the merged interface below only narrows option types
export class AiLevel<KDefault = string, VDefault = string> extends AbstractLevel<Data, KDefault, VDefault> {
  readonly #location: string
  #engine: DB | null = null
  // Writes (and clears) the engine has not finished yet; _close() waits for them. A count, not a
  // Set of promises: a long-lived Set reallocates its table in the old generation on every add and
  // delete, which adds up to a major GC on the main thread during a long fill.
  #pendingWrites = 0
  #writesSettled: (() => void) | null = null
  // Where the engine describes the value a point lookup found (its own bytes, copied from at once).
  readonly #found = emptyEntryRanges()

  constructor (location: string, options?: DatabaseOptions<KDefault, VDefault>) {
    assertLocation(location)
    super(MANIFEST, options)
    this.#location = location
  }

  /** Location that was passed to the constructor. */
  get location (): string {
    return this.#location
  }

  // abstract-level only calls the private methods below while the database is open.
  get #db (): DB {
    if (this.#engine === null) throw notOpenError()
    return this.#engine
  }

  async _open (options: PrivateOpenOptions): Promise<void> {
    const engineOptions: Partial<DBOptions> = {}
    for (const name of ENGINE_OPEN_OPTIONS) {
      if (options[name] !== undefined) Object.assign(engineOptions, { [name]: options[name] })
    }
    this.#engine = await DB.open(this.#location, engineOptions)
  }

  async _close (): Promise<void> {
    if (this.#pendingWrites > 0) await new Promise<void>(resolve => { this.#writesSettled = resolve })
    await this.#db.close()
    this.#engine = null
  }

  async _get (key: Data, options: PrivateReadOptions): Promise<Data | undefined> {
    return this._getSync(key, options)
  }

  _getSync (key: Data, options: PrivateReadOptions): Data | undefined {
    const found = this.#found
    if (!this.#db.find(toLookupBuffer(key), readOptions(options), found)) return undefined
    return fromRange(found.valueBytes, found.valueStart, found.valueEnd, options.valueEncoding)
  }

  // Every key is read at the same sequence: nothing can write between these synchronous lookups.
  async _getMany (keys: Data[], options: PrivateReadOptions): Promise<Array<Data | undefined>> {
    const engine = this.#db
    const engineOptions = readOptions(options)
    const format = options.valueEncoding
    const found = this.#found
    const values: Array<Data | undefined> = new Array(keys.length)
    for (let i = 0; i < keys.length; i++) {
      values[i] = engine.find(toLookupBuffer(keys[i]), engineOptions, found)
        ? fromRange(found.valueBytes, found.valueStart, found.valueEnd, format)
        : undefined
    }
    return values
  }

  async _has (key: Data, options: PrivateReadOptions): Promise<boolean> {
    return this.#db.find(toLookupBuffer(key), readOptions(options), this.#found)
  }

  async _hasMany (keys: Data[], options: PrivateReadOptions): Promise<boolean[]> {
    const engine = this.#db
    const engineOptions = readOptions(options)
    const found = this.#found
    const present: boolean[] = new Array(keys.length)
    for (let i = 0; i < keys.length; i++) present[i] = engine.find(toLookupBuffer(keys[i]), engineOptions, found)
    return present
  }

  async _put (key: Data, value: Data, options: WriteOptions): Promise<void> {
    const keyBuffer = toBuffer(key)
    const valueBuffer = toBuffer(value)
    const batch = createWriteBatch(BATCH_HEADER_BYTES + encodedUpdateSize(keyBuffer.length, valueBuffer.length))
    batch.put(keyBuffer, valueBuffer)
    return this.#write(batch, options)
  }

  async _del (key: Data, options: WriteOptions): Promise<void> {
    const keyBuffer = toBuffer(key)
    const batch = createWriteBatch(BATCH_HEADER_BYTES + encodedUpdateSize(keyBuffer.length))
    batch.del(keyBuffer)
    return this.#write(batch, options)
  }

  // Encodes into one exactly sized batch, which the log writes and the memtable copies from.
  async _batch (operations: PrivateBatchOperation[], options: WriteOptions): Promise<void> {
    const keys: Buffer[] = new Array(operations.length)
    const values: Array<Buffer | undefined> = new Array(operations.length)
    let bytes = BATCH_HEADER_BYTES
    for (let i = 0; i < operations.length; i++) {
      const op = operations[i]
      const key = keys[i] = toBuffer(op.key)
      const value = values[i] = op.type === 'del' ? undefined : toBuffer(op.value)
      bytes += encodedUpdateSize(key.length, value?.length)
    }
    const batch = createWriteBatch(bytes)
    for (let i = 0; i < operations.length; i++) {
      const value = values[i]
      if (value === undefined) batch.del(keys[i])
      else batch.put(keys[i], value)
    }
    try {
      await this.#write(batch, options)
    } finally {
      releaseWriteBatch(batch)
    }
  }

  _chainedBatch (): AiChainedBatch<this> {
    return new AiChainedBatch(this, (batch, options) => this.#write(batch, options))
  }

  _iterator (options: PrivateIteratorOptions): AiIterator<this> {
    return new AiIterator(this, options, this.#engineIterator(options))
  }

  _keys (options: PrivateIteratorOptions): AiKeyIterator<this> {
    return new AiKeyIterator(this, options, this.#engineIterator(options))
  }

  _values (options: PrivateIteratorOptions): AiValueIterator<this> {
    return new AiValueIterator(this, options, this.#engineIterator(options))
  }

  // Unlike point reads, iterators leave the block cache alone unless asked (classic-level's default).
  #engineIterator (options: PrivateIteratorOptions): UserIterator {
    return this.#db.newIterator({ snapshot: options.snapshot?.engineSnapshot, fillCache: options.fillCache === true })
  }

  // Deletes the keys that a snapshot taken now holds in the range, so keys added during clear() survive.
  async _clear (options: PrivateClearOptions): Promise<void> {
    const it = this.#db.newIterator({ snapshot: options.snapshot?.engineSnapshot, fillCache: false })
    const cursor = new RangeCursor(it, options, { item: (it) => it.key(), byteLength: () => 0 }, null)
    return this.#track(this.#deleteAll(cursor))
  }

  _snapshot (options: object): AiSnapshot {
    return new AiSnapshot(this.#db, options)
  }

  /** Approximate number of bytes of file system space used by the range `[start..end)`. */
  async approximateSize (start: KDefault, end: KDefault): Promise<number>
  async approximateSize<K = KDefault> (start: K, end: K, options: StartEndOptions<K>): Promise<number>
  async approximateSize (start: unknown, end: unknown, options?: StartEndOptions<unknown>): Promise<number> {
    if (arguments.length < 2) throw new TypeError("The arguments 'start' and 'end' are required")
    return this.#onRange('approximateSize', start, end, options, async (engine, from, to) => engine.approximateSize(from, to))
  }

  /** Compact the range `[start..end)` down the levels. */
  async compactRange (start: KDefault, end: KDefault): Promise<void>
  async compactRange<K = KDefault> (start: K, end: K, options: StartEndOptions<K>): Promise<void>
  async compactRange (start: unknown, end: unknown, options?: StartEndOptions<unknown>): Promise<void> {
    if (arguments.length < 2) throw new TypeError("The arguments 'start' and 'end' are required")
    return this.#onRange('compactRange', start, end, options, async (engine, from, to) => engine.compactRange(from, to))
  }

  /** Internal details of the engine, such as `leveldb.stats` or `leveldb.num-files-at-level0`. */
  getProperty (property: string): string {
    if (typeof property !== 'string') throw new TypeError("The first argument 'property' must be a string")
    // Synchronous, so it can't wait for a pending open.
    if (this.status !== 'open') throw notOpenError('getProperty')
    return this.#db.getProperty(property) ?? ''
  }

  /** Delete the database files at `location`. */
  static async destroy (location: string): Promise<void> {
    assertLocation(location)
    return DB.destroy(location)
  }

  /** Rebuild a damaged database at `location` from whatever can be salvaged. */
  static async repair (location: string): Promise<RepairResult> {
    assertLocation(location)
    return DB.repair(location)
  }

  async #onRange<T> (
    method: string,
    start: unknown,
    end: unknown,
    options: StartEndOptions<unknown> | undefined,
    run: (engine: DB, start: Buffer, end: Buffer) => Promise<T>
  ): Promise<T> {
    if (this.status === 'opening') return this.deferAsync(() => this.#onRange(method, start, end, options, run))
    if (this.status !== 'open') throw notOpenError(method)
    // Boundary: keyEncoding() takes any encoding (none for the default), but its typings want a known one.
    const keyEncoding = this.keyEncoding as (encoding?: unknown) => Transcoder.Encoding<unknown, Data, unknown>
    const encoding = keyEncoding.call(this, options?.keyEncoding)
    return run(this.#db, toBuffer(encoding.encode(start)), toBuffer(encoding.encode(end)))
  }

  async #deleteAll (cursor: RangeCursor<Buffer>): Promise<void> {
    const engine = this.#db
    try {
      while (true) {
        const keys = await cursor.nextv(CLEAR_BATCH_SIZE, Infinity)
        if (keys.length === 0) return
        const batch = createWriteBatch()
        for (const key of keys) batch.del(key)
        await engine.write(batch, {})
      }
    } finally {
      cursor.close()
    }
  }

  async #write (batch: EngineBatch, options: WriteOptions): Promise<void> {
    return this.#track(this.#db.write(batch, { sync: options.sync === true }))
  }

  async #track (operation: Promise<void>): Promise<void> {
    this.#pendingWrites++
    try {
      await operation
    } finally {
      if (--this.#pendingWrites === 0 && this.#writesSettled !== null) {
        this.#writesSettled()
        this.#writesSettled = null
      }
    }
  }
}

// Redeclares the public methods with our option types (fillCache, sync, highWaterMarkBytes,
// engine open options), as classic-level's index.d.ts does.
export interface AiLevel<KDefault = string, VDefault = string> {
  open (): Promise<void>
  open (options: OpenOptions): Promise<void>

  get (key: KDefault): Promise<VDefault | undefined>
  get<K = KDefault, V = VDefault> (key: K, options: GetOptions<K, V>): Promise<V | undefined>

  getSync (key: KDefault): VDefault | undefined
  getSync<K = KDefault, V = VDefault> (key: K, options: GetOptions<K, V>): V | undefined

  getMany (keys: KDefault[]): Promise<Array<VDefault | undefined>>
  getMany<K = KDefault, V = VDefault> (keys: K[], options: GetManyOptions<K, V>): Promise<Array<V | undefined>>

  has (key: KDefault): Promise<boolean>
  has<K = KDefault> (key: K, options: HasOptions<K>): Promise<boolean>

  hasMany (keys: KDefault[]): Promise<boolean[]>
  hasMany<K = KDefault> (keys: K[], options: HasManyOptions<K>): Promise<boolean[]>

  put (key: KDefault, value: VDefault): Promise<void>
  put<K = KDefault, V = VDefault> (key: K, value: V, options: PutOptions<K, V>): Promise<void>

  del (key: KDefault): Promise<void>
  del<K = KDefault> (key: K, options: DelOptions<K>): Promise<void>

  batch (operations: Array<BatchOperation<this, KDefault, VDefault>>): Promise<void>
  batch<K = KDefault, V = VDefault> (operations: Array<BatchOperation<this, K, V>>, options: BatchOptions<K, V>): Promise<void>
  batch (): AiChainedBatchApi<this, KDefault, VDefault>

  iterator (): Iterator<this, KDefault, VDefault>
  iterator<K = KDefault, V = VDefault> (options: IteratorOptions<K, V>): Iterator<this, K, V>

  keys (): KeyIterator<this, KDefault>
  keys<K = KDefault> (options: KeyIteratorOptions<K>): KeyIterator<this, K>

  values (): ValueIterator<this, KDefault, VDefault>
  values<K = KDefault, V = VDefault> (options: ValueIteratorOptions<K, V>): ValueIterator<this, K, V>

  snapshot (options?: object): Snapshot
}

export interface AiChainedBatchApi<TDatabase, KDefault, VDefault> extends AbstractChainedBatch<TDatabase, KDefault, VDefault> {
  write (): Promise<void>
  write (options: ChainedBatchWriteOptions): Promise<void>
}

const DEFAULT_READ_OPTIONS: EngineReadOptions = Object.freeze({ snapshot: undefined, fillCache: true })

function readOptions (options: PrivateReadOptions): EngineReadOptions {
  const snapshot = options.snapshot?.engineSnapshot
  const fillCache = options.fillCache !== false
  return snapshot === undefined && fillCache ? DEFAULT_READ_OPTIONS : { snapshot, fillCache }
}

function assertLocation (location: string): void {
  if (typeof location !== 'string' || location === '') {
    throw new TypeError("The first argument 'location' must be a non-empty string")
  }
}

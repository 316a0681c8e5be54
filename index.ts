import { AbstractLevel } from 'abstract-level'
import type { AbstractBatchOperation, AbstractChainedBatch, AbstractIterator, AbstractKeyIterator, AbstractValueIterator, Transcoder } from 'abstract-level'
import { DB } from './lib/db/db'
import type { DBIterator } from './lib/iterator/db-iterator'
import { repairDatabase, type RepairResult } from './lib/db/repair'
import { destroyDatabase } from './lib/db/destroy'
export type { RepairResult } from './lib/db/repair'
import type { DBOptions, DBReadOptions, DBWriteOptions } from './lib/db/options'
import { POOLED_BATCH_BYTES, PooledBatch } from './lib/level/batch'
import { byteLengthOf, mostByteLengthOf, WriteBatch, WRITE_BATCH_HEADER_SIZE } from './lib/format/write-batch'
import { emptyEntryRanges } from './lib/iterator/entry-ranges'
import { AiChainedBatch } from './lib/level/chained-batch'
import { notOpenError } from './lib/level/errors'
import { readOnlyError } from './lib/util/errors'
import { fromRange, toBuffer, toLookupBuffer } from './lib/level/format'
import type { Data } from './lib/level/format'
import { AiIterator, AiKeyIterator, AiValueIterator } from './lib/level/iterators'
import type {
  BatchOptions,
  ChainedBatchWriteOptions,
  CompactRangeOptions,
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
import { UNCLAMPED_SIZES } from './lib/level/options'
import { checkOptions, clampToLevelDBRanges } from './lib/db/option-checks'
import { RangeCursor } from './lib/level/range-cursor'
import { SHARED_FEATURES } from './lib/level/supports'
import { WriteGroup } from './lib/level/write-group'
import { AiSnapshot } from './lib/level/snapshot'
import { runTransaction, Transaction } from './lib/level/transaction'
import type { CommitWriter, RunTransactionOptions, TransactionOptions } from './lib/level/transaction'

export type {
  AdditionalIteratorOptions,
  BatchOptions,
  ChainedBatchWriteOptions,
  CompactRangeOptions,
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

export { Transaction } from './lib/level/transaction'
export type {
  AnySublevel,
  IsolationLevel,
  RunTransactionOptions,
  SublevelOption,
  TransactionBatchOptions,
  TransactionClearOptions,
  TransactionDelOptions,
  TransactionGetManyOptions,
  TransactionGetOptions,
  TransactionHasManyOptions,
  TransactionHasOptions,
  TransactionIteratorOptions,
  TransactionKeyIteratorOptions,
  TransactionOptions,
  TransactionPutOptions,
  TransactionStatus,
  TransactionValueIteratorOptions
} from './lib/level/transaction'

export type BatchOperation<TDatabase, K, V> = AbstractBatchOperation<TDatabase, K, V>
export type ChainedBatch<TDatabase, K, V> = AbstractChainedBatch<TDatabase, K, V>
export type Iterator<TDatabase, K, V> = AbstractIterator<TDatabase, K, V>
export type KeyIterator<TDatabase, K> = AbstractKeyIterator<TDatabase, K>
export type ValueIterator<TDatabase, K, V> = AbstractValueIterator<TDatabase, K, V>
export type Snapshot = AiSnapshot

const ENGINE_OPEN_OPTIONS = [
  'createIfMissing', 'errorIfExists', 'compression', 'cacheSize', 'writeBufferSize',
  'blockSize', 'maxOpenFiles', 'blockRestartInterval', 'maxFileSize', 'verifyChecksums', 'paranoidChecks',
  'backgroundWorker', 'backgroundThreads', 'transactionHistoryBytes', 'readOnly', 'lockTimeout'
] as const

const MANIFEST = {
  ...SHARED_FEATURES,
  getSync: true,
  additionalMethods: { approximateSize: true, compactRange: true, getProperty: true, checkpoint: true }
}

// A database constructed with `readOnly: true` never creates one and cannot compact.
const READ_ONLY_MANIFEST = {
  ...MANIFEST,
  createIfMissing: false,
  additionalMethods: { approximateSize: true, getProperty: true, checkpoint: true }
}

// The longest encoding of a value's length in a batch.
const MAX_VARINT32_BYTES = 5

// Bytes data takes in a batch at least: a string's UTF-8 is at least as long as its UTF-16 units.
function leastByteLength (data: Data): number {
  return typeof data === 'string' ? data.length : data.byteLength
}

// The engine's write options, shared by every write that has no validate hook.
const SYNC_WRITE: DBWriteOptions = Object.freeze({ sync: true })
const NO_SYNC_WRITE: DBWriteOptions = Object.freeze({ sync: false })

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
  // Puts and dels without `sync`, written a group at a time (see write-group.ts).
  readonly #writeGroup = new WriteGroup(batch => this.#writeNow(batch, false))
  // Where the engine describes the value a point lookup found (its own bytes, copied from at once).
  readonly #found = emptyEntryRanges()

  constructor (location: string, options?: DatabaseOptions<KDefault, VDefault>) {
    assertLocation(location)
    // Bad open options are refused here, before open() runs.
    const readOnly = options !== null && typeof options === 'object' && engineOptionsOf(options).readOnly === true
    super(readOnly ? READ_ONLY_MANIFEST : MANIFEST, options)
    this.#location = location
  }

  /** Location that was passed to the constructor. */
  get location (): string {
    return this.#location
  }

  // abstract-level only calls the private methods below while the database is open. Whatever
  // reaches the engine comes after the grouped puts and dels made before it.
  get #db (): DB {
    if (this.#engine === null) throw notOpenError()
    this.#writeGroup.commit()
    return this.#engine
  }

  async _open (options: PrivateOpenOptions): Promise<void> {
    this.#engine = await DB.open(this.#location, engineOptionsOf(options))
  }

  async _close (): Promise<void> {
    this.#writeGroup.commit()
    if (this.#pendingWrites > 0) await new Promise<void>(resolve => { this.#writesSettled = resolve })
    await this.#db.close()
    this.#engine = null
  }

  // A get with default options is getSync's result in a settled promise: abstract-level's async
  // get() also reads synchronously when called, and adds ~0.3 us per get of async steps (64 gets
  // in flight: 3.75 -> 3.47 us CPU per get, the whole database cached). Anything else, a database
  // still opening or not open included, goes through abstract-level's get().
  override get (key: KDefault): Promise<VDefault | undefined>
  override get<K = KDefault, V = VDefault> (key: K, options: GetOptions<K, V>): Promise<V | undefined>
  override get<K = KDefault, V = VDefault> (key: K, options?: GetOptions<K, V>): Promise<V | undefined> {
    if (options !== undefined || this.status !== 'open') return super.get(key, options as GetOptions<K, V>)
    try {
      return Promise.resolve(this.getSync(key as unknown as KDefault) as V | undefined)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  async _get (key: Data, options: PrivateReadOptions): Promise<Data | undefined> {
    return this._getSync(key, options)
  }

  // The key goes to the engine as it is: a string is encoded straight into the lookup's key.
  _getSync (key: Data, options: PrivateReadOptions): Data | undefined {
    const found = this.#found
    if (!this.#db.find(key, readOptions(options), found)) return undefined
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
      values[i] = engine.find(keys[i], engineOptions, found)
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

  // Keys and values in every write format (strings, Buffers, Uint8Arrays) are encoded straight
  // into the batch the log writes and the memtable copies from.
  // Not async: a grouped write returns the group's promise as it is, without wrapping it.
  // `options` is read once: abstract-level hands each call an object of a shape of its own, so
  // every read of it is a megamorphic lookup, and code that was optimized for the first few
  // shapes was thrown away once they were collected.
  _put (key: Data, value: Data, options: WriteOptions): Promise<void> {
    const sync = options.sync === true
    if (!sync) {
      if (this.#engine === null) return Promise.reject(notOpenError())
      const grouped = this.#writeGroup.put(key, value)
      if (grouped !== null) return grouped
    }
    // A record whose longest encoding fits a pooled batch is written with its strings unmeasured.
    const mostBytes = WRITE_BATCH_HEADER_SIZE + WriteBatch.encodedSize(mostByteLengthOf(key), mostByteLengthOf(value))
    if (mostBytes <= POOLED_BATCH_BYTES) {
      const pooled = new PooledBatch(mostBytes)
      pooled.batch.put(key, value)
      return this.#writePooled(pooled, sync)
    }
    const keyLength = byteLengthOf(key)
    if (typeof value !== 'string' && value.byteLength > POOLED_BATCH_BYTES) {
      // Logged and inserted from where it lies rather than copied into a batch first.
      const batch = new WriteBatch(WRITE_BATCH_HEADER_SIZE + WriteBatch.encodedSize(keyLength) + MAX_VARINT32_BYTES)
      batch.putExternal(key, value, keyLength)
      return this.#writeNow(batch, sync)
    }
    const valueLength = byteLengthOf(value)
    const pooled = new PooledBatch(WRITE_BATCH_HEADER_SIZE + WriteBatch.encodedSize(keyLength, valueLength))
    pooled.batch.put(key, value, keyLength, valueLength)
    return this.#writePooled(pooled, sync)
  }

  _del (key: Data, options: WriteOptions): Promise<void> {
    const sync = options.sync === true
    if (!sync) {
      if (this.#engine === null) return Promise.reject(notOpenError())
      const grouped = this.#writeGroup.del(key)
      if (grouped !== null) return grouped
    }
    const mostBytes = WRITE_BATCH_HEADER_SIZE + WriteBatch.encodedSize(mostByteLengthOf(key))
    const keyLength = mostBytes <= POOLED_BATCH_BYTES ? -1 : byteLengthOf(key)
    const pooled = new PooledBatch(keyLength < 0 ? mostBytes : WRITE_BATCH_HEADER_SIZE + WriteBatch.encodedSize(keyLength))
    pooled.batch.del(key, keyLength)
    return this.#writePooled(pooled, sync)
  }

  // One batch, sized for the encoded operations: a string is counted as long as its UTF-16 units,
  // which its UTF-8 is for ASCII and never less, so the size is exact for ASCII and the batch
  // grows for other text. Strings are measured as they are written (WriteBatch.put).
  async _batch (operations: PrivateBatchOperation[], options: WriteOptions): Promise<void> {
    let bytes = WRITE_BATCH_HEADER_SIZE
    for (let i = 0; i < operations.length; i++) {
      const op = operations[i]
      bytes += op.type === 'del' ? WriteBatch.encodedSize(leastByteLength(op.key)) : WriteBatch.encodedSize(leastByteLength(op.key), leastByteLength(op.value))
    }
    const pooled = new PooledBatch(bytes)
    const batch = pooled.batch
    for (let i = 0; i < operations.length; i++) {
      const op = operations[i]
      if (op.type === 'del') batch.del(op.key)
      else batch.put(op.key, op.value)
    }
    return this.#writePooled(pooled, options.sync === true)
  }

  _chainedBatch (): AiChainedBatch<this> {
    return new AiChainedBatch(this, (batch, options) => this.#writeNow(batch, options.sync === true))
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
  #engineIterator (options: PrivateIteratorOptions): DBIterator {
    return this.#db.newIterator({ snapshot: options.snapshot?.engineSnapshot, fillCache: options.fillCache === true })
  }

  // Deletes the keys that a snapshot taken now holds in the range, so keys added during clear() survive.
  async _clear (options: PrivateClearOptions): Promise<void> {
    if (this.#db.readOnly) throw readOnlyError('clear')
    const it = this.#db.newIterator({ snapshot: options.snapshot?.engineSnapshot, fillCache: false })
    const cursor = new RangeCursor(it, options, { item: (e) => Buffer.from(e.keyBytes.subarray(e.keyStart, e.keyEnd)), byteLength: () => 0 }, null, Infinity)
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
  async compactRange<K = KDefault> (start: K, end: K, options: CompactRangeOptions<K>): Promise<void>
  async compactRange (start: unknown, end: unknown, options?: CompactRangeOptions<unknown>): Promise<void> {
    if (arguments.length < 2) throw new TypeError("The arguments 'start' and 'end' are required")
    const control = { signal: options?.signal, onProgress: options?.onProgress }
    return this.#onRange('compactRange', start, end, options, async (engine, from, to) => engine.compactRange(from, to, control))
  }

  /**
   * Write a copy of the database as of one moment into `location`, a directory that must not
   * exist yet, while reads and writes go on. Tables are hard-linked where the file system allows.
   * The copy opens in ai-level, classic-level and LevelDB. `options.onProgress` hears, after
   * each file, the bytes linked or copied so far and in all.
   */
  async checkpoint (location: string, options?: { onProgress?: (bytesDone: number, bytesTotal: number) => void }): Promise<void> {
    assertLocation(location)
    if (this.status === 'opening') return this.deferAsync(() => this.checkpoint(location, options))
    if (this.status !== 'open') throw notOpenError('checkpoint')
    // Counted as a write, so close() waits for it.
    return this.#track(this.#db.checkpoint(location, options?.onProgress).then(() => {}))
  }

  /** Internal details of the engine, such as `leveldb.stats` or `leveldb.num-files-at-level0`. */
  getProperty (property: string): string {
    if (typeof property !== 'string') throw new TypeError("The first argument 'property' must be a string")
    // Synchronous, so it can't wait for a pending open.
    if (this.status !== 'open') throw notOpenError('getProperty')
    return this.#db.getProperty(property) ?? ''
  }

  /**
   * Starts a transaction to commit or abort by hand. Its reads see the database as it is now plus
   * the transaction's own writes; `commit()` writes everything it wrote as one atomic batch, or
   * rejects with `LEVEL_TRANSACTION_CONFLICT` (writing nothing) if a write by anyone since the
   * transaction began got in its way (see `isolation`). An open transaction blocks no writer;
   * `db.close()` aborts it.
   */
  transaction (options?: TransactionOptions): Transaction<KDefault, VDefault>
  /**
   * Runs `fn` in a transaction and commits what it wrote, resolving with what `fn` returned. On
   * a conflict `fn` runs again in a new transaction, up to `options.retries` times (default 10),
   * after which the conflict error is passed on. If `fn` throws, nothing it wrote is applied and
   * the error is passed on. `fn` may therefore run more than once: keep side effects out of it.
   */
  transaction<T> (fn: (tx: Transaction<KDefault, VDefault>) => T | Promise<T>, options?: RunTransactionOptions): Promise<T>
  transaction<T> (
    fnOrOptions?: ((tx: Transaction<KDefault, VDefault>) => T | Promise<T>) | TransactionOptions,
    options?: RunTransactionOptions
  ): Transaction<KDefault, VDefault> | Promise<T> {
    if (typeof fnOrOptions !== 'function') {
      if (this.status !== 'open') throw notOpenError('transaction')
      return this.#beginTransaction(fnOrOptions ?? {})
    }
    const fn = fnOrOptions
    if (this.status === 'opening') return this.deferAsync(() => this.transaction(fn, options))
    if (this.status !== 'open') return Promise.reject(notOpenError('transaction'))
    return runTransaction(begin => this.#beginTransaction(begin), fn, options)
  }

  #beginTransaction (options: TransactionOptions): Transaction<KDefault, VDefault> {
    return new Transaction<KDefault, VDefault>(this, this.#db, this.#commitWriter, options)
  }

  readonly #commitWriter: CommitWriter = (batch, options) => this.#track(this.#db.write(batch, options))

  /** Delete the database files at `location`. */
  static async destroy (location: string): Promise<void> {
    assertLocation(location)
    return destroyDatabase(location)
  }

  /**
   * Rebuild a damaged database at `location` from whatever can be salvaged. `options.onProgress`
   * hears, after each log and table, the bytes of them read so far and in all.
   */
  static async repair (location: string, options?: { onProgress?: (bytesDone: number, bytesTotal: number) => void }): Promise<RepairResult> {
    assertLocation(location)
    return repairDatabase(location, {}, options?.onProgress)
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
    try {
      while (true) {
        const keys = await cursor.nextv(CLEAR_BATCH_SIZE)
        if (keys.length === 0) return
        const batch = new WriteBatch()
        for (const key of keys) batch.del(key)
        await this.#writeNow(batch, false)
      }
    } finally {
      cursor.close()
    }
  }

  // As #writeNow, giving the batch's pooled buffer back once the write has settled. A batch
  // without one (every small put) is written as it is, with no reaction of its own.
  #writePooled (pooled: PooledBatch, sync: boolean): Promise<void> {
    if (!pooled.holdsPooledBuffer) return this.#writeNow(pooled.batch, sync)
    let written: Promise<void>
    try {
      written = this.#db.write(pooled.batch, sync ? SYNC_WRITE : NO_SYNC_WRITE)
    } catch (err) {
      pooled.release()
      return Promise.reject(err)
    }
    this.#pendingWrites++
    return written.then(() => {
      pooled.release()
      this.#settled()
    }, (err: Error) => {
      pooled.release()
      return this.#failed(err)
    })
  }

  // Hands the batch to the engine after any open write group. Not async, nor is #track: each
  // async function would add a promise and a turn of the microtask queue to every write.
  #writeNow (batch: WriteBatch, sync: boolean): Promise<void> {
    let written: Promise<void>
    try {
      written = this.#db.write(batch, sync ? SYNC_WRITE : NO_SYNC_WRITE)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.#track(written)
  }

  #track (operation: Promise<void>): Promise<void> {
    this.#pendingWrites++
    return operation.then(this.#settled, this.#failed)
  }

  readonly #settled = (): void => {
    if (--this.#pendingWrites === 0 && this.#writesSettled !== null) {
      this.#writesSettled()
      this.#writesSettled = null
    }
  }

  readonly #failed = (err: Error): never => {
    this.#settled()
    throw err
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

// The open options the engine takes (abstract-level's own left out), with sizes clamped to
// LevelDB's ranges; throws LEVEL_INVALID_VALUE for one the engine cannot take.
function engineOptionsOf (options: OpenOptions): Partial<DBOptions> {
  const given: Partial<DBOptions> = {}
  for (const name of ENGINE_OPEN_OPTIONS) {
    if (options[name] !== undefined) Object.assign(given, { [name]: options[name] })
  }
  const engineOptions = options[UNCLAMPED_SIZES] === true ? given : clampToLevelDBRanges(given)
  checkOptions(engineOptions)
  return engineOptions
}

const DEFAULT_READ_OPTIONS: DBReadOptions = Object.freeze({ snapshot: undefined, fillCache: true })

function readOptions (options: PrivateReadOptions): DBReadOptions {
  const snapshot = options.snapshot?.engineSnapshot
  const fillCache = options.fillCache !== false
  return snapshot === undefined && fillCache ? DEFAULT_READ_OPTIONS : { snapshot, fillCache }
}

function assertLocation (location: string): void {
  if (typeof location !== 'string' || location === '') {
    throw new TypeError("The first argument 'location' must be a non-empty string")
  }
}

// Optimistic transactions over an AiLevel database: reads see the snapshot taken when the
// transaction began plus its own writes; writes are kept here until commit, which checks for
// conflicts and writes them as one batch through the database's normal write path.
//
// Invariants (this file owns the state below):
// - While `status` is 'open' or 'committing' the transaction holds an engine snapshot and is
//   registered with the engine's ConflictTracker; both are given back exactly once, when it ends
//   (committed, aborted, failed to commit, or closed with the database).
// - `writes` maps each key written (the full, sublevel-prefixed key as a latin1 string) to its
//   latest value or deletion; `sorted` is either null or those same entries in key order.
// - Under 'serializable', `readKeys` holds every key a point read answered from the snapshot, and
//   `readRanges` every stretch of keys an iterator or clear() covered; under 'snapshot' both are
//   null and the commit checks the written keys instead.
import { AbstractIterator } from 'abstract-level'
import type {
  AbstractBatchOperation,
  AbstractClearOptions,
  AbstractDelOptions,
  AbstractGetManyOptions,
  AbstractGetOptions,
  AbstractHasManyOptions,
  AbstractHasOptions,
  AbstractIterator as AbstractIteratorType,
  AbstractIteratorOptions,
  AbstractKeyIterator,
  AbstractKeyIteratorOptions,
  AbstractPutOptions,
  AbstractSublevel,
  AbstractValueIterator,
  AbstractValueIteratorOptions
} from 'abstract-level'
import ModuleError from 'module-error'
import type { DB } from '../db/db'
import type { KeyRange, TransactionChecks } from '../db/conflicts'
import type { Snapshot as EngineSnapshot, DBWriteOptions } from '../db/options'
import { WriteBatch, WRITE_BATCH_HEADER_SIZE } from '../format/write-batch'
import { errorCode } from '../util/errors'
import { PooledBatch } from './batch'
import { fromBuffer, toBuffer } from './format'
import type { Data, Format } from './format'
import { AiIterator, AiKeyIterator, AiValueIterator } from './iterators'
import type { PrivateIteratorOptions } from './options'
import { RangeCursor } from './range-cursor'
import type { UserIterator } from './range-cursor'
import { Coverage, PrefixedIterator, TransactionIterator } from './transaction-iterator'
import type { WrittenEntry } from './transaction-iterator'

/**
 * - `'serializable'` (default): the commit fails if anything the transaction read (each key a
 *   point read looked up, each stretch of keys an iterator or `clear()` covered) was written by
 *   anyone after the transaction began. Committed transactions are equivalent to running one at
 *   a time in commit order: no lost updates, no write skew, no phantoms.
 * - `'snapshot'`: the commit fails only if a key the transaction writes was written by anyone
 *   after it began. Prevents lost updates on keys it writes; allows write skew and phantoms.
 */
export type IsolationLevel = 'serializable' | 'snapshot'

export interface TransactionOptions {
  /** Default `'serializable'`. */
  isolation?: IsolationLevel | undefined
  /** Sync the log to disk before the commit resolves. Default `false`. */
  sync?: boolean | undefined
}

export interface RunTransactionOptions extends TransactionOptions {
  /**
   * How many times to run the function again after its commit failed with
   * `LEVEL_TRANSACTION_CONFLICT`, each time in a new transaction. Default `10`.
   */
  retries?: number | undefined
}

export type TransactionStatus = 'open' | 'committing' | 'committed' | 'aborted'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- abstract-level's own typings use any for a sublevel's formats and types
export type AnySublevel = AbstractSublevel<any, any, any, any>

/** Names the sublevel of the database an operation applies to; without it, the database itself. */
export interface SublevelOption {
  sublevel?: AnySublevel | undefined
}

export interface TransactionGetOptions<K, V> extends Omit<AbstractGetOptions<K, V>, 'snapshot'>, SublevelOption {
  /** Keep blocks read by this operation in the block cache. Default `true`. */
  fillCache?: boolean | undefined
}
export interface TransactionGetManyOptions<K, V> extends Omit<AbstractGetManyOptions<K, V>, 'snapshot'>, SublevelOption {
  fillCache?: boolean | undefined
}
export interface TransactionHasOptions<K> extends Omit<AbstractHasOptions<K>, 'snapshot'>, SublevelOption {
  fillCache?: boolean | undefined
}
export interface TransactionHasManyOptions<K> extends Omit<AbstractHasManyOptions<K>, 'snapshot'>, SublevelOption {
  fillCache?: boolean | undefined
}
export interface TransactionPutOptions<K, V> extends AbstractPutOptions<K, V>, SublevelOption {}
export interface TransactionDelOptions<K> extends AbstractDelOptions<K>, SublevelOption {}
export interface TransactionBatchOptions<K, V> extends SublevelOption {
  keyEncoding?: AbstractPutOptions<K, V>['keyEncoding']
  valueEncoding?: AbstractPutOptions<K, V>['valueEncoding']
}
export interface TransactionClearOptions<K> extends Omit<AbstractClearOptions<K>, 'snapshot'>, SublevelOption {}

interface TransactionIteratorExtras extends SublevelOption {
  /** Keep blocks read by this iterator in the block cache. Default `false`. */
  fillCache?: boolean | undefined
  /** Stop filling a `nextv()` result once its keys and/or values exceed this many bytes. Default `16 * 1024`. */
  highWaterMarkBytes?: number | undefined
}
export type TransactionIteratorOptions<K, V> = Omit<AbstractIteratorOptions<K, V>, 'snapshot'> & TransactionIteratorExtras
export type TransactionKeyIteratorOptions<K> = Omit<AbstractKeyIteratorOptions<K>, 'snapshot'> & TransactionIteratorExtras
export type TransactionValueIteratorOptions<K, V> = Omit<AbstractValueIteratorOptions<K, V>, 'snapshot'> & TransactionIteratorExtras

/** Writes a commit's batch through the database's write path (and lets close() wait for it). */
export type CommitWriter = (batch: WriteBatch, options: DBWriteOptions) => Promise<void>

// ---- The parts of abstract-level's databases and encodings a transaction uses ----
// (abstract-level's typings describe them per key and value type; here they carry encoded data.)

interface Encoding {
  readonly format: Format
  encode (data: unknown): Data
  decode (data: Data): unknown
}

interface Level {
  keyEncoding (encoding?: unknown): Encoding
  valueEncoding (encoding?: unknown): Encoding
  prefixKey (key: Data, format: Format, local: boolean): Data
  readonly prefix?: string
  readonly db?: unknown
  _assertValidKey (key: unknown): void
  _assertValidValue (value: unknown): void
  attachResource (resource: object): void
  detachResource (resource: object): void
}

// Where a (sub)level's keys live among the database's keys.
interface KeySpace {
  readonly level: Level
  readonly prefix: Buffer
  // The first key after every key that starts with `prefix` (unused for the database itself).
  readonly upperBound: Buffer
}

type Bound = 'gt' | 'gte' | 'lt' | 'lte'
const BOUNDS: readonly Bound[] = ['gt', 'gte', 'lt', 'lte']
type OptionBag = Record<string, unknown> & SublevelOption

const DEFAULT_RETRIES = 10

// Each (sub)level's key space, worked out once.
const keySpaces = new WeakMap<Level, KeySpace>()

// The option keys under which abstract-level's iterators find the encodings to decode with
// (set by db.iterator(); its typings leave them out).
const ITERATOR_ENCODINGS = AbstractIterator as unknown as { readonly keyEncoding: symbol, readonly valueEncoding: symbol }

/** One transaction over an AiLevel database; see `db.transaction()`. */
export class Transaction<KDefault = string, VDefault = string> {
  readonly #root: Level
  readonly #engine: DB
  readonly #writeBatch: CommitWriter
  readonly #snapshot: EngineSnapshot
  readonly #isolation: IsolationLevel
  readonly #sync: boolean
  readonly #checks: TransactionChecks
  readonly #writes = new Map<string, WrittenEntry>()
  #sorted: WrittenEntry[] | null = null
  readonly #readKeys: Set<string> | null
  readonly #readRanges: KeyRange[] | null
  readonly #iterators = new Set<AbstractIteratorType<unknown, unknown, unknown> | AbstractKeyIterator<unknown, unknown> | AbstractValueIterator<unknown, unknown, unknown>>()
  #status: TransactionStatus = 'open'
  #committing: Promise<void> | null = null

  /** @internal Made by `db.transaction()`. */
  constructor (root: unknown, engine: DB, write: CommitWriter, options: TransactionOptions = {}) {
    const isolation = options.isolation ?? 'serializable'
    if (isolation !== 'serializable' && isolation !== 'snapshot') {
      throw new ModuleError("The 'isolation' option must be 'serializable' or 'snapshot'", { code: 'LEVEL_INVALID_VALUE' })
    }
    this.#root = root as Level
    this.#engine = engine
    this.#writeBatch = write
    this.#isolation = isolation
    this.#sync = options.sync === true
    this.#snapshot = engine.getSnapshot()
    const serializable = isolation === 'serializable'
    this.#readKeys = serializable ? new Set() : null
    this.#readRanges = serializable ? [] : null
    const writes = this.#writes
    this.#checks = {
      snapshot: this.#snapshot.sequence,
      keys: serializable ? this.#readKeys as Set<string> : { [Symbol.iterator]: () => writes.keys() },
      ranges: this.#readRanges ?? []
    }
    engine.conflicts.begin(this.#checks)
    this.#root.attachResource(this)
  }

  get status (): TransactionStatus { return this.#status }
  get isolation (): IsolationLevel { return this.#isolation }

  // ---- Reads ----

  get (key: KDefault): Promise<VDefault | undefined>
  get<K = KDefault, V = VDefault> (key: K, options: TransactionGetOptions<K, V>): Promise<V | undefined>
  async get (key: unknown, options?: TransactionGetOptions<unknown, unknown>): Promise<unknown> {
    this.#assertOpen('get')
    const space = this.#space(options)
    const valueEncoding = space.level.valueEncoding(options?.valueEncoding)
    const value = this.#read(this.#fullKey(space, key, options?.keyEncoding), options?.fillCache !== false, true)
    return value === undefined ? undefined : valueEncoding.decode(fromBuffer(value, valueEncoding.format))
  }

  getMany (keys: KDefault[]): Promise<Array<VDefault | undefined>>
  getMany<K = KDefault, V = VDefault> (keys: K[], options: TransactionGetManyOptions<K, V>): Promise<Array<V | undefined>>
  async getMany (keys: unknown[], options?: TransactionGetManyOptions<unknown, unknown>): Promise<unknown[]> {
    this.#assertOpen('getMany')
    assertArray(keys, 'keys')
    const space = this.#space(options)
    const valueEncoding = space.level.valueEncoding(options?.valueEncoding)
    const fullKeys = keys.map(key => this.#fullKey(space, key, options?.keyEncoding))
    return fullKeys.map(fullKey => {
      const value = this.#read(fullKey, options?.fillCache !== false, true)
      return value === undefined ? undefined : valueEncoding.decode(fromBuffer(value, valueEncoding.format))
    })
  }

  has (key: KDefault): Promise<boolean>
  has<K = KDefault> (key: K, options: TransactionHasOptions<K>): Promise<boolean>
  async has (key: unknown, options?: TransactionHasOptions<unknown>): Promise<boolean> {
    this.#assertOpen('has')
    const space = this.#space(options)
    return this.#read(this.#fullKey(space, key, options?.keyEncoding), options?.fillCache !== false, false) !== undefined
  }

  hasMany (keys: KDefault[]): Promise<boolean[]>
  hasMany<K = KDefault> (keys: K[], options: TransactionHasManyOptions<K>): Promise<boolean[]>
  async hasMany (keys: unknown[], options?: TransactionHasManyOptions<unknown>): Promise<boolean[]> {
    this.#assertOpen('hasMany')
    assertArray(keys, 'keys')
    const space = this.#space(options)
    const fullKeys = keys.map(key => this.#fullKey(space, key, options?.keyEncoding))
    return fullKeys.map(fullKey => this.#read(fullKey, options?.fillCache !== false, false) !== undefined)
  }

  /**
   * Iterates over the transaction's snapshot with its own writes (and deletes) laid over it. The
   * stretch of keys it covers, up to where it stopped, is checked at commit (serializable).
   * Open iterators are closed when the transaction ends.
   */
  iterator (): AbstractIteratorType<unknown, KDefault, VDefault>
  iterator<K = KDefault, V = VDefault> (options: TransactionIteratorOptions<K, V>): AbstractIteratorType<unknown, K, V>
  iterator (options?: TransactionIteratorOptions<unknown, unknown>): AbstractIteratorType<unknown, unknown, unknown> {
    this.#assertOpen('iterator')
    const { view, privateOptions } = this.#openView(options as OptionBag | undefined, true)
    return this.#keep(new AiIterator(this.#root, privateOptions, view)) as AbstractIteratorType<unknown, unknown, unknown>
  }

  keys (): AbstractKeyIterator<unknown, KDefault>
  keys<K = KDefault> (options: TransactionKeyIteratorOptions<K>): AbstractKeyIterator<unknown, K>
  keys (options?: TransactionKeyIteratorOptions<unknown>): AbstractKeyIterator<unknown, unknown> {
    this.#assertOpen('keys')
    const { view, privateOptions } = this.#openView(options as OptionBag | undefined, true)
    return this.#keep(new AiKeyIterator(this.#root, privateOptions, view)) as AbstractKeyIterator<unknown, unknown>
  }

  values (): AbstractValueIterator<unknown, KDefault, VDefault>
  values<K = KDefault, V = VDefault> (options: TransactionValueIteratorOptions<K, V>): AbstractValueIterator<unknown, K, V>
  values (options?: TransactionValueIteratorOptions<unknown, unknown>): AbstractValueIterator<unknown, unknown, unknown> {
    this.#assertOpen('values')
    const { view, privateOptions } = this.#openView(options as OptionBag | undefined, true)
    return this.#keep(new AiValueIterator(this.#root, privateOptions, view)) as AbstractValueIterator<unknown, unknown, unknown>
  }

  // ---- Writes (kept until commit) ----

  put (key: KDefault, value: VDefault): Promise<void>
  put<K = KDefault, V = VDefault> (key: K, value: V, options: TransactionPutOptions<K, V>): Promise<void>
  async put (key: unknown, value: unknown, options?: TransactionPutOptions<unknown, unknown>): Promise<void> {
    this.#assertOpen('put')
    const space = this.#space(options)
    const fullKey = this.#fullKey(space, key, options?.keyEncoding)
    this.#setWrite(fullKey, this.#encodeValue(space, value, options?.valueEncoding))
  }

  del (key: KDefault): Promise<void>
  del<K = KDefault> (key: K, options: TransactionDelOptions<K>): Promise<void>
  async del (key: unknown, options?: TransactionDelOptions<unknown>): Promise<void> {
    this.#assertOpen('del')
    this.#setWrite(this.#fullKey(this.#space(options), key, options?.keyEncoding), null)
  }

  /** Each operation may name its own `sublevel`, `keyEncoding` and `valueEncoding`. All or none are applied. */
  batch (operations: Array<AbstractBatchOperation<unknown, KDefault, VDefault>>): Promise<void>
  batch<K = KDefault, V = VDefault> (operations: Array<AbstractBatchOperation<unknown, K, V>>, options: TransactionBatchOptions<K, V>): Promise<void>
  async batch (operations: unknown[], options?: TransactionBatchOptions<unknown, unknown>): Promise<void> {
    this.#assertOpen('batch')
    assertArray(operations, 'operations')
    const encoded: Array<[Buffer, Buffer | null]> = operations.map(operation => {
      if (typeof operation !== 'object' || operation === null) {
        throw new ModuleError('A batch operation must be an object', { code: 'LEVEL_INVALID_VALUE' })
      }
      const op = { ...options, ...operation } as OptionBag & { type: unknown, key: unknown, value?: unknown }
      if (op.type !== 'put' && op.type !== 'del') throw new TypeError("A batch operation must have a type property that is 'put' or 'del'")
      const space = this.#space(op)
      const fullKey = this.#fullKey(space, op.key, op.keyEncoding)
      return [fullKey, op.type === 'put' ? this.#encodeValue(space, op.value, op.valueEncoding) : null]
    })
    for (const [key, value] of encoded) this.#setWrite(key, value)
  }

  /** Deletes every key the transaction sees in the range (serializable: and checks the range at commit). */
  clear (): Promise<void>
  clear<K = KDefault> (options: TransactionClearOptions<K>): Promise<void>
  async clear (options?: TransactionClearOptions<unknown>): Promise<void> {
    this.#assertOpen('clear')
    const { view, merged, privateOptions } = this.#openView(options as OptionBag | undefined, false)
    const cursor = new RangeCursor(view, privateOptions, { item: () => Buffer.from(merged.key()), byteLength: () => 0 }, null, Infinity)
    let keys: Buffer[]
    try {
      keys = await cursor.all()
    } finally {
      cursor.close()
    }
    this.#assertOpen('clear')
    for (const key of keys) this.#setWrite(key, null)
  }

  // ---- Ending ----

  /**
   * Checks for conflicts and writes everything the transaction wrote as one atomic batch. Rejects
   * with `LEVEL_TRANSACTION_CONFLICT` (writing nothing) if another write got in the way; either
   * way the transaction has ended. A transaction that wrote nothing commits without a check.
   */
  async commit (): Promise<void> {
    this.#assertOpen('commit')
    this.#status = 'committing'
    this.#committing = this.#commit()
    return this.#committing
  }

  /** Drops everything the transaction wrote. Does nothing if it was already aborted. */
  async abort (): Promise<void> {
    if (this.#status === 'aborted') return
    this.#assertOpen('abort')
    this.#status = 'aborted'
    await this.#closeIterators()
    this.#end()
  }

  /** @internal Called by `db.close()`: aborts an open transaction, waits for a commit under way. */
  async close (): Promise<void> {
    if (this.#status === 'open') return this.abort()
    if (this.#committing !== null) await this.#committing.catch(() => {})
  }

  async #commit (): Promise<void> {
    try {
      await this.#closeIterators()
      if (this.#writes.size > 0) await this.#writeAll()
      this.#status = 'committed'
    } catch (err) {
      this.#status = 'aborted'
      throw err
    } finally {
      this.#end()
    }
  }

  async #writeAll (): Promise<void> {
    let bytes = WRITE_BATCH_HEADER_SIZE
    for (const entry of this.#writes.values()) bytes += WriteBatch.encodedSize(entry.key.length, entry.value?.length)
    const pooled = new PooledBatch(bytes)
    const batch = pooled.batch
    for (const entry of this.#writes.values()) {
      if (entry.value === null) batch.del(entry.key)
      else batch.put(entry.key, entry.value)
    }
    const checks = this.#checks
    const conflicts = this.#engine.conflicts
    try {
      await this.#writeBatch(batch, { sync: this.#sync, validate: () => conflicts.validate(checks) })
    } finally {
      pooled.release()
    }
  }

  #end (): void {
    this.#engine.conflicts.end(this.#checks)
    this.#engine.releaseSnapshot(this.#snapshot)
    this.#root.detachResource(this)
    this.#writes.clear()
    this.#sorted = null
  }

  async #closeIterators (): Promise<void> {
    if (this.#iterators.size === 0) return
    const iterators = [...this.#iterators]
    this.#iterators.clear()
    await Promise.all(iterators.map(it => it.close()))
  }

  // ---- Helpers ----

  #assertOpen (method: string): void {
    if (this.#status !== 'open') {
      throw new ModuleError(`Transaction is ${this.#status === 'committing' ? 'committing' : this.#status}: cannot call ${method}()`, { code: 'LEVEL_TRANSACTION_NOT_OPEN' })
    }
  }

  #space (options: SublevelOption | undefined): KeySpace {
    const sublevel = options?.sublevel
    const level = (sublevel ?? this.#root) as Level
    if (sublevel != null && level.db !== this.#root) {
      throw new ModuleError('The sublevel option must name a sublevel of the database the transaction belongs to', { code: 'LEVEL_INVALID_VALUE' })
    }
    let space = keySpaces.get(level)
    if (space !== undefined) return space
    const prefix = Buffer.from(level.prefix ?? '', 'utf8')
    const upperBound = Buffer.from(prefix)
    // A sublevel's prefix ends in its separator; the next byte value bounds its keys (as in abstract-level).
    if (upperBound.length > 0) upperBound[upperBound.length - 1]++
    space = { level, prefix, upperBound }
    keySpaces.set(level, space)
    return space
  }

  #fullKey (space: KeySpace, key: unknown, keyEncodingOption: unknown): Buffer {
    space.level._assertValidKey(key)
    const encoding = space.level.keyEncoding(keyEncodingOption)
    return ownBuffer(space.level.prefixKey(encoding.encode(key), encoding.format, false))
  }

  #encodeValue (space: KeySpace, value: unknown, valueEncodingOption: unknown): Buffer {
    space.level._assertValidValue(value)
    return ownBuffer(space.level.valueEncoding(valueEncodingOption).encode(value))
  }

  // The transaction's own write if it has one, else the snapshot's value (a read to check); either
  // way a copy of the caller's own, as the engine's get() gives, so changing it changes nothing
  // the transaction will commit.
  #read (fullKey: Buffer, fillCache: boolean, wantValue: boolean): Buffer | undefined {
    const id = fullKey.toString('latin1')
    const own = this.#writes.get(id)
    if (own !== undefined) return own.value === null ? undefined : Buffer.from(own.value)
    this.#readKeys?.add(id)
    const options = { snapshot: this.#snapshot, fillCache }
    if (wantValue) return this.#engine.get(fullKey, options)
    return this.#engine.has(fullKey, options) ? EMPTY : undefined
  }

  #setWrite (key: Buffer, value: Buffer | null): void {
    const id = key.toString('latin1')
    this.#writes.set(id, { key, id, value })
    this.#sorted = null
  }

  #sortedWrites (): WrittenEntry[] {
    if (this.#sorted === null) {
      this.#sorted = [...this.#writes.values()].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    }
    return this.#sorted
  }

  #keep<T extends AbstractIteratorType<unknown, unknown, unknown> | AbstractKeyIterator<unknown, unknown> | AbstractValueIterator<unknown, unknown, unknown>> (it: T): T {
    this.#iterators.add(it)
    return it
  }

  // An iterator over the snapshot and the transaction's writes, within one (sub)level's keys
  // with its prefix taken off, and the private options abstract-level's iterator classes take
  // for it. The iterator classes get the database itself, not the sublevel, so that seek()
  // targets reach the view without a prefix.
  #openView (options: OptionBag | undefined, decoded: boolean): { view: UserIterator, merged: TransactionIterator, privateOptions: PrivateIteratorOptions } {
    const space = this.#space(options)
    const level = space.level
    const keyEncoding = level.keyEncoding(options?.keyEncoding)
    const valueEncoding = level.valueEncoding(options?.valueEncoding)
    const limit = options?.limit
    const privateOptions: PrivateIteratorOptions & Record<symbol, Encoding> = {
      reverse: options?.reverse === true,
      limit: typeof limit === 'number' && Number.isInteger(limit) && limit >= 0 ? limit : -1,
      keys: options?.keys !== false,
      values: options?.values !== false,
      keyEncoding: keyEncoding.format,
      valueEncoding: valueEncoding.format,
      fillCache: options?.fillCache === true
    }
    if (typeof options?.highWaterMarkBytes === 'number') privateOptions.highWaterMarkBytes = options.highWaterMarkBytes
    if (options?.signal instanceof AbortSignal) privateOptions.signal = options.signal
    if (decoded) {
      privateOptions[ITERATOR_ENCODINGS.keyEncoding] = keyEncoding
      privateOptions[ITERATOR_ENCODINGS.valueEncoding] = valueEncoding
    }
    for (const bound of BOUNDS) {
      if (options?.[bound] !== undefined) privateOptions[bound] = keyEncoding.encode(options[bound])
    }
    const snapshotIterator = this.#engine.newIterator({ snapshot: this.#snapshot, fillCache: privateOptions.fillCache })
    const merged = new TransactionIterator(snapshotIterator, this.#sortedWrites(), new Coverage(keyRange(space, privateOptions), this.#readRanges))
    const view = space.prefix.length > 0 ? new PrefixedIterator(merged, space.prefix, space.upperBound) : merged
    return { view, merged, privateOptions }
  }
}

/**
 * Runs `fn` in a transaction and commits what it wrote; on a conflict, runs it again in a new
 * transaction, up to `options.retries` times, then rejects with the conflict. If `fn` throws,
 * the transaction is aborted and the error passed on.
 */
export async function runTransaction<T, TX extends Pick<Transaction, 'status' | 'commit' | 'abort'>> (
  begin: (options: TransactionOptions) => TX,
  fn: (tx: TX) => T | Promise<T>,
  options: RunTransactionOptions = {}
): Promise<T> {
  const retries = options.retries ?? DEFAULT_RETRIES
  if (!Number.isInteger(retries) || retries < 0) {
    throw new ModuleError("The 'retries' option must be a non-negative integer", { code: 'LEVEL_INVALID_VALUE' })
  }
  for (let attempt = 0; ; attempt++) {
    const tx = begin(options)
    let result: T
    try {
      result = await fn(tx)
    } catch (err) {
      if (tx.status === 'open') await tx.abort()
      throw err
    }
    if (tx.status !== 'open') return result
    try {
      await tx.commit()
      return result
    } catch (err) {
      if (errorCode(err) !== 'LEVEL_TRANSACTION_CONFLICT' || attempt >= retries) throw err
    }
  }
}

const EMPTY = Buffer.alloc(0)

// Bytes of the caller's own: a key or value written now must not change if the caller later
// changes the buffer it passed.
function ownBuffer (data: Data): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(toBuffer(data))
}

function assertArray (value: unknown, name: string): void {
  if (!Array.isArray(value)) throw new TypeError(`The first argument '${name}' must be an array`)
}

// The full keys an iterator over `options`' range of `space` may reach, as latin1 strings.
function keyRange (space: KeySpace, options: PrivateIteratorOptions): KeyRange {
  const whole = space.prefix.length > 0
  const full = (data: Data): string => Buffer.concat([space.prefix, toBuffer(data)]).toString('latin1')
  const lowerData = options.gte ?? options.gt
  const upperData = options.lte ?? options.lt
  return {
    lower: lowerData !== undefined ? full(lowerData) : whole ? space.prefix.toString('latin1') : null,
    lowerInclusive: options.gt === undefined || options.gte !== undefined,
    upper: upperData !== undefined ? full(upperData) : whole ? space.upperBound.toString('latin1') : null,
    upperInclusive: upperData !== undefined && options.lte !== undefined
  }
}

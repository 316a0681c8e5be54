import type {
  AbstractBatchOptions,
  AbstractChainedBatchWriteOptions,
  AbstractDatabaseOptions,
  AbstractDelOptions,
  AbstractGetManyOptions,
  AbstractGetOptions,
  AbstractHasManyOptions,
  AbstractHasOptions,
  AbstractIteratorOptions,
  AbstractKeyIteratorOptions,
  AbstractOpenOptions,
  AbstractPutOptions,
  AbstractValueIteratorOptions,
  Transcoder
} from 'abstract-level'
import type { Data, Format } from './format'
import type { AiSnapshot } from './snapshot'

// Given as true among the open options, hands writeBufferSize, maxFileSize, blockSize and
// maxOpenFiles to the engine without LevelDB's clamps. Not exported by the package: for tests that
// need tiny memtables and tables to reach many files and compactions with little data.
export const UNCLAMPED_SIZES = Symbol('ai-level.unclampedSizes')

// ---- Public options, mirroring classic-level's typings ----

export interface OpenOptions extends AbstractOpenOptions {
  /** Run blocks through Snappy compression. Default `true`. */
  compression?: boolean | undefined
  /** Bytes of uncompressed blocks kept in the LRU block cache. Default `8 * 1024 * 1024`. */
  cacheSize?: number | undefined
  /** Memtable size (and so log size) that triggers a flush to a table file. Default `4 * 1024 * 1024`. */
  writeBufferSize?: number | undefined
  /** Approximate uncompressed size of the blocks that make up table files. Default `4096`. */
  blockSize?: number | undefined
  /** How many table files may be held open at once. Default `1000`. */
  maxOpenFiles?: number | undefined
  /** Entries between restart points in a block's delta-encoded keys. Default `16`. */
  blockRestartInterval?: number | undefined
  /** Table files written by compaction are cut at about this size. Default `2 * 1024 * 1024`. */
  maxFileSize?: number | undefined
  /** Verify the checksum of every block read from a table. Default `false`, as in LevelDB. */
  verifyChecksums?: boolean | undefined
  /** Refuse to open a database whose logs or MANIFEST are damaged, instead of skipping damaged records; verify the checksums of table index and filter blocks and of every block compactions read. Default `false`. */
  paranoidChecks?: boolean | undefined
  /** Run flushes and compactions in a worker thread, off the event loop. Default `true`. */
  backgroundWorker?: boolean | undefined
  /** Worker threads for background work: `1` runs flushes and compactions in turn, `2` gives each its own. Default `1`. */
  backgroundThreads?: number | undefined
  /**
   * Bytes of recent writes remembered for transactions' conflict checks while any transaction is
   * open. A transaction that began before the oldest write still remembered fails to commit with
   * `LEVEL_TRANSACTION_CONFLICT`. Default `32 * 1024 * 1024`.
   */
  transactionHistoryBytes?: number | undefined
  /**
   * Open without changing anything on disk, beside other read-only opens (in this process or
   * others) and never beside a writer: the lock on `LOCK` is taken shared, logs are replayed into
   * memory only, and nothing is compacted, removed or logged. Every write method rejects with
   * `LEVEL_READONLY`. A missing database is never created. Default `false`.
   */
  readOnly?: boolean | undefined
  /**
   * Milliseconds `open()` waits for the database's lock while another holder has it (another
   * process, another database object in this one, another tab or worker in a browser), trying
   * again after short pauses, before it fails with `LEVEL_LOCKED`. Default `0`: fail at once.
   */
  lockTimeout?: number | undefined
  /** @internal Sizes as given, without LevelDB's clamps (tests only). */
  [UNCLAMPED_SIZES]?: boolean | undefined
}

export interface DatabaseOptions<K, V> extends AbstractDatabaseOptions<K, V>, Omit<OpenOptions, 'passive'> {}

export interface ReadOptions {
  /** Keep blocks read by this operation in the block cache. Default `true`. */
  fillCache?: boolean | undefined
}

export interface GetOptions<K, V> extends AbstractGetOptions<K, V>, ReadOptions {}
export interface GetManyOptions<K, V> extends AbstractGetManyOptions<K, V>, ReadOptions {}
export interface HasOptions<K> extends AbstractHasOptions<K>, ReadOptions {}
export interface HasManyOptions<K> extends AbstractHasManyOptions<K>, ReadOptions {}

export interface AdditionalIteratorOptions {
  /** Keep blocks read by this iterator in the block cache. Default `false`. */
  fillCache?: boolean | undefined
  /** Stop filling a `nextv()` result once its keys and/or values exceed this many bytes. Default `16 * 1024`. */
  highWaterMarkBytes?: number | undefined
}

export type IteratorOptions<K, V> = AbstractIteratorOptions<K, V> & AdditionalIteratorOptions
export type KeyIteratorOptions<K> = AbstractKeyIteratorOptions<K> & AdditionalIteratorOptions
export type ValueIteratorOptions<K, V> = AbstractValueIteratorOptions<K, V> & AdditionalIteratorOptions

export interface WriteOptions {
  /** Sync the log to disk before the write resolves. Default `false`. */
  sync?: boolean | undefined
}

export interface PutOptions<K, V> extends AbstractPutOptions<K, V>, WriteOptions {}
export interface DelOptions<K> extends AbstractDelOptions<K>, WriteOptions {}
export interface BatchOptions<K, V> extends AbstractBatchOptions<K, V>, WriteOptions {}
export interface ChainedBatchWriteOptions extends AbstractChainedBatchWriteOptions, WriteOptions {}

/** Options of `approximateSize()` and `compactRange()`. */
export interface StartEndOptions<K> {
  keyEncoding?: string | Transcoder.PartialEncoder<K> | undefined
}

/** Options of `compactRange()`. */
export interface CompactRangeOptions<K> extends StartEndOptions<K> {
  /** Stops the compaction between two of its steps, rejecting with `LEVEL_ABORTED`; every step that ran is kept. */
  signal?: AbortSignal | undefined
  /** Called after each step with the bytes of tables compacted so far and an estimate of the total. */
  onProgress?: ((bytesRead: number, bytesEstimate: number) => void) | undefined
}

// ---- What the private API receives once abstract-level has normalised and encoded the call ----

export interface PrivateOpenOptions extends Omit<OpenOptions, 'passive'> {
  createIfMissing: boolean
  errorIfExists: boolean
}

export interface PrivateReadOptions {
  keyEncoding: Format
  valueEncoding: Format
  fillCache?: boolean
  snapshot?: AiSnapshot
}

export interface PrivateRangeOptions {
  gt?: Data
  gte?: Data
  lt?: Data
  lte?: Data
  reverse: boolean
  // -1 when unlimited.
  limit: number
}

export interface PrivateIteratorOptions extends PrivateRangeOptions {
  keyEncoding: Format
  valueEncoding: Format
  keys?: boolean
  values?: boolean
  fillCache?: boolean
  highWaterMarkBytes?: number
  signal?: AbortSignal
  snapshot?: AiSnapshot
}

export interface PrivateClearOptions extends PrivateRangeOptions {
  snapshot?: AiSnapshot
}

export type PrivateBatchOperation = { type: 'put', key: Data, value: Data } | { type: 'del', key: Data }

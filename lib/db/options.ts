import { checkOptions } from './option-checks'
import type { Env } from '../env/env'
import { platform } from '../platform/node'
import type { TableOutputOptions } from '../compaction/table-output'
import { DEFAULT_HISTORY_BYTES } from './conflicts'

export interface DBOptions {
  createIfMissing: boolean
  errorIfExists: boolean
  compression: boolean
  // Bytes of uncompressed blocks kept in the LRU block cache.
  cacheSize: number
  // Memtable size that triggers a switch to a new memtable and a flush.
  writeBufferSize: number
  blockSize: number
  // Bounds the number of table files held open by the table cache.
  maxOpenFiles: number
  blockRestartInterval: number
  // Compaction outputs are cut at about this size.
  maxFileSize: number
  // Target size of level 1; each deeper level is ten times larger (LevelDB: 10 MiB).
  levelSizeBase: number
  // Verify the checksum of every table block read, by lookups, iterators and compactions.
  verifyChecksums: boolean
  // Refuse to open a database with a corrupt log or MANIFEST instead of skipping damage; also
  // verify the checksums of table index and filter blocks and of every block a compaction reads.
  paranoidChecks: boolean
  // Run flushes and compactions in worker threads so they never block the event loop.
  backgroundWorker: boolean
  // Worker threads for background work: 1 runs flushes and compactions in turn, 2 gives each its
  // own thread so a flush never waits for a running compaction (more CPU and memory).
  backgroundThreads: number
  // Bytes of recent writes remembered for transactions' conflict checks while any is open; a
  // transaction older than what is remembered fails to commit (ConflictTracker).
  transactionHistoryBytes: number
  // Open without changing anything on disk, beside other read-only opens (open.ts); every write fails.
  readOnly: boolean
  // Milliseconds open waits for the lock while another holder (a process, a database of this one,
  // a tab or a worker) has it, trying again after short pauses; 0 fails at once with LEVEL_LOCKED.
  lockTimeout: number
  env: Env
}

export interface DBReadOptions {
  snapshot?: Snapshot
  fillCache?: boolean
}

export interface DBWriteOptions {
  // fdatasync the log before the write resolves.
  sync?: boolean
  // Runs at the moment the batch is given its sequence, with no other write in between (a
  // transaction's conflict check); throwing rejects the write and writes nothing.
  validate?: () => void
}

// A consistent point-in-time view: reads see exactly the writes up to `sequence`.
export interface Snapshot {
  readonly sequence: number
}

export const DEFAULT_OPTIONS: Readonly<DBOptions> = {
  createIfMissing: true,
  errorIfExists: false,
  compression: true,
  cacheSize: 8 * 1024 * 1024,
  writeBufferSize: 4 * 1024 * 1024,
  blockSize: 4096,
  maxOpenFiles: 1000,
  blockRestartInterval: 16,
  maxFileSize: 2 * 1024 * 1024,
  levelSizeBase: 10 * 1024 * 1024,
  verifyChecksums: false,
  paranoidChecks: false,
  backgroundWorker: true,
  backgroundThreads: 1,
  transactionHistoryBytes: DEFAULT_HISTORY_BYTES,
  readOnly: false,
  lockTimeout: 0,
  env: platform.defaultEnv
}

const BLOOM_BITS_PER_KEY = 10

// Options left undefined take their defaults, as if not given. Throws LEVEL_INVALID_VALUE for a bad one.
export function withDefaults (userOptions: Partial<DBOptions>): DBOptions {
  checkOptions(userOptions)
  const options: DBOptions = { ...DEFAULT_OPTIONS }
  for (const key of Object.keys(userOptions) as Array<keyof DBOptions>) {
    if (userOptions[key] !== undefined) Object.assign(options, { [key]: userOptions[key] })
  }
  return options
}

export function tableOptionsOf (o: DBOptions): TableOutputOptions {
  return { blockSize: o.blockSize, blockRestartInterval: o.blockRestartInterval, compression: o.compression, bloomBitsPerKey: BLOOM_BITS_PER_KEY }
}

// Checks open options before anything touches the disk, and clamps sizes to LevelDB's ranges.
// Every option a caller leaves undefined takes its default; one of the wrong type or outside what
// the engine can work with is refused with LEVEL_INVALID_VALUE, naming the option and the value.
import type { DBOptions } from './options'
import { invalidValue } from '../util/errors'

type BooleanOption = 'createIfMissing' | 'errorIfExists' | 'compression' | 'verifyChecksums' | 'paranoidChecks' | 'backgroundWorker' | 'readOnly'
type SizeOption = 'cacheSize' | 'writeBufferSize' | 'blockSize' | 'maxOpenFiles' | 'blockRestartInterval' | 'maxFileSize' | 'levelSizeBase' | 'transactionHistoryBytes'

const BOOLEAN_OPTIONS: readonly BooleanOption[] = ['createIfMissing', 'errorIfExists', 'compression', 'verifyChecksums', 'paranoidChecks', 'backgroundWorker', 'readOnly']

// The smallest value each size option can work with (a cache of 0 bytes keeps nothing).
const SIZE_MINIMUM: Readonly<Record<SizeOption, number>> = {
  cacheSize: 0,
  writeBufferSize: 1,
  blockSize: 1,
  maxOpenFiles: 1,
  blockRestartInterval: 1,
  maxFileSize: 1,
  levelSizeBase: 1,
  // 0 remembers nothing: every transaction that overlaps another write fails to commit.
  transactionHistoryBytes: 0
}

// LevelDB's SanitizeOptions (db_impl.cc) clips these to [min, max]; classic-level, which passes
// them to LevelDB, does the same. maxOpenFiles' minimum is 64 table files plus the 10 other files
// LevelDB keeps open.
export const LEVELDB_RANGES: Readonly<Partial<Record<SizeOption, readonly [number, number]>>> = {
  maxOpenFiles: [64 + 10, 50000],
  writeBufferSize: [64 * 1024, 1024 * 1024 * 1024],
  maxFileSize: [1024 * 1024, 1024 * 1024 * 1024],
  blockSize: [1024, 4 * 1024 * 1024]
}

const BACKGROUND_THREADS = [1, 2]

function describe (value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : typeof value === 'object' && value !== null ? 'an object' : String(value)
}

function checkBoolean (name: string, value: unknown): void {
  if (typeof value !== 'boolean') throw invalidValue(`The option '${name}' must be true or false, not ${describe(value)}`)
}

function checkSize (name: SizeOption, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < SIZE_MINIMUM[name]) {
    throw invalidValue(`The option '${name}' must be an integer of at least ${SIZE_MINIMUM[name]}, not ${describe(value)}`)
  }
}

// Throws LEVEL_INVALID_VALUE for the first option that is not acceptable; undefined means the default.
export function checkOptions (options: Partial<DBOptions>): void {
  for (const name of BOOLEAN_OPTIONS) {
    if (options[name] !== undefined) checkBoolean(name, options[name])
  }
  for (const name of Object.keys(SIZE_MINIMUM) as SizeOption[]) {
    if (options[name] !== undefined) checkSize(name, options[name])
  }
  const lockTimeout = options.lockTimeout
  if (lockTimeout !== undefined && (typeof lockTimeout !== 'number' || !Number.isSafeInteger(lockTimeout) || lockTimeout < 0)) {
    throw invalidValue(`The option 'lockTimeout' must be a whole number of milliseconds of at least 0, not ${describe(lockTimeout)}`)
  }
  const threads = options.backgroundThreads
  if (threads !== undefined && !BACKGROUND_THREADS.includes(threads)) {
    throw invalidValue(`The option 'backgroundThreads' must be 1 or 2, not ${describe(threads)}`)
  }
}

// A copy with the sizes LevelDB clamps moved into its ranges, as classic-level would open them.
// Negative and fractional values are left as they are, for checkOptions to refuse.
export function clampToLevelDBRanges<T extends Partial<DBOptions>> (options: T): T {
  const clamped = { ...options }
  for (const [name, [min, max]] of Object.entries(LEVELDB_RANGES) as Array<[SizeOption, readonly [number, number]]>) {
    const value = clamped[name]
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) Object.assign(clamped, { [name]: Math.min(max, Math.max(min, value)) })
  }
  return clamped
}

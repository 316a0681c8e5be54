// Open options are checked before anything touches the disk: wrong types and impossible values are
// refused with LEVEL_INVALID_VALUE (in the constructor, or wrapped in LEVEL_DATABASE_NOT_OPEN by
// open()), and the sizes LevelDB clamps are clamped to the same ranges.
import fs from 'node:fs'
import tape from 'tape'
import { AiLevel } from '../../index'
import type { OpenOptions } from '../../index'
import { DB } from '../../lib/db/db'
import { LEVELDB_RANGES, clampToLevelDBRanges } from '../../lib/db/option-checks'
import { UNCLAMPED_SIZES } from '../../lib/level/options'
import { errorCode } from '../../lib/util/errors'
import { rejectionCode } from '../util/level'
import { tempLocation } from '../util/temp-dir'

// Each is nonsense a new user might pass; the first five are from the issue that asked for checks.
const REFUSED: Array<[string, Record<string, unknown>]> = [
  ['cacheSize as a string', { cacheSize: 'big' }],
  ['three background threads', { backgroundThreads: 3 }],
  ['compression named as a codec', { compression: 'snappy' }],
  ['a negative write buffer', { writeBufferSize: -1 }],
  ['a fractional block size', { blockSize: 4096.5 }],
  ['blockRestartInterval 0', { blockRestartInterval: 0 }],
  ['a NaN cache size', { cacheSize: Number.NaN }],
  ['an infinite maxFileSize', { maxFileSize: Number.POSITIVE_INFINITY }],
  ['verifyChecksums as a string', { verifyChecksums: 'yes' }],
  ['paranoidChecks as a number', { paranoidChecks: 1 }],
  ['backgroundWorker as an object', { backgroundWorker: {} }],
  ['maxOpenFiles as a string number', { maxOpenFiles: '100' }],
  ['a negative lockTimeout', { lockTimeout: -1 }],
  ['lockTimeout as a string', { lockTimeout: '5s' }],
  ['a fractional lockTimeout', { lockTimeout: 0.5 }],
  ['an infinite lockTimeout', { lockTimeout: Number.POSITIVE_INFINITY }]
]

function uncaughtCode (fn: () => unknown): string | undefined {
  try {
    fn()
    return 'returned'
  } catch (err) {
    return errorCode(err) ?? (err as Error).name
  }
}

tape('open options: nonsense is refused by the constructor with LEVEL_INVALID_VALUE, and nothing is created', (t) => {
  for (const [label, options] of REFUSED) {
    const location = tempLocation(t)
    t.is(uncaughtCode(() => new AiLevel(location, options as OpenOptions)), 'LEVEL_INVALID_VALUE', label)
    t.notOk(fs.existsSync(location), `${label}: no directory created`)
  }
  t.end()
})

tape('open options: nonsense given to open() fails it with LEVEL_DATABASE_NOT_OPEN caused by LEVEL_INVALID_VALUE', async (t) => {
  for (const [label, options] of REFUSED) {
    const location = tempLocation(t)
    const db = new AiLevel(location, { passive: false } as OpenOptions)
    await db.close()
    try {
      await db.open(options as OpenOptions)
      t.fail(`${label}: opened`)
      await db.close()
    } catch (err) {
      t.is(errorCode(err), 'LEVEL_DATABASE_NOT_OPEN', `${label}: LEVEL_DATABASE_NOT_OPEN`)
      const cause = (err as { cause?: Error }).cause
      t.is(errorCode(cause), 'LEVEL_INVALID_VALUE', `${label}: caused by LEVEL_INVALID_VALUE (${String(cause?.message)})`)
    }
    t.notOk(fs.existsSync(location), `${label}: no directory created`)
  }
})

tape('open options: the engine refuses the same values itself', async (t) => {
  for (const [label, options] of REFUSED) {
    const location = tempLocation(t)
    t.is(await rejectionCode(DB.open(location, options)), 'LEVEL_INVALID_VALUE', label)
    t.notOk(fs.existsSync(location), `${label}: no directory created`)
  }
  t.is(await rejectionCode(DB.open(tempLocation(t), { writeBufferSize: 0 })), 'LEVEL_INVALID_VALUE', 'the engine has no clamps: writeBufferSize 0 is refused')
})

tape('open options: sizes are clamped to LevelDB\'s ranges', (t) => {
  t.deepEqual(LEVELDB_RANGES, {
    maxOpenFiles: [74, 50000],
    writeBufferSize: [64 * 1024, 1024 * 1024 * 1024],
    maxFileSize: [1024 * 1024, 1024 * 1024 * 1024],
    blockSize: [1024, 4 * 1024 * 1024]
  }, 'the ranges of LevelDB 1.20\'s SanitizeOptions')
  t.deepEqual(clampToLevelDBRanges({ writeBufferSize: 0, maxOpenFiles: 0, maxFileSize: 1, blockSize: 0 }),
    { writeBufferSize: 64 * 1024, maxOpenFiles: 74, maxFileSize: 1024 * 1024, blockSize: 1024 }, 'too small: raised to the minimum')
  t.deepEqual(clampToLevelDBRanges({ writeBufferSize: 2 ** 31, maxOpenFiles: 1e6, maxFileSize: 2 ** 40, blockSize: 2 ** 30 }),
    { writeBufferSize: 2 ** 30, maxOpenFiles: 50000, maxFileSize: 2 ** 30, blockSize: 4 * 1024 * 1024 }, 'too large: lowered to the maximum')
  t.deepEqual(clampToLevelDBRanges({ writeBufferSize: 100000, cacheSize: 0, blockRestartInterval: 1 }),
    { writeBufferSize: 100000, cacheSize: 0, blockRestartInterval: 1 }, 'in range, or not clamped by LevelDB: unchanged')
  t.deepEqual(clampToLevelDBRanges({ writeBufferSize: -1 }), { writeBufferSize: -1 }, 'a negative size is left for the check to refuse')
  t.end()
})

async function tablesAfterPuts (location: string, options: OpenOptions): Promise<number> {
  const db = new AiLevel(location, options)
  for (let i = 0; i < 2000; i++) await db.put(`key${i}`, 'value')
  let tables = 0
  for (let level = 0; level < 7; level++) tables += Number(db.getProperty(`aidb.num-files-at-level${level}`))
  await db.close()
  return tables
}

tape('open options: writeBufferSize 0 is clamped to 64 KiB, as classic-level does, not one table per put', async (t) => {
  t.is(await tablesAfterPuts(tempLocation(t), { writeBufferSize: 0 }), 0, '2000 small puts stay in one 64 KiB memtable')
  t.is(await tablesAfterPuts(tempLocation(t), { maxOpenFiles: 0, blockSize: 0, maxFileSize: 0 }), 0, 'maxOpenFiles, blockSize and maxFileSize 0 open too')
  // maxFileSize 1 KiB too, so that compactions keep the flushed data in many small tables: how
  // many tables are live then no longer depends on where in a compaction the last flush lands.
  // Clamped, 2000 puts fill at most two 64 KiB memtables, too few for a compaction (which takes
  // four level-0 tables) to split anything, whatever maxFileSize.
  t.ok(await tablesAfterPuts(tempLocation(t), { writeBufferSize: 1024, maxFileSize: 1024, [UNCLAMPED_SIZES]: true }) > 5, 'unclamped, a 1 KiB memtable flushes many tables (what the clamp prevents)')
})

tape('open options: cacheSize 0 keeps no blocks but reads still work', async (t) => {
  const db = new AiLevel(tempLocation(t), { cacheSize: 0 })
  await db.put('a', 'b')
  await db.compactRange('a', 'z')
  t.is(await db.get('a'), 'b', 'read back from a table')
  return db.close()
})

tape('engine errors carry codes: a missing or existing database, and repair of a missing directory', async (t) => {
  const missing = tempLocation(t)
  t.is(await rejectionCode(DB.open(missing, { createIfMissing: false })), 'LEVEL_DATABASE_NOT_OPEN', 'createIfMissing false on a missing directory')
  t.is(await rejectionCode(AiLevel.repair(missing)), 'LEVEL_DATABASE_NOT_OPEN', 'repair of a missing directory')
  const db = new AiLevel(missing)
  await db.open()
  await db.close()
  t.is(await rejectionCode(DB.open(missing, { errorIfExists: true })), 'LEVEL_DATABASE_NOT_OPEN', 'errorIfExists on an existing database')
  const again = new AiLevel(missing, { errorIfExists: true })
  try {
    await again.open()
    t.fail('opened')
  } catch (err) {
    t.is(errorCode((err as { cause?: unknown }).cause), 'LEVEL_DATABASE_NOT_OPEN', 'through AiLevel: the cause is coded too')
  }
})

// Data written through AiLevel must survive close/reopen, manual compaction and repeated reopening,
// and the directory must stay readable by classic-level (the same on-disk format) in both directions.
import fs from 'node:fs'
import path from 'node:path'
import test from 'tape'
import { ClassicLevel } from 'classic-level'
import { AiLevel } from '../../index'
import { createRandom, Random } from '../util/random'
import { removeDir, tempDir } from '../util/temp-dir'
import { SMALL } from '../util/options'
import { UNCLAMPED_SIZES } from '../../lib/level/options'

type Expected = Map<string, string>

// Structural, because abstract-level's class types are invariant in the database type.
interface Db {
  put (key: string, value: string): Promise<void>
  del (key: string): Promise<void>
  batch (operations: Array<{ type: 'put', key: string, value: string } | { type: 'del', key: string }>): Promise<void>
  batch (): { put (key: string, value: string): unknown, del (key: string): unknown, write (): Promise<void> }
  getMany (keys: string[]): Promise<Array<string | undefined>>
  iterator (): { all (): Promise<Array<[string, string]>> }
  keys (options: { reverse: boolean }): { all (): Promise<string[]> }
}

// Small enough that a few thousand writes flush many tables and trigger compactions.
const tuning = { keyEncoding: 'utf8', valueEncoding: 'utf8', ...SMALL } as const
const KEY_COUNT = 3000
const FULL_RANGE = ['key-', 'key-~'] as const

function keyAt (index: number): string {
  return `key-${String(index).padStart(6, '0')}`
}

function valueFor (random: Random, label: string): string {
  return `${label}:` + 'v'.repeat(random.between(50, 300))
}

async function openAi (location: string): Promise<AiLevel<string, string>> {
  const db = new AiLevel<string, string>(location, { ...tuning, [UNCLAMPED_SIZES]: true })
  await db.open()
  return db
}

/** Writes puts, deletes, array batches and a chained batch, mirroring them into `expected`. */
async function writeMixed (db: Db, expected: Expected, random: Random, label: string): Promise<void> {
  for (let index = 0; index < KEY_COUNT; index++) {
    const value = valueFor(random, label)
    await db.put(keyAt(index), value)
    expected.set(keyAt(index), value)
  }
  for (let index = 0; index < KEY_COUNT; index += 7) {
    await db.del(keyAt(index))
    expected.delete(keyAt(index))
  }
  for (let round = 0; round < 20; round++) {
    const operations = Array.from({ length: 50 }, () => {
      const key = keyAt(random.int(KEY_COUNT + 500))
      return random.chance(0.7)
        ? { type: 'put' as const, key, value: valueFor(random, `${label}-batch${round}`) }
        : { type: 'del' as const, key }
    })
    await db.batch(operations)
    for (const operation of operations) {
      if (operation.type === 'put') expected.set(operation.key, operation.value)
      else expected.delete(operation.key)
    }
  }
  const chained = db.batch()
  for (let index = KEY_COUNT; index < KEY_COUNT + 100; index++) {
    const value = valueFor(random, `${label}-chained`)
    chained.put(keyAt(index), value)
    expected.set(keyAt(index), value)
  }
  chained.del(keyAt(1))
  expected.delete(keyAt(1))
  await chained.write()
}

/** One assertion per view of the data, reporting the first difference rather than dumping thousands of entries. */
async function verify (t: test.Test, db: Db, expected: Expected, stage: string): Promise<void> {
  const wanted = [...expected.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
  const scanned = await db.iterator().all()
  const scanMismatch = wanted.findIndex(([key, value], i) => scanned[i]?.[0] !== key || scanned[i]?.[1] !== value)
  t.ok(scanned.length === wanted.length && scanMismatch === -1,
    `${stage}: full scan has ${wanted.length} entries` + (scanMismatch === -1 ? '' : `, first mismatch at ${wanted[scanMismatch][0]}`))

  const reversed = await db.keys({ reverse: true }).all()
  t.ok(reversed.length === wanted.length && reversed.every((key, i) => key === wanted[wanted.length - 1 - i][0]), `${stage}: reverse scan agrees`)

  const keys = Array.from({ length: KEY_COUNT + 500 }, (_, index) => keyAt(index))
  const values = await db.getMany(keys)
  const getMismatch = keys.findIndex((key, i) => values[i] !== expected.get(key))
  t.equal(getMismatch, -1, `${stage}: getMany agrees for present and deleted keys` + (getMismatch === -1 ? '' : ` (first mismatch ${keys[getMismatch]})`))
}

function tableFiles (location: string): string[] {
  return fs.readdirSync(location).filter((name) => name.endsWith('.ldb') || name.endsWith('.sst'))
}

test('persistence: data survives close, compactRange and repeated reopen', async (t) => {
  const location = tempDir('persistence')
  const random = createRandom(7)
  const expected: Expected = new Map()

  let db = await openAi(location)
  await writeMixed(db, expected, random, 'first')
  await verify(t, db, expected, 'before close')
  await db.close()
  t.ok(fs.existsSync(path.join(location, 'CURRENT')), 'CURRENT file written')
  t.ok(tableFiles(location).length > 0, 'small write buffer flushed table files')

  db = await openAi(location)
  await verify(t, db, expected, 'after reopen')

  await db.compactRange(...FULL_RANGE)
  await verify(t, db, expected, 'after compactRange')
  t.equal(db.getProperty('leveldb.num-files-at-level0'), '0', 'compactRange emptied level 0')

  await db.close()
  db = await openAi(location)
  await verify(t, db, expected, 'after reopen following compactRange')

  // Newer writes after a reopen must shadow the older table contents.
  await writeMixed(db, expected, random, 'second')
  await db.close()
  db = await openAi(location)
  await db.close()
  db = await openAi(location)
  await verify(t, db, expected, 'after overwriting and reopening twice')
  await db.close()

  removeDir(location)
})

test('persistence: the directory format is shared with classic-level', async (t) => {
  const location = tempDir('compat')
  const random = createRandom(11)
  const expected: Expected = new Map()

  const ai = await openAi(location)
  await writeMixed(ai, expected, random, 'ai')
  await ai.close()

  const classic = new ClassicLevel<string, string>(location, tuning)
  await classic.open()
  await verify(t, classic, expected, 'classic-level reading AiLevel files')
  await writeMixed(classic, expected, random, 'classic')
  await classic.close()

  const reopened = await openAi(location)
  await verify(t, reopened, expected, 'AiLevel reading classic-level files')
  await reopened.close()

  removeDir(location)
})
